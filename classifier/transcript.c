/*
 * transcript.c: the SMTP command a result's error answered, from the session
 * transcript or the paragraph around the error in the bounce text. Sendmail and
 * Courier quote ">>> DATA" before "<<< 550 ...", Postfix ends the paragraph with
 * "(in reply to end of DATA command)". The window read for one quote of the error
 * runs from the last ">>>" line shortly before it to the end of its paragraph or
 * the next ">>>" line, so another exchange is not read; the first quote whose
 * window names a command wins.
 *
 * A quote is found by the first 16 bytes of the diagnostic. Every result used to
 * search the whole text for its own prefix and read a window at every place it
 * occurred: a 16 MB DSN without a text part (so the text searched is the report
 * itself) whose 149,000 groups all say "550 5.1.1 user unknown" cost 40 s of CPU
 * (issue 11). Now a prefix reads at most QUOTES_READ windows, and where there
 * are more than a few distinct prefixes they go into one automaton that passes
 * over the text once (after a pass that finds whether the text names a command
 * at all). A few are looked for one by one with text_find(), which costs less
 * than building an automaton; the work stays linear in the text either way.
 */
#include <stdlib.h>
#include <string.h>

#include "ac.h"
#include "report.h"
#include "text.h"
#include "transcript.h"
#include "xalloc.h"

#define PREFIX_LEN	16	/* bytes of the diagnostic looked for */
#define PREFIX_MIN	8	/* shorter diagnostics are not looked for */
#define QUOTES_READ	8	/* windows read per prefix; real bounces quote 1 to 3 */
#define FEW_PREFIXES	4	/* up to this many, no automaton (see search_each) */

struct prefix {
	char		 text[PREFIX_LEN + 1];	/* lower-cased */
	size_t		 len;
	const char	*command;	/* the answer, or NULL */
	int		 quotes;	/* windows read */
};

struct search {
	const char	*text;
	const char	*end;
	struct prefix	*prefixes;
	size_t		 open;		/* prefixes still looked for */
};

/*
 * The start of the last ">>> " line (a command sent) less than 400 bytes before
 * `at`, or at itself. Line by line with memchr: a byte loop backwards cost more
 * than the search for the error it serves.
 */
static const char *
last_command_sent(const char *text, const char *at, const char *end)
{
	const char *low = at - text > 400 ? at - 400 : text, *nl, *from = at;

	for (; (nl = memchr(low, '\n', (size_t)(at - low))) != NULL; low = nl + 1)
		if (end - (nl + 1) > 4 && memcmp(nl + 1, ">>> ", 4) == 0)
			from = nl + 1;
	return from;
}

/* The end of at's paragraph or the LF before the next ">>> " line, within 600 bytes. */
static const char *
paragraph_end(const char *at, const char *end)
{
	const char *stop = end - at > 600 ? at + 600 : end, *to;

	for (to = at; (to = memchr(to, '\n', (size_t)(stop - to))) != NULL; to++)
		if (to + 1 < end && (to[1] == '\n' || (end - to > 5 &&
		    memcmp(to + 1, ">>> ", 4) == 0)))
			return to;
	return stop;
}

/* Read the window of a quote of px at `at`; 1 when px needs no more quotes. */
static int
read_window(const struct search *s, struct prefix *px, const char *at)
{
	const char *from = last_command_sent(s->text, at, s->end);
	const char *to = paragraph_end(at, s->end);

	px->command = text_smtp_command(from, (size_t)(to - from));
	return px->command != NULL || ++px->quotes >= QUOTES_READ;
}

/* A quote of prefix `id` ends at offset `at_end`, from the automaton. */
static int
quote_found(int id, size_t at_end, void *arg)
{
	struct search *s = arg;
	struct prefix *px = &s->prefixes[id];

	if (px->command != NULL || px->quotes >= QUOTES_READ)
		return 0;
	if (read_window(s, px, s->text + at_end - px->len))
		s->open--;
	return s->open == 0;
}

/* Few prefixes: each looked for on its own, which is faster than an automaton. */
static void
search_each(struct search *s, size_t distinct)
{
	const char *at;
	size_t i;

	for (i = 0; i < distinct; i++)
		for (at = s->text; (at = text_find(at, (size_t)(s->end - at),
		    s->prefixes[i].text)) != NULL; at++)
			if (read_window(s, &s->prefixes[i], at))
				break;
}

/*
 * Many prefixes: one pass of an automaton of all of them, after one pass that
 * checks the text names a command at all (no window can name one it does not).
 */
static void
search_all(struct search *s, size_t distinct)
{
	struct ac *a;
	size_t i;

	if (text_smtp_command(s->text, (size_t)(s->end - s->text)) == NULL)
		return;
	a = ac_new();
	for (i = 0; i < distinct; i++)
		ac_add(a, s->prefixes[i].text, (int)i);
	ac_compile(a);
	s->open = distinct;
	ac_scan_where(a, s->text, (size_t)(s->end - s->text), 1, quote_found, s);
	ac_free(a);
}

/* Does res still need its command, and is its diagnostic long enough to look for? */
static int
wanted(const struct result *res)
{
	return res->smtp_command[0] == '\0' && res->diagnostic != NULL &&
	    strnlen(res->diagnostic, PREFIX_MIN) >= PREFIX_MIN;
}

static int
prefix_compare(const void *a, const void *b)
{
	return strcmp(((const struct prefix *)a)->text, ((const struct prefix *)b)->text);
}

/* The prefix of a diagnostic, lower-cased as the automaton compares. */
static void
prefix_of(const char *diagnostic, struct prefix *px)
{
	size_t i;

	memset(px, 0, sizeof *px);
	for (i = 0; i < PREFIX_LEN && diagnostic[i] != '\0'; i++)
		px->text[i] = (char)(diagnostic[i] >= 'A' && diagnostic[i] <= 'Z' ?
		    diagnostic[i] + 32 : diagnostic[i]);
	px->len = i;
}

/* Index of the prefix of diagnostic among the sorted, distinct n in prefixes. */
static size_t
prefix_index(const struct prefix *prefixes, size_t n, const char *diagnostic)
{
	struct prefix key;
	const struct prefix *found;

	prefix_of(diagnostic, &key);
	found = bsearch(&key, prefixes, n, sizeof *prefixes, prefix_compare);
	return (size_t)(found - prefixes);
}

void
transcript_commands(const struct mail *m, struct report *r)
{
	struct search s;
	size_t len, n = 0, distinct = 0, i;

	for (i = 0; i < r->nresults; i++)
		n += wanted(&r->results[i]);
	if (n == 0)
		return;
	s.text = mail_text(m, &len);
	s.end = s.text + len;
	s.prefixes = xreallocarray(NULL, n, sizeof *s.prefixes);
	for (i = 0; i < r->nresults; i++)
		if (wanted(&r->results[i]))
			prefix_of(r->results[i].diagnostic, &s.prefixes[distinct++]);
	qsort(s.prefixes, n, sizeof *s.prefixes, prefix_compare);
	for (i = 0, distinct = 0; i < n; i++)
		if (distinct == 0 || strcmp(s.prefixes[distinct - 1].text,
		    s.prefixes[i].text) != 0)
			s.prefixes[distinct++] = s.prefixes[i];
	if (distinct <= FEW_PREFIXES)
		search_each(&s, distinct);
	else
		search_all(&s, distinct);
	for (i = 0; i < r->nresults; i++) {
		const struct prefix *px;

		if (!wanted(&r->results[i]))
			continue;
		px = &s.prefixes[prefix_index(s.prefixes, distinct,
		    r->results[i].diagnostic)];
		if (px->command != NULL)
			result_set_command(&r->results[i], px->command);
	}
	free(s.prefixes);
}
