/*
 * format-mimecast.c: Mimecast's "Email Delivery Failure" alert, sent as the
 * customer domain's postmaster through Mimecast (X-MC-System, X-Mimecast-*):
 *
 *     An email that you attempted to send to the following address could not be
 *     delivered:
 *     -- user@example.org
 *
 *     The problem appears to be :
 *     -- Recipient email address is possibly incorrect
 *
 *     Additional information follows :
 *     -- 5.4.1 Recipient address rejected: Access denied. [...]
 *
 * One alert per failed recipient. The additional information is the remote
 * server's reply; Mimecast's own summary stands in when there is none.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define MIMECAST_MAX_LINES	500

static int
is_mimecast(const struct mail *m)
{
	char *id;
	int yes;

	if (mail_header_has(m, "X-MC-System") ||
	    mail_header_has(m, "X-Mimecast-Originator") ||
	    mail_header_has(m, "X-Mimecast-Spam-Score"))
		return 1;
	id = mail_header(m, "Message-Id");
	yes = id != NULL && text_find(id, strlen(id), "mimecast") != NULL;
	free(id);
	return yes;
}

/* The "-- " paragraph after a heading line: up to the next blank line. */
static void
dashed(const char *p, const char *end, const char **start, const char **stop)
{
	int n;

	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	if (!text_starts(p, (size_t)(end - p), "-- "))
		return;
	*start = p + 3;
	for (n = 0; p < end && n < 20; n++) {
		const char *eol = text_eol(p, end);

		if (eol == p)
			break;
		p = eol < end ? eol + 1 : end;
	}
	*stop = p;
}

static int
mimecast_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *hit, *a = NULL, *a_end = NULL;
	const char *problem = NULL, *problem_end = NULL, *info = NULL, *info_end = NULL;
	struct result *res;
	char *rcpt;

	if (!is_mimecast(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	if ((hit = text_find(t, len, "send to the following address")) == NULL)
		return 0;
	dashed(text_eol(hit, end), end, &a, &a_end);
	if ((hit = text_find(t, len, "The problem appears to be")) != NULL)
		dashed(text_eol(hit, end), end, &problem, &problem_end);
	if ((hit = text_find(t, len, "Additional information follows")) != NULL)
		dashed(text_eol(hit, end), end, &info, &info_end);
	if (a == NULL || (rcpt = address_find(a, (size_t)(a_end - a))) == NULL)
		return 0;
	res = report_add(r, rcpt);
	free(rcpt);
	if (res == NULL)
		return 0;
	if (res->action == NULL)
		res->action = xstrdup("failed");
	if (info != NULL)
		result_set(&res->diagnostic, info, (size_t)(info_end - info));
	else if (problem != NULL)
		result_set(&res->diagnostic, problem, (size_t)(problem_end - problem));
	return 1;
}

/* What mimecast_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"X-MC-System", "mimecast", NULL
};

const struct format format_mimecast = { "mimecast", mimecast_parse, markers, 0 };
