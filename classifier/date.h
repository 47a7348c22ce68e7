/* date.h: RFC 5322 dates (Date:, Arrival-Date:) to time_t. */
#ifndef BOUNCESCAN_DATE_H
#define BOUNCESCAN_DATE_H

#include <time.h>

/* The time a date-time value names, or 0 when it is not one (or before 1970). */
time_t date_parse(const char *value);

#endif
