/*
 * format-amazonworkmail.c: bounces from Amazon WorkMail. There is no
 * message/delivery-status part: the text part lists the recipients and then,
 * after "Technical report:", writes the RFC 3464 fields as plain text.
 */
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

/*
 * WorkMail passes on the remote server's words for a queue timeout inside angle
 * brackets: "554 4.4.7 Message expired: ...<421 4.4.2 Connection timed out>".
 * The inner reply says what went wrong; take its codes.
 */
static void
inner_reply(struct result *res)
{
	const char *d = res->diagnostic, *lt;
	char status[16];
	int code;

	if (d == NULL || text_find(d, strlen(d), "message expired") == NULL ||
	    (lt = strrchr(d, '<')) == NULL)
		return;
	if ((code = text_smtp_code(lt + 1, strlen(lt + 1))) == 0 ||
	    !text_status(lt + 1, strlen(lt + 1), status))
		return;
	res->smtp_code = code;
	memcpy(res->status, status, sizeof res->status);
}

static int
amazonworkmail_parse(const struct mail *m, struct report *r)
{
	const char *text, *report;
	size_t len, i;
	int added;
	char *mailer;

	if ((mailer = mail_header(m, "X-Mailer")) == NULL)
		return 0;
	added = text_starts(mailer, strlen(mailer), "Amazon WorkMail");
	free(mailer);
	if (!added)
		return 0;
	text = bodyscan_text(m, &len);
	if ((report = bodyscan_after(text, len, "Technical report:")) == NULL)
		return 0;
	added = bodyscan_dsn_fields(report, (size_t)(text + len - report), r);
	for (i = 0; i < r->nresults; i++)
		inner_reply(&r->results[i]);
	return added;
}

/* What amazonworkmail_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"Technical report:", NULL
};

const struct format format_amazonworkmail = { "amazonworkmail", amazonworkmail_parse, markers, 0 };
