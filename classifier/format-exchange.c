/*
 * format-exchange.c: non-delivery reports of Microsoft Exchange 2007 and later,
 * Exchange Online / Office 365 and Outlook.com. They usually carry an RFC 3464
 * part, but its Diagnostic-Code is often missing, and some relays drop the part:
 * the remote server's words are in the human-readable text, in a block for
 * administrators:
 *
 *     Diagnostic information for administrators:
 *
 *     Generating server: mail.example.com
 *
 *     user@example.org
 *     mx.example.org
 *     Remote Server returned '550 5.1.1 <user@example.org>: User unknown'
 *
 * or, for a failure inside Exchange, "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not
 * found ##". Each address line starts a recipient; the lines under it are the
 * host that answered and the diagnostic.
 */
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

/* Headings of the administrators' block, in the languages Exchange writes. */
static const char *const headings[] = {
	"Diagnostic information for administrators",
	"Diagnoseinformationen f\xc3\xbcr Administratoren",
	"Informations de diagnostic pour les administrateurs",
	"Informaci\xc3\xb3n de diagn\xc3\xb3stico para administradores",
	NULL
};

static const char *
block_start(const char *text, size_t len)
{
	const char *p;
	int i;

	for (i = 0; headings[i] != NULL; i++)
		if ((p = bodyscan_after(text, len, headings[i])) != NULL)
			return p;
	return NULL;
}

/* A line holding one address and nothing else starts a recipient. */
static int
address_line(struct line line)
{
	line = bodyscan_trim(line);
	return line.n > 2 && memchr(line.s, '@', line.n) != NULL &&
	    memchr(line.s, ' ', line.n) == NULL && line.s[0] != '#';
}

/* A bare host name (the server that answered) under the address. */
static int
host_line(struct line line)
{
	line = bodyscan_trim(line);
	return line.n > 2 && memchr(line.s, '.', line.n) != NULL &&
	    memchr(line.s, ' ', line.n) == NULL && memchr(line.s, '@', line.n) == NULL;
}

/*
 * The remote server's words in a diagnostic line: inside "Remote Server returned
 * '...'", after "smtp;" in "#< #5.0.0 smtp; 550 ...> #SMTP#", or between "#" and
 * " ##" in Exchange's own "#550 5.1.1 RESOLVER...; not found ##".
 */
static struct line
remote_words(struct line line)
{
	const char *p, *q, *end;

	line = bodyscan_trim(line);
	end = line.s + line.n;
	if ((p = text_find(line.s, line.n, "returned '")) != NULL) {
		p += 10;
		q = end > p && end[-1] == '\'' ? end - 1 : end;
		line.s = p;
		line.n = (size_t)(q - p);
	} else if ((p = text_find(line.s, line.n, "smtp;")) != NULL) {
		q = memchr(p, '>', (size_t)(end - p));
		line.s = p + 5;
		line.n = (size_t)((q != NULL ? q : end) - line.s);
	} else if (line.n > 0 && line.s[0] == '#') {
		q = text_find(line.s, line.n, " ##");
		line.s++;
		line.n = (size_t)((q != NULL ? q : end) - line.s);
	}
	return bodyscan_trim(line);
}

/* Stop at the returned headers or at the end of the block. */
static int
block_end(const struct line *line)
{
	return text_starts(line->s, line->n, "Original message headers") ||
	    text_starts(line->s, line->n, "Urspr\xc3\xbcngliche Nachrichtenkopfzeilen") ||
	    text_starts(line->s, line->n, "En-t\xc3\xaates du message d'origine");
}

static void
take_line(struct result *res, struct line line, int first)
{
	struct line words;

	if (first && host_line(line)) {
		line = bodyscan_trim(line);
		if (res->remote_mta == NULL)
			result_set(&res->remote_mta, line.s, line.n);
		return;
	}
	words = remote_words(line);
	bodyscan_diagnostic(res, words.s, words.n);
}

static int
exchange_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end;
	struct result *res = NULL;
	struct line line;
	size_t len;
	int added = 0, first = 0;
	const char *action;

	text = bodyscan_text(m, &len);
	/* Every heading has "dministrat" in it: one fast scan rejects the rest. */
	if (!bodyscan_contains(text, len, "dministrat") ||
	    (pos = block_start(text, len)) == NULL)
		return 0;
	/* Exchange sends the same block when it only delays a message. */
	action = text_find(text, (size_t)(pos - text), "has been delayed") != NULL ||
	    bodyscan_subject_has(m, "Delivery delayed") ? "delayed" : "failed";
	end = text + len;
	while (bodyscan_next(&pos, end, &line) && !block_end(&line)) {
		if (bodyscan_blank(&line) || text_find(line.s, line.n, " server: ") != NULL) {
			res = NULL;
		} else if (address_line(line)) {
			if ((res = bodyscan_add(r, line.s, line.n, action)) != NULL)
				added++;
			first = 1;
		} else if (res != NULL) {
			take_line(res, line, first);
			first = 0;
		}
	}
	return added;
}

/* What exchange_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"dministrat", NULL
};

const struct format format_exchange = { "exchange", exchange_parse, markers, 0 };
