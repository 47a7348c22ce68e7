/* mutf7.c: UTF-8 mailbox names to IMAP's modified UTF-7; see mutf7.h. */
#include <stdint.h>

#include "mutf7.h"

static const char base64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Written into a bounded buffer; full is set when something did not fit. */
struct sink {
	char	*p;
	size_t	 left;
	int	 full;
};

static void
put(struct sink *k, char c)
{
	if (k->left <= 1) {
		k->full = 1;
		return;
	}
	*k->p++ = c;
	k->left--;
}

static int
is_direct(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/*
 * The code point at *s, advancing *s past it; -1 for anything that is not
 * well-formed UTF-8 (overlong forms, surrogates, beyond U+10FFFF included).
 */
static int32_t
next_code_point(const unsigned char **s)
{
	const unsigned char *p = *s;
	int32_t cp, min;
	int n, i;

	if (p[0] < 0x80)
		n = 0, cp = p[0], min = 0;
	else if ((p[0] & 0xe0) == 0xc0)
		n = 1, cp = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 2, cp = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 3, cp = p[0] & 0x07, min = 0x10000;
	else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*s = p + n + 1;
	return cp;
}

/* One run of characters that are not printable ASCII, as "&BASE64-". */
static int
encode_run(const unsigned char **s, struct sink *k)
{
	uint32_t bits = 0;
	unsigned nbits = 0, units, i;
	uint16_t unit[2];
	int32_t cp;

	put(k, '&');
	while (**s != '\0' && !is_direct(**s)) {
		if ((cp = next_code_point(s)) == -1)
			return -1;
		if (cp < 0x10000) {
			unit[0] = (uint16_t)cp;
			units = 1;
		} else {
			unit[0] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
			unit[1] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
			units = 2;
		}
		for (i = 0; i < units; i++) {
			bits = bits << 16 | unit[i];
			nbits += 16;
			while (nbits >= 6) {
				nbits -= 6;
				put(k, base64[bits >> nbits & 0x3f]);
			}
			bits &= (1u << nbits) - 1;
		}
	}
	if (nbits > 0)
		put(k, base64[bits << (6 - nbits) & 0x3f]);
	put(k, '-');
	return 0;
}

int
mutf7_encode(const char *name, char *out, size_t size, struct err *e)
{
	const unsigned char *s = (const unsigned char *)name;
	struct sink k = { out, size, 0 };

	if (size == 0)
		return err_set(e, "the mailbox name %s is too long", name);
	while (*s != '\0') {
		if (!is_direct(*s)) {
			if (encode_run(&s, &k) == -1)
				return err_set(e, "the mailbox name %s is not valid UTF-8",
				    name);
			continue;
		}
		put(&k, (char)*s);
		if (*s++ == '&')
			put(&k, '-');
	}
	*k.p = '\0';
	if (k.full)
		return err_set(e, "the mailbox name %s is too long", name);
	return 0;
}
