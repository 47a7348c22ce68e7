/*
 * check_url.c: the URLs of network mailboxes (scanner/url.c). What a list
 * administrator depends on: the forms the manual shows are read as meant,
 * default ports and INBOX, %40 in a login, IPv6 literals, and a password in
 * the URL refused with a message that says where it belongs instead.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "url.h"

START_TEST(test_forms)
{
	struct url u;
	struct err e;

	ck_assert_int_eq(url_parse("imaps://bounces@mail.example.org/INBOX", &u, &e), 0);
	ck_assert_str_eq(u.user, "bounces");
	ck_assert_str_eq(u.host, "mail.example.org");
	ck_assert_int_eq(u.port, 993);
	ck_assert_str_eq(u.mailbox, "INBOX");
	ck_assert_int_eq(u.tls, 1);
	ck_assert_int_eq(u.imap, 1);
	ck_assert_int_eq(url_parse("imap://bounces%40example.org@mx.example.org:1143"
	    "/Lists/Bounces", &u, &e), 0);
	ck_assert_str_eq(u.user, "bounces@example.org");
	ck_assert_int_eq(u.port, 1143);
	ck_assert_int_eq(u.tls, 0);
	ck_assert_str_eq(u.mailbox, "Lists/Bounces");
	ck_assert_int_eq(url_parse("imaps://b@mx.example.org", &u, &e), 0);
	ck_assert_str_eq(u.mailbox, "INBOX");
	ck_assert_int_eq(url_parse("pop3s://b@[2001:db8::1]:9995", &u, &e), 0);
	ck_assert_str_eq(u.host, "2001:db8::1");
	ck_assert_int_eq(u.port, 9995);
	ck_assert_int_eq(u.imap, 0);
	ck_assert_int_eq(url_parse("pop3://b@127.0.0.1", &u, &e), 0);
	ck_assert_int_eq(u.port, 110);
}
END_TEST

START_TEST(test_refused)
{
	struct url u;
	struct err e;

	ck_assert_int_eq(url_parse("imaps://b:secret@mx.example.org/", &u, &e), -1);
	ck_assert_msg(strstr(e.msg, "password_file") != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "secret") == NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "imaps://b:***@mx.example.org/") != NULL, "%s", e.msg);
	/* A password with '/' in it ends the host part early: still not shown. */
	ck_assert_int_eq(url_parse("imaps://b:sec/ret@mx.example.org/", &u, &e), -1);
	ck_assert_msg(strstr(e.msg, "sec") == NULL, "%s", e.msg);
	ck_assert_int_eq(url_parse("imaps://mx.example.org/", &u, &e), -1);
	ck_assert_msg(strstr(e.msg, "no user name") != NULL, "%s", e.msg);
	ck_assert_int_eq(url_parse("imaps://b@mx.example.org:0/", &u, &e), -1);
	ck_assert_int_eq(url_parse("imaps://b@mx.example.org:99999/", &u, &e), -1);
	ck_assert_int_eq(url_parse("imaps://b@mx.example.org:14x/", &u, &e), -1);
	ck_assert_int_eq(url_parse("imaps://b@/", &u, &e), -1);
	ck_assert_int_eq(url_parse("imaps://b@[::1/", &u, &e), -1);
	ck_assert_int_eq(url_parse("imaps://b%0a@mx.example.org/", &u, &e), -1);
	ck_assert_int_eq(url_parse("imaps://b%4@mx.example.org/", &u, &e), -1);
	ck_assert_int_eq(url_parse("pop3s://b@mx.example.org/INBOX", &u, &e), -1);
	ck_assert_msg(strstr(e.msg, "one mailbox") != NULL, "%s", e.msg);
	ck_assert_int_eq(url_parse("http://b@mx.example.org/", &u, &e), -1);
}
END_TEST

/* A password written in a URL is never shown; the rest of the URL is. */
START_TEST(test_redact)
{
	static const struct {
		const char	*text;
		int		 password;
		const char	*shown;
	} cases[] = {
		{ "imaps://bob:sekrit@mx.example.org/INBOX", 1,
		    "imaps://bob:***@mx.example.org/INBOX" },
		{ "pop3://bob:@mx.example.org", 1, "pop3://bob:***@mx.example.org" },
		{ "imaps://:sekrit@mx.example.org", 1, "imaps://:***@mx.example.org" },
		{ "imaps://bob:se@k/r:it@mx.example.org:993/", 1,
		    "imaps://bob:***@mx.example.org:993/" },
		{ "IMAPS://bob:sekrit@mx.example.org", 1, "IMAPS://bob:***@mx.example.org" },
		{ "https://u:sekrit@hooks.example.org/x", 1,
		    "https://u:***@hooks.example.org/x" },
		{ "imaps://bob@mx.example.org:993/INBOX", 0,
		    "imaps://bob@mx.example.org:993/INBOX" },
		{ "imaps://b%3Ax@mx.example.org", 0, "imaps://b%3Ax@mx.example.org" },
		{ "maildir:/srv/mail/bob:x@y", 0, "maildir:/srv/mail/bob:x@y" },
		{ "/srv/bob:x@y", 0, "/srv/bob:x@y" },
	};
	char shown[URL_SHOWN_MAX];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(url_has_password(cases[i].text) == cases[i].password,
		    "%s", cases[i].text);
		url_redact(cases[i].text, shown, sizeof shown);
		ck_assert_str_eq(shown, cases[i].shown);
	}
	url_redact("imaps://bob:sekrit@mx.example.org/", shown, 12);
	ck_assert_str_eq(shown, "imaps://bob");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("url");

	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_redact);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
