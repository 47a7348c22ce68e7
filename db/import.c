/*
 * import.c: loading a suppression list kept elsewhere (another tool's export, a
 * list manager's unsubscribe file): one address per line, or CSV.
 *
 * CSV is recognised by a header row naming an address column ("email", "address",
 * "email_address", "e-mail", "recipient"); a "reason" column, when present, becomes
 * the suppression's reason. Without such a header, a first line with commas makes
 * the file CSV with the address first. CSV is read as RFC 4180 writes it (quoted
 * fields with commas, doubled quotes and newlines); a record that cannot be read
 * exactly, or holds a NUL byte, is refused with its line number, never guessed
 * at. Lines that are not valid addresses are skipped and counted, never stored.
 * Addresses already suppressed are left as they are, so importing the same list
 * again changes nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define LINE_MAX_BYTES	4096	/* of a record, quoted newlines included */
#define FIELDS_MAX	64
#define DEFAULT_REASON	"imported"

struct columns {
	int	csv;
	int	address;		/* column index */
	int	reason;			/* column index, or -1 */
};

/*
 * The input, read a byte at a time. The first data line is read ahead to choose
 * between one address per line and CSV, and given out again from back.
 */
struct reader {
	FILE		*fp;
	size_t		 line;		/* of the byte read last */
	char		 back[LINE_MAX_BYTES + 1];
	size_t		 back_length, back_position;
};

/* One record: its fields point into text; why is set when it is refused. */
struct record {
	char		 text[LINE_MAX_BYTES + 1];
	char		*fields[FIELDS_MAX];
	int		 nfields;
	size_t		 line;		/* where it starts */
	const char	*why;
};

static int
reader_getc(struct reader *r)
{
	int ch;

	if (r->back_position < r->back_length)
		ch = (unsigned char)r->back[r->back_position++];
	else
		ch = getc(r->fp);
	if (ch == '\n')
		r->line++;
	return ch;
}

/* After a refused record: drop the rest of its line. */
static void
skip_line(struct reader *r, int ch)
{
	while (ch != '\n' && ch != EOF)
		ch = reader_getc(r);
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

/* Where a CSV record is: QUOTE_SEEN is a '"' in a quoted field, doubled or closing. */
enum csv_state { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN, QUOTE_CLOSED };

static int
csv_field_end(struct record *rec, enum csv_state *state, size_t *n)
{
	if (rec->nfields == FIELDS_MAX) {
		rec->why = "more than 64 fields";
		return -1;
	}
	rec->text[(*n)++] = '\0';
	rec->fields[rec->nfields++] = rec->text + *n;
	*state = FIELD_START;
	return 0;
}

/*
 * One byte of a CSV record (RFC 4180 2.5-2.7), newlines outside quotes aside:
 * stored, or ending a field, or refused with rec->why (-1). White space around
 * a quoted field is allowed and dropped.
 */
static int
csv_byte(struct record *rec, enum csv_state *state, int ch, size_t *n)
{
	if (*state == QUOTED || (*state == QUOTE_SEEN && ch == '"')) {
		if (*state == QUOTED && ch == '"')
			*state = QUOTE_SEEN;
		else {
			rec->text[(*n)++] = (char)ch;
			*state = QUOTED;
		}
		return 0;
	}
	if (ch == ',')
		return csv_field_end(rec, state, n);
	if (*state == QUOTE_SEEN || *state == QUOTE_CLOSED) {
		*state = QUOTE_CLOSED;
		if (isspace(ch))
			return 0;
		rec->why = "text after the closing '\"' of a field";
		return -1;
	}
	if (ch == '"' && *state == FIELD_START) {
		*state = QUOTED;
		return 0;
	}
	if (ch == '"') {
		rec->why = "a '\"' in a field that is not quoted";
		return -1;
	}
	if (*state == UNQUOTED || !isspace(ch)) {
		rec->text[(*n)++] = (char)ch;
		*state = UNQUOTED;
	}
	return 0;
}

/*
 * The next record: with csv, one RFC 4180 record, whose quoted fields may hold
 * commas, doubled quotes and newlines; else one line, a single field. A record
 * that cannot be read exactly (a NUL byte, a quote out of place, an unclosed
 * quoted field, too long, too many fields) is refused with why, never guessed
 * at, and the rest of its line is dropped. Returns 0 at the end of the input,
 * else 1.
 */
static int
read_record(struct reader *r, int csv, struct record *rec)
{
	enum csv_state state = FIELD_START;
	size_t n = 0;
	int ch;

	rec->nfields = 1;
	rec->fields[0] = rec->text;
	rec->line = r->line + 1;
	rec->why = NULL;
	if ((ch = reader_getc(r)) == EOF)
		return 0;
	for (;; ch = reader_getc(r)) {
		if (ch == '\0')
			rec->why = "contains a NUL byte";
		else if (ch == EOF && state == QUOTED)
			rec->why = "a quoted field is not closed";
		if (rec->why != NULL || ch == EOF || (ch == '\n' && state != QUOTED))
			break;
		if (n == LINE_MAX_BYTES) {
			rec->why = "longer than 4096 bytes";
			break;
		}
		if (!csv)
			rec->text[n++] = (char)ch;
		else if (csv_byte(rec, &state, ch, &n) == -1)
			break;
	}
	rec->text[n] = '\0';
	if (rec->why != NULL)
		skip_line(r, ch);
	return 1;
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

/*
 * Read the first line that is not blank or a comment ahead, into r->back: CSV
 * when it has a comma or is a header. Lines skipped here are counted as read.
 */
static int
choose_csv(struct reader *r)
{
	char copy[sizeof r->back], *line;
	size_t n;
	int ch;

	for (;;) {
		n = 0;
		while (n < LINE_MAX_BYTES && (ch = getc(r->fp)) != EOF) {
			r->back[n++] = (char)ch;
			if (ch == '\n')
				break;
		}
		r->back[n] = '\0';
		line = r->back + strspn(r->back, " \t\r\n");
		if (n == 0 || r->back[n - 1] != '\n' || n != strlen(r->back) ||
		    (*line != '\0' && *line != '#'))
			break;
		r->line++;
	}
	r->back_length = n;
	memcpy(copy, r->back, n + 1);		/* r->back is read again as it is */
	line = trim(copy);
	n = strlen(line);
	return strchr(line, ',') != NULL || is_address_heading(line) ||
	    (n > 2 && line[0] == '"' && line[n - 1] == '"');
}

/* The first record of a CSV file: 1 when it is a header (columns set), else 0. */
static int
read_header(struct record *rec, struct columns *c)
{
	int i, header = 0;

	c->address = 0;
	c->reason = -1;
	for (i = 0; i < rec->nfields; i++) {
		char *field = trim(rec->fields[i]);

		if (is_address_heading(field) && !header) {
			c->address = i;
			header = 1;
		} else if (strcasecmp(field, "reason") == 0)
			c->reason = i;
	}
	if (!header)
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

/* One data record. Returns -1 only for a store failure. */
static int
import_record(struct store *st, struct record *rec, const struct columns *c,
    struct store_import_result *r, struct err *e)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	char *address, *reason = NULL;
	struct err why;
	int rc;

	if (c->address >= rec->nfields)
		return invalid(r, rec->line, "no address column"), 0;
	address = trim(rec->fields[c->address]);
	if (c->reason >= 0 && c->reason < rec->nfields &&
	    *trim(rec->fields[c->reason]) != '\0')
		reason = trim(rec->fields[c->reason]);
	if (store_address_normalise(address, display, key, &why) == -1)
		return invalid(r, rec->line, why.msg), 0;
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

/* A blank line, or a comment: a first field starting with '#'. */
static int
skipped(struct record *rec)
{
	char *first = trim(rec->fields[0]);

	return rec->nfields == 1 ? *first == '\0' || *first == '#' : *first == '#';
}

static int
import_lines(struct store *st, FILE *fp, struct store_import_result *r,
    struct err *e)
{
	static struct reader reader;
	static struct record rec;
	struct columns c = { 0, 0, -1 };
	int first = 1;

	memset(&reader, 0, sizeof reader);
	reader.fp = fp;
	c.csv = choose_csv(&reader);
	while (read_record(&reader, c.csv, &rec)) {
		if (rec.why != NULL) {
			invalid(r, rec.line, rec.why);
			continue;
		}
		if (skipped(&rec))
			continue;
		if (first) {
			first = 0;
			if (c.csv && read_header(&rec, &c))
				continue;
		}
		if (import_record(st, &rec, &c, r, e) == -1)
			return err_prefix(e, "line %zu: ", rec.line);
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
