/* utf8.c: see utf8.h. */
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

size_t
utf8_sequence(const char *text, uint32_t *code_point)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80) {
		*code_point = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*code_point = cp;
	return n;
}

char *
utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_sequence((const char *)p, &cp)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		if (n == 1 && (*p < 0x20 || *p == 0x7f) && *p != '\t')
			*o++ = ' ';
		else {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}
