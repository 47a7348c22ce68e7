/* output.c: printing reports; see output.h. JSON is written by jansson. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "output.h"
#include "show.h"
#include "utf8.h"

static json_t *
result_object(const char *file, const struct report *r, const struct result *res)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", show_json_text(file));
	json_object_set_new(o, "recipient", show_json_text(res->recipient));
	json_object_set_new(o, "action", show_json_text(res->action));
	json_object_set_new(o, "status", show_json_text(res->status));
	json_object_set_new(o, "smtp_code",
	    res->smtp_code > 0 ? json_integer(res->smtp_code) : json_null());
	json_object_set_new(o, "smtp_command", show_json_text(res->smtp_command));
	json_object_set_new(o, "class", json_string(class_name(res->class)));
	json_object_set_new(o, "reason", show_json_text(res->reason));
	json_object_set_new(o, "diagnostic", show_json_text(res->diagnostic));
	json_object_set_new(o, "remote_mta", show_json_text(res->remote_mta));
	if (res->feedback_type != NULL)
		json_object_set_new(o, "feedback_type", show_json_text(res->feedback_type));
	json_object_set_new(o, "rule", show_json_text(res->rule));
	json_object_set_new(o, "format", show_json_text(r->format));
	json_object_set_new(o, "original_message_id",
	    show_json_text(r->original_message_id));
	json_object_set_new(o, "date", show_json_time(r->date));
	if (r->list != NULL)	/* [list NAME] sections in the configuration */
		json_object_set_new(o, "list", show_json_text(r->list));
	if (r->error[0] != '\0')
		json_object_set_new(o, "warning", show_json_text(r->error));
	return o;
}

void
output_json(FILE *f, const char *file, const struct report *r)
{
	size_t i;
	json_t *o;

	for (i = 0; i < r->nresults; i++)
		show_json_line(f, result_object(file, r, &r->results[i]));
	if (r->nresults > 0)
		return;
	o = json_object();
	json_object_set_new(o, "file", show_json_text(file));
	json_object_set_new(o, "recipient", json_null());
	json_object_set_new(o, "action", json_null());
	json_object_set_new(o, "status", json_null());
	json_object_set_new(o, "smtp_code", json_null());
	json_object_set_new(o, "class", json_string("none"));
	json_object_set_new(o, "reason", json_null());
	json_object_set_new(o, "diagnostic", json_null());
	json_object_set_new(o, "remote_mta", json_null());
	if (r->error[0] != '\0')
		json_object_set_new(o, "warning", show_json_text(r->error));
	show_json_line(f, o);
}

/*
 * The table is printed as the files are read, so its columns have fixed widths;
 * a file name or recipient longer than its column is cut from the left, where
 * "..." replaces what is gone (the end of a path names the file, and the end of
 * an address its domain), so the columns after it stay where the header put them.
 */
#define FILE_WIDTH	30
#define RCPT_WIDTH	32

void
output_table_header(FILE *f)
{
	fprintf(f, "%-*s %-*s %-9s %-15s %-7s %-4s %s\n", FILE_WIDTH, "FILE",
	    RCPT_WIDTH, "RECIPIENT", "CLASS", "REASON", "STATUS", "CODE", "DIAGNOSTIC");
}

/* Characters of s, a string of valid UTF-8 (utf8_clean), not bytes. */
static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* s in a column of width characters and a space: padded, or cut from the left. */
static void
table_cell(FILE *f, const char *s, size_t width)
{
	size_t n = text_width(s);

	if (n <= width) {
		fprintf(f, "%s%*s ", s, (int)(width - n), "");
		return;
	}
	n -= width - 3;	/* characters to drop, so that "..." and the rest fill width */
	while (n > 0) {
		s++;
		if (((unsigned char)*s & 0xc0) != 0x80)
			n--;
	}
	fprintf(f, "...%s ", s);
}

static void
table_row(FILE *f, const char *file, const char *rcpt, const char *cls,
    const char *reason, const char *status, int code, const char *diag)
{
	char *d = utf8_clean(diag != NULL ? diag : "-");
	char *r = utf8_clean(rcpt != NULL ? rcpt : "-");
	char *name = utf8_clean(file);
	char codebuf[16] = "-";

	if (code > 0)
		snprintf(codebuf, sizeof codebuf, "%d", code);
	if (strlen(d) > 100)
		strcpy(d + 97, "...");
	table_cell(f, name, FILE_WIDTH);
	table_cell(f, r, RCPT_WIDTH);
	fprintf(f, "%-9s %-15s %-7s %-4s %s\n", cls,
	    reason != NULL ? reason : "-", status != NULL && *status ? status : "-",
	    codebuf, d);
	free(name);
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
