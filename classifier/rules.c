/*
 * rules.c: the rule table and its matcher; the file format is in rules.h.
 *
 * Phrases, by far the most rules, are matched together in one pass over the
 * lower-cased diagnostic with an Aho-Corasick automaton, so the cost of a message
 * does not grow with the size of the table. Regular expressions (PCRE2, JIT) are
 * tried only when they come before the best phrase found. Status and reply-code
 * rules are cheap comparisons.
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

/* Lower-case and collapse white space, the form both phrases and text are matched in. */
static char *
normalise(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	/* Word by word, as text_unfold(): one comparison a byte above space. */
	for (;;) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		if (o != out)
			*o++ = ' ';
		for (; p < end && !is_blank(*p); p++)
			*o++ = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	}
	*o = '\0';
	return out;
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
	pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
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

void
rules_compile(struct rules *rs)
{
	size_t i;

	ac_free(rs->phrases);
	rs->phrases = ac_new();
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].kind == RULE_PHRASE)
			ac_add(rs->phrases, rs->rules[i].pattern, (int)i);
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
};

static void
phrase_found(int rule, void *arg)
{
	struct phrase_search *ps = arg;

	if (rule < ps->best && constraint_ok(&ps->rs->rules[rule], ps->facts))
		ps->best = rule;
}

/* The lowest-numbered phrase rule found in text whose constraint holds. */
static int
best_phrase(const struct rules *rs, const char *text, const struct facts *f)
{
	struct phrase_search ps = { rs, f, INT_MAX };

	ac_scan(rs->phrases, 0, text, strlen(text), 0, phrase_found, &ps);
	return ps.best;
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
		return text != NULL && pcre2_match(r->re, (PCRE2_SPTR)text,
		    PCRE2_ZERO_TERMINATED, 0, 0, rs->md, NULL) >= 0;
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
    int best)
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
		if (other_rule_matches(rs, &rs->rules[rs->others[i]], text, f))
			return (int)rs->others[i];
	return best;
}

int
rules_match(const struct rules *rs, const struct result *res, struct rule_match *m)
{
	struct facts f;
	char *text = NULL;
	int best = INT_MAX;

	memset(&f, 0, sizeof f);
	f.status = res->status;
	f.command = res->smtp_command;
	f.action = res->action != NULL ? res->action : "";
	if (res->smtp_code > 0)
		decimal(f.code, sizeof f.code, res->smtp_code);
	if (res->diagnostic != NULL && rs->phrases != NULL) {
		text = normalise(res->diagnostic, strlen(res->diagnostic));
		best = best_phrase(rs, text, &f);
	}
	best = first_other_rule(rs, text, &f, best);
	free(text);
	if (best == INT_MAX)
		return 0;
	m->reason = rs->rules[best].reason;
	m->where = rs->rules[best].where;
	return 1;
}
