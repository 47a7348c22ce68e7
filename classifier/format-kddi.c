/*
 * format-kddi.c: the error notices of KDDI's au one net (dion.ne.jp, auone-net.jp),
 * the Japanese carrier's ISP mail. A Japanese summary comes first, then the
 * server's own words in English:
 *
 *     Your mail sent on: Thu, 29 Apr 2013 23:45:22 +0900
 *          Could not be delivered to: <user@example.dion.ne.jp>
 *          As their mailbox is full.
 *
 * The lines after "Could not be delivered to:" up to the next blank line say why
 * ("As their mailbox is full.", "Due to the following SMTP relay error" and the
 * error, "As the remote domain doesnt exist.").
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define KDDI_MAX_LINES	2000

/* au one net sends from no-reply@<host>.dion.ne.jp, with replies to auone-net.jp. */
static int
is_kddi(const struct mail *m)
{
	char *from = mail_from(m), *reply = mail_header(m, "Reply-To");
	int yes;

	yes = text_find(from, strlen(from), "dion.ne.jp") != NULL ||
	    text_find(from, strlen(from), "auone-net.jp") != NULL ||
	    (reply != NULL && text_find(reply, strlen(reply), "auone-net.jp") != NULL);
	free(from);
	free(reply);
	return yes;
}

/* The paragraph after the recipient line: what the server said. */
static void
set_reason_lines(struct result *res, const char *p, const char *end)
{
	const char *start, *eol;
	int n;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	start = p;
	for (n = 0; p < end && n < 20; n++) {
		eol = text_eol(p, end);
		if (text_find(p, (size_t)(eol - p), "Could not be delivered to") != NULL)
			break;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol)
			break;
		p = eol < end ? eol + 1 : end;
	}
	if (p > start && res->diagnostic == NULL)
		result_set(&res->diagnostic, start, (size_t)(p - start));
}

static int
kddi_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *p, *eol, *hit;
	int added = 0, n;

	if (!is_kddi(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < KDDI_MAX_LINES; p = eol + 1, n++) {
		struct result *res;
		char *rcpt;

		eol = text_eol(p, end);
		hit = text_find(p, (size_t)(eol - p), "Could not be delivered to:");
		if (hit != NULL && (rcpt = address_find(hit, (size_t)(eol - hit))) != NULL) {
			if ((res = report_add(r, rcpt)) != NULL) {
				if (res->action == NULL)
					res->action = xstrdup("failed");
				if (eol < end)
					set_reason_lines(res, eol + 1, end);
				added++;
			}
			free(rcpt);
		}
		if (eol >= end)
			break;
	}
	return added;
}

/* What kddi_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"dion.ne.jp", "auone-net.jp", NULL
};

const struct format format_kddi = { "kddi", kddi_parse, markers, 0 };
