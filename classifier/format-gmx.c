/*
 * format-gmx.c: bounces from GMX, WEB.DE and 1&1 / IONOS (kundenserver.de), all
 * run by United Internet. Exim-like text, but each address sits flush left with
 * a colon and the return ends with its own marker:
 *
 *     A message that you sent could not be delivered to one or more of
 *     its recipients. This is a permanent error. The following address(es)
 *     failed:
 *
 *     "user@example.org":
 *     SMTP error from remote server after RCPT command:
 *     host: mx.example.org
 *     5.1.1 <user@example.org>... User Unknown
 *
 *     --- The header of the original message is following. ---
 *
 * (1&1 writes "SMTP error from remote server for TEXT command, host: mx.example.org
 * (192.0.2.1) reason: 550 5.2.0 ..." on one line.)
 */
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

#define RETURN_MARKER	"--- The header of the original message is following. ---"

/* "user@example.org:" or "\"user@example.org\":" flush left. */
static int
recipient_line(const struct line *line)
{
	return line->n > 3 && line->s[0] != ' ' && line->s[0] != '\t' &&
	    line->s[line->n - 1] == ':' && memchr(line->s, '@', line->n) != NULL &&
	    memchr(line->s, ' ', line->n) == NULL;
}

/* "host: mx.example.org" names the server that answered. */
static void
host(struct result *res, struct line line)
{
	const char *p = text_find(line.s, line.n, "host: "), *stop;
	struct line h;

	if (p == NULL || res->remote_mta != NULL)
		return;
	h.s = p + 6;
	h.n = (size_t)(line.s + line.n - h.s);
	if ((stop = memchr(h.s, ' ', h.n)) != NULL)
		h.n = (size_t)(stop - h.s);
	if ((stop = memchr(h.s, ',', h.n)) != NULL)
		h.n = (size_t)(stop - h.s);
	result_set(&res->remote_mta, h.s, h.n);
}

/*
 * The diagnostic is the whole block; the reply code, which the usual readers miss
 * behind "host: ...", is read from the lines after the host line.
 */
static void
close_recipient(struct result *res, const char *start, const char *reply,
    const char *stop)
{
	bodyscan_diagnostic(res, start, (size_t)(stop - start));
	if (res->smtp_code == 0 && reply != NULL)
		res->smtp_code = text_smtp_code(reply, (size_t)(stop - reply));
}

static int
gmx_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end, *start = NULL, *reply = NULL;
	struct result *res = NULL;
	struct line line;
	size_t len;
	int added = 0;

	text = bodyscan_text(m, &len);
	if ((pos = memmem(text, len, RETURN_MARKER, strlen(RETURN_MARKER))) == NULL ||
	    !bodyscan_from_has(m, "mailer-daemon"))
		return 0;
	end = pos;
	if ((pos = bodyscan_after(text, len, "could not be delivered to one or more")) == NULL)
		return 0;
	while (bodyscan_next(&pos, end, &line)) {
		if (recipient_line(&line)) {
			if (res != NULL)
				close_recipient(res, start, reply, line.s);
			if ((res = bodyscan_add(r, line.s, line.n, "failed")) != NULL)
				added++;
			start = pos;
			reply = NULL;
		} else if (res != NULL) {
			host(res, line);
			if (text_starts(line.s, line.n, "host: "))
				reply = pos;
		}
	}
	if (res != NULL)
		close_recipient(res, start, reply, end);
	return added;
}

/* What gmx_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	RETURN_MARKER, NULL
};

const struct format format_gmx = { "gmx", gmx_parse, markers, 0 };
