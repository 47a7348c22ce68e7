/*
 * date.c: RFC 5322 date-time values to time_t, with libetpan's parser. The store
 * counts soft bounces per day of the bounce, so replaying an old mailbox needs the
 * bounce's own date, not the time it was read.
 */
#include <string.h>

#include <libetpan/libetpan.h>

#include "date.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (no time zone, no libc state). */
static long
days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

time_t
date_parse(const char *value)
{
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;
	long days, secs, zone;

	if (value == NULL || mailimf_date_time_parse(value, strlen(value), &idx,
	    &dt) != MAILIMF_NO_ERROR)
		return 0;
	if (dt->dt_year < 1970 || dt->dt_year > 9999 || dt->dt_month < 1 ||
	    dt->dt_month > 12 || dt->dt_day < 1 || dt->dt_day > 31) {
		mailimf_date_time_free(dt);
		return 0;
	}
	days = days_from_civil(dt->dt_year, dt->dt_month, dt->dt_day);
	/* dt_zone is +hhmm as a number: +0900 is 900. */
	zone = (dt->dt_zone / 100) * 3600L + (dt->dt_zone % 100) * 60L;
	secs = days * 86400L + dt->dt_hour * 3600L + dt->dt_min * 60L + dt->dt_sec - zone;
	mailimf_date_time_free(dt);
	return secs > 0 ? (time_t)secs : 0;
}
