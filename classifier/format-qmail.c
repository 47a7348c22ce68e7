/*
 * format-qmail.c: qmail-send bounces ("Hi. This is the qmail-send program at ...")
 * and the MTAs that copied its layout (netqmail, indimail, vpopmail front ends and
 * some unnamed ones: "Unable to deliver message to the following address(es).").
 * One paragraph per recipient, opened by "<address>:"; the paragraph is what qmail
 * and the remote server said, and becomes the diagnostic whole: qmail's own
 * sentences ("does not like recipient", "I'm not going to try again; this message
 * has been in the queue too long.") matter to the rules as much as the remote's.
 */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"

/* Openings of the bounce text, any of which makes the format. */
static const char *const openings[] = {
	"This is the qmail-send program",
	"I'm afraid I wasn't able to deliver your message to the following addresses",
	"Unable to deliver message to the following address(es)",
	"Your mail message to the following address(es) could not be delivered",
	NULL
};

/* Where the returned message starts. */
static const char *const copy_markers[] = {
	"--- Below this line is a copy of the message",
	"--- Enclosed is a copy of the message",
	"--- Original message follows",
	NULL
};

static const char *
opening(const char *text, size_t len)
{
	size_t head = len > 4096 ? 4096 : len;
	const char *p;
	int i;

	for (i = 0; openings[i] != NULL; i++)
		if ((p = text_find(text, head, openings[i])) != NULL)
			return p;
	return NULL;
}

/* The host qmail talked to, in the order qmail names it most reliably. */
static void
remote_host(struct result *res)
{
	const char *d = res->diagnostic, *said;
	size_t n = strlen(d);

	plain_remote_after(res, d, n, "Giving up on ");
	plain_remote_after(res, d, n, "Connected to ");
	plain_remote_after(res, d, n, "remote host ");
	plain_remote_before(res, d, n, " does not like recipient");
	plain_remote_before(res, d, n, " failed after I sent the message");
	/*
	 * The reply code is the one the remote said, not the start of the
	 * "203.0.113.7 does not like recipient." that qmail writes before it.
	 */
	if ((said = text_find(d, n, " said")) != NULL)
		res->smtp_code = text_smtp_code(said, n - (size_t)(said - d));
}

static int
qmail_parse(const struct mail *m, struct report *r)
{
	size_t len, i, first = r->nresults;
	const char *text = mail_text(m, &len), *start, *end;
	int added;

	if ((start = opening(text, len)) == NULL)
		return 0;
	end = plain_cut(start, text + len, copy_markers);
	added = plain_angle_blocks(start, end, r);
	for (i = first; i < r->nresults; i++)
		if (r->results[i].diagnostic != NULL)
			remote_host(&r->results[i]);
	return added;
}

/* qmail_parse reads nothing without an opening (see format.h). */
const struct format format_qmail = { "qmail", qmail_parse, openings, 0 };
