/*
 * format-notes.c: bounces from IBM (Lotus) Notes and Domino. Two shapes:
 *
 * Domino ("DELIVERY FAILURE: ..." subject):
 *
 *     Your message
 *       Subject: ...
 *     was not delivered to:
 *       user@example.org
 *     because:
 *       User user (user@example.org) not listed in Domino Directory
 *
 * and the older Lotus SMTP MTA, error lines then the addresses they apply to:
 *
 *     ------- Failure Reasons  --------
 *     User not listed in public Name & Address Book
 *     user@example.org
 *     ------- Returned Message --------
 */
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

/* A line that is one address and nothing else. */
static int
address_only(struct line line)
{
	line = bodyscan_trim(line);
	return line.n > 2 && memchr(line.s, '@', line.n) != NULL &&
	    memchr(line.s, ' ', line.n) == NULL;
}

/* The first non-blank line after "because:", trimmed; n = 0 when none. */
static struct line
because(const char *text, size_t len)
{
	const char *pos = bodyscan_after(text, len, "because:"), *end = text + len;
	struct line line = { text, 0 };

	while (pos != NULL && bodyscan_next(&pos, end, &line))
		if (!bodyscan_blank(&line))
			return bodyscan_trim(line);
	line.n = 0;
	return line;
}

static int
domino(const char *text, size_t len, struct report *r)
{
	const char *pos = bodyscan_after(text, len, "was not delivered to:"), *end;
	struct line line, reason = because(text, len);
	struct result *res;
	int added = 0;

	if (pos == NULL)
		return 0;
	end = text + len;
	while (bodyscan_next(&pos, end, &line) &&
	    !text_starts(bodyscan_trim(line).s, bodyscan_trim(line).n, "because:")) {
		if (address_only(line) &&
		    (res = bodyscan_add(r, line.s, line.n, "failed")) != NULL) {
			added++;
			if (reason.n > 0)
				bodyscan_diagnostic(res, reason.s, reason.n);
		}
	}
	return added;
}

static int
lotus_smtp(const char *text, size_t len, struct report *r)
{
	const char *pos = bodyscan_after(text, len, "------- Failure Reasons"), *end;
	const char *reason = NULL, *reason_end = NULL;
	struct line line;
	struct result *res;
	int added = 0, after_address = 0;

	if (pos == NULL)
		return 0;
	end = text + len;
	while (bodyscan_next(&pos, end, &line) && !text_starts(line.s, line.n, "-------")) {
		if (bodyscan_blank(&line))
			continue;
		if (!address_only(line)) {
			/* Error lines come before the addresses they are about. */
			if (reason == NULL || after_address)
				reason = line.s;
			reason_end = line.s + line.n;
			after_address = 0;
			continue;
		}
		if ((res = bodyscan_add(r, line.s, line.n, "failed")) == NULL)
			continue;
		added++;
		after_address = 1;
		if (reason != NULL)
			bodyscan_diagnostic(res, reason, (size_t)(reason_end - reason));
	}
	return added;
}

static int
notes_parse(const struct mail *m, struct report *r)
{
	static const char *const subjects[] = { "DELIVERY FAILURE", "DELIVERY_FAILURE",
	    "Undeliverable message", NULL };
	const char *text;
	size_t len;

	if (!bodyscan_subject_any(m, subjects))
		return 0;
	text = bodyscan_text(m, &len);
	return domino(text, len, r) + lotus_smtp(text, len, r);
}

/* What notes_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"DELIVERY FAILURE", "DELIVERY_FAILURE", "Undeliverable message", NULL
};

const struct format format_notes = { "notes", notes_parse, markers, 0 };
