/*
 * utf8.h: reading UTF-8, and making text from hostile mail safe to print as
 * JSON or on a terminal.
 */
#ifndef BOUNCESCAN_UTF8_H
#define BOUNCESCAN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence that s starts with,
 * its code point in *code_point; 0 when s starts none: a stray byte, an
 * overlong form, a surrogate, a code point beyond U+10FFFF, or a sequence cut
 * short (by the NUL, too).
 */
size_t	utf8_sequence(const char *s, uint32_t *code_point);

/*
 * A copy of s with every byte that is not part of valid UTF-8 replaced by U+FFFD
 * and control characters other than tab turned into spaces. A new string.
 */
char *utf8_clean(const char *s);

#endif
