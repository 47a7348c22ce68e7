/*
 * format-postfix.c: Postfix bounces read from their text ("This is the mail
 * system at host ..." / "This is the Postfix program at host ..."), for the
 * ones that come without a DSN part and to give a DSN its diagnostic:
 *
 *   <kijitora@example.org> (expanded from <alias@example.org>): host
 *       mx.example.org[192.0.2.1] said: 550 5.1.1 <kijitora@example.org>: User
 *       unknown (in reply to RCPT TO command)
 *
 * The diagnostic is what the host said, without Postfix's "(in reply to ...)";
 * Postfix's own words ("Host or domain name not found ...") are kept whole.
 * Also the postmaster's "Postfix SMTP server: errors from" transcript, where the
 * recipient is the RCPT TO the client gave and the last error reply the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

static const char *const openings[] = {
	"This is the mail system at host", "This is the Postfix program at host", NULL
};

/* "host mx[ip] said: 550 ... (in reply to RCPT TO command)" -> "550 ..." */
static void
remote_words(struct result *res)
{
	char *d = res->diagnostic, *said, *reply;

	if ((said = (char *)text_find(d, strlen(d), " said: ")) == NULL)
		return;
	plain_remote_after(res, d, (size_t)(said - d), "host ");
	if ((reply = (char *)text_find(said, strlen(said), " (in reply to ")) != NULL) {
		const char *command = text_smtp_command(reply, strlen(reply));

		if (command != NULL)
			snprintf(res->smtp_command, sizeof res->smtp_command, "%s", command);
		*reply = '\0';
	}
	d = xstrdup(said + 7);
	free(res->diagnostic);
	res->diagnostic = d;
}

/* The last error reply the server sent in a session transcript. */
static const char *
last_error(const char *s, const char *end, const char **eolp)
{
	const char *p, *eol, *found = NULL;

	for (p = s; p < end; p = eol + 1) {
		const char *q = plain_skip_blanks(p, text_eol(p, end));

		eol = text_eol(p, end);
		if (text_starts(q, (size_t)(eol - q), "Out: 4") ||
		    text_starts(q, (size_t)(eol - q), "Out: 5")) {
			found = q + 5;
			*eolp = eol;
		}
		if (eol == end)
			break;
	}
	return found;
}

static int
smtpd_transcript(const struct mail *m, struct report *r)
{
	size_t len;
	const char *text = mail_text(m, &len), *end = text + len, *p, *eol, *err, *err_end;
	char *subject = mail_subject(m), *a;
	struct result *res;
	int added = 0;

	if (text_find(subject, strlen(subject), "Postfix SMTP server: errors from") == NULL ||
	    (err = last_error(text, end, &err_end)) == NULL) {
		free(subject);
		return 0;
	}
	free(subject);
	for (p = text; (p = text_find(p, (size_t)(end - p), "In:  RCPT TO:")) != NULL &&
	    added < PLAIN_MAX_BLOCKS; p = eol) {
		eol = text_eol(p, end);
		if ((a = address_find(p, (size_t)(eol - p))) == NULL)
			continue;
		if ((res = report_add(r, a)) != NULL) {
			result_set(&res->diagnostic, err, (size_t)(err_end - err));
			added++;
		}
		free(a);
	}
	return added;
}

static int
postfix_parse(const struct mail *m, struct report *r)
{
	size_t len, first = r->nresults, i;
	const char *text = mail_text(m, &len), *start = NULL;
	int added, k;

	for (k = 0; openings[k] != NULL && start == NULL; k++)
		start = text_find(text, len > 1024 ? 1024 : len, openings[k]);
	if (start == NULL)
		return smtpd_transcript(m, r);
	added = plain_angle_blocks(start, text + len, r);
	for (i = first; i < r->nresults; i++)
		if (r->results[i].diagnostic != NULL)
			remote_words(&r->results[i]);
	return added;
}

/* What postfix_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"This is the mail system at host", "This is the Postfix program at host",
	"Postfix SMTP server: errors from", NULL
};

const struct format format_postfix = { "postfix", postfix_parse, markers, 0 };
