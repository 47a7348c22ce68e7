/*
 * ac.h: an Aho-Corasick automaton: many fixed byte strings found in one pass over a
 * text. The rule table matches its phrases with it, and classify() uses one to learn
 * which decoders' markers a message holds before running any decoder.
 *
 * Bytes are compared exactly: callers that want case-insensitive matching add
 * lower-case patterns and feed lower-cased bytes.
 */
#ifndef BOUNCESCAN_AC_H
#define BOUNCESCAN_AC_H

#include <stddef.h>

struct ac;

struct ac *ac_new(void);
void ac_free(struct ac *);

/*
 * Add a pattern (NUL-terminated, not empty) reporting `id` when found. Patterns that
 * are the same string report their ids in the order added.
 */
void ac_add(struct ac *, const char *pattern, int id);

/* Build the failure links after the last ac_add; more ac_add calls are not allowed. */
void ac_compile(struct ac *);

/*
 * Feed s[0..n) to the automaton and call found(id, arg) for every pattern that
 * ends in it, in text order (at one place, longer patterns before their suffixes;
 * the ids of one pattern in the order added). fold_case lower-cases ASCII letters of
 * the text first. The scan starts in `state` (0 at the start of a text) and the
 * state at its end is returned, so a text may be fed in pieces.
 */
int ac_scan(const struct ac *, int state, const char *s, size_t n, int fold_case,
    void (*found)(int id, void *arg), void *arg);

/*
 * Call found(id, arg) for every pattern that occurs in s[0..n), in no set order
 * and maybe more than once for one place: for callers that only ask which
 * patterns occur. Faster than ac_scan() on long texts (see ac.c).
 */
void ac_scan_set(const struct ac *, const char *s, size_t n, int fold_case,
    void (*found)(int id, void *arg), void *arg);

/*
 * Like ac_scan() over all of s[0..n) from the start, but found() is also told
 * where the match ends (the offset just past its last byte), and a nonzero return
 * from it ends the scan: for callers that must know where each pattern occurs.
 */
void ac_scan_where(const struct ac *, const char *s, size_t n, int fold_case,
    int (*found)(int id, size_t end, void *arg), void *arg);

#endif
