/* show.c: printing store rows safely; see show.h. */
#include <stdlib.h>

#include "show.h"
#include "utf8.h"

void
show_text(FILE *f, const char *s, const char *if_empty)
{
	char *clean;

	if (s == NULL || *s == '\0') {
		fputs(if_empty, f);
		return;
	}
	clean = utf8_clean(s);
	fputs(clean, f);
	free(clean);
}

/* Printable ASCII and tabs only: what utf8_clean would return unchanged. */
static int
plain_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p >= 0x7f)
			return 0;
	return 1;
}

json_t *
show_json_text(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL || *s == '\0')
		return json_null();
	/* Most values are plain ASCII: no copy to clean, no check by jansson. */
	if (plain_printable(s))
		return json_string_nocheck(s);
	clean = utf8_clean(s);
	j = json_string(clean);
	free(clean);
	return j != NULL ? j : json_null();
}

json_t *
show_json_time(time_t t)
{
	struct tm tm;
	char buf[32];

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

void
show_json_line(FILE *f, json_t *o)
{
	/*
	 * Into one reused buffer, then one write: json_dumps allocates the line and
	 * json_dumpf writes it a few bytes at a time (measured with callgrind over the
	 * corpus: 16.7M instructions for json_dumpf). A longer line takes json_dumps.
	 */
	static char buf[16384];
	const size_t flags = JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER;
	size_t n = json_dumpb(o, buf, sizeof buf - 1, flags);
	char *line;

	if (n > 0 && n < sizeof buf - 1) {
		buf[n] = '\n';
		fwrite(buf, 1, n + 1, f);
	} else if ((line = json_dumps(o, flags)) != NULL) {
		fprintf(f, "%s\n", line);
		free(line);
	}
	json_decref(o);
}
