/* plaintext.c: reading plain-text bounce bodies; see plaintext.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "dsn-result.h"
#include "plaintext.h"
#include "text.h"
#include "xalloc.h"

int
plain_blank(const char *s, const char *eol)
{
	for (; s < eol; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

size_t
plain_indent(const char *s, const char *eol)
{
	size_t n = 0;

	for (; s < eol && (*s == ' ' || *s == '\t'); s++)
		n += *s == '\t' ? 8 : 1;
	return n;
}

const char *
plain_skip_blanks(const char *s, const char *eol)
{
	while (s < eol && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

const char *
plain_after(const char *s, const char *end, const char *marker)
{
	const char *p = text_find(s, (size_t)(end - s), marker);

	if (p == NULL)
		return NULL;
	p = text_eol(p, end);
	return p < end ? p + 1 : end;
}

const char *
plain_cut(const char *s, const char *end, const char *const markers[])
{
	const char *p, *eol, *q;
	int i;

	for (p = s; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		for (q = p; q < eol && (*q == ' ' || *q == '\t'); q++)
			;
		for (i = 0; markers[i] != NULL; i++)
			if (text_starts(q, (size_t)(eol - q), markers[i]))
				return p;
		if (eol == end)
			break;
	}
	return end;
}

const char *
plain_paragraph_end(const char *s, const char *end)
{
	const char *p, *eol;

	for (p = s; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		if (plain_blank(p, eol))
			return p;
		if (eol == end)
			break;
	}
	return end;
}

int
plain_from_daemon(const struct mail *m)
{
	static const char *const senders[] = { "mailer-daemon", "mailer_daemon",
	    "postmaster", "post_master", "mail delivery", "mail deliver system",
	    "mailerdaemon", NULL };
	char *from = mail_from(m);
	int i, yes = 0;

	for (i = 0; senders[i] != NULL && !yes; i++)
		yes = text_find(from, strlen(from), senders[i]) != NULL;
	free(from);
	return yes;
}

/*
 * Is [s, eol) a recipient line "<address>:" (Postfix may put "(expanded from
 * <alias>)" before the colon)? Returns where the text after the colon starts.
 */
static const char *
angle_line(const char *s, const char *eol)
{
	const char *gt, *p;

	if (s >= eol || *s != '<' || (gt = memchr(s, '>', (size_t)(eol - s))) == NULL ||
	    memchr(s, '@', (size_t)(gt - s)) == NULL)
		return NULL;
	for (p = gt + 1; p < eol && *p == ' '; p++)
		;
	if (p < eol && *p == '(' && (p = memchr(p, ')', (size_t)(eol - p))) != NULL)
		p++;
	if (p == NULL || p >= eol || *p != ':')
		return NULL;
	return p + 1;
}

/* The end of a recipient paragraph that starts after its recipient line. */
static const char *
angle_block_end(const char *s, const char *end)
{
	const char *p, *eol;

	for (p = s; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		if (plain_blank(p, eol) || angle_line(p, eol) != NULL ||
		    text_starts(p, (size_t)(eol - p), "--- "))
			return p;
		if (eol == end)
			break;
	}
	return end;
}

/* Is there another "<address>: ..." paragraph in [p, end)? */
static int
more_blocks(const char *p, const char *end)
{
	const char *eol;

	for (; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		if (angle_line(p, eol) != NULL)
			return 1;
	}
	return 0;
}

int
plain_angle_blocks(const char *s, const char *end, struct report *r)
{
	const char *p = s, *eol, *after, *bend;
	int added = 0;

	while (p < end && added < PLAIN_MAX_BLOCKS) {
		eol = text_eol(p, end);
		if ((after = angle_line(p, eol)) != NULL) {
			char *rcpt = address_find(p, (size_t)(after - p));
			struct result *res;

			bend = angle_block_end(eol < end ? eol + 1 : end, end);
			if (rcpt != NULL && (res = report_add(r, rcpt)) != NULL) {
				result_set(&res->diagnostic, after, (size_t)(bend - after));
				added++;
			}
			free(rcpt);
			p = bend;
			continue;
		}
		p = eol < end ? eol + 1 : end;
	}
	if (added >= PLAIN_MAX_BLOCKS && more_blocks(p, end))
		report_warn(r, "more than %d recipient paragraphs; only the first %d"
		    " were read", PLAIN_MAX_BLOCKS, PLAIN_MAX_BLOCKS);
	return added;
}

/* Trim a host token: brackets, "[address]" after a name, trailing punctuation. */
static char *
host_token(const char *a, const char *b)
{
	const char *br = memchr(a, '[', (size_t)(b - a));

	if (br != NULL && br > a)
		b = br;
	else if (a < b && *a == '[') {
		a++;
		if ((br = memchr(a, ']', (size_t)(b - a))) != NULL)
			b = br;
	}
	while (b > a && strchr(".,:;)'\"", b[-1]) != NULL)
		b--;
	while (a < b && strchr("('\"<", *a) != NULL)
		a++;
	if (b <= a || b - a > 255)
		return NULL;
	/* A host has a dot (or is an IPv6 literal): "Remote host said:" names none. */
	if (memchr(a, '.', (size_t)(b - a)) == NULL && memchr(a, ':', (size_t)(b - a)) == NULL)
		return NULL;
	return xstrndup(a, (size_t)(b - a));
}

char *
plain_token_after(const char *s, size_t n, const char *phrase)
{
	const char *end = s + n, *p = text_find(s, n, phrase), *q;

	if (p == NULL)
		return NULL;
	for (p += strlen(phrase); p < end && isspace((unsigned char)*p); p++)
		;
	for (q = p; q < end && !isspace((unsigned char)*q); q++)
		;
	return host_token(p, q);
}

char *
plain_token_before(const char *s, size_t n, const char *phrase)
{
	const char *p = text_find(s, n, phrase), *q;
	int tokens;

	if (p == NULL)
		return NULL;
	/* "mx.example.org [192.0.2.1] did not like": the name, not the literal. */
	for (tokens = 0; tokens < 2; tokens++) {
		while (p > s && isspace((unsigned char)p[-1]))
			p--;
		for (q = p; q > s && !isspace((unsigned char)q[-1]); q--)
			;
		if (q == p)
			return NULL;
		if (*q != '[' || q == s)
			return host_token(q, p);
		p = q;
	}
	return NULL;
}

void
plain_remote_before(struct result *res, const char *s, size_t n, const char *phrase)
{
	if (res->remote_mta == NULL)
		res->remote_mta = plain_token_before(s, n, phrase);
}

void
plain_remote_after(struct result *res, const char *s, size_t n, const char *phrase)
{
	if (res->remote_mta == NULL)
		res->remote_mta = plain_token_after(s, n, phrase);
}

int
plain_inline_dsn(const char *s, const char *end, struct report *r)
{
	static const char *const stops[] = { "Return-Path:", "Received:", NULL };
	const char *start = text_find(s, (size_t)(end - s), "\nFinal-Recipient:");
	const char *stop;
	struct dsn d;
	size_t i;
	int added = 0;

	if (start == NULL)
		return 0;
	stop = plain_cut(start + 1, end, stops);
	memset(&d, 0, sizeof d);
	dsn_parse(start + 1, (size_t)(stop - start - 1), &d);
	for (i = 0; i < d.nrecipients; i++)
		if (dsn_get(&d.recipients[i], "Final-Recipient") != NULL &&
		    dsn_group_result(&d.recipients[i], r) != NULL)
			added++;
	dsn_free(&d);
	return added;
}

char *
plain_unquote(const char *s, size_t n, size_t *out_len)
{
	const char *end = s + n, *p, *eol;
	char *out = xmalloc(n + 1), *o = out;

	for (p = s; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		if (p < eol && *p == '>')
			p += (p + 1 < eol && p[1] == ' ') ? 2 : 1;
		memcpy(o, p, (size_t)(eol - p));
		o += eol - p;
		if (eol == end)
			break;
		*o++ = '\n';
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}
