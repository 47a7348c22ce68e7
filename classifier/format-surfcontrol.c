/*
 * format-surfcontrol.c: SurfControl E-mail Filter (X-Mailer: SurfControl E-mail
 * Filter) non-delivery notices:
 *
 *     Your message could not be sent.
 *     A transcript of the attempts to send the message follows.
 *     The number of attempts made: 1
 *     Addressed To: user@example.com
 *
 *     Thu 29 Apr 2010 23:34:45 +0900
 *     Failed to send to identified host,
 *     user@example.com: [192.0.2.5], 550 user@example.com... No such user
 *     --- Message non-deliverable.
 *
 * The line after "Failed to send to identified host," names the recipient, the
 * host that answered and its reply.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define SURF_MAX_LINES	1000

static int
is_surfcontrol(const struct mail *m)
{
	char *mailer = mail_header(m, "X-Mailer");
	int yes = mailer != NULL && text_find(mailer, strlen(mailer), "SurfControl") != NULL;

	free(mailer);
	return yes;
}

/* "user@example.com: [192.0.2.5], 550 ..." -> host and reply. */
static void
set_transcript(struct result *res, const char *p, const char *eol)
{
	const char *open = memchr(p, '[', (size_t)(eol - p)), *close;

	if (open == NULL || (close = memchr(open, ']', (size_t)(eol - open))) == NULL)
		return;
	result_set(&res->remote_mta, open + 1, (size_t)(close - open - 1));
	close++;
	while (close < eol && (*close == ',' || *close == ' '))
		close++;
	if (close < eol)
		result_set(&res->diagnostic, close, (size_t)(eol - close));
}

static int
surfcontrol_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *p, *eol, *hit;
	struct result *res = NULL;
	int added = 0, n, after_failed = 0;
	char *rcpt;

	if (!is_surfcontrol(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < SURF_MAX_LINES; p = eol + 1, n++) {
		eol = text_eol(p, end);
		if ((hit = text_find(p, (size_t)(eol - p), "Addressed To:")) != NULL &&
		    (rcpt = address_find(hit, (size_t)(eol - hit))) != NULL) {
			if ((res = report_add(r, rcpt)) != NULL && res->action == NULL) {
				res->action = xstrdup("failed");
				added++;
			}
			free(rcpt);
		} else if (text_starts(p, (size_t)(eol - p), "Failed to send to"))
			after_failed = 1;
		else if (after_failed && res != NULL) {
			set_transcript(res, p, eol);
			after_failed = 0;
		}
		if (eol >= end)
			break;
	}
	return added;
}

/* What surfcontrol_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"SurfControl", NULL
};

const struct format format_surfcontrol = { "surfcontrol", surfcontrol_parse, markers, 0 };
