/*
 * check_reason.c: the reason vocabulary and the class each reason implies
 * (DESIGN.md, "Classification").
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "classifier.h"
#include "reason.h"

static const char *
cls(const char *reason, const char *status, int code, const char *action)
{
	return class_name(reason_class(reason_lookup(reason), status, code, action));
}

START_TEST(vocabulary)
{
	static const char *const names[] = { "userunknown", "hostunknown", "hasmoved",
	    "notaccept", "mailboxfull", "exceedlimit", "mesgtoobig", "expired",
	    "networkerror", "systemerror", "systemfull", "suspend", "filtered",
	    "mailererror", "onhold", "undefined", "authfailure", "badreputation",
	    "blocked", "contenterror", "norelaying", "notcompliantrfc",
	    "policyviolation", "rejected", "requireptr", "securityerror", "spamdetected",
	    "syntaxerror", "virusdetected", "toomanyconn", "speeding", "failedstarttls",
	    "feedback", "vacation", "delivered" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *r = reason_lookup(names[i]);

		ck_assert_msg(r != NULL && strcmp(r, names[i]) == 0, "%s", names[i]);
	}
	ck_assert_ptr_null(reason_lookup("UserUnknown"));
	ck_assert_ptr_null(reason_lookup(""));
	ck_assert_str_eq(class_name(reason_class(NULL, "5.1.1", 550, "failed")), "none");
}
END_TEST

START_TEST(hard)
{
	ck_assert_str_eq(cls("userunknown", "5.1.1", 550, "failed"), "hard");
	ck_assert_str_eq(cls("hostunknown", "5.1.2", 0, "failed"), "hard");
	ck_assert_str_eq(cls("hasmoved", "5.1.6", 551, "failed"), "hard");
	/* A 4.x.x "user unknown" is still hard: the address does not exist. */
	ck_assert_str_eq(cls("userunknown", "4.1.1", 450, "failed"), "hard");
	ck_assert_str_eq(cls("userunknown", "", 0, NULL), "hard");
}
END_TEST

START_TEST(notaccept_hard_only_when_permanent)
{
	ck_assert_str_eq(cls("notaccept", "5.1.10", 556, "failed"), "hard");
	ck_assert_str_eq(cls("notaccept", "", 550, "failed"), "hard");
	ck_assert_str_eq(cls("notaccept", "", 0, "failed"), "hard");
	ck_assert_str_eq(cls("notaccept", "4.4.4", 0, "failed"), "soft");
	ck_assert_str_eq(cls("notaccept", "", 450, "failed"), "soft");
	/* The status says more than the reply code. */
	ck_assert_str_eq(cls("notaccept", "4.0.0", 550, "failed"), "soft");
}
END_TEST

START_TEST(soft)
{
	static const char *const names[] = { "mailboxfull", "exceedlimit", "mesgtoobig",
	    "expired", "networkerror", "systemerror", "systemfull", "suspend", "filtered",
	    "mailererror", "onhold", "undefined" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		ck_assert_msg(strcmp(cls(names[i], "5.0.0", 550, "failed"), "soft") == 0,
		    "%s", names[i]);
}
END_TEST

START_TEST(block)
{
	static const char *const names[] = { "authfailure", "badreputation", "blocked",
	    "contenterror", "norelaying", "notcompliantrfc", "policyviolation",
	    "rejected", "requireptr", "securityerror", "spamdetected", "syntaxerror",
	    "virusdetected", "toomanyconn", "speeding", "failedstarttls" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		ck_assert_msg(strcmp(cls(names[i], "5.7.1", 550, "failed"), "block") == 0,
		    "%s", names[i]);
		/* Temporary or not, the sender side is at fault. */
		ck_assert_msg(strcmp(cls(names[i], "4.7.1", 450, "failed"), "block") == 0,
		    "%s", names[i]);
	}
}
END_TEST

START_TEST(not_failures)
{
	ck_assert_str_eq(cls("feedback", "", 0, NULL), "complaint");
	ck_assert_str_eq(cls("vacation", "", 0, NULL), "autoreply");
	ck_assert_str_eq(cls("delivered", "2.0.0", 250, "delivered"), "delivered");
	ck_assert_str_eq(cls("onhold", "2.0.0", 0, "relayed"), "delivered");
	ck_assert_str_eq(cls("onhold", "2.0.0", 0, "expanded"), "delivered");
}
END_TEST

START_TEST(delayed)
{
	/* The MTA is still trying: nothing has failed yet, whatever the reason. */
	ck_assert_str_eq(cls("networkerror", "4.4.1", 0, "delayed"), "delayed");
	ck_assert_str_eq(cls("mailboxfull", "4.2.2", 452, "delayed"), "delayed");
	ck_assert_str_eq(cls("expired", "4.4.7", 0, "delayed"), "delayed");
	/* Given up: an expired failure is soft. */
	ck_assert_str_eq(cls("expired", "4.4.7", 0, "failed"), "soft");
	ck_assert_str_eq(cls("expired", "5.4.7", 0, NULL), "soft");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("reason");
	TCase *tc = tcase_create("class");

	tcase_add_test(tc, vocabulary);
	tcase_add_test(tc, hard);
	tcase_add_test(tc, notaccept_hard_only_when_permanent);
	tcase_add_test(tc, soft);
	tcase_add_test(tc, block);
	tcase_add_test(tc, not_failures);
	tcase_add_test(tc, delayed);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
