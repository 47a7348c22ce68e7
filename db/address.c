/*
 * address.c: deciding what is an address and when two are the same.
 *
 * Two spellings are one recipient when they differ only in case, in Unicode
 * normalisation, or in the form of an international domain name (address-key.c
 * makes the key they are compared by). The spelling first seen is kept for
 * display, with the domain lower-cased. Anything that is not plausibly
 * deliverable is refused with a message saying why, so garbage never becomes a
 * recipient.
 *
 * Accepted: a dot-atom or quoted-string local part (UTF-8 allowed, RFC 6531) of at
 * most 64 bytes, "@", and a domain of at most 255 bytes made of LDH or UTF-8 labels
 * with at least one dot, or an address literal in brackets; at most
 * STORE_ADDRESS_LONGEST (254) bytes in all, the classifier's limit too. An international
 * domain is judged in the ASCII form IDNA gives it when it has one.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

#define LOCAL_MAX	64
#define DOMAIN_MAX	255
#define LABEL_MAX	63

static int
atext(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

static int
check_local(const char *s, size_t n, struct err *e)
{
	size_t i;

	if (n == 0)
		return err_set(e, "empty local part");
	if (n > LOCAL_MAX)
		return err_set(e, "local part longer than %d characters", LOCAL_MAX);
	if (s[0] == '"' && n >= 2 && s[n - 1] == '"') {
		for (i = 1; i < n - 1; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return err_set(e, "control character in quoted local part");
		return 0;
	}
	/*
	 * Leading, trailing and doubled dots are not RFC 5322 dot-atoms, yet some large
	 * providers have issued such addresses: the receiving system is the judge.
	 */
	for (i = 0; i < n; i++)
		if (!atext((unsigned char)s[i]))
			return err_set(e, "character '%c' not allowed in local part",
			    isprint((unsigned char)s[i]) ? s[i] : '?');
	return 0;
}

static int
check_label(const char *s, size_t n, struct err *e)
{
	size_t i;

	if (n == 0)
		return err_set(e, "empty label in domain");
	if (n > LABEL_MAX)
		return err_set(e, "domain label longer than %d characters", LABEL_MAX);
	if (s[0] == '-' || s[n - 1] == '-')
		return err_set(e, "domain label starts or ends with '-'");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c < 0x80)
			return err_set(e, "character '%c' not allowed in domain",
			    isprint(c) ? c : '?');
	}
	return 0;
}

static int
check_domain(const char *s, size_t n, struct err *e)
{
	size_t start, i;
	int dots = 0;

	if (n == 0)
		return err_set(e, "empty domain");
	if (n > DOMAIN_MAX)
		return err_set(e, "domain longer than %d characters", DOMAIN_MAX);
	if (s[0] == '[') {
		if (s[n - 1] != ']' || n < 3 || strcspn(s, " \t\r\n") < n)
			return err_set(e, "malformed address literal");
		return 0;
	}
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (check_label(s + start, i - start, e) == -1)
			return -1;
		if (i < n)
			dots++;
		start = i + 1;
	}
	if (dots == 0)
		return err_set(e, "domain has no dot");
	return 0;
}

/* Surrounding white space and one pair of angle brackets are not part of it. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
	if (*n >= 2 && (*s)[0] == '<' && (*s)[*n - 1] == '>')
		(*s)++, *n -= 2;
}

/*
 * The domain's key in dkey; its display form (lower-cased) in ddisplay. Judged in
 * the ASCII form when it has one, else as written.
 */
static int
domain_forms(const char *s, size_t n, char *dkey, char *ddisplay, struct err *e)
{
	int ascii;

	if (n > DOMAIN_MAX)
		return err_set(e, "domain longer than %d characters", DOMAIN_MAX);
	if (address_key_domain(s, n, dkey, STORE_ADDRESS_MAX, &ascii) == -1 ||
	    address_display_domain(s, n, ddisplay, STORE_ADDRESS_MAX) == -1)
		return err_set(e, "domain too long once normalised");
	return ascii ? check_domain(dkey, strlen(dkey), e) : check_domain(s, n, e);
}

/* prefix "@" domain into out (STORE_ADDRESS_MAX bytes); -1 when it does not fit. */
static int
join(char *out, const char *prefix, size_t prefix_length, const char *domain)
{
	size_t length = strlen(domain);

	if (prefix_length + 1 + length >= STORE_ADDRESS_MAX)
		return -1;
	memmove(out, prefix, prefix_length);
	out[prefix_length] = '@';
	memcpy(out + prefix_length + 1, domain, length + 1);
	return 0;
}

int
store_address_normalise(const char *address, char *display, char *key, struct err *e)
{
	char dkey[STORE_ADDRESS_MAX], ddisplay[STORE_ADDRESS_MAX];
	char lkey[STORE_ADDRESS_MAX];
	const char *s = address, *at = NULL;
	ssize_t lkey_length;
	size_t n, local, i;

	if (address == NULL)
		return err_set(e, "no address");
	n = strlen(s);
	trim(&s, &n);
	if (n > STORE_ADDRESS_LONGEST)
		return err_set(e, "\"%.60s...\": longer than %d bytes, the most an"
		    " address can have (RFC 5321)", s, STORE_ADDRESS_LONGEST);
	for (i = n; i > 0; i--)		/* the last '@': a quoted local part may hold one */
		if (s[i - 1] == '@') {
			at = s + i - 1;
			break;
		}
	if (at == NULL)
		return err_set(e, "\"%.*s\": not an address (no '@')", (int)n, s);
	local = (size_t)(at - s);
	if (check_local(s, local, e) == -1 ||
	    domain_forms(at + 1, n - local - 1, dkey, ddisplay, e) == -1)
		return err_prefix(e, "\"%.*s\": invalid address: ", (int)n, s);
	if ((lkey_length = address_key_local(s, local, lkey, sizeof lkey)) == -1 ||
	    join(key, lkey, (size_t)lkey_length, dkey) == -1 ||
	    join(display, s, local, ddisplay) == -1)
		return err_set(e, "\"%.*s\": address too long once normalised", (int)n,
		    s);
	return 0;
}
