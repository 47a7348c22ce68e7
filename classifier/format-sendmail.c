/*
 * format-sendmail.c: Sendmail's plain-text bounce, from V5 to V8, and the MTAs
 * that copy it (Active!Hunter, Mail2000-style "---The following addresses had
 * delivery errors---"). Used alone when the DSN part is missing or broken, and to
 * fill in a DSN's missing diagnostic.
 *
 *    ----- The following addresses had permanent fatal errors -----
 *   <kijitora@example.net>
 *       (reason: 550 5.1.1 User unknown)
 *    ----- Transcript of session follows -----
 *   ... while talking to mx.example.net.:
 *   >>> RCPT To:<kijitora@example.net>
 *   <<< 550 5.1.1 User unknown
 *   550 5.1.1 <kijitora@example.net>... User unknown
 *
 * Recipients come from inline DSN fields when the body has them, else from the
 * address list, else from the transcript's "NNN <address>... text" lines (V5 has
 * no list). The diagnostic is "(reason: ...)" or the transcript lines about the
 * recipient, without our own ">>>" commands.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

static const char *const list_markers[] = {
	"The following addresses had", "---The following addresses had",
	NULL
};

/* Where the transcript ends. */
static const char *const transcript_ends[] = {
	"----- Unsent message follows", "----- Original message follows",
	"----- Message header follows", "----- Returned message",
	"----- The following addresses had", "Reporting-MTA:", "Final-Recipient:",
	"Received-From-MTA:", NULL
};

static const char *
find_list(const char *text, const char *end)
{
	int i;
	const char *p;

	for (i = 0; list_markers[i] != NULL; i++)
		if ((p = plain_after(text, end, list_markers[i])) != NULL)
			return p;
	return NULL;
}

/* "(reason: 550 ...)" or "[User unknown]" after an address: the diagnostic. */
static void
list_reason(struct result *res, const char *s, const char *eol)
{
	const char *p = text_find(s, (size_t)(eol - s), "(reason:"), *q;

	if (p != NULL) {
		p += 8;
		q = eol;
		while (q > p && (q[-1] == ')' || q[-1] == ' '))
			q--;
		result_set(&res->diagnostic, p, (size_t)(q - p));
	} else if ((p = memchr(s, '[', (size_t)(eol - s))) != NULL &&
	    (q = memchr(p, ']', (size_t)(eol - p))) != NULL &&
	    memchr(s, '@', (size_t)(p - s)) != NULL)
		result_set(&res->diagnostic, p + 1, (size_t)(q - p - 1));
}

/* The address list after "The following addresses had ...". */
static int
address_list(const char *p, const char *end, struct report *r)
{
	struct result *last = NULL;
	const char *eol;
	char *a;
	int added = 0, started = 0;

	for (; p < end && added < PLAIN_MAX_BLOCKS; p = eol + 1) {
		eol = text_eol(p, end);
		if (plain_blank(p, eol) || text_starts(plain_skip_blanks(p, eol),
		    (size_t)(eol - plain_skip_blanks(p, eol)), "---")) {
			if (started || eol == end)
				break;
			continue;
		}
		started = 1;
		if (plain_indent(p, eol) > 0 && last != NULL) {
			list_reason(last, p, eol);
		} else if (plain_indent(p, eol) > 0 && text_find(p, (size_t)(eol - p),
		    "expanded from") != NULL && (a = address_find(p, (size_t)(eol - p)))) {
			last = report_add(r, a);	/* a pipe or file named before it */
			added += last != NULL;
			free(a);
		} else if ((a = address_find(p, (size_t)(eol - p))) != NULL) {
			if ((last = report_add(r, a)) != NULL) {
				list_reason(last, p, eol);
				added++;
			}
			free(a);
		}
		if (eol == end)
			break;
	}
	return added;
}

/* Is [s, eol) a transcript line "NNN <address>... text" (or a bare address)? */
static char *
transcript_recipient(const char *s, const char *eol)
{
	const char *dots = text_find(s, (size_t)(eol - s), "... ");

	if (eol - s < 6 || (s[0] != '4' && s[0] != '5') || s[3] != ' ' || dots == NULL ||
	    memchr(s, '@', (size_t)(dots - s)) == NULL)
		return NULL;
	return address_find(s + 4, (size_t)(dots - s - 4));
}

static int
talking_line(const char *s, const char *eol)
{
	return text_find(s, (size_t)(eol - s), "while talking to ") != NULL;
}

/* Collect, for res, the transcript lines since the last other recipient's line. */
static void
transcript_diagnostic(struct result *res, const char *start, const char *end,
    int only_one)
{
	const char *p, *eol, *from = start, *upto = NULL, *host = NULL;
	char *a, *buf, *o;

	for (p = start; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		if (talking_line(p, eol) && upto == NULL) {
			from = eol + 1;
			host = p;
		} else if ((a = transcript_recipient(p, eol)) != NULL) {
			if (res->recipient != NULL && strcmp(a, res->recipient) == 0)
				upto = eol;
			else if (upto == NULL)
				from = eol + 1;
			free(a);
		}
		if (eol == end)
			break;
	}
	if (upto == NULL) {
		if (!only_one)
			return;
		from = start;
		upto = end;
	}
	if (host != NULL)
		plain_remote_after(res, host, (size_t)(text_eol(host, end) - host),
		    "talking to ");
	o = buf = xmalloc((size_t)(upto - from) + 2);
	for (p = from; p < upto; p = eol + 1) {
		eol = text_eol(p, upto);
		if (!text_starts(p, (size_t)(eol - p), ">>>") && !talking_line(p, eol)) {
			memcpy(o, p, (size_t)(eol - p));
			o += eol - p;
			*o++ = '\n';
		}
		if (eol == upto)
			break;
	}
	result_set(&res->diagnostic, buf, (size_t)(o - buf));
	free(buf);
}

/* V5 has no address list: the transcript's failed addresses are the recipients. */
static int
transcript_recipients(const char *start, const char *end, struct report *r)
{
	const char *p, *eol;
	char *a;
	int added = 0;

	for (p = start; p < end && added < PLAIN_MAX_BLOCKS; p = eol + 1) {
		eol = text_eol(p, end);
		if ((a = transcript_recipient(p, eol)) != NULL) {
			if (report_find(r, a) == NULL && report_add(r, a) != NULL)
				added++;
			free(a);
		}
		if (eol == end)
			break;
	}
	return added;
}

static int
decode(const char *text, size_t len, struct report *r)
{
	const char *end = text + len, *list = find_list(text, end), *ts, *te, *mark;
	size_t first = r->nresults, i;
	int added;

	ts = plain_after(text, end, "Transcript of session follows");
	te = ts != NULL ? plain_cut(ts, end, transcript_ends) : NULL;
	added = plain_inline_dsn(text, end, r);
	if (added == 0 && list != NULL)
		added = address_list(list, end, r);
	if (added == 0 && ts != NULL)
		added = transcript_recipients(ts, te, r);
	for (i = first; ts != NULL && i < r->nresults; i++)
		if (r->results[i].diagnostic == NULL)
			transcript_diagnostic(&r->results[i], ts, te,
			    r->nresults - first == 1);
	/* "... had transient non-fatal errors": Sendmail's warning, still trying. */
	if (list != NULL && (mark = text_find(text, len, "addresses had")) != NULL &&
	    text_find(mark, (size_t)(text_eol(mark, end) - mark), "non-fatal") != NULL)
		for (i = first; i < r->nresults; i++)
			if (r->results[i].action == NULL)
				r->results[i].action = xstrdup("delayed");
	return added;
}

static int
sendmail_parse(const struct mail *m, struct report *r)
{
	size_t len, plain_len;
	const char *text = mail_text(m, &len), *mark;
	char *plain;
	int added;

	if ((mark = text_find(text, len, "The following addresses had")) == NULL &&
	    (mark = text_find(text, len, "Transcript of session follows")) == NULL)
		return 0;
	while (mark > text && mark[-1] != '\n')
		mark--;
	if (*mark != '>')
		return decode(text, len, r);
	/* A bounce forwarded by a person, quoted with "> ". */
	plain = plain_unquote(text, len, &plain_len);
	added = decode(plain, plain_len, r);
	free(plain);
	return added;
}

/* What sendmail_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"The following addresses had", "Transcript of session follows", NULL
};

const struct format format_sendmail = { "sendmail", sendmail_parse, markers, 0 };
