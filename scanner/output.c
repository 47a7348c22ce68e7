/* output.c: printing reports; see output.h. JSON is written by jansson. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "output.h"
#include "utf8.h"

static json_t *
string_or_null(const char *s)
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

/* ISO 8601 in UTC, or null. */
static json_t *
date_or_null(time_t t)
{
	struct tm tm;
	char buf[32];

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static void
print_object(FILE *f, json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (line != NULL) {
		fprintf(f, "%s\n", line);
		free(line);
	}
	json_decref(o);
}

static json_t *
result_object(const char *file, const struct report *r, const struct result *res)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", string_or_null(file));
	json_object_set_new(o, "recipient", string_or_null(res->recipient));
	json_object_set_new(o, "action", string_or_null(res->action));
	json_object_set_new(o, "status", string_or_null(res->status));
	json_object_set_new(o, "smtp_code",
	    res->smtp_code > 0 ? json_integer(res->smtp_code) : json_null());
	json_object_set_new(o, "smtp_command", string_or_null(res->smtp_command));
	json_object_set_new(o, "class", json_string(class_name(res->class)));
	json_object_set_new(o, "reason", string_or_null(res->reason));
	json_object_set_new(o, "diagnostic", string_or_null(res->diagnostic));
	json_object_set_new(o, "remote_mta", string_or_null(res->remote_mta));
	if (res->feedback_type != NULL)
		json_object_set_new(o, "feedback_type", string_or_null(res->feedback_type));
	json_object_set_new(o, "rule", string_or_null(res->rule));
	json_object_set_new(o, "format", string_or_null(r->format));
	json_object_set_new(o, "original_message_id",
	    string_or_null(r->original_message_id));
	json_object_set_new(o, "date", date_or_null(r->date));
	if (r->error[0] != '\0')
		json_object_set_new(o, "warning", string_or_null(r->error));
	return o;
}

void
output_json(FILE *f, const char *file, const struct report *r)
{
	size_t i;
	json_t *o;

	for (i = 0; i < r->nresults; i++)
		print_object(f, result_object(file, r, &r->results[i]));
	if (r->nresults > 0)
		return;
	o = json_object();
	json_object_set_new(o, "file", string_or_null(file));
	json_object_set_new(o, "recipient", json_null());
	json_object_set_new(o, "action", json_null());
	json_object_set_new(o, "status", json_null());
	json_object_set_new(o, "smtp_code", json_null());
	json_object_set_new(o, "class", json_string("none"));
	json_object_set_new(o, "reason", json_null());
	json_object_set_new(o, "diagnostic", json_null());
	json_object_set_new(o, "remote_mta", json_null());
	if (r->error[0] != '\0')
		json_object_set_new(o, "warning", string_or_null(r->error));
	print_object(f, o);
}

void
output_table_header(FILE *f)
{
	fprintf(f, "%-30s %-32s %-9s %-15s %-7s %-4s %s\n", "FILE", "RECIPIENT", "CLASS",
	    "REASON", "STATUS", "CODE", "DIAGNOSTIC");
}

static void
table_row(FILE *f, const char *file, const char *rcpt, const char *cls,
    const char *reason, const char *status, int code, const char *diag)
{
	char *d = utf8_clean(diag != NULL ? diag : "-");
	char *r = utf8_clean(rcpt != NULL ? rcpt : "-");
	char codebuf[16] = "-";

	if (code > 0)
		snprintf(codebuf, sizeof codebuf, "%d", code);
	if (strlen(d) > 100)
		strcpy(d + 97, "...");
	fprintf(f, "%-30s %-32s %-9s %-15s %-7s %-4s %s\n", file, r, cls,
	    reason != NULL ? reason : "-", status != NULL && *status ? status : "-",
	    codebuf, d);
	free(d);
	free(r);
}

void
output_table(FILE *f, const char *file, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nresults; i++) {
		const struct result *res = &r->results[i];

		table_row(f, file, res->recipient, class_name(res->class), res->reason,
		    res->status, res->smtp_code, res->diagnostic);
	}
	if (r->nresults == 0)
		table_row(f, file, NULL, "none", NULL, NULL, 0, "not a bounce");
}
