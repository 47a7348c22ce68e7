/* charset.h: text in a declared charset to UTF-8. */
#ifndef BOUNCESCAN_CHARSET_H
#define BOUNCESCAN_CHARSET_H

#include <stddef.h>

/*
 * Convert s[0..n) from charset (lower-case, e.g. "iso-2022-jp") to UTF-8 in a new
 * buffer *out of *out_len bytes (NUL-terminated). Bytes the charset cannot map
 * become U+FFFD. Returns 0, or -1 when the charset is unknown (*out untouched).
 */
int charset_to_utf8(const char *charset, const char *s, size_t n, char **out,
    size_t *out_len);

#endif
