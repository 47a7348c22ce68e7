/*
 * text.h: small, allocation-light helpers for reading bounce text: case-insensitive
 * search, unfolding, finding status codes and SMTP reply codes in prose.
 */
#ifndef BOUNCESCAN_TEXT_H
#define BOUNCESCAN_TEXT_H

#include <stddef.h>

/* Case-insensitive (ASCII) search of needle in s[0..n). NULL when absent. */
const char *text_find(const char *s, size_t n, const char *needle);

/* Does s[0..n) start with prefix, ignoring ASCII case? */
int text_starts(const char *s, size_t n, const char *prefix);

/*
 * s[0..n) as one line: line breaks and runs of white space become one space, leading
 * and trailing space is dropped. A new string.
 */
char *text_unfold(const char *s, size_t n);

/* Trim white space at both ends in place; returns s. */
char *text_trim(char *s);

/* The end of the line starting at s (the LF, or end). */
const char *text_eol(const char *s, const char *end);

/*
 * The first RFC 3463 status code ("5.1.1") in s, copied to out (16 bytes).
 * Returns 1 when found, 0 when not. Only classes 2, 4 and 5 and subjects 0 to 7
 * (one digit) count; the detail has up to three digits.
 */
int text_status(const char *s, size_t n, char out[16]);

/*
 * The SMTP reply code the text reports: a 3-digit 2xx/4xx/5xx number that starts the
 * text or follows "said:", "error:" and the like, followed by space, '-' or end;
 * failing that, the first 4xx/5xx that stands where a reply stands (after a host or
 * a command and ':', a transcript marker, a bracket, or before a status of its
 * class). A 2xx greeting at the start gives way to a 4xx/5xx after it. 0 when there
 * is none.
 */
int text_smtp_code(const char *s, size_t n);

/*
 * The SMTP command a failure answered, as the text tells it ("in reply to end of
 * DATA command", "after RCPT TO", ">>> DATA", "does not like recipient"): a static
 * "CONN", "EHLO", "MAIL", "RCPT" or "DATA", or NULL. When several are named, the
 * last one in the text is the one that failed.
 */
const char *text_smtp_command(const char *s, size_t n);

/*
 * s[0..n) lower-cased into out (n bytes, not terminated): ASCII, Latin-1, Latin
 * Extended-A and Cyrillic capitals become small letters of the same UTF-8 length,
 * so offsets into out are offsets into s. Other bytes are copied.
 */
void text_lower(const char *s, size_t n, char *out);

#endif
