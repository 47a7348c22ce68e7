/*
 * format-rfc3464.c: RFC 3464 delivery status notifications and their RFC 6533
 * internationalised form: one result per recipient group of the
 * message/delivery-status (or message/global-delivery-status) part.
 */
#include <string.h>

#include "dsn-result.h"
#include "format.h"

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
	for (i = 0; i < d.nrecipients; i++)
		if (dsn_group_result(&d.recipients[i], r) != NULL)
			added++;
	if (d.truncated)
		report_warn(r, "more than %d recipient groups in the delivery status;"
		    " only the first %d were read", DSN_MAX_GROUPS, DSN_MAX_GROUPS);
	dsn_free(&d);
	return added;
}

/* Always tried: a DSN is told by its MIME structure. */
const struct format format_rfc3464 = { "rfc3464", rfc3464_parse, NULL, 1 };
