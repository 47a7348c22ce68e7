/*
 * format-unknown.c: plain-text bounces from MTAs that do not say who they are
 * (Mail2000-like, MailFoundry, IMail, Verizon's gateway, fml list loops and
 * others). Each style is a row: a sentence that opens a line, where the address
 * is, and which text is the diagnostic. The phrases are the MTAs' own; a row
 * only counts in a message from a mail system (MAILER-DAEMON, postmaster, ...)
 * unless it is specific enough by itself.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"

enum lead_diag {
	DIAG_LINE,		/* the line with the phrase */
	DIAG_AFTER,		/* the paragraph(s) after the line, up to the part's end */
	DIAG_NEXT,		/* the next paragraph only */
	DIAG_BRACKETS		/* "[550 5.1.1 User unknown]" at the end of the line */
};

struct lead {
	const char	*phrase;	/* opens a line; the address follows on it */
	enum lead_diag	 diag;
	int		 any_sender;	/* 1: no mail-system sender needed */
	const char	*rcpt_field;	/* address in this field instead, e.g. "RCPT TO:" */
};

static const struct lead leads[] = {
	{ "Delivery failed: ", DIAG_NEXT, 0, NULL },
	{ "Unable to deliver message to: ", DIAG_AFTER, 0, NULL },
	{ "Did not reach the following recipient", DIAG_LINE, 0, NULL },
	{ "SMTP Server <", DIAG_BRACKETS, 0, NULL },
	{ "Error message below:", DIAG_NEXT, 0, "RCPT TO: " },
	{ "Duplicated Message-ID in <", DIAG_LINE, 1, NULL },
	{ NULL, 0, 0, NULL }
};

/* Where the returned message starts in the IMail-like "reason: address" style. */
static const char *const reason_line_ends[] = {
	"Original message follows.", "Unable to deliver mail.", NULL
};

#define MAX_SCAN	8192	/* the bounce text comes first; skip the returned copy */

static void
set_diagnostic(struct result *res, const struct lead *l, const char *line,
    const char *eol, const char *end)
{
	const char *p = eol < end ? eol + 1 : end, *q;

	switch (l->diag) {
	case DIAG_LINE:
		result_set(&res->diagnostic, line, (size_t)(eol - line));
		break;
	case DIAG_NEXT:
		while (p < end && plain_blank(p, text_eol(p, end)) && text_eol(p, end) < end)
			p = text_eol(p, end) + 1;
		result_set(&res->diagnostic, p, (size_t)(plain_paragraph_end(p, end) - p));
		break;
	case DIAG_AFTER:
		result_set(&res->diagnostic, p, (size_t)(end - p) > 2048 ? 2048 :
		    (size_t)(end - p));
		plain_remote_before(res, p, (size_t)(end - p), " responded with failure");
		break;
	case DIAG_BRACKETS:
		plain_remote_after(res, line, (size_t)(eol - line), "SMTP Server ");
		if ((p = text_find(line, (size_t)(eol - line), "as follows: [")) != NULL &&
		    (q = memchr(p, ']', (size_t)(eol - p))) != NULL)
			result_set(&res->diagnostic, p + 13, (size_t)(q - p - 13));
		else
			result_set(&res->diagnostic, line, (size_t)(eol - line));
		break;
	}
}

/* The address a lead line names, or the one in its rcpt_field. */
static char *
lead_address(const struct lead *l, const char *line, const char *eol,
    const char *text, const char *end)
{
	const char *f, *fe;

	if (l->rcpt_field == NULL)
		return address_find(line, (size_t)(eol - line));
	if ((f = text_find(text, (size_t)(end - text), l->rcpt_field)) == NULL)
		return NULL;
	fe = text_eol(f, end);
	return address_find(f, (size_t)(fe - f));
}

static int
lead_lines(const char *text, const char *end, struct report *r, int daemon)
{
	const char *p, *eol, *q;
	struct result *res;
	char *a;
	int i, added = 0;

	for (p = text; p < end && added < PLAIN_MAX_BLOCKS; p = eol + 1) {
		eol = text_eol(p, end);
		q = plain_skip_blanks(p, eol);
		for (i = 0; leads[i].phrase != NULL; i++) {
			if (!text_starts(q, (size_t)(eol - q), leads[i].phrase) ||
			    (!daemon && !leads[i].any_sender))
				continue;
			if ((a = lead_address(&leads[i], q, eol, text, end)) == NULL)
				continue;
			if ((res = report_add(r, a)) != NULL) {
				set_diagnostic(res, &leads[i], q, eol, end);
				added++;
			}
			free(a);
			break;
		}
		if (eol == end)
			break;
	}
	return added;
}

/* "User mailbox exceeds allowed size: kijitora@example.org" lines (IMail). */
static int
reason_lines(const char *text, const char *end, struct report *r)
{
	const char *stop = plain_cut(text, end, reason_line_ends), *p, *eol, *colon;
	struct result *res;
	char *a;
	int added = 0;

	if (stop == end)
		return 0;
	for (p = text; p < stop && added < PLAIN_MAX_BLOCKS; p = eol + 1) {
		eol = text_eol(p, stop);
		colon = text_find(p, (size_t)(eol - p), ": ");
		if (colon != NULL && memchr(colon, ' ', (size_t)(eol - colon - 2)) ==
		    colon + 1 && memchr(colon + 2, ' ', (size_t)(eol - colon - 2)) == NULL &&
		    (a = address_find(colon + 2, (size_t)(eol - colon - 2))) != NULL) {
			if ((res = report_add(r, a)) != NULL) {
				result_set(&res->diagnostic, p, (size_t)(eol - p));
				added++;
			}
			free(a);
		}
		if (eol == stop)
			break;
	}
	return added;
}

static int
unknown_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *text = mail_text(m, &len), *end;
	int daemon = plain_from_daemon(m), added;

	end = text + (len > MAX_SCAN ? MAX_SCAN : len);
	if ((added = lead_lines(text, end, r, daemon)) > 0 || !daemon)
		return added;
	return reason_lines(text, end, r);
}

/* What unknown_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"Delivery failed: ", "Unable to deliver message to: ",
	"Did not reach the following recipient", "SMTP Server <", "Error message below:",
	"Duplicated Message-ID in <", "Original message follows.", "Unable to deliver mail.",
	NULL
};

const struct format format_unknown = { "unknown-mta", unknown_parse, markers, 0 };
