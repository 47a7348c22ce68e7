/*
 * rules.c: the rule table and its matcher; the file format is in rules.h.
 *
 * Phrases, by far the most rules, are matched together in one pass over the
 * lower-cased diagnostic with an Aho-Corasick automaton, so the cost of a message
 * does not grow with the size of the table. Regular expressions (PCRE2, JIT) are
 * tried only when they come before the best phrase found, and only when one of the
 * literals every match of theirs must contain (found by required_literals(), fed to
 * the same automaton) occurs in the text: most diagnostics then run none of the
 * meaning patterns at all. Status and reply-code rules are cheap comparisons.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ac.h"
#include "reason.h"
#include "rules.h"
#include "xalloc.h"

enum rule_kind { RULE_PHRASE, RULE_REGEX, RULE_STATUS, RULE_CODE };

struct rule {
	enum rule_kind	 kind;
	const char	*reason;
	char		*pattern;	/* phrase (normalised), regex, status or code glob */
	char		*status_glob;	/* constraint, or NULL */
	char		*code_glob;	/* constraint, or NULL */
	char		*command;	/* constraint, or NULL */
	char		*action;	/* constraint, or NULL */
	char		*where;		/* "origin:line" */
	pcre2_code	*re;
	unsigned	 tries;		/* regex: matches tried, up to JIT_AFTER */
	int		 gates;		/* regex: tried only when its 0, 1 or 2 gates
					   are all found (bits 2i and 2i+1) */
};

struct rules {
	struct rule	*rules;
	size_t		 nrules;
	struct ac	*phrases;	/* ids are rule indexes; NULL until compiled */
	pcre2_match_data *md;
	/*
	 * The indexes of the rules that are not phrases, in order, from
	 * rules_compile(): rules_match() tries only these one by one (walking all
	 * 670 built-in rules for the few dozen others cost 1.5M instructions a pass).
	 */
	size_t		*others;
	size_t		 nothers;
	size_t		 indexed;	/* nrules when the index was made */
	/*
	 * Automaton ids from gate_base up are regex gates: id - gate_base is bit
	 * 2i or 2i+1 of the rule i's first or second gate.
	 */
	size_t		 gate_base;
};

/* A regex's gate: up to GATE_ALTERNATIVES literals of up to GATE_LEN - 1 bytes. */
#define GATE_ALTERNATIVES	24
#define GATE_LEN		48
#define GATE_MIN		3

struct gate {
	char	lit[GATE_ALTERNATIVES][GATE_LEN];
	size_t	n;
	size_t	shortest;		/* length of the shortest literal */
};

/*
 * Room for one more element in an array of `count`. The capacity is implied: the
 * next power of two (at least 16), so growing costs O(n) copies in all, not O(n^2)
 * (which made compiling the built-in table take seconds under ASan).
 */
static void *
grow(void *array, size_t count, size_t size)
{
	if (count >= 16 && (count & (count - 1)) != 0)
		return array;
	return xreallocarray(array, count < 16 ? 16 : count * 2, size);
}

struct rules *
rules_new(void)
{
	return xcalloc(1, sizeof(struct rules));
}

void
rules_free(struct rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrules; i++) {
		free(rs->rules[i].pattern);
		free(rs->rules[i].status_glob);
		free(rs->rules[i].code_glob);
		free(rs->rules[i].command);
		free(rs->rules[i].action);
		free(rs->rules[i].where);
		if (rs->rules[i].re != NULL)
			pcre2_code_free(rs->rules[i].re);
	}
	if (rs->md != NULL)
		pcre2_match_data_free(rs->md);
	free(rs->rules);
	ac_free(rs->phrases);
	free(rs->others);
	free(rs);
}

/* The white space normalise() collapses. */
static int
is_blank(unsigned char c)
{
	return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/*
 * If p (with room for two bytes) is a capital Cyrillic letter in UTF-8 (U+0401,
 * U+0410 to U+042F), write its small letter (same length) to out and return 1.
 */
static int
cyrillic_lower(const unsigned char *p, unsigned char *out)
{
	if (p[0] != 0xd0 || p[1] < 0x81 || p[1] > 0xaf || (p[1] > 0x81 && p[1] < 0x90))
		return 0;
	if (p[1] == 0x81) {
		out[0] = 0xd1;
		out[1] = 0x91;
	} else if (p[1] < 0xa0) {
		out[0] = 0xd0;
		out[1] = (unsigned char)(p[1] + 0x20);
	} else {
		out[0] = 0xd1;
		out[1] = (unsigned char)(p[1] - 0x20);
	}
	return 1;
}

/*
 * Lower-case and collapse white space, the form both phrases and text are matched
 * in. ASCII and Cyrillic letters are lower-cased (Cyrillic so that the literals
 * gating the Russian patterns can be found by the automaton).
 */
static char *
normalise(const char *s, size_t n)
{
	unsigned char *out = xmalloc(n + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	/* Word by word, as text_unfold(): one comparison a byte above space. */
	for (;;) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		if (o != out)
			*o++ = ' ';
		for (; p < end && !is_blank(*p); p++) {
			if (*p == 0xd0 && p + 1 < end && cyrillic_lower(p, o)) {
				o += 2;
				p++;
			} else
				*o++ = (unsigned char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		}
	}
	*o = '\0';
	return (char *)out;
}

static int
parse_constraint(struct rule *r, char *c, const char *where, struct err *e)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(c, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (strncmp(tok, "status=", 7) == 0 && tok[7] != '\0')
			r->status_glob = xstrdup(tok + 7);
		else if (strncmp(tok, "code=", 5) == 0 && tok[5] != '\0')
			r->code_glob = xstrdup(tok + 5);
		else if (strncmp(tok, "command=", 8) == 0 && tok[8] != '\0')
			r->command = xstrdup(tok + 8);
		else if (strncmp(tok, "action=", 7) == 0 && tok[7] != '\0')
			r->action = xstrdup(tok + 7);
		else
			return err_set(e, "%s: constraint \"%s\" is not status=, code=, command= or action=",
			    where, tok);
	}
	return 0;
}

static int
compile_regex(struct rule *r, struct err *e)
{
	PCRE2_SIZE off;
	int code;

	r->re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (r->re == NULL) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(code, msg, sizeof msg);
		return err_set(e, "%s: bad regular expression at offset %zu: %s", r->where,
		    (size_t)off, (char *)msg);
	}
	return 0;
}

/* Parse one line (already split into fields) into a new rule. */
static int
add_rule(struct rules *rs, char **f, int nf, const char *where, struct err *e)
{
	struct rule r;

	memset(&r, 0, sizeof r);
	r.where = xstrdup(where);
	if (nf < 3) {
		err_set(e, "%s: want reason, kind and pattern separated by tabs", where);
		goto fail;
	}
	if ((r.reason = reason_lookup(f[0])) == NULL) {
		err_set(e, "%s: \"%s\" is not a reason", where, f[0]);
		goto fail;
	}
	if (strcmp(f[1], "phrase") == 0) {
		r.kind = RULE_PHRASE;
		r.pattern = normalise(f[2], strlen(f[2]));
	} else if (strcmp(f[1], "regex") == 0) {
		r.kind = RULE_REGEX;
		r.pattern = xstrdup(f[2]);
	} else if (strcmp(f[1], "status") == 0)
		r.kind = RULE_STATUS, r.pattern = xstrdup(f[2]);
	else if (strcmp(f[1], "code") == 0)
		r.kind = RULE_CODE, r.pattern = xstrdup(f[2]);
	else {
		err_set(e, "%s: kind \"%s\" is not phrase, regex, status or code", where, f[1]);
		goto fail;
	}
	if (r.pattern[0] == '\0') {
		err_set(e, "%s: empty pattern", where);
		goto fail;
	}
	if (nf > 3 && parse_constraint(&r, f[3], where, e) == -1)
		goto fail;
	if (r.kind == RULE_REGEX && compile_regex(&r, e) == -1)
		goto fail;
	rs->rules = grow(rs->rules, rs->nrules, sizeof *rs->rules);
	rs->rules[rs->nrules++] = r;
	return 0;
fail:
	free(r.where);
	free(r.pattern);
	free(r.status_glob);
	free(r.code_glob);
	free(r.command);
	free(r.action);
	return -1;
}

int
rules_add_text(struct rules *rs, const char *origin, const char *text, size_t len,
    struct err *e)
{
	const char *p = text, *end = text + len;
	int lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char *line, *f[5], *save = NULL, *tok, where[300];
		int nf = 0, rc;

		if (eol == NULL)
			eol = end;
		lineno++;
		line = xstrndup(p, (size_t)(eol - p));
		p = eol + 1;
		line[strcspn(line, "\r")] = '\0';
		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t")] == '\0') {
			free(line);
			continue;
		}
		for (tok = strtok_r(line, "\t", &save); tok != NULL && nf < 5;
		    tok = strtok_r(NULL, "\t", &save))
			f[nf++] = tok;
		snprintf(where, sizeof where, "%s:%d", origin, lineno);
		rc = add_rule(rs, f, nf, where, e);
		free(line);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * Regex gates. A gate is a set of lower-case literals such that every match of the
 * regex contains one of them; the regex is tried only when one occurs in the text.
 * A pattern without '|' outside groups may have two gates (two items of its
 * sequence, "(?:user|mailbox)" and "(?:unknown|not found)"), both required.
 * They are read from the pattern conservatively: a literal is taken from plain
 * characters that no quantifier makes optional, or from a group whose every branch
 * yields one; escapes, classes, '.', anchors and look-arounds end a literal and add
 * nothing, and a pattern with nothing usable has no gate (it is always tried).
 * Only ASCII, Cyrillic letters and characters from U+3000 to U+9FFF (kana, CJK
 * ideographs: no case) are kept in a literal, lower-cased as normalise() does the
 * text, because PCRE2 folds the case of other scripts that the text keeps. (PCRE2 also matches 'k' and 's' to the Kelvin and
 * long s signs; a gate does not, which no MTA's text will notice.)
 */

static int alternatives_gate(const char *, const char *, struct gate *,
    struct gate *);

/* Past the character class that starts at p ('['), or NULL when it has no end. */
static const char *
skip_class(const char *p, const char *end)
{
	const char *q;

	p++;
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;
	for (; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '[' && p + 1 < end && p[1] == ':') {
			for (q = p + 2; q + 1 < end && !(q[0] == ':' && q[1] == ']'); q++)
				;
			if (q + 1 >= end)
				return NULL;
			p = q + 1;
		} else if (*p == ']')
			return p + 1;
	}
	return NULL;
}

/* Past the group that starts at p ('('), or NULL when it has no end. */
static const char *
skip_group(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		if (*p == '\\')
			p += 2;
		else if (*p == '[') {
			if ((p = skip_class(p, end)) == NULL)
				return NULL;
		} else {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				return p + 1;
			p++;
		}
	}
	return NULL;
}

/* Past a quantifier at p ("?", "*+", "{2,5}?"), or p when there is none. */
static const char *
skip_quantifier(const char *p, const char *end)
{
	const char *q;

	if (p < end && (*p == '?' || *p == '*' || *p == '+'))
		p++;
	else if (p < end && *p == '{' && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
		for (q = p + 1; q < end && ((*q >= '0' && *q <= '9') || *q == ','); q++)
			;
		if (q == end || *q != '}')
			return p;
		p = q + 1;
	} else
		return p;
	if (p < end && (*p == '?' || *p == '+'))
		p++;
	return p;
}

/*
 * Past the escape at p ('\\') and its argument: "\\x20", "\\x{430}", "\\pL",
 * "\\p{Lu}", "\\cA", "\\12", "\\g{-1}", "\\k<name>", so that no argument is read
 * as literal text.
 */
static const char *
skip_escape(const char *p, const char *end)
{
	const char *q;
	char c;
	int n;

	if (p + 1 >= end)
		return end;
	c = p[1];
	p += 2;
	if (p < end && *p == '{' && strchr("xopPNgk", c) != NULL) {
		q = memchr(p, '}', (size_t)(end - p));
		return q != NULL ? q + 1 : end;
	}
	if (p < end && (*p == '<' || *p == '\'') && (c == 'g' || c == 'k')) {
		q = memchr(p + 1, *p == '<' ? '>' : '\'', (size_t)(end - p - 1));
		return q != NULL ? q + 1 : end;
	}
	if (c == 'x')
		for (n = 0; n < 2 && p < end && isxdigit((unsigned char)*p); n++)
			p++;
	else if ((c == 'c' || c == 'p' || c == 'P') && p < end)
		p++;
	else if ((c >= '0' && c <= '9') || c == 'g')
		while (p < end && ((*p >= '0' && *p <= '9') || *p == '-'))
			p++;
	return p;
}

/* Does the quantifier at p (if any) allow zero repetitions? */
static int
optional_quantifier(const char *p, const char *end)
{
	return p < end && (*p == '?' || *p == '*' ||
	    (*p == '{' && p + 1 < end && p[1] == '0'));
}

/*
 * Is gate a more selective than b: a longer shortest literal, or as long and fewer
 * literals? (An empty b is always beaten.)
 */
static int
better_gate(const struct gate *a, const struct gate *b)
{
	if (b->n == 0)
		return a->n > 0;
	return a->shortest > b->shortest || (a->shortest == b->shortest && a->n < b->n);
}

/* Keep item as the best or the second best gate of a sequence. */
static void
consider(struct gate *best, struct gate *second, const struct gate *item)
{
	if (item->n == 0 || item->shortest < GATE_MIN)
		return;
	if (better_gate(item, best)) {
		if (second != NULL)
			*second = *best;
		*best = *item;
	} else if (second != NULL && better_gate(item, second))
		*second = *item;
}

/* consider() a literal run. */
static void
take_run(struct gate *best, struct gate *second, const char *run, size_t len)
{
	struct gate item;

	if (len < GATE_MIN)
		return;
	memcpy(item.lit[0], run, len);
	item.lit[0][len] = '\0';
	item.n = 1;
	item.shortest = len;
	consider(best, second, &item);
}

/*
 * Where the branches of a group start (past "?:", "?>", "?<name>", ...), or NULL
 * for look-arounds, options, comments and other groups that match no text of
 * their own.
 */
static const char *
group_body(const char *p, const char *close)
{
	const char *q;

	p++;
	if (p < close && *p == '*')
		return NULL;
	if (p == close || *p != '?')
		return p;
	if (p + 1 < close && (p[1] == ':' || p[1] == '>' || p[1] == '|'))
		return p + 2;
	if (p + 2 < close && ((p[1] == '<' && p[2] != '=' && p[2] != '!') ||
	    (p[1] == 'P' && p[2] == '<') || p[1] == '\'')) {
		for (q = p + 2; q < close && *q != '>' && *q != '\''; q++)
			;
		return q < close ? q + 1 : NULL;
	}
	return NULL;
}

/* The byte length of the character at p if a gate may keep it, else 0. */
static size_t
keepable(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;

	if (*u < 0x80)
		return 1;
	if (end - p >= 2 && ((*u == 0xd0 && (u[1] == 0x81 || (u[1] >= 0x90 &&
	    u[1] <= 0xbf))) || (*u == 0xd1 && ((u[1] >= 0x80 && u[1] <= 0x8f) ||
	    u[1] == 0x91))))
		return 2;
	if (*u >= 0xe3 && *u <= 0xe9 && end - p >= 3 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80)
		return 3;
	return 0;
}

/* The byte length of the (UTF-8) character at p, at least 1. */
static size_t
char_length(const char *p, const char *end)
{
	size_t n = 1;

	while (p + n < end && ((unsigned char)p[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/*
 * The best gate of one branch (a sequence of items), by better_gate(), and the
 * second best in second if not NULL (n is 0 when there is none).
 */
static int
sequence_gate(const char *p, const char *end, struct gate *best, struct gate *second)
{
	char run[GATE_LEN];
	struct gate item;
	const char *close, *body;
	size_t rl = 0, n, k;

	best->n = 0;
	best->shortest = 0;
	if (second != NULL)
		second->n = 0;
	while (p < end) {
		if (*p == '(' || *p == '[' || *p == '\\' || *p == '.' || *p == '^' ||
		    *p == '$' || *p == '?' || *p == '*' || *p == '+' || *p == '{' ||
		    *p == ')' || *p == '|') {
			take_run(best, second, run, rl);
			rl = 0;
		}
		if (*p == '(') {
			if ((close = skip_group(p, end)) == NULL)
				break;
			body = group_body(p, close - 1);
			if (body != NULL && !optional_quantifier(close, end) &&
			    alternatives_gate(body, close - 1, &item, NULL))
				consider(best, second, &item);
			p = skip_quantifier(close, end);
		} else if (*p == '[') {
			if ((close = skip_class(p, end)) == NULL)
				break;
			p = skip_quantifier(close, end);
		} else if (*p == '\\') {
			if (p + 1 < end && p[1] == 'Q')
				break;
			p = skip_quantifier(skip_escape(p, end), end);
		} else if (strchr(".^$?*+{)|", *p) != NULL)
			p = skip_quantifier(p + 1, end);
		else {
			n = char_length(p, end);
			k = keepable(p, end);
			if (k != n || optional_quantifier(p + n, end)) {
				take_run(best, second, run, rl);
				rl = 0;
				p = skip_quantifier(p + n, end);
				continue;
			}
			if (rl + n < GATE_LEN) {
				memcpy(run + rl, p, n);
				if (n == 1 && run[rl] >= 'A' && run[rl] <= 'Z')
					run[rl] += 32;
				if (n == 2)
					cyrillic_lower((const unsigned char *)p,
					    (unsigned char *)run + rl);
				rl += n;
			}
			p += n;
			if (p < end && (*p == '+' || *p == '{')) {
				take_run(best, second, run, rl);
				rl = 0;
				p = skip_quantifier(p, end);
			}
		}
	}
	take_run(best, second, run, rl);
	return best->n > 0;
}

/*
 * The union of the gates of the branches of p..end, or 0 when one has none. When
 * there is one branch and second is not NULL, its second best gate too.
 */
static int
alternatives_gate(const char *p, const char *end, struct gate *g, struct gate *second)
{
	const char *b = p, *q;
	struct gate one;
	size_t i;

	g->n = 0;
	g->shortest = GATE_LEN;
	for (;;) {
		for (q = b; q < end && *q != '|'; ) {
			if (*q == '\\')
				q += 2;
			else if (*q == '[' || *q == '(') {
				if ((q = (*q == '[' ? skip_class(q, end) :
				    skip_group(q, end))) == NULL)
					return 0;
			} else
				q++;
		}
		if (q > end)
			q = end;
		if (b == p && q == end)
			return sequence_gate(b, q, g, second);
		if (second != NULL)
			second->n = 0;
		if (!sequence_gate(b, q, &one, NULL) || g->n + one.n > GATE_ALTERNATIVES)
			return 0;
		for (i = 0; i < one.n; i++)
			memcpy(g->lit[g->n++], one.lit[i], GATE_LEN);
		if (one.shortest < g->shortest)
			g->shortest = one.shortest;
		if (q == end)
			return 1;
		b = q + 1;
	}
}

void
rules_compile(struct rules *rs)
{
	struct gate g[2];
	size_t i, j, k;

	ac_free(rs->phrases);
	rs->phrases = ac_new();
	rs->gate_base = rs->nrules;
	for (i = 0; i < rs->nrules; i++) {
		struct rule *r = &rs->rules[i];

		if (r->kind == RULE_PHRASE)
			ac_add(rs->phrases, r->pattern, (int)i);
		r->gates = 0;
		if (r->kind == RULE_REGEX && alternatives_gate(r->pattern,
		    r->pattern + strlen(r->pattern), &g[0], &g[1]))
			r->gates = g[1].n > 0 ? 2 : 1;
		for (j = 0; j < (size_t)r->gates; j++)
			for (k = 0; k < g[j].n; k++)
				ac_add(rs->phrases, g[j].lit[k],
				    (int)(rs->gate_base + 2 * i + j));
	}
	ac_compile(rs->phrases);
	free(rs->others);
	rs->others = xreallocarray(NULL, rs->nrules + 1, sizeof *rs->others);
	rs->nothers = 0;
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].kind != RULE_PHRASE)
			rs->others[rs->nothers++] = i;
	rs->indexed = rs->nrules;
	if (rs->md == NULL)
		rs->md = pcre2_match_data_create(4, NULL);
}

/*
 * A regex is JIT-compiled when it has been tried JIT_AFTER times, not when the
 * table is loaded: compiling all 200-odd built-in regexes took 36M instructions,
 * most of a process's start (an MTA pipe starts one per bounce), and most regexes
 * are tried seldom (the gates keep them off most texts). Interpreted, a pass over
 * the Sisimai corpus cost 4M more instructions in rules_match; those it runs
 * often are compiled after a few messages. Like the shared match data, this makes
 * rules_match() unfit for two threads at once.
 */
#define JIT_AFTER	32

static void
jit_when_used(const struct rules *rs, const struct rule *r)
{
	struct rule *w = &rs->rules[r - rs->rules];

	if (w->tries < JIT_AFTER && ++w->tries == JIT_AFTER)
		pcre2_jit_compile(w->re, PCRE2_JIT_COMPLETE);
}

/* What a result offers the rules besides its text. */
struct facts {
	const char	*status;	/* "" when unknown */
	char		 code[16];	/* "" when unknown */
	const char	*command;	/* "" when unknown */
	const char	*action;	/* "" when unknown */
};

static int
constraint_ok(const struct rule *r, const struct facts *f)
{
	if (r->status_glob != NULL && (f->status[0] == '\0' ||
	    fnmatch(r->status_glob, f->status, 0) != 0))
		return 0;
	if (r->code_glob != NULL && (f->code[0] == '\0' ||
	    fnmatch(r->code_glob, f->code, 0) != 0))
		return 0;
	if (r->command != NULL && strcasecmp(r->command, f->command) != 0)
		return 0;
	if (r->action != NULL && strcasecmp(r->action, f->action) != 0)
		return 0;
	return 1;
}

struct phrase_search {
	const struct rules	*rs;
	const struct facts	*facts;
	int			 best;
	unsigned char		*open;		/* a bit per rule: its gate was found */
};

static void
phrase_found(int id, void *arg)
{
	struct phrase_search *ps = arg;
	size_t gate = (size_t)id - ps->rs->gate_base;

	if ((size_t)id >= ps->rs->gate_base)
		ps->open[gate / 8] |= (unsigned char)(1 << (gate % 8));
	else if (id < ps->best && constraint_ok(&ps->rs->rules[id], ps->facts))
		ps->best = id;
}

/*
 * The lowest-numbered phrase rule found in text whose constraint holds; marks in
 * open the regex rules whose gate literal occurs.
 */
static int
best_phrase(const struct rules *rs, const char *text, const struct facts *f,
    unsigned char *open)
{
	struct phrase_search ps = { rs, f, INT_MAX, open };

	ac_scan(rs->phrases, 0, text, strlen(text), 0, phrase_found, &ps);
	return ps.best;
}

/* May rule i be tried on this text: no gate, or all its gates were found? */
static int
gate_open(const struct rules *rs, size_t i, const unsigned char *open)
{
	int want = rs->rules[i].gates == 2 ? 3 : 1;

	if (rs->rules[i].kind != RULE_REGEX || rs->rules[i].gates == 0 ||
	    rs->indexed != rs->nrules)
		return 1;
	return open != NULL && ((open[i / 4] >> (2 * (i % 4))) & want) == want;
}

/* Does a regex, status or code rule hold? */
static int
other_rule_matches(const struct rules *rs, const struct rule *r, const char *text,
    const struct facts *f)
{
	if (!constraint_ok(r, f))
		return 0;
	switch (r->kind) {
	case RULE_REGEX:
		if (text == NULL)
			return 0;
		jit_when_used(rs, r);
		return pcre2_match(r->re, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, 0, 0,
		    rs->md, NULL) >= 0;
	case RULE_STATUS:
		return f->status[0] != '\0' && fnmatch(r->pattern, f->status, 0) == 0;
	case RULE_CODE:
		return f->code[0] != '\0' && fnmatch(r->pattern, f->code, 0) == 0;
	default:
		return 0;
	}
}

/* snprintf(out, size, "%d", n) for n > 0, without its cost on every result. */
static void
decimal(char *out, size_t size, int n)
{
	char digits[16];
	size_t k = 0, i;

	for (; n > 0 && k < sizeof digits; n /= 10)
		digits[k++] = (char)('0' + n % 10);
	for (i = 0; i < k && i + 1 < size; i++)
		out[i] = digits[k - 1 - i];
	out[i] = '\0';
}

/* The first rule before `best` that is no phrase and holds; else best. */
static int
first_other_rule(const struct rules *rs, const char *text, const struct facts *f,
    int best, const unsigned char *open)
{
	size_t i;

	/* Rules added since rules_compile() have no index: walk them all. */
	if (rs->others == NULL || rs->indexed != rs->nrules) {
		for (i = 0; i < rs->nrules && (int)i < best; i++)
			if (rs->rules[i].kind != RULE_PHRASE &&
			    other_rule_matches(rs, &rs->rules[i], text, f))
				return (int)i;
		return best;
	}
	for (i = 0; i < rs->nothers && (int)rs->others[i] < best; i++)
		if (gate_open(rs, rs->others[i], open) &&
		    other_rule_matches(rs, &rs->rules[rs->others[i]], text, f))
			return (int)rs->others[i];
	return best;
}

int
rules_match(const struct rules *rs, const struct result *res, struct rule_match *m)
{
	struct facts f;
	char *text = NULL;
	unsigned char *open = NULL, bits[512];
	int best = INT_MAX;

	memset(&f, 0, sizeof f);
	f.status = res->status;
	f.command = res->smtp_command;
	f.action = res->action != NULL ? res->action : "";
	if (res->smtp_code > 0)
		decimal(f.code, sizeof f.code, res->smtp_code);
	if (res->diagnostic != NULL && rs->phrases != NULL) {
		text = normalise(res->diagnostic, strlen(res->diagnostic));
		/* Two bits a rule; on the stack for any table of a usual size. */
		if (rs->gate_base / 4 + 1 <= sizeof bits) {
			open = bits;
			memset(open, 0, rs->gate_base / 4 + 1);
		} else
			open = xcalloc(rs->gate_base / 4 + 1, 1);
		best = best_phrase(rs, text, &f, open);
	}
	best = first_other_rule(rs, text, &f, best, open);
	if (open != bits)
		free(open);
	free(text);
	if (best == INT_MAX)
		return 0;
	m->reason = rs->rules[best].reason;
	m->where = rs->rules[best].where;
	return 1;
}
