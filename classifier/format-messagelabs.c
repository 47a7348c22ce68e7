/*
 * format-messagelabs.c: Symantec MessageLabs (Email Security.cloud) notices from
 * MAILER-DAEMON@messagelabs.com. Two generations of text:
 *
 *     I was unable to deliver your message to the following addresses:
 *
 *     user@example.org
 *
 *     Reason: 550-Please turn on SMTP Authentication in your mail client.
 *     550 relay through this server without authentication.
 *
 * and
 *
 *     Could not deliver message to the following recipient(s):
 *
 *     Failed Recipient: user@example.org
 *     Reason: Remote host said: 550 5.1.1 <user@example.org>... User unknown
 *
 * The notices often come with a message/delivery-status part whose
 * Diagnostic-Code the DSN reader cannot use; the "Reason:" paragraph fills it.
 * A multi-line reply loses the codes of its continuation lines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define MLABS_MAX_LINES		1000
#define MLABS_MAX_REASON	2048

static int
is_messagelabs(const struct mail *m)
{
	char *from;
	int yes;

	if (mail_header_has(m, "X-Msg-Ref"))
		return 1;
	from = mail_from(m);
	yes = text_find(from, strlen(from), "messagelabs.com") != NULL;
	free(from);
	return yes;
}

/* "550-" or "550 " opening a continuation line of a multi-line reply. */
static int
reply_prefix(const char *p, const char *eol)
{
	return eol - p >= 4 && isdigit((unsigned char)p[0]) &&
	    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    (p[3] == '-' || p[3] == ' ');
}

/* The "Reason:" paragraph as one line, continuation codes dropped. */
static char *
reason_paragraph(const char *p, const char *end)
{
	char *out = xmalloc(MLABS_MAX_REASON + 1);
	size_t o = 0;
	int n;

	p += strlen("Reason:");
	for (n = 0; p < end && n < 20; n++) {
		const char *eol = text_eol(p, end);

		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol)
			break;
		if (n > 0 && reply_prefix(p, eol))
			p += 4;
		if (o + (size_t)(eol - p) + 1 > MLABS_MAX_REASON)
			break;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, p, (size_t)(eol - p));
		o += (size_t)(eol - p);
		p = eol < end ? eol + 1 : end;
	}
	out[o] = '\0';
	return out;
}

/* Recipients named since the last "Reason:" get that reason. */
static void
set_reason(struct report *r, size_t from, const char *p, const char *end)
{
	char *reason = reason_paragraph(p, end);
	size_t i;

	for (i = from; i < r->nresults; i++)
		if (r->results[i].diagnostic == NULL)
			result_set_str(&r->results[i].diagnostic, reason);
	free(reason);
}

static int
messagelabs_parse(const struct mail *m, struct report *r)
{
	size_t len, first = r->nresults;
	const char *t, *end, *p, *eol;
	int added = 0, n, in_list = 0;

	if (!is_messagelabs(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < MLABS_MAX_LINES; p = eol + 1, n++) {
		size_t ll;
		char *rcpt;

		eol = text_eol(p, end);
		ll = (size_t)(eol - p);
		if (text_find(p, ll, "deliver your message to the following") != NULL ||
		    text_find(p, ll, "deliver message to the following") != NULL)
			in_list = 1;
		else if (text_starts(p, ll, "Reason:")) {
			set_reason(r, first, p, end);
			first = r->nresults;
			in_list = 0;
		} else if ((in_list || text_starts(p, ll, "Failed Recipient:")) &&
		    memchr(p, '@', ll) != NULL && (rcpt = address_find(p, ll)) != NULL) {
			struct result *res = report_add(r, rcpt);

			if (res != NULL && res->action == NULL) {
				res->action = xstrdup("failed");
				added++;
			}
			free(rcpt);
		}
		if (eol >= end)
			break;
	}
	return added;
}

/* What messagelabs_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"X-Msg-Ref", "messagelabs.com", NULL
};

const struct format format_messagelabs = { "messagelabs", messagelabs_parse, markers, 0 };
