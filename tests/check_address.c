/*
 * check_address.c: picking the recipient address out of header values and bounce
 * text (address_find), and decoding the list's VERP address.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "check_main.h"
#include "classifier.h"

/* address_find on a C string; "" when it finds none (so ck_assert_str_eq works). */
static char found[512];

static const char *
find(const char *s)
{
	char *a = address_find(s, strlen(s));

	found[0] = '\0';
	if (a != NULL) {
		ck_assert_uint_lt(strlen(a), sizeof found);
		strcpy(found, a);
		free(a);
	}
	return found;
}

START_TEST(angle_brackets_first)
{
	ck_assert_str_eq(find("Alice <Alice@Example.COM>"), "alice@example.com");
	ck_assert_str_eq(find("postmaster@example.net wrote about <bob@example.org>"),
	    "bob@example.org");
	ck_assert_str_eq(find("<not an address> carol@example.com"), "carol@example.com");
	ck_assert_str_eq(find("<> <dave@example.com>"), "dave@example.com");
}
END_TEST

START_TEST(dsn_field_values)
{
	ck_assert_str_eq(find("rfc822; erin@example.com"), "erin@example.com");
	ck_assert_str_eq(find("rfc822;<frank@example.com>"), "frank@example.com");
	ck_assert_str_eq(find("\"grace@example.com\""), "grace@example.com");
	ck_assert_str_eq(find("RFC822; Heidi.Smith+list@Mail.Example.ORG"),
	    "heidi.smith+list@mail.example.org");
}
END_TEST

START_TEST(trailing_punctuation_dropped)
{
	ck_assert_str_eq(find("mail to ivan@example.com. failed"), "ivan@example.com");
	ck_assert_str_eq(find("judy@example.com: user unknown"), "judy@example.com");
	ck_assert_str_eq(find("(mallory@example.com)"), "mallory@example.com");
	ck_assert_str_eq(find("'oscar@example.com'"), "oscar@example.com");
	ck_assert_str_eq(find("peggy@[192.0.2.7]"), "peggy@[192.0.2.7]");
}
END_TEST

START_TEST(nothing_to_find)
{
	ck_assert_str_eq(find(""), "");
	ck_assert_str_eq(find("no address here"), "");
	ck_assert_str_eq(find("@example.com"), "");
	ck_assert_str_eq(find("trent@"), "");
	ck_assert_str_eq(find("a @ b"), "");
	ck_assert_str_eq(find("<@>"), "");
	ck_assert_str_eq(find("victor@.example.com"), "");
	ck_assert_ptr_null(address_find("walter@example.com", 7));
}
END_TEST

START_TEST(valid)
{
	ck_assert_int_eq(address_valid("a@example.com"), 1);
	ck_assert_int_eq(address_valid("a@b@example.com"), 0);
	ck_assert_int_eq(address_valid("@example.com"), 0);
	ck_assert_int_eq(address_valid("a@"), 0);
	ck_assert_int_eq(address_valid("a b@example.com"), 1);	/* quoted local part */
	ck_assert_int_eq(address_valid("a@exa mple.com"), 0);
	ck_assert_int_eq(address_valid("a@-example.com"), 0);
}
END_TEST

/*
 * An address longer than CLASSIFIER_MAX_ADDRESS (254 bytes, RFC 5321) is not a
 * recipient, wherever it is found; the next candidate may be.
 */
START_TEST(longest_address)
{
	char local[300], text[1200], address[300];
	struct err e;
	struct verp *v;
	char *decoded;

	/* 241 + "@example.com" (12) = 253; one more each time. */
	memset(local, 'a', 243);
	local[241] = '\0';
	snprintf(address, sizeof address, "%sb@example.com", local);
	ck_assert_uint_eq(strlen(address), CLASSIFIER_MAX_ADDRESS);
	snprintf(text, sizeof text, "Final-Recipient: rfc822; <%s>", address);
	ck_assert_str_eq(find(text), address);
	ck_assert_int_eq(address_valid(address), 1);
	snprintf(address, sizeof address, "%sbc@example.com", local);
	snprintf(text, sizeof text, "Final-Recipient: rfc822; <%s>", address);
	ck_assert_str_eq(find(text), "");
	ck_assert_int_eq(address_valid(address), 0);
	snprintf(text, sizeof text, "rfc822; %s", address);
	ck_assert_str_eq(find(text), "");
	snprintf(text, sizeof text, "<%s> and then <zoe@example.net>", address);
	ck_assert_str_eq(find(text), "zoe@example.net");
	snprintf(text, sizeof text, "%s, zoe@example.net", address);
	ck_assert_str_eq(find(text), "zoe@example.net");
	v = verp_new("bounces+{local}={domain}@lists.example.org", &e);
	ck_assert_ptr_nonnull(v);
	snprintf(text, sizeof text, "bounces+%sbc=example.com@lists.example.org", local);
	ck_assert_ptr_null(verp_decode(v, text));
	snprintf(text, sizeof text, "bounces+%s=example.com@lists.example.org", local);
	decoded = verp_decode(v, text);
	ck_assert_ptr_nonnull(decoded);
	free(decoded);
	verp_free(v);
}
END_TEST

/* Hostile text: many brackets or at-signs must not make the search quadratic. */
START_TEST(hostile_text_is_prompt)
{
	size_t n = 400000, i;
	char *s = malloc(n + 1);
	clock_t start = clock();
	char *a;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		s[i] = '<';
	s[n - 1] = '>';
	s[n] = '\0';
	a = address_find(s, n);
	ck_assert_ptr_null(a);
	for (i = 0; i < n; i++)
		s[i] = i % 2 ? '@' : '<';
	s[n - 1] = '>';
	ck_assert_ptr_null(address_find(s, n));
	/* Each '<' once had to scan back over every letter before the '@'. */
	for (i = 0; i < n; i++)
		s[i] = i < n / 2 ? '<' : 'a';
	s[n - 2] = '@';
	s[n - 1] = '>';
	ck_assert_ptr_null(address_find(s, n));
	for (i = 0; i < n; i++)
		s[i] = i % 2 ? '@' : 'a';
	a = address_find(s, n);
	free(a);
	ck_assert_msg((double)(clock() - start) / CLOCKS_PER_SEC < 2.0,
	    "address_find took %.1f s", (double)(clock() - start) / CLOCKS_PER_SEC);
	free(s);
}
END_TEST

static char *
decode(const char *pattern, const char *address)
{
	struct err e;
	struct verp *v = verp_new(pattern, &e);
	char *out;

	ck_assert_msg(v != NULL, "verp_new(%s): %s", pattern, e.msg);
	out = verp_decode(v, address);
	verp_free(v);
	return out;
}

static void
assert_decodes(const char *pattern, const char *address, const char *expected)
{
	char *out = decode(pattern, address);

	if (expected == NULL)
		ck_assert_msg(out == NULL, "%s decoded to %s", address, out);
	else {
		ck_assert_ptr_nonnull(out);
		ck_assert_str_eq(out, expected);
	}
	free(out);
}

START_TEST(verp_decode_cases)
{
	const char *p = "bounces+{local}={domain}@lists.example.org";

	assert_decodes(p, "bounces+alice=example.com@lists.example.org",
	    "alice@example.com");
	assert_decodes(p, "BOUNCES+Bob=Example.NET@Lists.Example.ORG", "bob@example.net");
	/* The local part may hold the separator itself; the domain cannot. */
	assert_decodes(p, "bounces+a=b=example.com@lists.example.org", "a=b@example.com");
	assert_decodes(p, "bounces+carol+tag=example.com@lists.example.org",
	    "carol+tag@example.com");
	/* Domain first, as some list managers write it. */
	assert_decodes("bounce-{domain}-{local}@lists.example.org",
	    "bounce-example.com-dave@lists.example.org", "dave@example.com");
}
END_TEST

START_TEST(verp_decode_rejects)
{
	const char *p = "bounces+{local}={domain}@lists.example.org";

	assert_decodes(p, "bounces@lists.example.org", NULL);
	assert_decodes(p, "bounces+alice@lists.example.org", NULL);
	assert_decodes(p, "bounces+=example.com@lists.example.org", NULL);
	assert_decodes(p, "bounces+alice=@lists.example.org", NULL);
	assert_decodes(p, "bounces+alice=example.com@lists.example.net", NULL);
	assert_decodes(p, "owner+alice=example.com@lists.example.org", NULL);
	assert_decodes(p, "", NULL);
}
END_TEST

START_TEST(verp_bad_patterns)
{
	static const char *const bad[] = {
		"bounces@lists.example.org",			/* no placeholders */
		"bounces+{local}@lists.example.org",		/* no {domain} */
		"bounces+{domain}@lists.example.org",		/* no {local} */
		"bounces+{local}={domain}",			/* not an address */
		"bounces+{local}{domain}@lists.example.org",	/* no separator */
		"",
		NULL
	};
	struct err e;
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		e.msg[0] = '\0';
		ck_assert_msg(verp_new(bad[i], &e) == NULL, "accepted \"%s\"", bad[i]);
		ck_assert_msg(e.msg[0] != '\0', "no message for \"%s\"", bad[i]);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("address");
	TCase *tc = tcase_create("address");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, angle_brackets_first);
	tcase_add_test(tc, dsn_field_values);
	tcase_add_test(tc, trailing_punctuation_dropped);
	tcase_add_test(tc, nothing_to_find);
	tcase_add_test(tc, valid);
	tcase_add_test(tc, longest_address);
	tcase_add_test(tc, hostile_text_is_prompt);
	tcase_add_test(tc, verp_decode_cases);
	tcase_add_test(tc, verp_decode_rejects);
	tcase_add_test(tc, verp_bad_patterns);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
