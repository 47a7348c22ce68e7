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

/* The fields of a date-time that date_parse() uses. */
struct date_fields {
	int	 year, month, day, hour, minute, second;
	int	 zone;		/* +hhmm as a number, as libetpan has it: 900 */
};

/* Exactly `count` digits at s as a number, or -1. */
static int
digits_value(const char *s, int count)
{
	int value = 0, i;

	for (i = 0; i < count; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value;
}

/* "Jan".."Dec" exactly, as 1..12; 0 for anything else. */
static int
month_number(const char *s)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(s, names + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

/*
 * The usual form, "Mon, 2 Jan 2006 15:04:05 -0700" (day name optional), read
 * without libetpan, whose parser cost 4,400 instructions a date. Anything else
 * (comments, folding, named zones, two-digit years, odd spacing or values out
 * of range) returns 0 and goes to libetpan, so the result never differs.
 */
static int
date_simple(const char *s, struct date_fields *d)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	int i, width, sign;

	for (i = 0; i < 7 && s[0] != '\0' && s[1] != '\0' && s[2] != '\0'; i++)
		if (memcmp(s, days + 3 * i, 3) == 0 && s[3] == ',' && s[4] == ' ') {
			s += 5;
			break;
		}
	width = (s[0] >= '0' && s[0] <= '9' && s[1] == ' ') ? 1 : 2;
	if ((d->day = digits_value(s, width)) < 1 || d->day > 31 || s[width] != ' ')
		return 0;
	s += width + 1;
	if (strlen(s) < 23 || (d->month = month_number(s)) == 0 || s[3] != ' ' ||
	    (d->year = digits_value(s + 4, 4)) < 1970 || s[8] != ' ' ||
	    (d->hour = digits_value(s + 9, 2)) < 0 || d->hour > 23 || s[11] != ':' ||
	    (d->minute = digits_value(s + 12, 2)) < 0 || d->minute > 59 ||
	    s[14] != ':' || (d->second = digits_value(s + 15, 2)) < 0 ||
	    d->second > 59 || s[17] != ' ' || (s[18] != '+' && s[18] != '-') ||
	    (d->zone = digits_value(s + 19, 4)) < 0 ||
	    (s[23] >= '0' && s[23] <= '9'))
		return 0;
	sign = s[18] == '-' ? -1 : 1;
	d->zone *= sign;
	return 1;
}

/* The date by libetpan's parser; 0 when it is not one. */
static int
date_libetpan(const char *value, struct date_fields *d)
{
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;

	if (mailimf_date_time_parse(value, strlen(value), &idx,
	    &dt) != MAILIMF_NO_ERROR)
		return 0;
	*d = (struct date_fields){ dt->dt_year, dt->dt_month, dt->dt_day, dt->dt_hour,
	    dt->dt_min, dt->dt_sec, dt->dt_zone };
	mailimf_date_time_free(dt);
	return 1;
}

time_t
date_parse(const char *value)
{
	struct date_fields d;
	long days, secs, zone;

	if (value == NULL || (!date_simple(value, &d) && !date_libetpan(value, &d)))
		return 0;
	if (d.year < 1970 || d.year > 9999 || d.month < 1 || d.month > 12 ||
	    d.day < 1 || d.day > 31)
		return 0;
	days = days_from_civil(d.year, d.month, d.day);
	zone = (d.zone / 100) * 3600L + (d.zone % 100) * 60L;
	secs = days * 86400L + d.hour * 3600L + d.minute * 60L + d.second - zone;
	return secs > 0 ? (time_t)secs : 0;
}
