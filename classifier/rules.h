/*
 * rules.h: the text rules that turn a diagnostic into a reason.
 *
 * A rule file is UTF-8 text, one rule a line, fields separated by TABs:
 *
 *     reason  kind  pattern  [constraint]
 *
 * kind is "phrase" (a case-insensitive substring of the diagnostic, with runs of
 * white space matching one space), "regex" (a case-insensitive PCRE2 pattern),
 * "status" (an RFC 3463 code, "5.1.1", or a prefix ending in '.' or '*': "5.7.*")
 * or "code" (an SMTP reply code, "552", or "55*"). The optional constraint narrows a
 * rule: "status=5.*", "status=4.2.2", "code=5*", "command=DATA" (the SMTP command
 * the failure answered), "action=failed"; several, separated by commas, must all hold.
 * '#' starts a comment.
 *
 * The first rule, in file order, that matches wins. A site file's rules come before
 * the built-in table (classifier/rules.tsv).
 */
#ifndef BOUNCESCAN_RULES_H
#define BOUNCESCAN_RULES_H

#include <stddef.h>

#include "classifier.h"
#include "err.h"

struct rules;

struct rule_match {
	const char	*reason;	/* static reason name */
	const char	*where;		/* "rules.tsv:12", static for the life of the rules */
};

struct rules *rules_new(void);
void rules_free(struct rules *);

/*
 * Add the rules in text (a whole file), naming them `origin` ("rules.tsv",
 * "/etc/bouncescan/rules.tsv") in errors and matches. Returns 0, or -1 with e naming
 * origin and the line at fault.
 */
int rules_add_text(struct rules *, const char *origin, const char *text, size_t len,
    struct err *e);

/* Build the matcher after the last rules_add_text. */
void rules_compile(struct rules *);

/*
 * The first rule that matches a result's diagnostic (may be NULL), status ("" when
 * unknown), SMTP code (0 when unknown) and SMTP command ("" when unknown). Returns 1
 * and fills m, or 0.
 */
int rules_match(const struct rules *, const struct result *res, struct rule_match *m);

/* The built-in table, compiled in from rules.tsv. */
extern const char rules_default_text[];
extern const size_t rules_default_len;

#endif
