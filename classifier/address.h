/*
 * address.h: picking recipient addresses out of header values and bounce text,
 * and decoding the list's VERP address.
 */
#ifndef BOUNCESCAN_ADDRESS_H
#define BOUNCESCAN_ADDRESS_H

#include <stddef.h>

#include "err.h"

/*
 * The first plausible mail address in s[0..n): inside <...> when there is one,
 * else a bare local@domain token. Quotes, "rfc822;" and trailing punctuation are
 * dropped; the result is lower-cased. A new string, or NULL when there is none.
 */
char *address_find(const char *s, size_t n);

/* Is s (NUL-terminated) a plausible address by itself? */
int address_valid(const char *s);

struct verp;

/* Compile "bounces+{local}={domain}@lists.example.org". NULL with e on error. */
struct verp *verp_new(const char *pattern, struct err *e);
void verp_free(struct verp *);

/* The address a VERP address encodes, as a new string, or NULL when it does not match. */
char *verp_decode(const struct verp *, const char *address);

#endif
