/*
 * format-exchange2003.c: non-delivery reports of Microsoft Exchange 5.5 to 2003
 * (the "Internet Mail Service", X-MS-Embedded-Report). No delivery-status part:
 *
 *     did not reach the following recipient(s):
 *
 *     user@example.com on Thu, 29 Apr 2010 00:00:00 -0000
 *         The recipient name is not recognized
 *         The MTS-ID of the original message is: c=us;a= ;p=org;l=HOST-...
 *         MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient
 *
 * The indented lines under each address, less the MTS-ID, are its diagnostic.
 */
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define DIAGNOSTIC_MAX	1024

/* "user@example.com on Thu, ..." starts a recipient. */
static int
recipient_line(const struct line *line)
{
	const char *on = text_find(line->s, line->n, " on ");

	return line->n > 0 && line->s[0] != ' ' && line->s[0] != '\t' && on != NULL &&
	    memchr(line->s, '@', (size_t)(on - line->s)) != NULL;
}

/* Lines that say nothing about the failure: the MTS-ID and its continuation. */
static int
noise(const struct line *line)
{
	struct line t = bodyscan_trim(*line);

	return text_find(t.s, t.n, "MTS-ID") != NULL || (t.n > 0 && t.s[0] == ';') ||
	    text_find(t.s, t.n, ";l=") != NULL;
}

static void
append(char *buf, size_t *used, const struct line *line)
{
	struct line t = bodyscan_trim(*line);

	if (t.n == 0 || *used + t.n + 2 >= DIAGNOSTIC_MAX)
		return;
	if (*used > 0)
		buf[(*used)++] = ' ';
	memcpy(buf + *used, t.s, t.n);
	*used += t.n;
}

static int
exchange2003_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end;
	char diagnostic[DIAGNOSTIC_MAX];
	size_t len, used = 0;
	struct result *res = NULL;
	struct line line;
	int added = 0;

	if (!mail_header_has(m, "X-MS-Embedded-Report") &&
	    !bodyscan_subject_has(m, "Undeliverable"))
		return 0;
	text = bodyscan_text(m, &len);
	end = text + len;
	if ((pos = bodyscan_after(text, len, "did not reach the following recipient")) == NULL)
		return 0;
	while (bodyscan_next(&pos, end, &line)) {
		if (recipient_line(&line)) {
			if (res != NULL)
				bodyscan_diagnostic(res, diagnostic, used);
			used = 0;
			if ((res = bodyscan_add(r, line.s, line.n, "failed")) != NULL)
				added++;
		} else if (bodyscan_blank(&line)) {
			/* A blank line ends a recipient's lines. */
			if (res != NULL && used > 0) {
				bodyscan_diagnostic(res, diagnostic, used);
				res = NULL;
			}
		} else if (res != NULL && !noise(&line))
			append(diagnostic, &used, &line);
	}
	if (res != NULL)
		bodyscan_diagnostic(res, diagnostic, used);
	return added;
}

/* What exchange2003_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"did not reach the following recipient", NULL
};

const struct format format_exchange2003 = { "exchange2003", exchange2003_parse, markers, 0 };
