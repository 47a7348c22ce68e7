/* mutf7.c: UTF-8 mailbox names to IMAP's modified UTF-7; see mutf7.h. */
#include <stdint.h>

#include "mutf7.h"
#include "utf8.h"

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

/* One run of characters that are not printable ASCII, as "&BASE64-". */
static int
encode_run(const unsigned char **s, struct sink *k)
{
	uint32_t bits = 0, cp;
	unsigned nbits = 0, units, i;
	uint16_t unit[2];
	size_t n;

	put(k, '&');
	while (**s != '\0' && !is_direct(**s)) {
		if ((n = utf8_sequence((const char *)*s, &cp)) == 0)
			return -1;
		*s += n;
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
		return err_set(e, "the mailbox name is too long");
	while (*s != '\0') {
		if (!is_direct(*s)) {
			/* Not echoed: its bytes would garble the terminal. */
			if (encode_run(&s, &k) == -1)
				return err_set(e, "the mailbox name is not valid UTF-8 (was"
				    " the configuration saved in another encoding?)");
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
