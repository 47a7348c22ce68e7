/*
 * format-mxlogic.c: MX Logic (McAfee SaaS Email Protection) bounces. Its MTA is
 * derived from Exim and writes Exim's text:
 *
 *     A message that you have sent could not be delivered to one or more
 *     recipients.  This is a permanent error.  The following address failed:
 *
 *       <user@example.jp>: 550 5.1.1 <user@example.jp>: Recipient address rejected
 *
 * but carries its own header fields (X-MX-Bounce, X-MXL-NoteHash) and says
 * "Included is a copy of the message header:" before the returned header.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define MXLOGIC_MAX_LINES	1000

static int
is_mxlogic(const struct mail *m)
{
	char *from;
	int yes;

	if (mail_header_has(m, "X-MX-Bounce") ||
	    mail_header_has(m, "X-MXL-NoteHash") ||
	    mail_header_has(m, "X-MXL-Hash"))
		return 1;
	from = mail_from(m);
	yes = text_find(from, strlen(from), "mxlogic.net") != NULL;
	free(from);
	return yes;
}

/* "  <a@b>: reply" on one line, or "  a@b" with the reply indented below it. */
static int
add_failed(struct report *r, const char *p, const char *eol, const char *end)
{
	const char *colon, *q;
	struct result *res;
	char *rcpt;
	int n;

	if ((rcpt = address_find(p, (size_t)(eol - p))) == NULL)
		return 0;
	res = report_add(r, rcpt);
	free(rcpt);
	if (res == NULL || res->action != NULL)
		return 0;
	res->action = xstrdup("failed");
	colon = memchr(p, '>', (size_t)(eol - p));
	if (colon != NULL && colon + 1 < eol && colon[1] == ':') {
		result_set(&res->diagnostic, colon + 2, (size_t)(eol - colon - 2));
		return 1;
	}
	/* Exim's second form: the reply on the indented lines that follow. */
	for (q = eol < end ? eol + 1 : end, n = 0; q < end && n < 10; n++) {
		const char *e = text_eol(q, end);

		if (q == e || (*q != ' ' && *q != '\t'))
			break;
		q = e < end ? e + 1 : end;
	}
	if (eol + 1 < q)
		result_set(&res->diagnostic, eol + 1, (size_t)(q - eol - 1));
	return 1;
}

static int
mxlogic_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *p, *eol;
	int added = 0, n, in_list = 0;

	if (!is_mxlogic(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < MXLOGIC_MAX_LINES; p = eol + 1, n++) {
		eol = text_eol(p, end);
		if (text_find(p, (size_t)(eol - p), "Included is a copy of the message") ||
		    text_starts(p, (size_t)(eol - p), "------ This is a copy"))
			break;
		if (text_find(p, (size_t)(eol - p), "address failed:") != NULL ||
		    text_find(p, (size_t)(eol - p), "addresses failed:") != NULL)
			in_list = 1;
		else if (in_list && (*p == ' ' || *p == '\t') &&
		    memchr(p, '@', (size_t)(eol - p)) != NULL &&
		    !(p + 4 < eol && p[1] == ' ' && p[2] == ' ' && p[3] == ' ' && p[4] == ' '))
			added += add_failed(r, p, eol, end);
		if (eol >= end)
			break;
	}
	return added;
}

/* What mxlogic_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"X-MX-Bounce", "X-MXL-NoteHash", "X-MXL-Hash", "mxlogic.net", NULL
};

const struct format format_mxlogic = { "mxlogic", mxlogic_parse, markers, 0 };
