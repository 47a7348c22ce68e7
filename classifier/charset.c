/*
 * charset.c: text to UTF-8, whatever label it came under; see charset.h.
 *
 * The conversions are iconv's, with the descriptors kept open: opening one loads a
 * gconv module and closing it unloads it again, and done per message (as
 * libetpan's charconv_buffer does) it was measured at over a tenth of the
 * classifier's time, in mmap and munmap. The cache is process-wide and not locked:
 * bouncescan classifies on one thread.
 *
 * What is decided here is which converter: labels are mapped to the supersets that
 * senders mean by them (the WHATWG Encoding Standard maps them the same way: a
 * "gb2312" message holds GBK characters, "shift_jis" ones hold Windows' NEC and IBM
 * rows, "iso-8859-1" ones hold windows-1252 quotes), and text with no label, or
 * with a wrong one, is read by what it contains. Japanese carriers and Lotus Notes
 * send ISO-2022-JP with no charset at all; 8-bit text with no label is common in
 * old bounces. The text of a bounce must reach the rules readable, so nothing here
 * fails: bytes that cannot be read become U+FFFD.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "xalloc.h"

#define CHARSET_CACHE	16

static struct {
	char	name[32];
	iconv_t	cd;		/* (iconv_t)-1 remembers a charset iconv does not know */
} cache[CHARSET_CACHE];
static size_t cache_used, cache_next;

static iconv_t
descriptor(const char *charset)
{
	size_t i;
	iconv_t cd;

	for (i = 0; i < cache_used; i++)
		if (strcmp(cache[i].name, charset) == 0)
			return cache[i].cd;
	cd = iconv_open("UTF-8", charset);
	/* A full cache reuses its slots in turn. */
	if (cache_used < CHARSET_CACHE)
		i = cache_used++;
	else {
		i = cache_next++ % CHARSET_CACHE;
		if (cache[i].cd != (iconv_t)-1)
			iconv_close(cache[i].cd);
	}
	snprintf(cache[i].name, sizeof cache[i].name, "%s", charset);
	cache[i].cd = cd;
	return cd;
}

/*
 * s[0..n) from charset `name` (an iconv name) to UTF-8 in a new buffer. Bytes that
 * do not convert become U+FFFD, one each, and are counted in *errors. Returns -1
 * when iconv does not know the charset.
 */
static int
convert(const char *name, const char *s, size_t n, char **out, size_t *out_len,
    size_t *errors)
{
	iconv_t cd = descriptor(name);
	size_t cap = n * 3 + 16, left_in = n, left_out;
	char *in = (char *)s, *buf, *o;

	*errors = 0;
	if (cd == (iconv_t)-1)
		return -1;
	iconv(cd, NULL, NULL, NULL, NULL);	/* back to the initial shift state */
	buf = xmalloc(cap + 1);
	o = buf;
	left_out = cap;
	while (left_in > 0) {
		if (iconv(cd, &in, &left_in, &o, &left_out) != (size_t)-1)
			break;
		if (errno == E2BIG || left_out < 3) {
			size_t used = (size_t)(o - buf);

			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
			o = buf + used;
			left_out = cap - used;
			continue;
		}
		/* EILSEQ or EINVAL: one byte that does not convert. */
		memcpy(o, "\xef\xbf\xbd", 3);
		o += 3;
		left_out -= 3;
		in++;
		left_in--;
		(*errors)++;
	}
	*o = '\0';
	*out = buf;
	*out_len = (size_t)(o - buf);
	return 0;
}

int
charset_plain_ascii(const char *s, size_t n)
{
	uint64_t word, high = 0;
	size_t i;

	/* Eight bytes at a time and memchr: a test per byte cost 0.5M instructions
	   over the corpus. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&word, s + i, 8);
		high |= word;
	}
	for (; i < n; i++)
		high |= (unsigned char)s[i];
	return (high & 0x8080808080808080ULL) == 0 && memchr(s, 0x1b, n) == NULL;
}

/* The length of the well-formed UTF-8 sequence at s (n > 0 bytes left), 0 if none. */
static size_t
utf8_length(const unsigned char *s, size_t n)
{
	unsigned int c = s[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ?
		    3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* over U+10FFFF */
		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		    (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* Over s[0..n): multi-byte UTF-8 sequences (*good) and bytes in none (*bad). */
static void
utf8_count(const char *s, size_t n, size_t *good, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	uint64_t word;
	size_t k;

	*good = *bad = 0;
	while (p < end) {
		if (end - p >= 8) {
			memcpy(&word, p, 8);
			if ((word & 0x8080808080808080ULL) == 0) {
				p += 8;
				continue;
			}
		}
		if (*p < 0x80)
			p++;
		else if ((k = utf8_length(p, (size_t)(end - p))) == 0) {
			(*bad)++;
			p++;
		} else {
			(*good)++;
			p += k;
		}
	}
}

int
charset_valid_utf8(const char *s, size_t n)
{
	size_t good, bad;

	utf8_count(s, n, &good, &bad);
	return bad == 0;
}

/* What a label stands for. */
enum charset_kind {
	KIND_NONE,		/* no label, ASCII, or a label that says nothing */
	KIND_UTF8,
	KIND_JIS,		/* ISO-2022-JP and its variants */
	KIND_ICONV		/* a charset iconv converts, by the name given */
};

struct charset_label {
	const char		*label;
	enum charset_kind	 kind;
	const char		*name;
};

/*
 * Labels seen in mail, with the charset to read them as; any other label is given
 * to iconv as it is (glibc knows most ISO, windows- and cp names itself).
 */
static const struct charset_label labels[] = {
	{ "", KIND_NONE, NULL },
	{ "us-ascii", KIND_NONE, NULL },
	{ "ascii", KIND_NONE, NULL },
	{ "ansi_x3.4-1968", KIND_NONE, NULL },
	{ "iso646-us", KIND_NONE, NULL },
	{ "us", KIND_NONE, NULL },
	{ "unknown", KIND_NONE, NULL },
	{ "unknown-8bit", KIND_NONE, NULL },
	{ "x-unknown", KIND_NONE, NULL },
	{ "x-user-defined", KIND_NONE, NULL },
	{ "default", KIND_NONE, NULL },
	{ "none", KIND_NONE, NULL },
	{ "7bit", KIND_NONE, NULL },
	{ "8bit", KIND_NONE, NULL },
	{ "utf-8", KIND_UTF8, NULL },
	{ "utf8", KIND_UTF8, NULL },
	{ "x-utf8", KIND_UTF8, NULL },
	{ "unicode-1-1-utf-8", KIND_UTF8, NULL },
	{ "iso-2022-jp", KIND_JIS, NULL },
	{ "csiso2022jp", KIND_JIS, NULL },
	{ "iso-2022-jp-1", KIND_JIS, NULL },
	{ "iso-2022-jp-2", KIND_JIS, NULL },
	{ "csiso2022jp2", KIND_JIS, NULL },
	{ "iso-2022-jp-3", KIND_JIS, NULL },
	{ "iso-2022-jp-ms", KIND_JIS, NULL },
	{ "cp50220", KIND_JIS, NULL },
	{ "cp50221", KIND_JIS, NULL },
	{ "cp50222", KIND_JIS, NULL },
	{ "jis", KIND_JIS, NULL },
	{ "x-jis", KIND_JIS, NULL },
	{ "shift_jis", KIND_ICONV, "CP932" },
	{ "shift-jis", KIND_ICONV, "CP932" },
	{ "sjis", KIND_ICONV, "CP932" },
	{ "x-sjis", KIND_ICONV, "CP932" },
	{ "s-jis", KIND_ICONV, "CP932" },
	{ "ms_kanji", KIND_ICONV, "CP932" },
	{ "csshiftjis", KIND_ICONV, "CP932" },
	{ "windows-31j", KIND_ICONV, "CP932" },
	{ "cp932", KIND_ICONV, "CP932" },
	{ "ms932", KIND_ICONV, "CP932" },
	{ "x-ms-cp932", KIND_ICONV, "CP932" },
	{ "euc-jp", KIND_ICONV, "EUC-JP-MS" },
	{ "x-euc-jp", KIND_ICONV, "EUC-JP-MS" },
	{ "eucjp", KIND_ICONV, "EUC-JP-MS" },
	{ "x-euc", KIND_ICONV, "EUC-JP-MS" },
	{ "cseucpkdfmtjapanese", KIND_ICONV, "EUC-JP-MS" },
	{ "gb2312", KIND_ICONV, "GB18030" },
	{ "gb_2312-80", KIND_ICONV, "GB18030" },
	{ "csgb2312", KIND_ICONV, "GB18030" },
	{ "euc-cn", KIND_ICONV, "GB18030" },
	{ "x-euc-cn", KIND_ICONV, "GB18030" },
	{ "chinese", KIND_ICONV, "GB18030" },
	{ "gbk", KIND_ICONV, "GB18030" },
	{ "x-gbk", KIND_ICONV, "GB18030" },
	{ "cp936", KIND_ICONV, "GB18030" },
	{ "ms936", KIND_ICONV, "GB18030" },
	{ "windows-936", KIND_ICONV, "GB18030" },
	{ "gb18030", KIND_ICONV, "GB18030" },
	{ "big5", KIND_ICONV, "BIG5-HKSCS" },
	{ "big-5", KIND_ICONV, "BIG5-HKSCS" },
	{ "x-big5", KIND_ICONV, "BIG5-HKSCS" },
	{ "cn-big5", KIND_ICONV, "BIG5-HKSCS" },
	{ "csbig5", KIND_ICONV, "BIG5-HKSCS" },
	{ "big5-hkscs", KIND_ICONV, "BIG5-HKSCS" },
	{ "euc-kr", KIND_ICONV, "CP949" },
	{ "cseuckr", KIND_ICONV, "CP949" },
	{ "ks_c_5601-1987", KIND_ICONV, "CP949" },
	{ "ks_c_5601-1989", KIND_ICONV, "CP949" },
	{ "ks_c_5601", KIND_ICONV, "CP949" },
	{ "ksc5601", KIND_ICONV, "CP949" },
	{ "ksc_5601", KIND_ICONV, "CP949" },
	{ "csksc56011987", KIND_ICONV, "CP949" },
	{ "iso-ir-149", KIND_ICONV, "CP949" },
	{ "korean", KIND_ICONV, "CP949" },
	{ "windows-949", KIND_ICONV, "CP949" },
	{ "x-windows-949", KIND_ICONV, "CP949" },
	{ "uhc", KIND_ICONV, "CP949" },
	{ "iso-8859-1", KIND_ICONV, "WINDOWS-1252" },
	{ "iso8859-1", KIND_ICONV, "WINDOWS-1252" },
	{ "iso_8859-1", KIND_ICONV, "WINDOWS-1252" },
	{ "iso_8859-1:1987", KIND_ICONV, "WINDOWS-1252" },
	{ "latin1", KIND_ICONV, "WINDOWS-1252" },
	{ "l1", KIND_ICONV, "WINDOWS-1252" },
	{ "csisolatin1", KIND_ICONV, "WINDOWS-1252" },
	{ "iso-ir-100", KIND_ICONV, "WINDOWS-1252" },
	{ "cp819", KIND_ICONV, "WINDOWS-1252" },
	{ "ibm819", KIND_ICONV, "WINDOWS-1252" },
	{ "iso-8859-9", KIND_ICONV, "WINDOWS-1254" },
	{ "iso-8859-11", KIND_ICONV, "WINDOWS-874" },
	{ "tis-620", KIND_ICONV, "WINDOWS-874" },
	{ "iso-8859-8-i", KIND_ICONV, "ISO-8859-8" },
	{ "iso-8859-6-i", KIND_ICONV, "ISO-8859-6" },
	{ "unicode-1-1-utf-7", KIND_ICONV, "UTF-7" },
	{ "x-unicode-2-0-utf-7", KIND_ICONV, "UTF-7" },
	{ "utf-7", KIND_ICONV, "UTF-7" },
	{ "x-utf-7", KIND_ICONV, "UTF-7" },
	{ "x-mac-roman", KIND_ICONV, "MACINTOSH" },
	{ "mac", KIND_ICONV, "MACINTOSH" },
	{ NULL, KIND_NONE, NULL }
};

/* A character of a charset name (RFC 2978 allows a few more; none are used). */
static int
label_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
}

/*
 * The kind of a label and the iconv name to use. A label iconv does not know, with
 * or without an "x-" in front, says nothing; so does one with other characters
 * than a charset name has, which is not given to iconv_open at all.
 */
static enum charset_kind
label_kind(const char *label, const char **name)
{
	size_t i;

	for (i = 0; labels[i].label != NULL; i++)
		if (strcmp(labels[i].label, label) == 0) {
			*name = labels[i].name;
			return labels[i].kind;
		}
	*name = label;
	for (i = 0; label[i] != '\0'; i++)
		if (!label_char((unsigned char)label[i]))
			return KIND_NONE;
	/* iconv_open() reads "" as the locale's charset; names are short. */
	if (i == 0 || i >= sizeof cache[0].name)
		return KIND_NONE;
	if (descriptor(label) != (iconv_t)-1)
		return KIND_ICONV;
	if (strncmp(label, "x-", 2) == 0 && label[2] != '\0' &&
	    descriptor(label + 2) != (iconv_t)-1) {
		*name = label + 2;
		return KIND_ICONV;
	}
	return KIND_NONE;
}

/*
 * Do the bytes of ASCII stand for themselves under this label? Not in UTF-7 ("+"),
 * UTF-16 and -32, HZ ("~{") or EBCDIC: text under those is always converted.
 */
static int
ascii_compatible(const char *label)
{
	static const char *const others[] = { "utf-7", "utf7", "utf-16", "utf16",
	    "utf-32", "utf32", "ucs", "hz", "ebcdic", "cp037", "ibm037", "cp500",
	    "ibm500", "cp1026", NULL };
	size_t i;

	if (label[0] == '\0' || strcmp(label, "us-ascii") == 0 ||
	    strcmp(label, "utf-8") == 0)
		return 1;	/* nearly every label, at once */
	for (i = 0; others[i] != NULL; i++)
		if (strstr(label, others[i]) != NULL)
			return 0;
	/* Microsoft's "unicode" is UTF-16; "unicode-1-1-utf-8" is not. */
	return strncmp(label, "unicode", 7) != 0 || strstr(label, "utf-8") != NULL;
}

/* The ISO 2022 variant that the escape sequences in s[0..n) designate. */
enum iso2022 {
	ISO2022_NONE,
	ISO2022_JP,		/* ASCII, JIS-Roman, JIS X 0208, half-width katakana */
	ISO2022_JP2,		/* also JIS X 0212, GB 2312, KS C 5601, ISO 8859 */
	ISO2022_JP3,		/* JIS X 0213 */
	ISO2022_KR,
	ISO2022_CN
};

static enum iso2022
iso2022_kind(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *e;
	int jp = 0, jp2 = 0, jp3 = 0, kr = 0, cn = 0;
	size_t left;

	while ((e = memchr(p, 0x1b, (size_t)(end - p))) != NULL) {
		p = e + 1;
		left = (size_t)(end - p);
		if (left >= 2 && p[0] == '$' && (p[1] == 'B' || p[1] == '@'))
			jp = 1;
		else if (left >= 2 && p[0] == '(' && (p[1] == 'J' || p[1] == 'I'))
			jp = 1;
		else if (left >= 2 && p[0] == '$' && p[1] == 'A')
			jp2 = 1;
		else if (left >= 3 && p[0] == '$' && p[1] == '(') {
			if (p[2] == 'B' || p[2] == '@')
				jp = 1;
			else if (p[2] == 'D' || p[2] == 'C')
				jp2 = 1;
			else if (p[2] == 'O' || p[2] == 'P' || p[2] == 'Q')
				jp3 = 1;
		} else if (left >= 3 && p[0] == '$' && p[1] == ')') {
			if (p[2] == 'C')
				kr = 1;
			else if (p[2] == 'A' || p[2] == 'G' || p[2] == 'E')
				cn = 1;
		} else if (left >= 3 && p[0] == '$' && (p[1] == '*' || p[1] == '+'))
			cn = 1;
		else if (left >= 2 && p[0] == '.' && (p[1] == 'A' || p[1] == 'F'))
			jp2 = 1;
	}
	if (kr)
		return ISO2022_KR;
	if (cn)
		return ISO2022_CN;
	if (jp3)
		return ISO2022_JP3;
	if (jp2)
		return ISO2022_JP2;
	return jp ? ISO2022_JP : ISO2022_NONE;
}

/*
 * ISO-2022-JP to Shift_JIS, for iconv's CP932 to read: what CP50221 does, and
 * what mail clients do. glibc's ISO-2022-JP refuses the NEC row 13 (circled
 * digits, units) that Japanese Windows mail is full of, and after a refused pair
 * it reads the rest of the line one byte out of step. Each JIS X 0208 pair is
 * moved to Shift_JIS by the standard's arithmetic (JIS X 0208:1997 annex 1), no
 * table. A line end returns to ASCII (RFC 1468 wants every line to end in ASCII;
 * a sender that forgets would otherwise turn the rest of the text into kanji).
 * A pair out of range becomes 0xFF, which CP932 refuses, and so U+FFFD.
 */
static char *
jis_to_sjis(const char *s, size_t n, size_t *out_len)
{
	enum { ASCII, KANJI, KANA } mode = ASCII;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *out = xmalloc(n + 1), *o = out;	/* never longer than the input */
	unsigned int j1, j2;

	while (p < end) {
		if (*p == 0x1b) {
			size_t left = (size_t)(end - p);

			if (left >= 3 && p[1] == '$' && (p[2] == 'B' || p[2] == '@')) {
				mode = KANJI;
				p += 3;
			} else if (left >= 4 && p[1] == '$' && p[2] == '(' &&
			    (p[3] == 'B' || p[3] == '@')) {
				mode = KANJI;
				p += 4;
			} else if (left >= 3 && p[1] == '(' && p[2] == 'I') {
				mode = KANA;
				p += 3;
			} else if (left >= 3 && p[1] == '(') {
				mode = ASCII;	/* ASCII, JIS-Roman: read as ASCII */
				p += 3;
			} else {
				*o++ = (char)0xff;
				p++;
			}
			continue;
		}
		if (*p == 0x0e || *p == 0x0f) {	/* SO and SI switch katakana */
			mode = *p == 0x0e ? KANA : ASCII;
			p++;
			continue;
		}
		if (*p == '\n')
			mode = ASCII;
		if (mode == KANJI && *p >= 0x21 && *p <= 0x7e) {
			if (end - p < 2 || p[1] < 0x21 || p[1] > 0x7e) {
				*o++ = (char)0xff;
				p++;
				continue;
			}
			j1 = p[0];
			j2 = p[1];
			if (j1 & 1)
				j2 += j2 < 0x60 ? 0x1f : 0x20;
			else
				j2 += 0x7e;
			j1 = ((j1 - 0x21) >> 1) + 0x81;
			if (j1 > 0x9f)
				j1 += 0x40;
			*o++ = (char)j1;
			*o++ = (char)j2;
			p += 2;
		} else if (mode == KANA && *p >= 0x21 && *p <= 0x5f)
			*o++ = (char)(*p++ + 0x80);
		else
			*o++ = (char)*p++;
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

static void
decode_iso2022(enum iso2022 kind, const char *s, size_t n, char **out, size_t *out_len)
{
	static const char *const names[] = { "CP932", "CP932", "ISO-2022-JP-2",
	    "ISO-2022-JP-3", "ISO-2022-KR", "ISO-2022-CN-EXT" };
	size_t errors, sjis_len;
	char *sjis;

	if (kind == ISO2022_JP || kind == ISO2022_NONE) {
		sjis = jis_to_sjis(s, n, &sjis_len);
		if (convert("CP932", sjis, sjis_len, out, out_len, &errors) == -1)
			convert("SHIFT_JIS", sjis, sjis_len, out, out_len, &errors);
		free(sjis);
		return;
	}
	if (convert(names[kind], s, n, out, out_len, &errors) == -1)
		convert("UTF-8", s, n, out, out_len, &errors);
}

/*
 * Convert with `name`, keeping the result only when every byte converted. Returns
 * 1 when kept.
 */
static int
convert_clean(const char *name, const char *s, size_t n, char **out, size_t *out_len)
{
	size_t errors;

	if (convert(name, s, n, out, out_len, &errors) == -1)
		return 0;
	if (errors == 0)
		return 1;
	free(*out);
	*out = NULL;
	return 0;
}

/*
 * Japanese 8-bit text with no escape sequences under a Japanese label: the
 * sender meant Shift_JIS or EUC-JP (or UTF-8) and wrote ISO-2022-JP on it.
 */
static int
decode_japanese(const char *s, size_t n, char **out, size_t *out_len)
{
	size_t errors;

	if (charset_valid_utf8(s, n))
		return 0;
	if (convert_clean("CP932", s, n, out, out_len) ||
	    convert_clean("EUC-JP-MS", s, n, out, out_len))
		return 1;
	convert("CP932", s, n, out, out_len, &errors);
	return 1;
}

/* Is label one a hint may name: a national charset we can read? */
static int
national(const char *label)
{
	const char *name;
	enum charset_kind kind = label_kind(label, &name);

	return kind == KIND_JIS || (kind == KIND_ICONV && ascii_compatible(label) &&
	    strcmp(name, "UTF-7") != 0);
}

/*
 * The first national charset the message names, in a charset= parameter or an
 * RFC 2047 word, into hint->name. Looked for once, and only when needed.
 */
static const char *
hint_name(struct charset_hint *hint)
{
	const char *p, *end, *q, *v;
	char label[32];
	size_t i;

	if (hint == NULL || hint->message == NULL)
		return NULL;
	if (hint->looked)
		return hint->name[0] != '\0' ? hint->name : NULL;
	hint->looked = 1;
	hint->name[0] = '\0';
	p = hint->message;
	end = p + hint->len;
	while (p < end && (q = memchr(p, '=', (size_t)(end - p))) != NULL) {
		p = q + 1;
		if (q - hint->message >= 7 && strncasecmp(q - 7, "charset", 7) == 0) {
			v = q + 1;
			if (end - v >= 2 && v[0] == '3' && (v[1] == 'D' || v[1] == 'd'))
				v += 2;		/* quoted-printable "=3D" */
			if (v < end && *v == '"')
				v++;
		} else if (q + 1 < end && q[1] == '?')
			v = q + 2;
		else
			continue;
		for (i = 0; i + 1 < sizeof label && v + i < end &&
		    label_char(v[i]); i++)
			label[i] = (char)tolower((unsigned char)v[i]);
		label[i] = '\0';
		if (i > 0 && national(label)) {
			snprintf(hint->name, sizeof hint->name, "%s", label);
			return hint->name;
		}
	}
	return NULL;
}

/*
 * 8-bit text that is not valid UTF-8 and came with no label we can use: in the
 * charset the message names elsewhere, when the text converts cleanly in it; as
 * UTF-8 with its stray bytes replaced, when most of it is UTF-8; else as
 * windows-1252, which reads every byte (and is what unlabelled 8-bit mail most
 * often is).
 */
static void
decode_unlabelled(struct charset_hint *hint, const char *s, size_t n, char **out,
    size_t *out_len)
{
	const char *label = hint_name(hint), *name;
	size_t good, bad, errors;

	if (label != NULL) {
		if (label_kind(label, &name) == KIND_JIS) {
			decode_japanese(s, n, out, out_len);
			return;
		}
		if (convert_clean(name, s, n, out, out_len))
			return;
	}
	utf8_count(s, n, &good, &bad);
	if (good >= bad)
		convert("UTF-8", s, n, out, out_len, &errors);
	else
		convert("WINDOWS-1252", s, n, out, out_len, &errors);
}

int
charset_decode(const char *declared, struct charset_hint *hint, const char *s,
    size_t n, char **out, size_t *out_len)
{
	enum charset_kind kind;
	enum iso2022 iso = ISO2022_NONE;
	const char *name;
	size_t errors;
	int compatible = ascii_compatible(declared);

	*out = NULL;
	*out_len = 0;
	if (compatible && charset_plain_ascii(s, n))
		return 0;
	kind = label_kind(declared, &name);
	/*
	 * Escape sequences and no 8-bit byte: ISO 2022, whatever the label says
	 * (Japanese mail often says nothing, or us-ascii).
	 */
	if (compatible && memchr(s, 0x1b, n) != NULL) {
		size_t i;

		iso = iso2022_kind(s, n);
		for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++)
			;
		if (kind == KIND_JIS || (iso != ISO2022_NONE && i == n)) {
			decode_iso2022(iso, s, n, out, out_len);
			return 1;
		}
	}
	switch (kind) {
	case KIND_JIS:
		return decode_japanese(s, n, out, out_len);
	case KIND_ICONV:
		if (convert(name, s, n, out, out_len, &errors) == 0) {
			if (errors > 0 && charset_valid_utf8(s, n)) {
				free(*out);	/* UTF-8 under another label */
				*out = NULL;
				return 0;
			}
			return 1;
		}
		/* FALLTHROUGH */
	case KIND_NONE:
	case KIND_UTF8:
		break;
	}
	if (charset_valid_utf8(s, n))
		return 0;
	decode_unlabelled(hint, s, n, out, out_len);
	return 1;
}

/* The value of a base64 digit, -1 for any other byte. */
static int
base64_digit(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One RFC 2047 encoded word: =?charset?B?text?= or =?charset?Q?text?=. */
struct encoded_word {
	char		 charset[32];	/* lower-case, "" when too long to be one */
	int		 base64;
	const char	*text;
	size_t		 text_len;
	const char	*end;		/* after the "?=" */
};

/* Is there an encoded word at p? No blanks inside, as RFC 2047 says. */
static int
encoded_word(const char *p, struct encoded_word *w)
{
	const char *cs, *q;
	size_t i;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	for (cs = q = p + 2; *q != '\0' && *q != '?' && *q != ' ' && *q != '\t'; q++)
		;
	if (*q != '?' || q == cs || ((q[1] | 0x20) != 'b' && (q[1] | 0x20) != 'q') ||
	    q[2] != '?')
		return 0;
	w->base64 = (q[1] | 0x20) == 'b';
	/* "utf-8*en": RFC 2231 puts the language after a star. */
	for (i = 0; cs + i < q && cs[i] != '*' && i + 1 < sizeof w->charset; i++)
		w->charset[i] = (char)tolower((unsigned char)cs[i]);
	w->charset[cs + i < q && cs[i] != '*' ? 0 : i] = '\0';
	w->text = q + 3;
	for (q = w->text; *q != '\0' && *q != '?' && *q != ' ' && *q != '\t'; q++)
		;
	if (q[0] != '?' || q[1] != '=')
		return 0;
	w->text_len = (size_t)(q - w->text);
	w->end = q + 2;
	return 1;
}

/*
 * The bytes of an encoded word, appended to buf (room for text_len bytes).
 * Lenient, as mail needs: base64 skips stray characters and stops at '='. A line
 * break or NUL in a header would end it early for its readers: they become spaces.
 */
static size_t
word_bytes(const struct encoded_word *w, char *buf)
{
	const char *p = w->text, *end = w->text + w->text_len;
	unsigned long bits = 0;
	int have = 0, v, hi, lo;
	size_t n = 0, i;

	for (; p < end; p++) {
		if (w->base64) {
			if (*p == '=')
				break;
			if ((v = base64_digit((unsigned char)*p)) < 0)
				continue;
			bits = (bits << 6 | (unsigned long)v) & 0xffffff;
			if ((have += 6) >= 8) {
				have -= 8;
				buf[n++] = (char)(bits >> have & 0xff);
			}
		} else if (*p == '_')
			buf[n++] = ' ';
		else if (*p == '=' && end - p >= 3 &&
		    (hi = hex_digit((unsigned char)p[1])) >= 0 &&
		    (lo = hex_digit((unsigned char)p[2])) >= 0) {
			buf[n++] = (char)(hi * 16 + lo);
			p += 2;
		} else
			buf[n++] = *p;
	}
	for (i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\r' || buf[i] == '\n')
			buf[i] = ' ';
	return n;
}

/* A growing string. */
struct text_buffer {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* Room for n more bytes and a NUL. */
static void
buffer_reserve(struct text_buffer *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
}

static void
buffer_add(struct text_buffer *b, const char *s, size_t n)
{
	buffer_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Text in charset `label` (the pending run), converted and added to out. */
static void
flush_run(struct text_buffer *out, const char *label, struct text_buffer *run,
    struct charset_hint *hint)
{
	char *conv;
	size_t conv_len;

	if (run->len == 0)
		return;
	if (charset_decode(label, hint, run->s, run->len, &conv, &conv_len) == 1) {
		buffer_add(out, conv, conv_len);
		free(conv);
	} else
		buffer_add(out, run->s, run->len);
	run->len = 0;
}

/*
 * Adjacent words in one charset are joined before they are converted: senders
 * split a character between two words (an ISO-2022-JP pair, a UTF-8 sequence),
 * which libetpan, converting word by word, turned into U+FFFD and raw escapes.
 * Blanks between two encoded words are dropped (RFC 2047 section 6.2); text that
 * is not encoded is read as unlabelled text, with the hint.
 */
char *
charset_decode_header(const char *value, struct charset_hint *hint)
{
	struct text_buffer out = { NULL, 0, 0 }, run = { NULL, 0, 0 };
	struct encoded_word w, next;
	char label[32] = "";
	const char *p = value, *q;
	size_t n;

	buffer_add(&out, "", 0);
	while (*p != '\0') {
		if (encoded_word(p, &w)) {
			if (strcmp(label, w.charset) != 0) {
				flush_run(&out, label, &run, hint);
				memcpy(label, w.charset, sizeof label);
			}
			buffer_reserve(&run, w.text_len);
			run.len += word_bytes(&w, run.s + run.len);
			p = w.end;
			for (q = p; *q == ' ' || *q == '\t'; q++)
				;
			if (encoded_word(q, &next))
				p = q;
			continue;
		}
		/* Text up to the next "=?" that may start a word. */
		if ((q = strstr(p + 1, "=?")) == NULL)
			q = p + strlen(p);
		n = (size_t)(q - p);
		if (label[0] != '\0') {
			flush_run(&out, label, &run, hint);
			label[0] = '\0';
		}
		buffer_add(&run, p, n);
		p = q;
	}
	flush_run(&out, label, &run, hint);
	free(run.s);
	return out.s;
}
