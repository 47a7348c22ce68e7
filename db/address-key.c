/*
 * address-key.c: the comparison key of an address, so that every spelling of one
 * mailbox meets the same row: user@bücher.example, user@BÜCHER.example and
 * user@xn--bcher-kva.example; Ünïcode@example.com, ünïcode@example.com and the
 * same letters written decomposed (NFD).
 *
 * - The domain is put in its IDNA ASCII form by UTS #46 (non-transitional, input
 *   normalised to NFC), as a resolver would look it up: libidn2. A domain IDNA
 *   refuses (a symbol, a label too long once encoded) is NFC-normalised and
 *   case-folded instead, so its spellings still meet.
 * - The local part is NFC-normalised and case-folded (Unicode full case folding,
 *   canonical caseless matching: libunistring): receiving systems compare local
 *   parts without regard to case, and the same letters can arrive composed or
 *   decomposed. Bytes that are not UTF-8 are only lower-cased where ASCII.
 * - An ASCII part is only lower-cased: most addresses never reach either library.
 *
 * This is the one file that uses libidn2 and libunistring. It checks nothing about
 * what makes an address valid (address.c does), and every input is bounded by the
 * caller (STORE_ADDRESS_MAX).
 */
#include <ctype.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "internal.h"

static int
is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* ASCII letters lower-cased, every other byte kept. */
static ssize_t
ascii_lower(const char *s, size_t n, char *out, size_t size)
{
	size_t i;

	if (n >= size)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return (ssize_t)n;
}

/* Copy a libunistring result (which may be out itself) into out, NUL-terminated. */
static ssize_t
take(uint8_t *result, size_t length, char *out, size_t size)
{
	ssize_t rc = -1;

	if (length < size) {
		if ((char *)result != out)
			memcpy(out, result, length);
		out[length] = '\0';
		rc = (ssize_t)length;
	}
	if ((char *)result != out)
		free(result);
	return rc;
}

/*
 * NFC-normalised and case-folded (or with lower_only, lower-cased: for showing).
 * Not UTF-8: ASCII letters lower-cased. -1 when the result does not fit in size.
 */
static ssize_t
unicode_fold(const char *s, size_t n, int lower_only, char *out, size_t size)
{
	uint8_t *result;
	size_t length = size > 0 ? size - 1 : 0;

	if (is_ascii(s, n) || u8_check((const uint8_t *)s, n) != NULL)
		return ascii_lower(s, n, out, size);
	if (lower_only)
		result = u8_tolower((const uint8_t *)s, n, NULL, UNINORM_NFC,
		    (uint8_t *)out, &length);
	else
		result = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFC,
		    (uint8_t *)out, &length);
	if (result == NULL)	/* out of memory, or an encoding error */
		return ascii_lower(s, n, out, size);
	return take(result, length, out, size);
}

ssize_t
address_key_local(const char *s, size_t n, char *out, size_t size)
{
	return unicode_fold(s, n, 0, out, size);
}

/* *ascii is set when IDNA took the domain: then the key is its ASCII form. */
ssize_t
address_key_domain(const char *s, size_t n, char *out, size_t size, int *ascii)
{
	char copy[STORE_ADDRESS_MAX], *encoded = NULL;
	size_t length;

	*ascii = 1;
	if (is_ascii(s, n) || s[0] == '[')
		return ascii_lower(s, n, out, size);
	*ascii = 0;
	if (n >= sizeof copy || u8_check((const uint8_t *)s, n) != NULL)
		return unicode_fold(s, n, 0, out, size);
	memcpy(copy, s, n);
	copy[n] = '\0';
	if (idn2_to_ascii_8z(copy, &encoded, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) !=
	    IDN2_OK || encoded == NULL) {
		idn2_free(encoded);
		return unicode_fold(s, n, 0, out, size);
	}
	*ascii = 1;
	length = strlen(encoded);
	if (length >= size) {
		idn2_free(encoded);
		return -1;
	}
	memcpy(out, encoded, length + 1);
	idn2_free(encoded);
	return (ssize_t)length;
}

ssize_t
address_display_domain(const char *s, size_t n, char *out, size_t size)
{
	return unicode_fold(s, n, 1, out, size);
}
