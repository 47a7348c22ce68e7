/*
 * check_credential.c: scanner/credential.c. What a list administrator depends
 * on: the password comes from exactly one place, a password file others can
 * read is refused with the fix in the message, a failing command is an error
 * that never shows what it printed, and only the first line is the password.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "credential.h"

static char root[64];
static char path[128];

static void
setup(void)
{
	strcpy(root, "/tmp/check_credential.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(path, sizeof path, "%s/pass", root);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(root);
}

static void
write_password_file(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* credential_get() that must fail; returns the message. */
static const char *
refused(const struct credential_spec *spec)
{
	static struct err e;

	ck_assert_ptr_null(credential_get(spec, "bounces", &e));
	return e.msg;
}

START_TEST(file_first_line)
{
	struct credential_spec spec = { .file = path };
	struct err e;
	char *password;

	write_password_file("s3cret pass\r\nsecond line\n", 0600);
	password = credential_get(&spec, "bounces", &e);
	ck_assert_str_eq(password, "s3cret pass");
	credential_free(password);
	write_password_file("no newline", 0400);
	password = credential_get(&spec, "bounces", &e);
	ck_assert_str_eq(password, "no newline");
	credential_free(password);
}
END_TEST

START_TEST(file_readable_by_others)
{
	struct credential_spec spec = { .file = path };
	const char *msg;

	write_password_file("s3cret\n", 0644);
	msg = refused(&spec);
	ck_assert_ptr_nonnull(strstr(msg, "source bounces: "));
	ck_assert_ptr_nonnull(strstr(msg, "chmod 600"));
	ck_assert_ptr_null(strstr(msg, "s3cret"));
	write_password_file("s3cret\n", 0602);
	ck_assert_ptr_nonnull(strstr(refused(&spec), "chmod 600"));
	/* Group access is the admin's choice (a bouncescan group). */
	write_password_file("s3cret\n", 0640);
	credential_free(credential_get(&spec, "bounces", NULL));
}
END_TEST

START_TEST(file_missing_or_empty)
{
	struct credential_spec spec = { .file = path };

	ck_assert_ptr_nonnull(strstr(refused(&spec), "No such file"));
	write_password_file("", 0600);
	ck_assert_ptr_nonnull(strstr(refused(&spec), "empty"));
	write_password_file("\r\nsecond\n", 0600);
	ck_assert_ptr_nonnull(strstr(refused(&spec), "empty"));
}
END_TEST

START_TEST(file_too_long)
{
	struct credential_spec spec = { .file = path };
	char *long_line = malloc(5000);

	memset(long_line, 'x', 4999);
	long_line[4999] = '\0';
	write_password_file(long_line, 0600);
	ck_assert_ptr_nonnull(strstr(refused(&spec), "longer than"));
	free(long_line);
}
END_TEST

START_TEST(command_first_line)
{
	struct credential_spec spec = { .command = "printf 'from-cmd\\nline two\\n'" };
	struct err e;
	char *password = credential_get(&spec, "bounces", &e);

	ck_assert_str_eq(password, "from-cmd");
	credential_free(password);
	/* A large output after the first line does not make it fail. */
	spec.command = "echo pw; head -c 300000 /dev/zero";
	password = credential_get(&spec, "bounces", &e);
	ck_assert_str_eq(password, "pw");
	credential_free(password);
}
END_TEST

START_TEST(command_fails)
{
	struct credential_spec spec = {
		.command = "printf '%s-%s\\n' not shown; exit 3"
	};
	const char *msg = refused(&spec);

	ck_assert_ptr_nonnull(strstr(msg, "not shown; exit 3"));	/* the command */
	ck_assert_ptr_nonnull(strstr(msg, "exit status 3"));
	ck_assert_ptr_null(strstr(msg, "not-shown"));	/* its output */
	spec.command = "true";
	ck_assert_ptr_nonnull(strstr(refused(&spec), "empty"));
}
END_TEST

START_TEST(env_variable)
{
	struct credential_spec spec = { .env = "CHECK_CREDENTIAL_PW" };
	struct err e;
	char *password;

	unsetenv("CHECK_CREDENTIAL_PW");
	ck_assert_ptr_nonnull(strstr(refused(&spec),
	    "CHECK_CREDENTIAL_PW is not set"));
	setenv("CHECK_CREDENTIAL_PW", "", 1);
	ck_assert_ptr_nonnull(strstr(refused(&spec),
	    "CHECK_CREDENTIAL_PW is empty"));
	setenv("CHECK_CREDENTIAL_PW", "env pw", 1);
	password = credential_get(&spec, "bounces", &e);
	ck_assert_str_eq(password, "env pw");
	credential_free(password);
}
END_TEST

START_TEST(exactly_one)
{
	struct credential_spec none = { 0 };
	struct credential_spec two = { .file = path, .env = "HOME" };
	const char *msg;
	struct err e;

	msg = refused(&none);
	ck_assert_ptr_nonnull(strstr(msg, "source bounces: no password"));
	ck_assert_ptr_nonnull(strstr(msg, "password_env"));
	ck_assert_ptr_nonnull(strstr(refused(&two), "only one"));
	/* Without a source name the caller adds the context. */
	ck_assert_ptr_null(credential_get(&none, NULL, &e));
	ck_assert_str_eq(e.msg, "no password: set password_file, "
	    "password_command or password_env");
	credential_free(NULL);
}
END_TEST

/* What a scan checks before it starts, without reading or running anything. */
START_TEST(checked_before_use)
{
	struct credential_spec file = { .file = path };
	struct credential_spec command = { .command = "exit 1" };
	struct credential_spec env = { .env = "BOUNCESCAN_CHECK_UNSET" };
	struct credential_spec two = { .file = path, .env = "HOME" };
	struct err e;

	ck_assert_int_eq(credential_check(&file, "bounces", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
	write_password_file("s3cret\n", 0644);
	ck_assert_int_eq(credential_check(&file, "bounces", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "source bounces: password_file"));
	ck_assert_ptr_nonnull(strstr(e.msg, "chmod 600"));
	ck_assert_ptr_null(strstr(e.msg, "s3cret"));
	write_password_file("s3cret\n", 0600);
	ck_assert_int_eq(credential_check(&file, "bounces", &e), 0);
	ck_assert_int_eq(credential_check(&two, "bounces", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "only one"));
	/* A command is only run when the password is needed. */
	ck_assert_int_eq(credential_check(&command, NULL, &e), 0);
	unsetenv("BOUNCESCAN_CHECK_UNSET");
	ck_assert_int_eq(credential_check(&env, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not set"));
}
END_TEST

static Suite *
credential_suite(void)
{
	Suite *s = suite_create("credential");
	TCase *tc = tcase_create("credential");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, file_first_line);
	tcase_add_test(tc, file_readable_by_others);
	tcase_add_test(tc, file_missing_or_empty);
	tcase_add_test(tc, file_too_long);
	tcase_add_test(tc, command_first_line);
	tcase_add_test(tc, command_fails);
	tcase_add_test(tc, env_variable);
	tcase_add_test(tc, exactly_one);
	tcase_add_test(tc, checked_before_use);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(credential_suite());
}
