/*
 * format-yahoo.c: bounces from Yahoo! Mail (and Yahoo! JAPAN), qmail-like text:
 *
 *     Sorry, we were unable to deliver your message to the following address.
 *
 *     <user@example.org>:
 *     Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]
 *
 *     --- Below this line is a copy of the message.
 *
 * The lines under each "<address>:" up to a blank line are its diagnostic.
 */
#include <ctype.h>
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

#define MARKER	"Sorry, we were unable to deliver your message to the following address"

static int
recipient_line(struct line line)
{
	line = bodyscan_trim(line);
	return line.n > 3 && line.s[0] == '<' && line.s[line.n - 1] == ':' &&
	    line.s[line.n - 2] == '>';
}

/*
 * Yahoo writes the remote reply as "550: <user@example.org>: User unknown", a code
 * the usual readers do not take because of the colon.
 */
static void
colon_code(struct result *res)
{
	const char *d = res->diagnostic;

	if (d == NULL || res->smtp_code != 0 || strlen(d) < 4 || d[3] != ':' ||
	    (d[0] != '4' && d[0] != '5') || !isdigit((unsigned char)d[1]) ||
	    !isdigit((unsigned char)d[2]))
		return;
	res->smtp_code = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
}

static void
close_recipient(struct result *res, const char *start, const char *stop)
{
	bodyscan_diagnostic(res, start, (size_t)(stop - start));
	colon_code(res);
}

static int
yahoo_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end, *start = NULL;
	struct result *res = NULL;
	struct line line;
	size_t len;
	int added = 0;

	text = bodyscan_text(m, &len);
	if ((pos = bodyscan_after(text, len > 1024 ? 1024 : len, MARKER)) == NULL)
		return 0;
	end = text + len;
	while (bodyscan_next(&pos, end, &line)) {
		if (text_starts(line.s, line.n, "--- Below this line")) {
			end = line.s;
			break;
		}
		if (recipient_line(line)) {
			if ((res = bodyscan_add(r, line.s, line.n, "failed")) != NULL)
				added++;
			start = pos;
		} else if (bodyscan_blank(&line) && res != NULL) {
			close_recipient(res, start, line.s);
			res = NULL;
		}
	}
	if (res != NULL)
		close_recipient(res, start, end);
	return added;
}

/* What yahoo_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	MARKER, NULL
};

const struct format format_yahoo = { "yahoo", yahoo_parse, markers, 0 };
