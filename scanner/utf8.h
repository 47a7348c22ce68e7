/* utf8.h: making text from hostile mail safe to print as JSON or on a terminal. */
#ifndef BOUNCESCAN_UTF8_H
#define BOUNCESCAN_UTF8_H

/*
 * A copy of s with every byte that is not part of valid UTF-8 replaced by U+FFFD
 * and control characters other than tab turned into spaces. A new string.
 */
char *utf8_clean(const char *s);

#endif
