/*
 * format-barracuda.c: Barracuda Spam & Virus Firewall notices. They come as RFC
 * 3464 reports the DSN reader handles; this reads the human-readable part for the
 * notices whose delivery-status part is missing or says nothing:
 *
 *     Your message to: user@example.jp
 *     was blocked by our Spam & Virus Firewall. The email you sent with the
 *     following subject has NOT BEEN DELIVERED:
 *
 * The subject ("**Message you sent blocked by our bulk email filter**") or the
 * X-Barracuda-* fields mark them.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define BARRACUDA_MAX_LINES	500

static int
is_barracuda(const struct mail *m)
{
	char *subject;
	int yes;

	if (mail_header_has(m, "X-Barracuda-Connect") ||
	    mail_header_has(m, "X-Barracuda-Envelope-From"))
		return 1;
	subject = mail_subject(m);
	yes = text_find(subject, strlen(subject), "blocked by our bulk email filter") != NULL;
	free(subject);
	return yes;
}

/* The sentence after "Your message to:", up to the blank line. */
static void
set_blocked(struct result *res, const char *p, const char *end)
{
	const char *start = p;
	int n;

	for (n = 0; p < end && n < 10; n++) {
		const char *eol = text_eol(p, end);

		if (eol == p)
			break;
		p = eol < end ? eol + 1 : end;
	}
	if (p > start)
		result_set(&res->diagnostic, start, (size_t)(p - start));
}

static int
barracuda_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *p, *eol;
	int added = 0, n;

	if (!is_barracuda(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < BARRACUDA_MAX_LINES; p = eol + 1, n++) {
		struct result *res;
		char *rcpt;

		eol = text_eol(p, end);
		if (text_starts(p, (size_t)(eol - p), "Your message to:") &&
		    (rcpt = address_find(p, (size_t)(eol - p))) != NULL) {
			if ((res = report_add(r, rcpt)) != NULL && res->action == NULL) {
				res->action = xstrdup("failed");
				if (eol < end)
					set_blocked(res, eol + 1, end);
				added++;
			}
			free(rcpt);
		}
		if (eol >= end)
			break;
	}
	return added;
}

/* What barracuda_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"X-Barracuda-Connect", "X-Barracuda-Envelope-From",
	"blocked by our bulk email filter", NULL
};

const struct format format_barracuda = { "barracuda", barracuda_parse, markers, 0 };
