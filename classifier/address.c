/* address.c: finding addresses in text, and VERP; see address.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "classifier.h"
#include "xalloc.h"

static int
local_char(int c)
{
	return isalnum(c) || (c != 0 && strchr(".!#$%&'*+-/=?^_`{|}~", c) != NULL) ||
	    c >= 0x80;
}

static int
domain_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' ||
	    c == ':' || c >= 0x80;
}

int
address_valid(const char *s)
{
	const char *at = strrchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(s, '@') != at ||
	    strlen(s) > CLASSIFIER_MAX_ADDRESS)
		return 0;
	for (p = s; p < at; p++)
		if (!local_char((unsigned char)*p) && *p != '"' && *p != ' ')
			return 0;
	for (p = at + 1; *p != '\0'; p++)
		if (!domain_char((unsigned char)*p))
			return 0;
	return at[1] != '.' && at[1] != '-';
}

/*
 * Is the UTF-8 sequence at p (in [p, end)) punctuation or space that can stand
 * next to an address but be no part of one: no-break space and guillemets,
 * general punctuation (U+2000-U+206F: quotes, dashes, ellipsis), CJK symbols
 * (U+3000-U+303F: ideographic space, '、', '。', '「', '【') and full-width
 * punctuation ('：', '（', '，', '＜')? Returns its length, or 0.
 */
static size_t
wide_punct(const unsigned char *p, const unsigned char *end)
{
	if (end - p >= 2 && p[0] == 0xc2 && (p[1] == 0xa0 || p[1] == 0xab ||
	    p[1] == 0xbb))
		return 2;
	if (end - p < 3)
		return 0;
	if ((p[0] == 0xe2 && (p[1] == 0x80 || p[1] == 0x81)) ||
	    (p[0] == 0xe3 && p[1] == 0x80))
		return 3;
	if (p[0] == 0xef && p[1] == 0xbc && ((p[2] >= 0x80 && p[2] <= 0x8f) ||
	    (p[2] >= 0x9a && p[2] <= 0xa0) || p[2] >= 0xbb))
		return 3;
	if (p[0] == 0xef && p[1] == 0xbd && (p[2] == 0x80 ||
	    (p[2] >= 0x9b && p[2] <= 0xa5)))
		return 3;
	return 0;
}

/* Does such punctuation end just before p (not before s)? */
static int
wide_punct_before(const char *s, const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (p - s >= 2 && wide_punct(u - 2, u) == 2) ||
	    (p - s >= 3 && wide_punct(u - 3, u) == 3);
}

/* Cut the address around the '@' at `at` out of [s, end); lower-case it. */
static char *
address_around(const char *s, const char *end, const char *at)
{
	const char *a = at, *b = at + 1;
	char *out, *p;

	while (a > s && local_char((unsigned char)a[-1]) && !wide_punct_before(s, a))
		a--;
	while (b < end && domain_char((unsigned char)*b) &&
	    wide_punct((const unsigned char *)b, (const unsigned char *)end) == 0)
		b++;
	while (a < at && (*a == '.' || *a == '\'' || *a == '`' || *a == '{'))
		a++;
	/* X.400 gateways write "dda:SMTP=user@host": the prefix is no part of it. */
	if (at - a > 5 && strncasecmp(a, "smtp=", 5) == 0)
		a += 5;
	while (b > at + 1 && (b[-1] == '.' || b[-1] == '-' || b[-1] == ':' ||
	    b[-1] == ']' || b[-1] == '_'))
		b--;
	if (b < end && *b == ']' && memchr(at, '[', (size_t)(b - at)) != NULL)
		b++;
	/* A longer one is not a recipient: the next candidate may be. */
	if (a == at || b == at + 1 || (size_t)(b - a) > CLASSIFIER_MAX_ADDRESS)
		return NULL;
	out = xstrndup(a, (size_t)(b - a));
	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!address_valid(out)) {
		free(out);
		return NULL;
	}
	return out;
}

char *
address_find(const char *s, size_t n)
{
	const char *end = s + n, *p, *lt, *gt = NULL, *at = NULL;
	char *out;

	/*
	 * An address in angle brackets is the most deliberate one. The next '>' and
	 * '@' are remembered across '<'s, and every '<' before a failed '@' fails the
	 * same way, so that text with many '<' stays linear.
	 */
	for (p = s; p < end && (lt = memchr(p, '<', (size_t)(end - p))) != NULL;
	    p = lt + 1) {
		if (gt == NULL || gt < lt)
			gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL)
			break;
		if (at == NULL || at < lt)
			at = memchr(lt, '@', (size_t)(end - lt));
		if (at == NULL)
			break;
		if (at > gt)
			continue;
		if ((out = address_around(lt + 1, gt, at)) != NULL)
			return out;
		lt = at;
	}
	for (p = s; p < end && (at = memchr(p, '@', (size_t)(end - p))) != NULL;
	    p = at + 1) {
		if ((out = address_around(s, end, at)) != NULL)
			return out;
	}
	return NULL;
}

struct verp {
	char	*prefix;	/* before the first placeholder */
	char	*middle;	/* between the two */
	char	*suffix;	/* after the second */
	int	 local_first;
};

struct verp *
verp_new(const char *pattern, struct err *e)
{
	const char *l = strstr(pattern, "{local}"), *d = strstr(pattern, "{domain}");
	const char *first, *second;
	size_t first_len;
	struct verp *v;

	if (l == NULL || d == NULL) {
		err_set(e, "VERP pattern \"%s\" must contain {local} and {domain}", pattern);
		return NULL;
	}
	if (strchr(pattern, '@') == NULL) {
		err_set(e, "VERP pattern \"%s\" is not an address", pattern);
		return NULL;
	}
	v = xcalloc(1, sizeof *v);
	v->local_first = l < d;
	first = v->local_first ? l : d;
	second = v->local_first ? d : l;
	first_len = v->local_first ? strlen("{local}") : strlen("{domain}");
	v->prefix = xstrndup(pattern, (size_t)(first - pattern));
	v->middle = xstrndup(first + first_len, (size_t)(second - first - first_len));
	v->suffix = xstrdup(second + (v->local_first ? strlen("{domain}") :
	    strlen("{local}")));
	if (*v->middle == '\0') {
		verp_free(v);
		err_set(e, "VERP pattern \"%s\" needs a separator between {local} and "
		    "{domain}", pattern);
		return NULL;
	}
	return v;
}

void
verp_free(struct verp *v)
{
	if (v == NULL)
		return;
	free(v->prefix);
	free(v->middle);
	free(v->suffix);
	free(v);
}

/* Last (or first) case-insensitive occurrence of needle in [s, s+n). */
static const char *
find_sep(const char *s, size_t n, const char *needle, int last)
{
	size_t k = strlen(needle), i;
	const char *found = NULL;

	for (i = 0; i + k <= n; i++) {
		if (strncasecmp(s + i, needle, k) == 0) {
			found = s + i;
			if (!last)
				break;
		}
	}
	return found;
}

char *
verp_decode(const struct verp *v, const char *address)
{
	size_t n = strlen(address), pl = strlen(v->prefix), sl = strlen(v->suffix);
	const char *mid, *sep, *a, *b;
	size_t a_len, b_len;
	char *out, *p;

	if (n < pl + sl + 3 || strncasecmp(address, v->prefix, pl) != 0 ||
	    strcasecmp(address + n - sl, v->suffix) != 0)
		return NULL;
	mid = address + pl;
	/* A local part may hold the separator; a domain does not. */
	sep = find_sep(mid, n - pl - sl, v->middle, v->local_first);
	if (sep == NULL)
		return NULL;
	a = mid;
	a_len = (size_t)(sep - mid);
	b = sep + strlen(v->middle);
	b_len = (size_t)(address + n - sl - b);
	if (a_len == 0 || b_len == 0)
		return NULL;
	out = v->local_first ? xasprintf("%.*s@%.*s", (int)a_len, a, (int)b_len, b) :
	    xasprintf("%.*s@%.*s", (int)b_len, b, (int)a_len, a);
	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!address_valid(out)) {
		free(out);
		return NULL;
	}
	return out;
}
