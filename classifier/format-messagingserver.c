/*
 * format-messagingserver.c: Oracle (Sun, iPlanet) Communications Messaging
 * Server and its ancestor PMDF. They send an RFC 3464 report, but the text part
 * repeats it per recipient, and that is all there is when the MIME structure
 * comes back broken:
 *
 *     Your message cannot be delivered to the following recipients:
 *
 *       Recipient address: user@example.org
 *       Reason: Remote SMTP server has rejected address
 *       Diagnostic code: smtp;550 5.1.1 <user@example.org>... User unknown
 *       Remote system: dns;mx.example.org (TCP|192.0.2.1|...)
 */
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

/* The value of "Name: value" when line is that field, else a line of length 0. */
static struct line
field(struct line line, const char *name)
{
	struct line value = { line.s, 0 };
	size_t k = strlen(name);

	line = bodyscan_trim(line);
	if (!text_starts(line.s, line.n, name) || line.n <= k || line.s[k] != ':')
		return value;
	value.s = line.s + k + 1;
	value.n = line.n - k - 1;
	return bodyscan_trim(value);
}

static void
remote_system(struct result *res, struct line v)
{
	const char *stop;

	if (res->remote_mta != NULL || v.n == 0)
		return;
	if (text_starts(v.s, v.n, "dns;")) {
		v.s += 4;
		v.n -= 4;
		v = bodyscan_trim(v);
	}
	if ((stop = memchr(v.s, ' ', v.n)) != NULL)
		v.n = (size_t)(stop - v.s);
	result_set(&res->remote_mta, v.s, v.n);
}

static int
messagingserver_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end;
	const char *action = "failed";
	struct result *res = NULL;
	struct line line, v;
	size_t len;
	int added = 0;

	text = bodyscan_text(m, &len);
	if (!bodyscan_contains(text, len, "Recipient address:") ||
	    (pos = bodyscan_after(text, len, "This report relates to a message you sent")) == NULL)
		return 0;
	if (bodyscan_subject_has(m, "delayed"))
		action = "delayed";
	end = text + len;
	while (bodyscan_next(&pos, end, &line)) {
		if ((v = field(line, "Recipient address")).n > 0) {
			if ((res = bodyscan_add(r, v.s, v.n, action)) != NULL)
				added++;
		} else if (res == NULL) {
			continue;
		} else if ((v = field(line, "Diagnostic code")).n > 0) {
			const char *d = text_starts(v.s, v.n, "smtp;") ? v.s + 5 : v.s;

			/* The remote server's words replace the Reason line. */
			result_set(&res->diagnostic, NULL, 0);
			bodyscan_diagnostic(res, d, v.n - (size_t)(d - v.s));
		} else if ((v = field(line, "Remote system")).n > 0) {
			remote_system(res, v);
		} else if ((v = field(line, "Reason")).n > 0 && res->diagnostic == NULL) {
			/* Used only when no diagnostic code follows. */
			result_set(&res->diagnostic, v.s, v.n);
		}
	}
	return added;
}

/* What messagingserver_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"Recipient address:", NULL
};

const struct format format_messagingserver = { "messagingserver", messagingserver_parse, markers, 0 };
