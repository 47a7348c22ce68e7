/* check_dsn.c: the RFC 3464 field parser. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "dsn.h"

START_TEST(groups_and_folding)
{
	static const char text[] =
	    "Reporting-MTA: dns; mx.example.net\n"
	    "\n"
	    "Final-Recipient: rfc822; a@example.com\n"
	    "Action: failed\n"
	    "Status: 5.1.1\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 user\n"
	    "    unknown\n"
	    "\n"
	    "Final-Recipient: rfc822; b@example.com\n"
	    "Action: delayed\n"
	    "Status: 4.4.1\n";
	struct dsn d;

	memset(&d, 0, sizeof d);
	dsn_parse(text, strlen(text), &d);
	ck_assert_str_eq(dsn_get(&d.message, "reporting-mta"), "dns; mx.example.net");
	ck_assert_uint_eq(d.nrecipients, 2);
	ck_assert_str_eq(dsn_get(&d.recipients[0], "Diagnostic-Code"),
	    "smtp; 550 5.1.1 user unknown");
	ck_assert_str_eq(dsn_untyped(dsn_get(&d.recipients[0], "Final-Recipient")),
	    "a@example.com");
	ck_assert_str_eq(dsn_get(&d.recipients[1], "Status"), "4.4.1");
	dsn_free(&d);
}
END_TEST

START_TEST(malformed_line_keeps_the_rest)
{
	static const char text[] =
	    "Final-Recipient: rfc822; a@example.com\n"
	    "this line has no colon\n"
	    "Status: 5.2.2\n";
	struct dsn d;

	memset(&d, 0, sizeof d);
	dsn_parse(text, strlen(text), &d);
	ck_assert_uint_eq(d.nrecipients, 1);
	ck_assert_str_eq(dsn_get(&d.recipients[0], "Status"), "5.2.2");
	dsn_free(&d);
}
END_TEST

START_TEST(missing_blank_line_between_groups)
{
	static const char text[] =
	    "Final-Recipient: rfc822; a@example.com\n"
	    "Action: failed\n"
	    "Final-Recipient: rfc822; b@example.com\n"
	    "Action: failed\n";
	struct dsn d;

	memset(&d, 0, sizeof d);
	dsn_parse(text, strlen(text), &d);
	ck_assert_uint_eq(d.nrecipients, 2);
	dsn_free(&d);
}
END_TEST

START_TEST(original_recipient_stays_in_its_group)
{
	static const char text[] =
	    "Final-Recipient: rfc822; alias@example.com\n"
	    "Original-Recipient: rfc822; member@example.com\n"
	    "Action: delayed\n"
	    "Status: 4.3.0\n";
	struct dsn d;

	memset(&d, 0, sizeof d);
	dsn_parse(text, strlen(text), &d);
	ck_assert_uint_eq(d.nrecipients, 1);
	ck_assert_str_eq(dsn_get(&d.recipients[0], "Action"), "delayed");
	ck_assert_str_eq(dsn_get(&d.recipients[0], "Original-Recipient"),
	    "rfc822; member@example.com");
	dsn_free(&d);
}
END_TEST

START_TEST(status_before_final_recipient)
{
	static const char text[] =
	    "Diagnostic-Code: SMTP; 550 5.1.1 Recipient address does not exist\n"
	    "Status: 5.1.1\n"
	    "Final-Recipient: rfc822; kim@example.com\n"
	    "Action: failed\n";
	struct dsn d;

	memset(&d, 0, sizeof d);
	dsn_parse(text, strlen(text), &d);
	ck_assert_uint_eq(d.nrecipients, 1);
	ck_assert_str_eq(dsn_get(&d.recipients[0], "Status"), "5.1.1");
	dsn_free(&d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dsn");
	TCase *tc = tcase_create("fields");

	tcase_add_test(tc, groups_and_folding);
	tcase_add_test(tc, malformed_line_keeps_the_rest);
	tcase_add_test(tc, missing_blank_line_between_groups);
	tcase_add_test(tc, original_recipient_stays_in_its_group);
	tcase_add_test(tc, status_before_final_recipient);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
