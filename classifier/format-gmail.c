/*
 * format-gmail.c: bounces from Gmail and Google Workspace.
 *
 * Until 2015 Gmail sent plain text without a delivery-status part:
 *
 *     Delivery to the following recipient failed permanently:
 *
 *          user@example.org
 *
 *     Technical details of permanent failure:
 *     Google tried to deliver your message, but it was rejected by the server
 *     ... The error that the other server returned was:
 *     550 5.1.1 <user@example.org>... User Unknown
 *
 *     ----- Original message -----
 *
 * ("has been delayed:" and "temporary failure:" for a delay). Since then it sends
 * an RFC 3464 report whose Diagnostic-Code is often missing; the text part then
 * holds the real error after "** Address not found **" and "The response was:"
 * (or "The response from the remote server was:").
 */
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

/* Keeps a runaway "technical details" section from swallowing the message. */
#define DETAILS_MAX	4096

static int
from_google(const struct mail *m)
{
	static const char *const senders[] = { "googlemail.com", "google.com",
	    "gmail.com", "Mail Delivery Subsystem", NULL };

	return bodyscan_from_any(m, senders);
}

/* The text from start up to the "-----" line before the returned message. */
static size_t
section_length(const char *start, const char *end)
{
	const char *pos = start;
	struct line line;

	while (bodyscan_next(&pos, end, &line)) {
		if (text_starts(line.s, line.n, "-----") || line.s - start > DETAILS_MAX)
			return (size_t)(line.s - start);
	}
	return (size_t)(end - start);
}

/*
 * The remote server's words inside the details when Gmail quotes them, else the
 * whole details section.
 */
static void
details(const char *start, const char *end, const char **diag, size_t *n)
{
	static const char *const quotes[] = {
		"The error that the other server returned was:",
		"The response from the remote server was:",
		"The response was:",
		NULL
	};
	size_t len = section_length(start, end);
	const char *q;
	int i;

	*diag = start;
	*n = len;
	for (i = 0; quotes[i] != NULL; i++) {
		if ((q = text_find(start, len, quotes[i])) != NULL) {
			q += strlen(quotes[i]);
			*n = len - (size_t)(q - start);
			*diag = q;
			return;
		}
	}
}

/* The old format: indented addresses after the opening sentence. */
static int
old_format(const char *text, size_t len, struct report *r)
{
	const char *end = text + len, *pos, *tech, *diag;
	const char *action;
	struct result *res;
	struct line line;
	size_t i, first = r->nresults, n;
	int added = 0;

	if ((pos = bodyscan_after(text, len, "Delivery to the following recipient")) == NULL)
		return 0;
	action = text_find(text, (size_t)(pos - text), "delayed") != NULL ? "delayed" : "failed";
	while (bodyscan_next(&pos, end, &line) && !text_starts(line.s, line.n, "Technical details")) {
		struct line t = bodyscan_trim(line);

		if (line.n > 0 && line.s[0] == ' ' && memchr(t.s, ' ', t.n) == NULL &&
		    (res = bodyscan_add(r, t.s, t.n, action)) != NULL)
			added++;
	}
	if ((tech = bodyscan_after(text, len, "Technical details of")) != NULL) {
		details(tech, end, &diag, &n);
		for (i = first; i < r->nresults; i++)
			bodyscan_diagnostic(&r->results[i], diag, n);
	}
	return added;
}

/* "** Address not found **" on a line of its own, or NULL. */
static const char *
headline(const char *text, size_t len)
{
	const char *pos = text, *end = text + len;
	struct line line;
	int lines = 0;

	while (bodyscan_next(&pos, end, &line) && lines++ < 20) {
		line = bodyscan_trim(line);
		if (line.n > 6 && text_starts(line.s, line.n, "** ") &&
		    memcmp(line.s + line.n - 3, " **", 3) == 0)
			return line.s;
	}
	return NULL;
}

/* The current format: the headline and the response, for the recipients named. */
static int
new_format(const struct mail *m, const char *text, size_t len, struct report *r)
{
	const char *start = headline(text, len), *diag, *at;
	struct result *res;
	size_t n;
	char *failed;

	if (start == NULL)
		return 0;
	details(start, text + len, &diag, &n);
	if ((failed = mail_header(m, "X-Failed-Recipients")) != NULL) {
		res = bodyscan_add(r, failed, strlen(failed), "failed");
		free(failed);
	} else if ((at = text_find(text, len, "delivered to ")) != NULL) {
		res = bodyscan_add(r, at + 13, (size_t)(text_eol(at, text + len) - at) - 13,
		    "failed");
	} else
		return 0;
	if (res == NULL)
		return 0;
	bodyscan_diagnostic(res, diag, n);
	return 1;
}

static int
gmail_parse(const struct mail *m, struct report *r)
{
	const char *text;
	size_t len;
	int added;

	if (!from_google(m))
		return 0;
	text = bodyscan_text(m, &len);
	if ((added = old_format(text, len, r)) > 0)
		return added;
	return new_format(m, text, len, r);
}

/* What gmail_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"googlemail.com", "google.com", "gmail.com", "Mail Delivery Subsystem", NULL
};

const struct format format_gmail = { "gmail", gmail_parse, markers, 0 };
