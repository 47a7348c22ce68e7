/*
 * format-rfc3464.c: RFC 3464 delivery status notifications and their RFC 6533
 * internationalised form: one result per recipient group of the
 * message/delivery-status (or message/global-delivery-status) part.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "dsn.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

static const struct part *
status_part(const struct mail *m)
{
	const struct part *pt;

	if ((pt = mail_part(m, "message/delivery-status", 1)) == NULL &&
	    (pt = mail_part(m, "message/global-delivery-status", 1)) == NULL &&
	    (pt = mail_part(m, "message/delivery-status", 0)) == NULL)
		pt = mail_part(m, "message/global-delivery-status", 0);
	return pt;
}

static char *
group_recipient(const struct dsn_group *g)
{
	static const char *const fields[] = { "Final-Recipient", "Original-Recipient",
	    "X-Actual-Recipient", NULL };
	const char *v;
	char *a;
	int i;

	for (i = 0; fields[i] != NULL; i++) {
		if ((v = dsn_get(g, fields[i])) == NULL)
			continue;
		v = dsn_untyped(v);
		if ((a = address_find(v, strlen(v))) != NULL)
			return a;
	}
	return NULL;
}

/* "failed (bad address)" -> "failed" */
static char *
action_word(const char *v)
{
	size_t n = 0;
	char *a;

	while (v[n] != '\0' && isalpha((unsigned char)v[n]))
		n++;
	if (n == 0)
		return NULL;
	a = xstrndup(v, n);
	for (n = 0; a[n] != '\0'; n++)
		a[n] = (char)tolower((unsigned char)a[n]);
	return a;
}

static void
fill(struct result *res, const struct dsn_group *g)
{
	const char *v;

	if ((v = dsn_get(g, "Action")) != NULL && res->action == NULL)
		res->action = action_word(v);
	if ((v = dsn_get(g, "Status")) != NULL && res->status[0] == '\0')
		text_status(v, strlen(v), res->status);
	if ((v = dsn_get(g, "Remote-MTA")) != NULL && res->remote_mta == NULL)
		result_set_str(&res->remote_mta, dsn_untyped(v));
	if ((v = dsn_get(g, "Diagnostic-Code")) != NULL && res->diagnostic == NULL)
		result_set_str(&res->diagnostic, dsn_untyped(v));
}

static int
rfc3464_parse(const struct mail *m, struct report *r)
{
	const struct part *pt = status_part(m);
	struct dsn d;
	size_t i;
	int added = 0;

	if (pt == NULL || pt->text == NULL)
		return 0;
	memset(&d, 0, sizeof d);
	dsn_parse(pt->text, pt->text_len, &d);
	for (i = 0; i < d.nrecipients; i++) {
		char *rcpt = group_recipient(&d.recipients[i]);
		struct result *res;

		if (rcpt == NULL)
			continue;
		if ((res = report_add(r, rcpt)) != NULL) {
			fill(res, &d.recipients[i]);
			added++;
		}
		free(rcpt);
	}
	dsn_free(&d);
	return added;
}

/* Always tried: a DSN is told by its MIME structure. */
const struct format format_rfc3464 = { "rfc3464", rfc3464_parse, NULL };
