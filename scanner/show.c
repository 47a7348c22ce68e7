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

json_t *
show_json_text(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL || *s == '\0')
		return json_null();
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
	char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);

	if (line != NULL) {
		fprintf(f, "%s\n", line);
		free(line);
	}
	json_decref(o);
}
