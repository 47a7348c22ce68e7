/*
 * check_address.c: picking the recipient address out of header values and bounce
 * text (address_find), decoding the list's VERP address, and telling which of
 * several lists a bounce came from (classifier_add_list).
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
	/* An X.400 gateway's "SMTP=" before the address is no part of it. */
	ck_assert_str_eq(find("c=US;a= ;p=Corp;dda:SMTP=Rupert@Example.COM; on Fri"),
	    "rupert@example.com");
	ck_assert_str_eq(find("smtp=sybil@example.com"), "sybil@example.com");
}
END_TEST

/* Full-width and CJK punctuation, typographic quotes: beside an address, not in it. */
START_TEST(wide_punctuation_not_part)
{
	ck_assert_str_eq(find("收件人：wang@example.cn"), "wang@example.cn");
	ck_assert_str_eq(find("宛先：taro@example.jp。"), "taro@example.jp");
	ck_assert_str_eq(find("「hana@example.jp」への配信"), "hana@example.jp");
	ck_assert_str_eq(find("（lee@example.com）"), "lee@example.com");
	ck_assert_str_eq(find("“amy@example.com” was not delivered"), "amy@example.com");
	ck_assert_str_eq(find("«luc@example.fr»"), "luc@example.fr");
	ck_assert_str_eq(find("adresse\xc2\xa0: eva@example.fr"), "eva@example.fr");
	/* A local part of other letters (EAI) is still one. */
	ck_assert_str_eq(find("用户@example.cn"), "用户@example.cn");
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

/*
 * Classify an RFC 3464 report about recipient, with the bounce's own headers
 * (To: and any others, each line ending in \n) and the List-Id of the returned
 * message (or NULL); r is filled for the caller to check and free.
 */
static void
classify_report(const struct classifier *c, const char *headers,
    const char *recipient, const char *list_id, struct report *r)
{
	char text[2048];

	snprintf(text, sizeof text,
	    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
	    "%s"
	    "Subject: Undelivered Mail Returned to Sender\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;"
	    " boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nNot delivered.\n\n"
	    "--b\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example.net\n\n"
	    "Final-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\n\n"
	    "--b\nContent-Type: text/rfc822-headers\n\n"
	    "From: lists@lists.example.org\n%s%s%s"
	    "Subject: news\n\n--b--\n", headers, recipient,
	    list_id != NULL ? "List-Id: " : "", list_id != NULL ? list_id : "",
	    list_id != NULL ? "\n" : "");
	memset(r, 0, sizeof *r);
	ck_assert_int_eq(classify(c, text, strlen(text), r), 1);
}

/* The list and recipient a report comes out with ("-" for no list). */
static void
assert_list(const struct classifier *c, const char *headers, const char *recipient,
    const char *list_id, const char *list, const char *stored)
{
	struct report r;

	classify_report(c, headers, recipient, list_id, &r);
	ck_assert_str_eq(r.list != NULL ? r.list : "-", list);
	ck_assert_str_eq(r.results[0].recipient, stored);
	report_free(&r);
}

START_TEST(lists_attribution)
{
	struct classifier *c = classifier_new();
	struct err e;

	ck_assert_int_eq(classifier_add_list(c, "announce",
	    "announce-bounces+{local}={domain}@lists.example.org",
	    "announce-bounces@lists.example.org", "announce.lists.example.org", &e), 0);
	ck_assert_int_eq(classifier_add_list(c, "discuss",
	    "discuss-bounces+{local}={domain}@lists.example.org",
	    "Discuss-Bounces@Lists.Example.org", "<discuss.lists.example.org>", &e), 0);
	ck_assert_int_eq(classifier_add_list(c, "idonly", NULL, NULL,
	    "Only <only.lists.example.org>", &e), 0);
	/* Set after the named lists: still the unnamed list, tried first. */
	ck_assert_int_eq(classifier_set_verp(c,
	    "bounces+{local}={domain}@lists.example.org", &e), 0);

	/* By VERP: the list, and the recipient it names. */
	assert_list(c, "To: discuss-bounces+Ann=example.com@lists.example.org\n",
	    "forward@mx.example.net", NULL, "discuss", "ann@example.com");
	/* The VERP pattern wins over a List-Id naming another list. */
	assert_list(c, "To: announce-bounces+bo=example.net@lists.example.org\n",
	    "bo@example.net", "<discuss.lists.example.org>", "announce",
	    "bo@example.net");
	/* The envelope recipient as the MTA wrote it, when To: says nothing. */
	assert_list(c, "To: poster@example.org\nX-Original-To: "
	    "discuss-bounces+cy=example.org@lists.example.org\n",
	    "forward@mx.example.net", NULL, "discuss", "cy@example.org");
	assert_list(c, "To: poster@example.org\nDelivered-To: "
	    "announce-bounces@lists.example.org\n", "di@example.org", NULL,
	    "announce", "di@example.org");
	/* By the bounce address, in any case. */
	assert_list(c, "To: <DISCUSS-bounces@lists.example.org>\n", "ed@example.org",
	    NULL, "discuss", "ed@example.org");
	/* By the returned message's List-Id, with or without a phrase and <>. */
	assert_list(c, "To: poster@example.org\n", "fay@example.org",
	    "Announcements <Announce.Lists.Example.ORG>", "announce", "fay@example.org");
	assert_list(c, "To: poster@example.org\n", "gus@example.org",
	    "only.lists.example.org", "idonly", "gus@example.org");
	/* The unnamed pattern decodes and names no list; nothing known: none. */
	assert_list(c, "To: bounces+hal=example.net@lists.example.org\n",
	    "forward@mx.example.net", "<discuss.lists.example.org>", "-",
	    "hal@example.net");
	assert_list(c, "To: poster@example.org\n", "ivy@example.org",
	    "<other.lists.example.org>", "-", "ivy@example.org");
	classifier_free(c);
}
END_TEST

START_TEST(lists_refused)
{
	struct classifier *c = classifier_new();
	struct err e;
	size_t i;
	char name[16];

	ck_assert_int_eq(classifier_add_list(c, "a", NULL, NULL, NULL, &e), -1);
	ck_assert_int_eq(classifier_add_list(c, "", NULL, "a@example.org", NULL, &e), -1);
	ck_assert_int_eq(classifier_add_list(c, "a", "a-bounces@example.org", NULL,
	    NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "list a: "));
	ck_assert_int_eq(classifier_add_list(c, "a", NULL, "not an address", NULL,
	    &e), -1);
	ck_assert_int_eq(classifier_add_list(c, "a", NULL, "Ann <a@example.org>", NULL,
	    &e), -1);
	ck_assert_int_eq(classifier_add_list(c, "a", NULL, NULL, "two words", &e), -1);
	ck_assert_int_eq(classifier_add_list(c, "a", NULL, NULL, "<>", &e), -1);
	/* The unnamed list is not one of the CLASSIFIER_MAX_LISTS. */
	ck_assert_int_eq(classifier_set_verp(c,
	    "bounces+{local}={domain}@lists.example.org", &e), 0);
	for (i = 0; i < CLASSIFIER_MAX_LISTS; i++) {
		snprintf(name, sizeof name, "l%zu", i);
		ck_assert_int_eq(classifier_add_list(c, name, NULL, NULL, name, &e), 0);
	}
	ck_assert_int_eq(classifier_add_list(c, "more", NULL, NULL, "more", &e), -1);
	classifier_free(c);
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
	tcase_add_test(tc, wide_punctuation_not_part);
	tcase_add_test(tc, nothing_to_find);
	tcase_add_test(tc, valid);
	tcase_add_test(tc, longest_address);
	tcase_add_test(tc, hostile_text_is_prompt);
	tcase_add_test(tc, verp_decode_cases);
	tcase_add_test(tc, verp_decode_rejects);
	tcase_add_test(tc, verp_bad_patterns);
	tcase_add_test(tc, lists_attribution);
	tcase_add_test(tc, lists_refused);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
