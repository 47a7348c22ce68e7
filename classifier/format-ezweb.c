/*
 * format-ezweb.c: "Mail System Error - Returned Mail" from Postmaster@ezweb.ne.jp,
 * the au (KDDI) mobile mail gateway. A Japanese summary, then fixed English
 * sentences and the recipients in angle brackets:
 *
 *     The user(s) account is disabled.
 *     <user@ezweb.ne.jp>
 *
 *     Each of the following recipients was rejected by a remote mail server.
 *         Recipient: <user@ezweb.ne.jp>
 *         >>> RCPT TO:<user@ezweb.ne.jp>
 *         <<< 550 <user@ezweb.ne.jp>: User unknown
 *
 * Older notices are not MIME at all and quote the returned message's header after
 * a line of dashes; recipients are only read above it. The carrier's own sentence
 * about the account says more than a remote reply; a bare "rejected by a remote
 * mail server" without a reply is au's domain filter refusing the sender.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "reason.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define EZWEB_MAX_LINES		1000
#define EZWEB_MAX_RECIPIENTS	100

struct ezweb_scan {
	char		*recipients[EZWEB_MAX_RECIPIENTS];
	size_t		 nrecipients;
	const char	*account;	/* "The user(s) account is ..." */
	const char	*reply;		/* "<<< 550 ..." or "<addr>: 550 ..." */
	const char	*reply_end;
	const char	*timeout;	/* "Your message was not delivered within ..." */
	const char	*timeout_end;
	const char	*rejected;	/* "Each of the following recipients was rejected ..." */
};

static int
is_ezweb(const struct mail *m)
{
	char *from = mail_from(m);
	int yes = text_find(from, strlen(from), "@ezweb.ne.jp") != NULL;

	free(from);
	return yes;
}

static const char *
skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A line naming a recipient: "<a@b>", "<a@b>: 550 ...", "Recipient: <a@b>". */
static void
scan_recipient(struct ezweb_scan *s, const char *p, const char *eol)
{
	const char *reply;
	char *a;

	if (text_starts(p, (size_t)(eol - p), "Recipient:"))
		p += strlen("Recipient:");
	p = skip_space(p, eol);
	if (p == eol || *p != '<' || memchr(p, '@', (size_t)(eol - p)) == NULL)
		return;
	if ((a = address_find(p, (size_t)(eol - p))) == NULL)
		return;
	if (s->nrecipients < EZWEB_MAX_RECIPIENTS)
		s->recipients[s->nrecipients++] = a;
	else
		free(a);
	/* Postfix-style "<a@b>: 550 user unknown (in reply to RCPT TO command)" */
	if ((reply = memchr(p, '>', (size_t)(eol - p))) != NULL && reply + 2 < eol &&
	    reply[1] == ':' && s->reply == NULL) {
		s->reply = skip_space(reply + 2, eol);
		s->reply_end = eol;
	}
}

static void
scan_line(struct ezweb_scan *s, const char *p, const char *eol, const char *end)
{
	size_t n;

	p = skip_space(p, eol);
	n = (size_t)(eol - p);
	if (text_starts(p, n, "The user(s) account") && s->account == NULL)
		s->account = p;
	else if (text_starts(p, n, "<<< ") && s->reply == NULL) {
		s->reply = p + 4;
		s->reply_end = eol;
	} else if (text_starts(p, n, "Your message was not delivered within")) {
		s->timeout = p;
		/* The next line says why: "Remote host is not responding." */
		s->timeout_end = eol < end ? text_eol(eol + 1, end) : eol;
	} else if (text_starts(p, n, "Each of the following recipients was rejected"))
		s->rejected = p;
	else
		scan_recipient(s, p, eol);
}

/* The carrier's sentence, a remote reply, a timeout, then the filter sentence. */
static void
set_diagnostic(const struct ezweb_scan *s, struct result *res, const char *end)
{
	if (s->account != NULL)
		result_set(&res->diagnostic, s->account,
		    (size_t)(text_eol(s->account, end) - s->account));
	else if (s->reply != NULL)
		result_set(&res->diagnostic, s->reply, (size_t)(s->reply_end - s->reply));
	else if (s->timeout != NULL) {
		result_set(&res->diagnostic, s->timeout,
		    (size_t)(s->timeout_end - s->timeout));
		res->reason = reason_lookup("expired");
	} else if (s->rejected != NULL)
		result_set(&res->diagnostic, s->rejected,
		    (size_t)(text_eol(s->rejected, end) - s->rejected));
}

static int
ezweb_parse(const struct mail *m, struct report *r)
{
	struct ezweb_scan s;
	size_t len, i;
	const char *t, *end, *p, *eol;
	int added = 0, n;

	if (!is_ezweb(m))
		return 0;
	memset(&s, 0, sizeof s);
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < EZWEB_MAX_LINES; p = eol + 1, n++) {
		eol = text_eol(p, end);
		/* The returned message's header follows the dashes. */
		if (text_starts(p, (size_t)(eol - p), "-----"))
			break;
		scan_line(&s, p, eol, end);
		if (eol >= end)
			break;
	}
	for (i = 0; i < s.nrecipients; i++) {
		struct result *res = report_add(r, s.recipients[i]);

		if (res != NULL && res->diagnostic == NULL) {
			res->action = res->action != NULL ? res->action : xstrdup("failed");
			set_diagnostic(&s, res, end);
			added++;
		}
		free(s.recipients[i]);
	}
	return added;
}

/* What ezweb_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"@ezweb.ne.jp", NULL
};

const struct format format_ezweb = { "ezweb", ezweb_parse, markers, 0 };
