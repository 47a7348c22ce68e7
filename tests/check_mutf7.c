/*
 * check_mutf7.c: mailbox names on the IMAP wire (scanner/mutf7.c). What a list
 * administrator depends on: a folder named in their own language in the
 * configuration or the URL reaches the server as the name a mail client shows,
 * RFC 3501's own example included, and a name that is not UTF-8 is refused
 * rather than sent as garbage.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "mutf7.h"

static const char *
encoded(const char *name)
{
	static char out[256];
	struct err e;

	ck_assert_msg(mutf7_encode(name, out, sizeof out, &e) == 0, "%s", e.msg);
	return out;
}

START_TEST(test_encoded)
{
	ck_assert_str_eq(encoded("INBOX"), "INBOX");
	ck_assert_str_eq(encoded("Lists/Bounces 2026"), "Lists/Bounces 2026");
	/* RFC 3501, 5.1.3 */
	ck_assert_str_eq(encoded("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	ck_assert_str_eq(encoded("\xe5\xb7\xb2\xe5\xa4\x84\xe7\x90\x86"), "&XfJZBHQG-");
	ck_assert_str_eq(encoded("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
	ck_assert_str_eq(encoded("Tom & Jerry"), "Tom &- Jerry");
	ck_assert_str_eq(encoded("&"), "&-");
	/* one run for adjacent characters, whatever their lengths */
	ck_assert_str_eq(encoded("x\xc3\xa9\xe4\xb8\xadx"), "x&AOlOLQ-x");
	/* beyond the BMP: a surrogate pair */
	ck_assert_str_eq(encoded("\xf0\x9f\x98\x80"), "&2D3eAA-");
	/* a control character is not sent as itself */
	ck_assert_str_eq(encoded("a\tb"), "a&AAk-b");
	ck_assert_str_eq(encoded(""), "");
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"\xff", "Sent\xc0\xaf", "\xed\xa0\x80", "\xe5\xb7", "\xf4\x90\x80\x80",
		"Latin-1 Entw\xfc" "rfe",
	};
	char out[64];
	struct err e;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(mutf7_encode(bad[i], out, sizeof out, &e), -1);
		ck_assert_msg(strstr(e.msg, "not valid UTF-8") != NULL, "%s", e.msg);
	}
	/* exactly fits, and one byte short */
	ck_assert_int_eq(mutf7_encode("\xc3\xbc", out, 6, &e), 0);
	ck_assert_str_eq(out, "&APw-");
	ck_assert_int_eq(mutf7_encode("\xc3\xbc", out, 5, &e), -1);
	ck_assert_msg(strstr(e.msg, "too long") != NULL, "%s", e.msg);
	ck_assert_int_eq(mutf7_encode("&", out, 2, &e), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mutf7");
	TCase *tc = tcase_create("mutf7");

	tcase_add_test(tc, test_encoded);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
