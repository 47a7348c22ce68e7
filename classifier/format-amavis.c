/*
 * format-amavis.c: amavisd-new non-delivery notices ("Content-filter at HOST",
 * "Undeliverable mail, MTA-BLOCKED", "Considered UNSOLICITED BULK EMAIL ..."). The
 * RFC 3464 part usually says it all; this reads the text for the rest:
 *
 *     A message from <sender@example.com> to:
 *     -> user@example.com
 *
 *     was considered unsolicited bulk e-mail (UBE).
 *
 * Recipients follow "-> "; the next paragraph says what amavis found.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define AMAVIS_MAX_LINES	1000

static int
is_amavis(const struct mail *m)
{
	char *from = mail_from(m);
	int yes = text_find(from, strlen(from), "Content-filter at") != NULL;

	free(from);
	return yes;
}

/* The paragraph after the recipient list, for every recipient from `first` on. */
static void
set_verdict(struct report *r, size_t first, const char *p, const char *end)
{
	const char *start;
	size_t i;
	int n;

	while (p < end && *p == '\n')
		p++;
	start = p;
	for (n = 0; p < end && n < 10; n++) {
		const char *eol = text_eol(p, end);

		if (eol == p)
			break;
		p = eol < end ? eol + 1 : end;
	}
	for (i = first; p > start && i < r->nresults; i++)
		if (r->results[i].diagnostic == NULL)
			result_set(&r->results[i].diagnostic, start, (size_t)(p - start));
}

static int
amavis_parse(const struct mail *m, struct report *r)
{
	size_t len, first = r->nresults;
	const char *t, *end, *p, *eol;
	int added = 0, n, in_list = 0;

	if (!is_amavis(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < AMAVIS_MAX_LINES; p = eol + 1, n++) {
		struct result *res;
		char *rcpt;

		eol = text_eol(p, end);
		if (text_starts(p, (size_t)(eol - p), "-> ") &&
		    (rcpt = address_find(p, (size_t)(eol - p))) != NULL) {
			if ((res = report_add(r, rcpt)) != NULL && res->action == NULL) {
				res->action = xstrdup("failed");
				added++;
			}
			free(rcpt);
			in_list = 1;
		} else if (in_list) {
			set_verdict(r, first, p, end);
			break;
		}
		if (eol >= end)
			break;
	}
	return added;
}

/* What amavis_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"Content-filter at", NULL
};

const struct format format_amavis = { "amavis", amavis_parse, markers, 0 };
