/*
 * format-arf.c: RFC 5965 feedback reports (complaints). The recipient is the
 * Original-Rcpt-To of the report, else the To: of the returned message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "dsn.h"
#include "format.h"
#include "reason.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

/* The To: of the returned message (message/rfc822 or text/rfc822-headers). */
static char *
returned_to(const struct mail *m)
{
	const struct part *pt = mail_part(m, "text/rfc822-headers", 0);
	char *to = NULL, *a = NULL;
	size_t i;

	if (pt != NULL && pt->text != NULL)
		to = header_get(pt->text, pt->text_len, "To");
	for (i = 0; to == NULL && i < m->nparts; i++)
		if (m->parts[i].in_original)
			to = header_get(m->parts[i].headers, m->parts[i].headers_len, "To");
	if (to != NULL)
		a = address_find(to, strlen(to));
	free(to);
	return a;
}

/* The first paragraph of the human-readable part, as the diagnostic. */
static void
set_diagnostic(const struct mail *m, struct result *res)
{
	size_t len;
	const char *t = mail_text(m, &len), *end = t + len, *p = t;

	while (p < end && (*p == '\n' || *p == ' '))
		p++;
	t = p;
	while (p < end && !(p[0] == '\n' && p + 1 < end && p[1] == '\n'))
		p++;
	if (p > t)
		result_set(&res->diagnostic, t, (size_t)(p - t) > 300 ? 300 : (size_t)(p - t));
}

/* Fill a complaint result for rcpt (may be NULL). */
static struct result *
add_complaint(struct report *r, const char *rcpt, const char *type)
{
	struct result *res = report_add(r, rcpt);

	if (res == NULL)
		return NULL;
	res->reason = reason_lookup("feedback");
	res->rule = "feedback report";
	if (type != NULL && res->feedback_type == NULL) {
		res->feedback_type = xstrdup(type);
		res->feedback_type[strcspn(res->feedback_type, " ;")] = '\0';
	}
	return res;
}

/* Every Original-Rcpt-To (a report may name several), else Removal-Recipient. */
static int
report_recipients(struct report *r, const struct dsn_group *g, const char *type,
    struct result **last)
{
	size_t i;
	int added = 0, pass;

	for (pass = 0; pass < 2 && added == 0; pass++) {
		const char *field = pass == 0 ? "Original-Rcpt-To" : "Removal-Recipient";

		for (i = 0; i < g->nfields; i++) {
			char *rcpt;
			struct result *res;

			if (strcasecmp(g->fields[i].name, field) != 0 ||
			    (rcpt = address_find(g->fields[i].value,
			    strlen(g->fields[i].value))) == NULL)
				continue;
			if ((res = add_complaint(r, rcpt, type)) != NULL) {
				*last = res;
				added++;
			}
			free(rcpt);
		}
	}
	return added;
}

static void
complaint_details(const struct mail *m, struct report *r, size_t first,
    const struct dsn *d)
{
	const char *v = dsn_get(&d->message, "Source-IP");
	size_t i;

	for (i = first; i < r->nresults; i++) {
		if (v != NULL && r->results[i].remote_mta == NULL)
			result_set_str(&r->results[i].remote_mta, v);
		if (r->results[i].diagnostic == NULL)
			set_diagnostic(m, &r->results[i]);
	}
}

static int
arf_standard(const struct mail *m, struct report *r)
{
	const struct part *pt = mail_part(m, "message/feedback-report", 1);
	struct result *res = NULL;
	size_t first = r->nresults;
	struct dsn d;
	char *rcpt;

	if (pt == NULL || pt->text == NULL)
		return 0;
	memset(&d, 0, sizeof d);
	dsn_parse(pt->text, pt->text_len, &d);
	if (report_recipients(r, &d.message, dsn_get(&d.message, "Feedback-Type"),
	    &res) == 0) {
		rcpt = returned_to(m);
		res = add_complaint(r, rcpt, dsn_get(&d.message, "Feedback-Type"));
		free(rcpt);
	}
	complaint_details(m, r, first, &d);
	dsn_free(&d);
	return res != NULL;
}

/*
 * Microsoft's JMRP (and the older Hotmail) complaints are not ARF: a multipart/mixed
 * from staff@hotmail.com, "complaint about message from 192.0.2.1", with the
 * message attached. The member is X-HmXmrOriginalRecipient of the attachment.
 */
static int
arf_microsoft(const struct mail *m, struct report *r)
{
	char *from = mail_from(m), *subject, *rcpt = NULL, *v;
	struct result *res = NULL;
	size_t i;

	if (text_find(from, strlen(from), "staff@hotmail.com") == NULL) {
		free(from);
		return 0;
	}
	free(from);
	subject = mail_subject(m);
	if (text_find(subject, strlen(subject), "complaint about message") != NULL) {
		for (i = 0; rcpt == NULL && i < m->nparts; i++) {
			if (!m->parts[i].in_original)
				continue;
			v = header_get(m->parts[i].headers, m->parts[i].headers_len,
			    "X-HmXmrOriginalRecipient");
			if (v != NULL)
				rcpt = address_find(v, strlen(v));
			free(v);
		}
		if (rcpt == NULL)
			rcpt = returned_to(m);
		/* The attachment is all there is: the subject is the report's text. */
		if ((res = add_complaint(r, rcpt, "abuse")) != NULL)
			result_set_str(&res->diagnostic, subject);
		free(rcpt);
	}
	free(subject);
	return res != NULL;
}

/*
 * The oldest Hotmail form: no wrapper at all, the complained-of message itself with
 * Hotmail's headers on top (Return-Path: staff@hotmail.com and the member in
 * X-HmXmrOriginalRecipient).
 */
static int
arf_hotmail_inline(const struct mail *m, struct report *r)
{
	char *rp, *v, *rcpt;
	struct result *res = NULL;

	if ((rp = mail_header(m, "Return-Path")) == NULL)
		return 0;
	if (text_find(rp, strlen(rp), "staff@hotmail.com") == NULL ||
	    (v = mail_header(m, "X-HmXmrOriginalRecipient")) == NULL) {
		free(rp);
		return 0;
	}
	free(rp);
	if ((rcpt = address_find(v, strlen(v))) != NULL &&
	    (res = add_complaint(r, rcpt, "abuse")) != NULL)
		result_set_str(&res->diagnostic, "complaint forwarded by Hotmail");
	free(rcpt);
	free(v);
	return res != NULL;
}

static int
arf_parse(const struct mail *m, struct report *r)
{
	int n = arf_standard(m, r);

	if (n == 0)
		n = arf_microsoft(m, r);
	return n > 0 ? n : arf_hotmail_inline(m, r);
}

/* Always tried: a feedback report is told by its MIME structure. */
const struct format format_arf = { "arf", arf_parse, NULL, 1 };
