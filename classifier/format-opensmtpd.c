/*
 * format-opensmtpd.c: OpenSMTPD's bounce and delay report ("This is the
 * MAILER-DAEMON, please DO NOT REPLY to this e-mail."). Each recipient is one
 * unindented line "address: what the remote server said". Newer versions add a
 * DSN part; this decoder then only supplies the diagnostic. A report that the
 * message "is delayed" is a delay notice, not a failure.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

static const char *const list_openings[] = {
	"following list of recipients:", "following\n    list of recipients:", NULL
};

/* The prose after the list: indented, or one of these. */
static const char *const list_ends[] = {
	"Below is a copy of the original message", "Please note that this is only",
	NULL
};

/* "kijitora@example.org: 550 5.1.1 ..." */
static int
recipient_line(const char *p, const char *eol, struct report *r, const char *action)
{
	const char *colon = memchr(p, ':', (size_t)(eol - p));
	struct result *res;
	char *a;

	if (colon == NULL || memchr(p, '@', (size_t)(colon - p)) == NULL ||
	    memchr(p, ' ', (size_t)(colon - p)) != NULL)
		return 0;
	if ((a = address_find(p, (size_t)(colon - p))) == NULL)
		return 0;
	res = report_add(r, a);
	free(a);
	if (res == NULL)
		return 0;
	result_set(&res->diagnostic, colon + 1, (size_t)(eol - colon - 1));
	if (action != NULL && res->action == NULL)
		res->action = xstrdup(action);
	return 1;
}

static int
opensmtpd_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *text = mail_text(m, &len), *end = text + len, *p = NULL, *stop, *eol;
	const char *action = NULL;
	int i, added = 0;

	if (text_find(text, len > 1024 ? 1024 : len,
	    "This is the MAILER-DAEMON, please DO NOT REPLY") == NULL)
		return 0;
	for (i = 0; list_openings[i] != NULL && p == NULL; i++)
		p = plain_after(text, end, list_openings[i]);
	if (p == NULL)
		return 0;
	if (text_find(text, (size_t)(p - text), "is delayed") != NULL)
		action = "delayed";
	stop = plain_cut(p, end, list_ends);
	for (; p < stop && added < PLAIN_MAX_BLOCKS; p = eol + 1) {
		eol = text_eol(p, stop);
		if (plain_indent(p, eol) == 0)
			added += recipient_line(p, eol, r, action);
		if (eol == stop)
			break;
	}
	return added;
}

/* What opensmtpd_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"This is the MAILER-DAEMON, please DO NOT REPLY", NULL
};

const struct format format_opensmtpd = { "opensmtpd", opensmtpd_parse, markers, 0 };
