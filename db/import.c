/*
 * import.c: loading a suppression list kept elsewhere (another tool's export, a
 * list manager's unsubscribe file): one address per line, or CSV.
 *
 * CSV is recognised by a header row naming an address column ("email", "address",
 * "email_address", "e-mail", "recipient"); a "reason" column, when present, becomes
 * the suppression's reason. Without such a header, a line with commas is read as
 * CSV with the address first. Lines that are not valid addresses are skipped and
 * counted, never stored. Addresses already suppressed are left as they are, so
 * importing the same list again changes nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define LINE_MAX_BYTES	4096
#define FIELDS_MAX	64
#define DEFAULT_REASON	"imported"

struct columns {
	int	csv;
	int	address;		/* column index */
	int	reason;			/* column index, or -1 */
};

/*
 * Split one CSV line in place (RFC 4180 quoting, no embedded newlines). Returns the
 * number of fields.
 */
static int
csv_split(char *line, char **fields)
{
	char *in = line, *out = line;
	int n = 0, quoted = 0;

	fields[n++] = out;
	for (; *in != '\0'; in++) {
		if (quoted && in[0] == '"' && in[1] == '"')
			*out++ = *in++;
		else if (*in == '"')
			quoted = !quoted;
		else if (*in == ',' && !quoted && n < FIELDS_MAX) {
			*out++ = '\0';
			fields[n++] = out;
		} else
			*out++ = *in;
	}
	*out = '\0';
	return n;
}

static char *
trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int
is_address_heading(const char *s)
{
	static const char *const names[] = {
		"email", "address", "email_address", "e-mail", "recipient", "mail", NULL
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/* Look at the first line: 1 when it is a CSV header (consumed), else 0. */
static int
read_header(const char *line, struct columns *c)
{
	char copy[LINE_MAX_BYTES], *fields[FIELDS_MAX];
	int n, i, header = 0;

	c->csv = strchr(line, ',') != NULL;
	c->address = 0;
	c->reason = -1;
	snprintf(copy, sizeof copy, "%s", line);
	n = csv_split(copy, fields);
	for (i = 0; i < n; i++) {
		char *field = trim(fields[i]);

		if (is_address_heading(field) && !header) {
			c->address = i;
			header = 1;
		} else if (strcasecmp(field, "reason") == 0)
			c->reason = i;
	}
	if (header)
		c->csv = 1;
	else
		c->reason = -1;
	return header;
}

static void
invalid(struct store_import_result *r, size_t line, const char *why)
{
	if (r->invalid++ == 0)
		snprintf(r->first_invalid, sizeof r->first_invalid, "line %zu: %.200s",
		    line, why);
}

/* One data line. Returns -1 only for a store failure. */
static int
import_line(struct store *st, char *line, size_t number, const struct columns *c,
    struct store_import_result *r, struct err *e)
{
	char *fields[FIELDS_MAX], *address = line, *reason = NULL;
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct err why;
	int n, rc;

	if (c->csv) {
		n = csv_split(line, fields);
		if (c->address >= n)
			return invalid(r, number, "no address column"), 0;
		address = fields[c->address];
		if (c->reason >= 0 && c->reason < n && *trim(fields[c->reason]) != '\0')
			reason = trim(fields[c->reason]);
	}
	address = trim(address);
	if (store_address_normalise(address, display, key, &why) == -1)
		return invalid(r, number, why.msg), 0;
	rc = suppress_recipient(st, address, "import",
	    reason != NULL ? reason : DEFAULT_REASON, e);
	if (rc == -1)
		return -1;
	if (rc == 1)
		r->added++;
	else
		r->already++;
	return 0;
}

/* Read the next line; 0 at the end. Over-long lines are reported, not split. */
static int
next_line(FILE *fp, char *buffer, size_t size, int *too_long)
{
	size_t n;
	int ch;

	*too_long = 0;
	if (fgets(buffer, (int)size, fp) == NULL)
		return 0;
	n = strlen(buffer);
	if (n == size - 1 && buffer[n - 1] != '\n') {
		*too_long = 1;
		while ((ch = fgetc(fp)) != EOF && ch != '\n')
			;
	}
	return 1;
}

static int
import_lines(struct store *st, FILE *fp, struct store_import_result *r,
    struct err *e)
{
	char buffer[LINE_MAX_BYTES], *line;
	struct columns c = { 0, 0, -1 };
	size_t number = 0;
	int too_long, first = 1;

	while (next_line(fp, buffer, sizeof buffer, &too_long)) {
		number++;
		line = trim(buffer);
		if (too_long) {
			invalid(r, number, "line too long");
			continue;
		}
		if (*line == '\0' || *line == '#')
			continue;
		if (first) {
			first = 0;
			if (read_header(line, &c))
				continue;
		}
		if (import_line(st, line, number, &c, r, e) == -1)
			return err_prefix(e, "line %zu: ", number);
	}
	return 0;
}

int
store_import(struct store *st, const char *path, struct store_import_result *r,
    struct err *e)
{
	FILE *fp;
	int own, rc;

	memset(r, 0, sizeof *r);
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (store_write_begin(st, &own, e) == -1) {
		fclose(fp);
		return -1;
	}
	rc = import_lines(st, fp, r, e);
	if (rc == 0 && ferror(fp))
		rc = err_set(e, "%s: read error", path);
	fclose(fp);
	if (rc == -1)
		memset(r, 0, sizeof *r);
	return store_write_end(st, own, rc, e);
}
