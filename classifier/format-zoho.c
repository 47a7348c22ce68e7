/*
 * format-zoho.c: bounces from Zoho Mail: one line per recipient, the address
 * followed by Zoho's summary and the remote reply:
 *
 *     user@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <...>... User Unknown
 *
 * after "This is a permanent error." (or a temporary one, for a delay).
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

/* "ERROR_CODE :550" carries the reply code where no prose lead-in does. */
static void
error_code(struct result *res)
{
	const char *p;

	if (res->diagnostic == NULL || res->smtp_code != 0 ||
	    (p = text_find(res->diagnostic, strlen(res->diagnostic), "ERROR_CODE :")) == NULL)
		return;
	res->smtp_code = text_smtp_code(p + 12, strlen(p + 12));
}

/* "user@example.org <text>": the address ends at the first space. */
static struct result *
recipient_line(struct report *r, struct line line, const char *action)
{
	const char *space = memchr(line.s, ' ', line.n);
	struct result *res;
	char *a;

	if (space == NULL || line.s[0] == ' ' || memchr(line.s, '@', (size_t)(space - line.s)) == NULL)
		return NULL;
	if ((a = address_find(line.s, (size_t)(space - line.s))) == NULL)
		return NULL;
	free(a);
	if ((res = bodyscan_add(r, line.s, (size_t)(space - line.s), action)) == NULL)
		return NULL;
	bodyscan_diagnostic(res, space + 1, line.n - (size_t)(space + 1 - line.s));
	error_code(res);
	return res;
}

static int
zoho_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end, *action = "failed";
	struct line line;
	size_t len;
	int added = 0;

	if (!bodyscan_from_has(m, "zoho"))
		return 0;
	text = bodyscan_text(m, &len);
	if ((pos = bodyscan_after(text, len, "This is a permanent error")) == NULL) {
		if ((pos = bodyscan_after(text, len, "This is a temporary error")) == NULL)
			return 0;
		action = "delayed";
	}
	end = text + len;
	while (bodyscan_next(&pos, end, &line)) {
		if (text_starts(line.s, line.n, "Received:"))
			break;
		if (recipient_line(r, line, action) != NULL)
			added++;
	}
	return added;
}

/* What zoho_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"This is a permanent error", "This is a temporary error", NULL
};

const struct format format_zoho = { "zoho", zoho_parse, markers, 0 };
