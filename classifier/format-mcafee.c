/*
 * format-mcafee.c: McAfee Email and Web Security appliances (X-NAI-Header). The
 * text part, deliveryproblems.txt, lists each recipient with the reply in
 * parentheses:
 *
 *         --- The following addresses had delivery problems ---
 *
 *     <user@example.jp>   (5.1.1 <user@example.jp>... User unknown)
 *
 * Its message/delivery-status part names the recipient only by
 * Original-Recipient and puts the Remote-MTA there too.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define MCAFEE_MAX_LINES	1000

static int
is_mcafee(const struct mail *m)
{
	char *v;
	int yes;

	if ((v = mail_header(m, "X-NAI-Header")) == NULL)
		return 0;
	yes = text_find(v, strlen(v), "McAfee") != NULL;
	free(v);
	return yes;
}

/* "<a@b>   (diagnostic)" */
static int
add_problem(struct report *r, const char *p, const char *eol)
{
	const char *open, *close;
	struct result *res;
	char *rcpt;

	if (*p != '<' || (rcpt = address_find(p, (size_t)(eol - p))) == NULL)
		return 0;
	res = report_add(r, rcpt);
	free(rcpt);
	if (res == NULL || res->action != NULL)
		return 0;
	res->action = xstrdup("failed");
	open = memchr(p, '(', (size_t)(eol - p));
	close = eol;
	while (close > p && close[-1] != ')')
		close--;
	if (open != NULL && close > open + 1)
		result_set(&res->diagnostic, open + 1, (size_t)(close - 1 - open - 1));
	return 1;
}

static int
mcafee_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *p, *eol;
	int added = 0, n, in_list = 0;

	if (!is_mcafee(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < MCAFEE_MAX_LINES; p = eol + 1, n++) {
		eol = text_eol(p, end);
		if (text_find(p, (size_t)(eol - p), "addresses had delivery problems") != NULL)
			in_list = 1;
		else if (in_list)
			added += add_problem(r, p, eol);
		if (eol >= end)
			break;
	}
	return added;
}

/* What mcafee_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"McAfee", NULL
};

const struct format format_mcafee = { "mcafee", mcafee_parse, markers, 0 };
