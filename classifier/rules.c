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

/* Aho-Corasick node: children in a sorted edge list, a failure link, outputs. */
struct ac_node {
	int	 first_edge;	/* index into edges, -1 when none */
	int	 fail;
	int	 output;	/* first rule ending here, -1 */
	int	 dict;		/* nearest node on the fail chain with output, -1 */
};

struct ac_edge {
	unsigned char	 byte;
	int		 child;
	int		 next;	/* next edge of the same node */
};

struct rules {
	struct rule	*rules;
	size_t		 nrules;
	struct ac_node	*nodes;
	size_t		 nnodes;
	struct ac_edge	*edges;
	size_t		 nedges;
	int		*outputs_next;	/* per rule: next phrase rule with the same text */
	int		 root[256];	/* the root's children by byte: most steps start there */
	pcre2_match_data *md;
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
	free(rs->nodes);
	free(rs->edges);
	free(rs->outputs_next);
	free(rs);
}

/* Lower-case and collapse white space, the form both phrases and text are matched in. */
static char *
normalise(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	int space = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = 1;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = 0;
		*o++ = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
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

static int
ac_child(const struct rules *rs, int node, unsigned char c)
{
	int k;

	for (k = rs->nodes[node].first_edge; k != -1; k = rs->edges[k].next)
		if (rs->edges[k].byte == c)
			return rs->edges[k].child;
	return -1;
}

static int
ac_new_node(struct rules *rs)
{
	rs->nodes = grow(rs->nodes, rs->nnodes, sizeof *rs->nodes);
	rs->nodes[rs->nnodes] = (struct ac_node){ -1, 0, -1, -1 };
	return (int)rs->nnodes++;
}

static void
ac_insert(struct rules *rs, int rule)
{
	const unsigned char *s = (const unsigned char *)rs->rules[rule].pattern;
	int node = 0, child, *tail;

	for (; *s != '\0'; s++) {
		if ((child = ac_child(rs, node, *s)) == -1) {
			child = ac_new_node(rs);
			rs->edges = grow(rs->edges, rs->nedges, sizeof *rs->edges);
			rs->edges[rs->nedges] = (struct ac_edge){ *s, child,
			    rs->nodes[node].first_edge };
			rs->nodes[node].first_edge = (int)rs->nedges++;
		}
		node = child;
	}
	/* Rules with the same phrase chain in file order. */
	for (tail = &rs->nodes[node].output; *tail != -1; tail = &rs->outputs_next[*tail])
		;
	*tail = rule;
}

/* Breadth-first: failure links and dictionary links. */
static void
ac_links(struct rules *rs)
{
	int *queue = xmalloc(rs->nnodes * sizeof *queue), head = 0, tail = 0, k;

	for (k = rs->nodes[0].first_edge; k != -1; k = rs->edges[k].next) {
		rs->nodes[rs->edges[k].child].fail = 0;
		queue[tail++] = rs->edges[k].child;
	}
	while (head < tail) {
		int node = queue[head++];

		for (k = rs->nodes[node].first_edge; k != -1; k = rs->edges[k].next) {
			int child = rs->edges[k].child, f = rs->nodes[node].fail, next;

			while ((next = ac_child(rs, f, rs->edges[k].byte)) == -1 && f != 0)
				f = rs->nodes[f].fail;
			rs->nodes[child].fail = (next != -1 && next != child) ? next : 0;
			f = rs->nodes[child].fail;
			rs->nodes[child].dict = rs->nodes[f].output != -1 ? f : rs->nodes[f].dict;
			queue[tail++] = child;
		}
	}
	free(queue);
}

void
rules_compile(struct rules *rs)
{
	size_t i;
	int k;

	free(rs->nodes);
	free(rs->edges);
	free(rs->outputs_next);
	rs->nodes = NULL;
	rs->edges = NULL;
	rs->nnodes = rs->nedges = 0;
	rs->outputs_next = xmalloc((rs->nrules + 1) * sizeof *rs->outputs_next);
	ac_new_node(rs);
	for (i = 0; i < rs->nrules; i++) {
		rs->outputs_next[i] = -1;
		if (rs->rules[i].kind == RULE_PHRASE)
			ac_insert(rs, (int)i);
	}
	ac_links(rs);
	for (i = 0; i < 256; i++)
		rs->root[i] = -1;
	for (k = rs->nodes[0].first_edge; k != -1; k = rs->edges[k].next)
		rs->root[rs->edges[k].byte] = rs->edges[k].child;
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

/* The lowest-numbered phrase rule found in text whose constraint holds. */
static int
best_phrase(const struct rules *rs, const char *text, const struct facts *f)
{
	int node = 0, best = INT_MAX, next, o, d;
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		next = -1;
		while (node != 0 && (next = ac_child(rs, node, *p)) == -1)
			node = rs->nodes[node].fail;
		if (node == 0)
			next = rs->root[*p];
		node = next == -1 ? 0 : next;
		for (d = rs->nodes[node].output != -1 ? node : rs->nodes[node].dict; d != -1;
		    d = rs->nodes[d].dict) {
			for (o = rs->nodes[d].output; o != -1 && o < best;
			    o = rs->outputs_next[o]) {
				if (constraint_ok(&rs->rules[o], f)) {
					best = o;
					break;
				}
			}
		}
	}
	return best;
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

int
rules_match(const struct rules *rs, const struct result *res, struct rule_match *m)
{
	struct facts f;
	char *text = NULL;
	int best = INT_MAX;
	size_t i;

	memset(&f, 0, sizeof f);
	f.status = res->status;
	f.command = res->smtp_command;
	f.action = res->action != NULL ? res->action : "";
	if (res->smtp_code > 0)
		snprintf(f.code, sizeof f.code, "%d", res->smtp_code);
	if (res->diagnostic != NULL && rs->nnodes > 0) {
		text = normalise(res->diagnostic, strlen(res->diagnostic));
		best = best_phrase(rs, text, &f);
	}
	for (i = 0; i < rs->nrules && (int)i < best; i++) {
		if (rs->rules[i].kind != RULE_PHRASE &&
		    other_rule_matches(rs, &rs->rules[i], text, &f)) {
			best = (int)i;
			break;
		}
	}
	free(text);
	if (best == INT_MAX)
		return 0;
	m->reason = rs->rules[best].reason;
	m->where = rs->rules[best].where;
	return 1;
}
