/*
 * check_main.h: the end of every check_*.c main(). Each test program is one file
 * with one suite, so the runner is a static function here rather than a library.
 */
#ifndef BOUNCESCAN_CHECK_MAIN_H
#define BOUNCESCAN_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/*
 * Run every test of s (the runner frees s), print Check's normal report, and
 * return the exit status that make check reads: EXIT_FAILURE if any test failed.
 */
static int
run_suite(Suite *s)
{
	SRunner *runner = srunner_create(s);
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
