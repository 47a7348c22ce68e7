/*
 * when.c: reading and printing the dates of the command line; see when.h.
 *
 * Dates are UTC throughout, like the store: a day given as 2026-11-23 starts at
 * 2026-11-23 00:00:00 UTC whatever the local time zone says.
 */
#include <ctype.h>
#include <string.h>

#include "when.h"

#define DAY_SECONDS	86400
#define DAYS_MAX	36500		/* a hundred years back is far enough */

static int
bad_date(const char *text, struct err *e)
{
	return err_set(e, "\"%.64s\" is not a date: give YYYY-MM-DD (UTC) or Nd for"
	    " N days ago, e.g. 2026-11-01 or 30d", text);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* "YYYY-MM-DD", checked field by field so 2026-02-30 is refused, not rolled over. */
static int
parse_day(const char *text, time_t *out, struct err *e)
{
	struct tm tm;
	int year, month, day;

	if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' ||
	    !all_digits(text, 4) || !all_digits(text + 5, 2) || !all_digits(text + 8, 2))
		return bad_date(text, e);
	year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
	    (text[3] - '0');
	month = (text[5] - '0') * 10 + (text[6] - '0');
	day = (text[8] - '0') * 10 + (text[9] - '0');
	if (year < 1970 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month))
		return bad_date(text, e);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	*out = timegm(&tm);
	return 0;
}

static int
parse_days_ago(const char *text, time_t now, time_t *out, struct err *e)
{
	size_t n = strlen(text);
	long days = 0;
	size_t i;

	if (n < 2 || n > 6 || text[n - 1] != 'd' || !all_digits(text, n - 1))
		return bad_date(text, e);
	for (i = 0; i + 1 < n; i++)
		days = days * 10 + (text[i] - '0');
	if (days > DAYS_MAX)
		return err_set(e, "\"%s\": at most %d days back", text, DAYS_MAX);
	*out = now - (time_t)days * DAY_SECONDS;
	return 0;
}

int
when_parse(const char *text, time_t now, time_t *out, struct err *e)
{
	if (text == NULL || *text == '\0')
		return bad_date("", e);
	if (strchr(text, '-') != NULL)
		return parse_day(text, out, e);
	return parse_days_ago(text, now, out, e);
}

const char *
when_format(time_t t, char *buf)
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return strcpy(buf, "-");
	strftime(buf, WHEN_BUFSIZE, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

const char *
when_format_day(time_t t, char *buf)
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return strcpy(buf, "-");
	strftime(buf, WHEN_BUFSIZE, "%Y-%m-%d", &tm);
	return buf;
}
