/* dsn.c: RFC 3464 / RFC 6533 field parser; see dsn.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dsn.h"
#include "text.h"
#include "xalloc.h"

/* Fields beyond this in one group are dropped: input is hostile. */
#define DSN_MAX_FIELDS	64

/*
 * Room for one more element in an array of `count`. The capacity is implied: the
 * next power of two (at least 8), so a group of ten fields takes two allocations,
 * not ten (one realloc per field cost 0.6M instructions over the corpus).
 */
static void *
grow(void *array, size_t count, size_t size)
{
	if (count != 0 && (count < 8 || (count & (count - 1)) != 0))
		return array;
	return xreallocarray(array, count == 0 ? 8 : count * 2, size);
}

static void
group_add(struct dsn_group *g, const char *name, size_t name_len, const char *value,
    size_t value_len)
{
	if (g->nfields >= DSN_MAX_FIELDS)
		return;
	g->fields = grow(g->fields, g->nfields, sizeof *g->fields);
	g->fields[g->nfields].name = text_trim(xstrndup(name, name_len));
	g->fields[g->nfields].value = text_unfold(value, value_len);
	g->nfields++;
}

static void
group_free(struct dsn_group *g)
{
	size_t i;

	for (i = 0; i < g->nfields; i++) {
		free(g->fields[i].name);
		free(g->fields[i].value);
	}
	free(g->fields);
	memset(g, 0, sizeof *g);
}

const char *
dsn_get(const struct dsn_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nfields; i++)
		if (strcasecmp(g->fields[i].name, name) == 0)
			return g->fields[i].value;
	return NULL;
}

const char *
dsn_untyped(const char *value)
{
	const char *semi = strchr(value, ';');
	const char *p;

	if (semi == NULL)
		return value;
	/* A type is one token: "rfc822", "smtp", "X-Postfix", "utf-8". */
	for (p = value; p < semi; p++)
		if (isspace((unsigned char)*p) || *p == '@' || *p == '<')
			return value;
	for (p = semi + 1; *p == ' ' || *p == '\t'; p++)
		;
	return p;
}

static int
is_recipient_field(const char *name, size_t n)
{
	return (n == 15 && strncasecmp(name, "Final-Recipient", n) == 0) ||
	    (n == 18 && strncasecmp(name, "Original-Recipient", n) == 0);
}

static int
blank(const char *p, const char *eol)
{
	for (; p < eol; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

static struct dsn_group *
new_recipient(struct dsn *d)
{
	if (d->nrecipients >= DSN_MAX_GROUPS)
		return NULL;
	d->recipients = grow(d->recipients, d->nrecipients, sizeof *d->recipients);
	memset(&d->recipients[d->nrecipients], 0, sizeof *d->recipients);
	return &d->recipients[d->nrecipients++];
}

/* Fields that only a recipient's group has: they end the per-message group. */
static int
only_per_recipient(const char *name, size_t n)
{
	static const char *const fields[] = { "Action", "Status", "Diagnostic-Code",
	    "Remote-MTA", "Last-Attempt-Date", NULL };
	size_t i;

	for (i = 0; fields[i] != NULL; i++)
		if (strlen(fields[i]) == n && strncasecmp(fields[i], name, n) == 0)
			return 1;
	return 0;
}

/*
 * Is the recipient field `name` the start of another recipient's group, when an MTA
 * left out the blank line? A second Final-Recipient is; so is an Original-Recipient
 * after a second one, or after a Final-Recipient whose Action or Status came
 * already. Final-Recipient after Original-Recipient (RFC 3464 order), or after
 * Diagnostic-Code and Status (seen from Facebook), is the same recipient.
 */
static int
next_recipient(const struct dsn_group *g, int final)
{
	if (dsn_get(g, final ? "Final-Recipient" : "Original-Recipient") != NULL)
		return 1;
	return !final && dsn_get(g, "Final-Recipient") != NULL &&
	    (dsn_get(g, "Action") != NULL || dsn_get(g, "Status") != NULL);
}

/*
 * Does the field name[0..n) start a new group? After a blank line, unless the group
 * so far is empty; at a recipient's field while in the per-message group; and at a
 * second recipient in one group, since some MTAs leave out the blank lines.
 */
static int
starts_group(const struct dsn *d, const struct dsn_group *g, int after_blank,
    const char *name, size_t n)
{
	int recipient_field = is_recipient_field(name, n);

	if (g == &d->message)
		return (after_blank && g->nfields > 0) || recipient_field ||
		    only_per_recipient(name, n);
	return (after_blank && g->nfields > 0) ||
	    (recipient_field && next_recipient(g, n == 15));
}

void
dsn_parse(const char *text, size_t len, struct dsn *d)
{
	const char *end = text + len, *p = text, *eol, *colon, *vend, *q;
	struct dsn_group *g = &d->message;
	int after_blank = 0;

	while (p < end) {
		eol = text_eol(p, end);
		if (blank(p, eol)) {
			after_blank = 1;
			p = eol + 1;
			continue;
		}
		if ((*p == ' ' || *p == '\t') || (colon = memchr(p, ':', (size_t)(eol - p))) == NULL) {
			p = eol + 1;	/* a stray continuation or a line with no field */
			continue;
		}
		/* The value runs over continuation lines. */
		for (vend = eol; vend + 1 < end && (vend[1] == ' ' || vend[1] == '\t') &&
		    !blank(vend + 1, text_eol(vend + 1, end)); vend = text_eol(vend + 1, end))
			;
		for (q = p; q < colon && !isspace((unsigned char)*q); q++)
			;
		if (q != colon && !blank(q, colon)) {
			p = vend + 1;	/* "name with spaces:" is prose, not a field */
			continue;
		}
		/* At the cap the rest is not parsed at all: its cost stops too. */
		if (starts_group(d, g, after_blank, p, (size_t)(q - p)) &&
		    (g = new_recipient(d)) == NULL) {
			d->truncated = 1;
			return;
		}
		after_blank = 0;
		group_add(g, p, (size_t)(q - p), colon + 1, (size_t)(vend - colon - 1));
		p = vend + 1;
	}
}

void
dsn_free(struct dsn *d)
{
	size_t i;

	group_free(&d->message);
	for (i = 0; i < d->nrecipients; i++)
		group_free(&d->recipients[i]);
	free(d->recipients);
	memset(d, 0, sizeof *d);
}
