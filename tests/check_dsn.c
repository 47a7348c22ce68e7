/* check_dsn.c: the RFC 3464 field parser. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "dsn-result.h"
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

START_TEST(group_to_result)
{
	static const char text[] =
	    "Original-Recipient: rfc822; <Kim@Example.COM>\n"
	    "Action: Failed (bad mailbox)\n"
	    "Status: 5.1.1 (user unknown)\n"
	    "Remote-MTA: dns; mx.example.com\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such\n"
	    "  user\n";
	struct report r;
	struct result *res;
	struct dsn d;

	memset(&d, 0, sizeof d);
	memset(&r, 0, sizeof r);
	dsn_parse(text, strlen(text), &d);
	ck_assert_uint_eq(d.nrecipients, 1);
	res = dsn_group_result(&d.recipients[0], &r);
	ck_assert_ptr_nonnull(res);
	ck_assert_str_eq(res->recipient, "kim@example.com");
	ck_assert_str_eq(res->action, "failed");
	ck_assert_str_eq(res->status, "5.1.1");
	ck_assert_str_eq(res->remote_mta, "mx.example.com");
	ck_assert_str_eq(res->diagnostic, "550 5.1.1 no such user");
	/* A group with no address gives no result. */
	ck_assert_ptr_null(dsn_group_result(&d.message, &r));
	ck_assert_uint_eq(r.nresults, 1);
	report_free(&r);
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
	tcase_add_test(tc, group_to_result);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
