/*
 * format-dovecot.c: Dovecot's rejection (its LDA or LMTP, a Sieve "reject", a full
 * mailbox), sent as a DSN or as plain text:
 *
 *   Your message to <member@example.org> was automatically rejected:
 *   Quota exceeded (mailbox for user is full)
 *
 * The sentence after the colon is Dovecot's own reason. The delivery-status part,
 * when there is one, was written by the MTA that handed the message over and says
 * only what that MTA guessed (often "5.1.1 User unknown" for any refusal), so the
 * recipients come from it but the diagnostic comes from Dovecot's text. Tried before
 * the RFC 3464 reader for that reason.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "reason.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define REJECTED	"was automatically rejected:"

extern const struct format format_rfc3464;

/* Dovecot's words for a mailbox that cannot take the message: its own reason. */
static const char *const full_mailbox[] = {
	"quota exceeded", "not enough disk space", "mailbox is full", NULL
};

static void
fill(struct result *res, const char *reason, size_t n)
{
	size_t i;

	result_set(&res->diagnostic, reason, n);
	if (res->action == NULL)
		res->action = xstrdup("failed");
	for (i = 0; full_mailbox[i] != NULL && res->diagnostic != NULL; i++) {
		if (text_find(res->diagnostic, strlen(res->diagnostic),
		    full_mailbox[i]) != NULL) {
			res->reason = reason_lookup("mailboxfull");
			res->rule = "dovecot: full mailbox";
			break;
		}
	}
}

/*
 * The recipients of the delivery-status part as the RFC 3464 reader finds them,
 * with Dovecot's reason as their diagnostic; 0 when there is no such part.
 */
static int
dsn_recipients(const struct mail *m, struct report *r, const char *reason, size_t n)
{
	size_t i, first = r->nresults;
	int added = format_rfc3464.parse(m, r);

	for (i = first; added > 0 && i < r->nresults; i++)
		fill(&r->results[i], reason, n);
	return added;
}

static int
dovecot_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *text = mail_text(m, &len), *end = text + len, *at, *eol, *p, *q;
	struct result *res;
	char *a;
	int added;

	/* The sentence opens the text. */
	if ((at = text_find(text, len > 1024 ? 1024 : len, REJECTED)) == NULL)
		return 0;
	eol = text_eol(at, end);
	for (p = eol < end ? eol + 1 : end; p < end && plain_blank(p, text_eol(p, end)) &&
	    text_eol(p, end) < end; p = text_eol(p, end) + 1)
		;
	q = plain_paragraph_end(p, end);
	if ((added = dsn_recipients(m, r, p, (size_t)(q - p))) > 0)
		return added;
	/* Plain text: the address in the sentence, when it is one. */
	for (at = eol; at > text && at[-1] != '\n'; at--)
		;
	if ((a = address_find(at, (size_t)(eol - at))) == NULL)
		return 0;
	res = report_add(r, a);
	free(a);
	if (res == NULL)
		return 0;
	fill(res, p, (size_t)(q - p));
	return 1;
}

/* What dovecot_parse requires before it reads anything (see format.h). */
static const char *const markers[] = { REJECTED, NULL };

const struct format format_dovecot = { "dovecot", dovecot_parse, markers, 0 };
