/*
 * check_mail.c: the MIME walk the decoders read from: splitting and nesting,
 * transfer decoding, charsets to UTF-8, header unfolding, RFC 2047 words, and
 * CRLF / CR-only input turned into LF.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "mail.h"

static void
parse_ok(struct mail *m, const char *s)
{
	memset(m, 0, sizeof *m);
	ck_assert_msg(mail_parse(m, s, strlen(s)) == 0, "mail_parse: %s", m->error);
}

/* The decoded text of the first part of type `type`, as a C string. */
static const char *
text_of(const struct mail *m, const char *type)
{
	const struct part *pt = mail_part(m, type, 0);

	ck_assert_msg(pt != NULL, "no %s part", type);
	ck_assert_ptr_nonnull(pt->text);
	ck_assert_uint_eq(strlen(pt->text), pt->text_len);
	return pt->text;
}

static const char report[] =
    "From: MAILER-DAEMON@mx.example.net\n"
    "To: list-bounces@lists.example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"OUTER\"\n"
    "\n"
    "This is a MIME-encapsulated message.\n"
    "\n"
    "--OUTER\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "I could not deliver your message.\n"
    "\n"
    "--OUTER\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Final-Recipient: rfc822; alice@example.com\n"
    "Status: 5.1.1\n"
    "\n"
    "--OUTER\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: news@lists.example.org\n"
    "To: alice@example.com\n"
    "Subject: Newsletter\n"
    "Content-Type: text/plain\n"
    "\n"
    "The returned message.\n"
    "--OUTER--\n"
    "epilogue\n";

START_TEST(split_report)
{
	struct mail m;
	const struct part *pt;
	size_t len;

	parse_ok(&m, report);
	ck_assert_uint_eq(m.nparts, 5);
	ck_assert_str_eq(m.parts[0].type, "multipart/report");
	ck_assert_int_eq(m.parts[0].depth, 0);
	ck_assert_str_eq(m.parts[1].type, "text/plain");
	ck_assert_str_eq(m.parts[1].charset, "us-ascii");
	ck_assert_str_eq(m.parts[1].text, "I could not deliver your message.\n");
	ck_assert_str_eq(m.parts[2].type, "message/delivery-status");
	ck_assert_int_eq(m.parts[2].depth, 1);
	ck_assert_int_eq(m.parts[2].in_original, 0);
	ck_assert_str_eq(m.parts[3].type, "message/rfc822");
	ck_assert_int_eq(m.parts[3].in_original, 0);
	/* The returned message's own body is a part of the original. */
	ck_assert_str_eq(m.parts[4].type, "text/plain");
	ck_assert_int_eq(m.parts[4].in_original, 1);
	ck_assert_int_eq(m.parts[4].depth, 2);
	/* The line end before a delimiter belongs to the delimiter (RFC 2046). */
	ck_assert_str_eq(m.parts[4].text, "The returned message.");
	ck_assert(header_has(m.parts[4].headers, m.parts[4].headers_len, "Subject"));
	/* mail_part can skip the returned message. */
	pt = mail_part(&m, "text/plain", 1);
	ck_assert_ptr_eq(pt, &m.parts[1]);
	ck_assert_str_eq(mail_text(&m, &len), "I could not deliver your message.\n");
	ck_assert_ptr_null(mail_part(&m, "text/html", 0));
	ck_assert_int_eq(m.truncated, 0);
	mail_free(&m);
}
END_TEST

START_TEST(nested_multipart)
{
	static const char s[] =
	    "From: postmaster@example.net\n"
	    "Content-Type: multipart/mixed; boundary=a\n"
	    "\n"
	    "--a\n"
	    "Content-Type: multipart/alternative; boundary=\"b b\"\n"
	    "\n"
	    "--b b\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "plain words\n"
	    "--b b\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<p>html words</p>\n"
	    "--b b--\n"
	    "--a\n"
	    "Content-Type: Message/Delivery-Status\n"
	    "\n"
	    "Status: 4.2.2\n"
	    "--a--\n";
	struct mail m;

	parse_ok(&m, s);
	ck_assert_uint_eq(m.nparts, 5);
	ck_assert_str_eq(m.parts[1].type, "multipart/alternative");
	ck_assert_int_eq(m.parts[2].depth, 2);
	ck_assert_str_eq(text_of(&m, "text/plain"), "plain words");
	ck_assert_str_eq(text_of(&m, "text/html"), "<p>html words</p>");
	/* Types are lower-cased. */
	ck_assert_str_eq(text_of(&m, "message/delivery-status"), "Status: 4.2.2");
	mail_free(&m);
}
END_TEST

START_TEST(base64_body)
{
	/* "550 5.1.1 User unknown\n" */
	static const char s[] =
	    "From: postmaster@example.net\n"
	    "Content-Type: multipart/mixed; boundary=x\n"
	    "\n"
	    "--x\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: BASE64\n"
	    "\n"
	    "NTUwIDUuMS4xIFVz\n"
	    "ZXIgdW5rbm93bgo=\n"
	    "--x--\n";
	struct mail m;

	parse_ok(&m, s);
	ck_assert_str_eq(text_of(&m, "text/plain"), "550 5.1.1 User unknown\n");
	mail_free(&m);
}
END_TEST

START_TEST(quoted_printable_body)
{
	static const char s[] =
	    "From: postmaster@example.net\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Mailbox =3D full, a very long line that was wr=\n"
	    "apped: caf=C3=A9\n";
	struct mail m;

	parse_ok(&m, s);
	ck_assert_str_eq(text_of(&m, "text/plain"),
	    "Mailbox = full, a very long line that was wrapped: caf\xc3\xa9\n");
	mail_free(&m);
}
END_TEST

START_TEST(charsets_to_utf8)
{
	static const char latin1[] =
	    "From: postmaster@example.net\n"
	    "Content-Type: text/plain; charset=\"ISO-8859-1\"\n"
	    "\n"
	    "Bo\xeete pleine\n";
	/* ISO-2022-JP for U+5B9B U+5148 ("destination"), as Japanese MTAs send it. */
	static const char jis[] =
	    "From: postmaster@example.jp\n"
	    "Content-Type: text/plain; charset=iso-2022-jp\n"
	    "\n"
	    "\x1b$B08@h\x1b(B: x\n";
	static const char unknown[] =
	    "From: postmaster@example.net\n"
	    "Content-Type: text/plain; charset=x-no-such-charset\n"
	    "\n"
	    "kept as it is\n";
	struct mail m;

	parse_ok(&m, latin1);
	ck_assert_str_eq(m.parts[0].charset, "iso-8859-1");
	ck_assert_str_eq(text_of(&m, "text/plain"), "Bo\xc3\xaete pleine\n");
	mail_free(&m);
	parse_ok(&m, jis);
	ck_assert_str_eq(text_of(&m, "text/plain"), "\xe5\xae\x9b\xe5\x85\x88: x\n");
	mail_free(&m);
	parse_ok(&m, unknown);
	ck_assert_str_eq(text_of(&m, "text/plain"), "kept as it is\n");
	mail_free(&m);
}
END_TEST

START_TEST(header_unfolding)
{
	static const char s[] =
	    "Received: from a\n"
	    "\tby b\n"
	    "X-Failed-Recipients: one@example.com,\n"
	    "   two@example.com\n"
	    "subject:   spaced   out  \n"
	    "X-Empty:\n"
	    "\n"
	    "body\n";
	struct mail m;
	char *v;

	parse_ok(&m, s);
	v = mail_header(&m, "x-failed-recipients");
	ck_assert_str_eq(v, "one@example.com, two@example.com");
	free(v);
	v = mail_header(&m, "Subject");
	ck_assert_str_eq(v, "spaced out");
	free(v);
	v = mail_header(&m, "X-Empty");
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_ptr_null(mail_header(&m, "X-Failed"));
	ck_assert_ptr_null(mail_header(&m, "Missing"));
	ck_assert(!header_has(m.headers, m.headers_len, "by b"));
	mail_free(&m);
}
END_TEST

START_TEST(rfc2047_subject_and_from)
{
	static const char s[] =
	    "From: =?ISO-8859-1?Q?Syst=E8me_de_messagerie?= <postmaster@example.fr>\n"
	    "Subject: =?UTF-8?B?VW5kZWxpdmVyZWQ=?=\n"
	    " =?UTF-8?Q?_Mail_=E2=80=93_returned?=\n"
	    "\n"
	    "body\n";
	static const char plain[] =
	    "From: postmaster@example.net\n"
	    "\n"
	    "body\n";
	struct mail m;
	char *v;

	parse_ok(&m, s);
	v = mail_subject(&m);
	ck_assert_str_eq(v, "Undelivered Mail \xe2\x80\x93 returned");
	free(v);
	v = mail_from(&m);
	ck_assert_str_eq(v, "Syst\xc3\xa8me de messagerie <postmaster@example.fr>");
	free(v);
	mail_free(&m);
	parse_ok(&m, plain);
	v = mail_subject(&m);
	ck_assert_str_eq(v, "");
	free(v);
	mail_free(&m);
}
END_TEST

START_TEST(crlf_and_cr_only)
{
	static const char crlf[] =
	    "From: postmaster@example.net\r\n"
	    "Subject: folded\r\n  subject\r\n"
	    "Content-Type: multipart/mixed; boundary=z\r\n"
	    "\r\n"
	    "--z\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "line one\r\nline two\r\n"
	    "--z--\r\n";
	struct mail m;
	char *cr, *p, *v;

	parse_ok(&m, crlf);
	ck_assert_ptr_null(memchr(m.data, '\r', m.len));
	v = mail_header(&m, "Subject");
	ck_assert_str_eq(v, "folded subject");
	free(v);
	ck_assert_str_eq(text_of(&m, "text/plain"), "line one\nline two");
	mail_free(&m);

	/* The same message with CR alone as the line end (old Mac mail). */
	cr = strdup(crlf);
	for (p = cr; *p != '\0'; p++)
		if (*p == '\n')
			memmove(p, p + 1, strlen(p));
	ck_assert_ptr_null(strchr(cr, '\n'));
	parse_ok(&m, cr);
	v = mail_header(&m, "Subject");
	ck_assert_str_eq(v, "folded subject");
	free(v);
	ck_assert_str_eq(text_of(&m, "text/plain"), "line one\nline two");
	mail_free(&m);
	free(cr);
}
END_TEST

START_TEST(not_mime_and_mbox_line)
{
	static const char s[] =
	    "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
	    "From: MAILER-DAEMON@mx.example.net\n"
	    "Subject: failure notice\n"
	    "\n"
	    "<alice@example.com>:\n"
	    "Sorry, no mailbox here by that name.\n";
	struct mail m;
	const char *text;
	size_t len;
	char *v;

	parse_ok(&m, s);
	v = mail_header(&m, "From");
	ck_assert_str_eq(v, "MAILER-DAEMON@mx.example.net");
	free(v);
	text = mail_text(&m, &len);
	ck_assert_uint_eq(len, strlen("<alice@example.com>:\n"
	    "Sorry, no mailbox here by that name.\n"));
	ck_assert(strncmp(text, "<alice@example.com>:", 20) == 0);
	mail_free(&m);
}
END_TEST

START_TEST(unreadable)
{
	struct mail m;

	memset(&m, 0, sizeof m);
	ck_assert_int_eq(mail_parse(&m, "", 0), -1);
	ck_assert_str_ne(m.error, "");
	mail_free(&m);
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(mail_parse(&m, "no header at all\n\nbody\n", 24), -1);
	mail_free(&m);
	/* A boundary that never appears: the body is one text part. */
	parse_ok(&m, "Content-Type: multipart/mixed; boundary=q\n\njust text\n");
	ck_assert_uint_eq(m.nparts, 1);
	ck_assert_str_eq(m.parts[0].type, "multipart/mixed");
	mail_free(&m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("mail");

	tcase_add_test(tc, split_report);
	tcase_add_test(tc, nested_multipart);
	tcase_add_test(tc, base64_body);
	tcase_add_test(tc, quoted_printable_body);
	tcase_add_test(tc, charsets_to_utf8);
	tcase_add_test(tc, header_unfolding);
	tcase_add_test(tc, rfc2047_subject_and_from);
	tcase_add_test(tc, crlf_and_cr_only);
	tcase_add_test(tc, not_mime_and_mbox_line);
	tcase_add_test(tc, unreadable);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
