/*
 * format-arf.c: RFC 5965 feedback reports (complaints). The recipient is the
 * Original-Rcpt-To of the report, else the To: of the returned message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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

static int
arf_parse(const struct mail *m, struct report *r)
{
	const struct part *pt = mail_part(m, "message/feedback-report", 1);
	struct dsn d;
	const char *v;
	char *rcpt = NULL;
	struct result *res;

	if (pt == NULL || pt->text == NULL)
		return 0;
	memset(&d, 0, sizeof d);
	dsn_parse(pt->text, pt->text_len, &d);
	if ((v = dsn_get(&d.message, "Original-Rcpt-To")) != NULL ||
	    (v = dsn_get(&d.message, "Removal-Recipient")) != NULL)
		rcpt = address_find(v, strlen(v));
	if (rcpt == NULL)
		rcpt = returned_to(m);
	res = report_add(r, rcpt);
	if (res != NULL) {
		res->reason = reason_lookup("feedback");
		res->rule = "feedback report";
		if ((v = dsn_get(&d.message, "Feedback-Type")) != NULL) {
			res->feedback_type = xstrdup(v);
			res->feedback_type[strcspn(res->feedback_type, " ;")] = '\0';
		}
		if ((v = dsn_get(&d.message, "Source-IP")) != NULL)
			result_set_str(&res->remote_mta, v);
		set_diagnostic(m, res);
	}
	free(rcpt);
	dsn_free(&d);
	return res != NULL;
}

const struct format format_arf = { "arf", arf_parse };
