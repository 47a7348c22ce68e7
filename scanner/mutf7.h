/*
 * mutf7.h: IMAP mailbox names on the wire. RFC 3501 (5.1.3) sends them in
 * "modified UTF-7": printable ASCII as itself, "&" as "&-", and every other
 * run of characters as UTF-16 in base64 (with "," for "/") between "&" and
 * "-". The configuration and the URL give names in UTF-8.
 */
#ifndef BOUNCESCAN_MUTF7_H
#define BOUNCESCAN_MUTF7_H

#include <stddef.h>

#include "err.h"

/*
 * The room a name of n bytes may need: a lone character between printable ones
 * grows to 5 bytes ("&AAk-" for a tab).
 */
#define MUTF7_MAX(n)	(5 * (n))

/*
 * Encode the UTF-8 name into out (size bytes with the NUL). 0, or -1 with e
 * saying why: the name is not valid UTF-8, or its encoding does not fit.
 */
int	mutf7_encode(const char *name, char *out, size_t size, struct err *e);

#endif
