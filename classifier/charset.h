/*
 * charset.h: text in whatever charset it came in, declared or not, to UTF-8.
 *
 * Conversions are iconv's (no tables of our own); what is ours is the choice of
 * converter: the labels mail really carries ("shift-jis", "ks_c_5601-1987",
 * "unicode-1-1-utf-7") mapped to the supersets that senders mean by them, and for
 * text whose label is missing or wrong, a reading from the text itself.
 */
#ifndef BOUNCESCAN_CHARSET_H
#define BOUNCESCAN_CHARSET_H

#include <stddef.h>

/*
 * A charset named elsewhere in the message, for 8-bit text that declares none.
 * Looked for in `message` (the whole message) only when such text turns up, and
 * then once. The caller sets message and len and zeroes the rest.
 */
struct charset_hint {
	const char	*message;
	size_t		 len;
	int		 looked;
	char		 name[32];	/* "" when the message names no national charset */
};

/*
 * s[0..n), labelled `declared` (lower-case; "" when nothing was declared), as
 * UTF-8. Returns 0 when s is valid UTF-8 that needs no conversion (most text:
 * ASCII under any ASCII-compatible label), or 1 with a new NUL-terminated buffer
 * in *out of *out_len bytes. It never fails; what cannot be read becomes U+FFFD.
 *
 * ISO 2022 text is recognised by its escape sequences whatever the label says;
 * ISO-2022-JP is read as CP50221 reads it (with the NEC and IBM rows). 8-bit text
 * under no label, an ASCII or UTF-8 label, or one iconv does not know, stays as it
 * is when it is valid UTF-8, else is read in the charset the hint names (hint may
 * be NULL), else as UTF-8 with its stray bytes replaced when it is mostly UTF-8,
 * else as windows-1252. Text that does not convert cleanly from its label but is
 * valid UTF-8 was mislabelled and stays as it is.
 */
int	charset_decode(const char *declared, struct charset_hint *hint, const char *s,
	    size_t n, char **out, size_t *out_len);

/*
 * A header value (unfolded) with its RFC 2047 encoded words decoded, and text that
 * is not UTF-8 read as charset_decode() reads unlabelled text, as a new string.
 */
char	*charset_decode_header(const char *value, struct charset_hint *hint);

/*
 * Is s[0..n) ASCII without ESC, so that no ISO 2022 charset can be switched in? (SO
 * and SI shift only after an ESC sequence has designated a set.) Fast.
 */
int	charset_plain_ascii(const char *s, size_t n);

/* Is s[0..n) well-formed UTF-8 (no overlong forms, surrogates or stray bytes)? */
int	charset_valid_utf8(const char *s, size_t n);

#endif
