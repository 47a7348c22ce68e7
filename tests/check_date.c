/* check_date.c: bounce dates, which decide the day a soft bounce counts for. */
#include <check.h>

#include "check_main.h"
#include "date.h"

START_TEST(zones_are_applied)
{
	/* 2026-11-23 10:00:00 UTC is 1795428000. */
	ck_assert_int_eq(date_parse("Mon, 23 Nov 2026 10:00:00 +0000"), 1795428000);
	ck_assert_int_eq(date_parse("Mon, 23 Nov 2026 19:00:00 +0900"), 1795428000);
	ck_assert_int_eq(date_parse("Mon, 23 Nov 2026 04:30:00 -0530"), 1795428000);
	ck_assert_int_eq(date_parse("23 Nov 2026 10:00:00 GMT"), 1795428000);
}
END_TEST

START_TEST(garbage_is_zero)
{
	ck_assert_int_eq(date_parse("yesterday"), 0);
	ck_assert_int_eq(date_parse(""), 0);
	ck_assert_int_eq(date_parse(NULL), 0);
	ck_assert_int_eq(date_parse("Mon, 23 Nov 1960 10:00:00 +0000"), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("date");

	tcase_add_test(tc, zones_are_applied);
	tcase_add_test(tc, garbage_is_zero);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
