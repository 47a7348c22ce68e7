/*
 * when.h: the dates that commands accept, in one place so every command reads
 * them alike: "YYYY-MM-DD" (midnight UTC at the start of that day) or "Nd" (N
 * days before now, to the second).
 */
#ifndef BOUNCESCAN_WHEN_H
#define BOUNCESCAN_WHEN_H

#include <time.h>

#include "err.h"

/*
 * Read text as a date into *out, "Nd" counting back from now. Returns 0, or -1
 * with e quoting the text and showing the forms accepted.
 */
int when_parse(const char *text, time_t now, time_t *out, struct err *e);

/* "YYYY-MM-DD HH:MM:SS UTC" into buf (at least WHEN_BUFSIZE bytes); "-" for 0. */
#define WHEN_BUFSIZE	32
const char *when_format(time_t t, char *buf);

/* "YYYY-MM-DD" of t, UTC. */
const char *when_format_day(time_t t, char *buf);

#endif
