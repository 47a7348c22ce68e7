/*
 * check_mail.c: the MIME walk the decoders read from: splitting and nesting,
 * transfer decoding, charsets to UTF-8 (declared, aliased, undeclared), header
 * unfolding, RFC 2047 words, CRLF / CR-only input turned into LF, and input with
 * no header (a bare bounce body) or no message at all.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "mail.h"
#include "xalloc.h"

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
	static const char binary[] =
	    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00"
	    "\x08\x06\x00\x00\x00\x5c\x72\xa8\x66\x00\x00\x00\x04sBIT\x08\x08\x08";
	struct mail m;

	/* Nothing, or nothing but blank lines: no message. */
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(mail_parse(&m, "", 0), -1);
	ck_assert_str_ne(m.error, "");
	mail_free(&m);
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(mail_parse(&m, "\n \n\t\n", 5), -1);
	mail_free(&m);
	/* Binary data with no header is not read as a bounce body. */
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(mail_parse(&m, binary, sizeof binary - 1), -1);
	ck_assert_ptr_nonnull(strstr(m.error, "binary"));
	mail_free(&m);
	/* A NUL in text without a header: binary too. */
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

/* What mail_text() gives for s, which must parse with an empty header. */
static void
headerless(const char *s, const char *text)
{
	struct mail m;
	size_t len;
	char *v;

	parse_ok(&m, s);
	ck_assert_uint_eq(m.nfields, 0);
	ck_assert_uint_eq(m.headers_len, 0);
	ck_assert_ptr_nonnull(m.headers);
	ck_assert_str_eq(m.subject, "");
	ck_assert_str_eq(m.from, "");
	ck_assert_ptr_null(mail_header(&m, "From"));
	v = mail_subject(&m);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_uint_eq(m.nparts, 1);
	ck_assert_str_eq(m.parts[0].type, "text/plain");
	ck_assert_str_eq(mail_text(&m, &len), text);
	ck_assert_uint_eq(len, strlen(text));
	mail_free(&m);
}

START_TEST(headerless_body)
{
	static const char qmail[] =
	    "Hi. This is the qmail-send program at mx.example.net.\n"
	    "I'm afraid I wasn't able to deliver your message.\n"
	    "\n"
	    "<alice@example.com>:\n"
	    "Sorry, no mailbox here by that name. (#5.1.1)\n";
	struct mail m;

	/* Text from the first line: all body, as a tool is pasted one. */
	headerless(qmail, qmail);
	/* An empty line first: the header section is empty (RFC 5322). */
	headerless("\nThe mail system\n\n<bob@example.com>: host mx.example.com "
	    "said: 550 5.1.1 unknown user\n", "The mail system\n\n<bob@example.com>:"
	    " host mx.example.com said: 550 5.1.1 unknown user\n");
	/* So for a body that starts with something like a field (the feed of a
	   tool that puts one empty line before a bare body). */
	headerless("\nReporting-MTA: dns; mx.example.net\nnot deliverable\n",
	    "Reporting-MTA: dns; mx.example.net\nnot deliverable\n");
	/* A blank line of spaces first, then text. */
	headerless("   \nmailbox unavailable\n", "   \nmailbox unavailable\n");
	/* "<address>:" is not a field name, though RFC 5322 would allow it. */
	headerless("<carol@example.com>:\nmailbox full\n",
	    "<carol@example.com>:\nmailbox full\n");
	/* Prose with a colon in it. */
	headerless("Delivery to the following recipient failed permanently:\n\n"
	    "   dave@example.com\n", "Delivery to the following recipient failed "
	    "permanently:\n\n   dave@example.com\n");
	/* "From " that is not an mbox line (no field follows): text. */
	headerless("From the mail system at mx.example.net:\nno such user\n",
	    "From the mail system at mx.example.net:\nno such user\n");
	/* CRLF, a byte order mark. */
	headerless("\xef\xbb\xbfUndelivered mail\r\n\r\nerin@example.com\r\n",
	    "Undelivered mail\n\nerin@example.com\n");

	/* A first line that is a field starts a header, whatever follows: a
	   header is never given up for a guess. */
	parse_ok(&m, "Hello: world\n\nbody\n");
	ck_assert_uint_eq(m.nfields, 1);
	ck_assert_str_eq(m.parts[0].text, "body\n");
	mail_free(&m);
}
END_TEST

START_TEST(header_then_text)
{
	static const char no_empty_line[] =
	    "Return-Path: <>\n"
	    "Received: from mx.example.net\n"
	    "\tby lists.example.org\n"
	    "This is the mail system at host mx.example.net.\n"
	    "\n"
	    "<frank@example.com>: user unknown\n";
	static const char stray_line[] =
	    "From: MAILER-DAEMON@mx.example.net\n"
	    "a line that lost its indent\n"
	    "Subject: failure notice\n"
	    "\n"
	    "body\n";
	static const char junk_before[] =
	    "\r\n"
	    "          \r\n"
	    "Delivered-To: list@example.org\r\n"
	    "From: postmaster@example.net\r\n"
	    "Subject: Delivery Status Notification (Failure)\r\n"
	    "\r\n"
	    "text\r\n";
	static const char mbox[] =
	    "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
	    "Return-Path: <>\n"
	    "\n"
	    "body\n";
	struct mail m;
	size_t len;
	char *v;

	/* Fields, then the body with no empty line between. */
	parse_ok(&m, no_empty_line);
	ck_assert_uint_eq(m.nfields, 2);
	ck_assert_str_eq(mail_text(&m, &len),
	    "This is the mail system at host mx.example.net.\n\n"
	    "<frank@example.com>: user unknown\n");
	mail_free(&m);
	/* Text between fields stays in the header: Subject is not lost. */
	parse_ok(&m, stray_line);
	v = mail_subject(&m);
	ck_assert_str_eq(v, "failure notice");
	free(v);
	ck_assert_str_eq(mail_text(&m, &len), "body\n");
	mail_free(&m);
	/* Blank lines written before a saved message: the header after them. */
	parse_ok(&m, junk_before);
	ck_assert_uint_eq(m.nfields, 3);
	ck_assert_str_eq(m.subject, "Delivery Status Notification (Failure)");
	ck_assert_str_eq(mail_text(&m, &len), "text\n");
	mail_free(&m);
	/* An mbox line followed by a field. */
	parse_ok(&m, mbox);
	ck_assert_uint_eq(m.nfields, 1);
	ck_assert_str_eq(mail_text(&m, &len), "body\n");
	mail_free(&m);
}
END_TEST

START_TEST(part_without_header)
{
	static const char s[] =
	    "From: postmaster@example.net\n"
	    "Content-Type: multipart/mixed; boundary=b\n"
	    "\n"
	    "--b\n"
	    "The following address failed:\n"
	    "  grace@example.com\n"
	    "\n"
	    "More text.\n"
	    "--b--\n";
	struct mail m;

	/* A part that starts with its text, with no empty line: all text. */
	parse_ok(&m, s);
	ck_assert_uint_eq(m.nparts, 2);
	ck_assert_uint_eq(m.parts[1].headers_len, 0);
	ck_assert_str_eq(m.parts[1].text, "The following address failed:\n"
	    "  grace@example.com\n\nMore text.");
	mail_free(&m);
}
END_TEST

/* The text of a text/plain part labelled `label` whose body is `body`. */
static void
labelled(const char *label, const char *body, const char *text)
{
	struct mail m;
	char *s;

	if (label != NULL)
		s = xasprintf("From: postmaster@example.net\n"
		    "Content-Type: text/plain; charset=\"%s\"\n\n%s\n", label, body);
	else
		s = xasprintf("From: postmaster@example.net\n\n%s\n", body);
	parse_ok(&m, s);
	ck_assert_msg(strcmp(m.parts[0].text, text) == 0 &&
	    m.parts[0].text[strlen(text)] == '\0', "%s: got \"%s\"",
	    label != NULL ? label : "(none)", m.parts[0].text);
	mail_free(&m);
	free(s);
}

/*
 * Each charset, and the labels mail carries for it. The texts were written in
 * UTF-8 and converted with iconv(1) when the test was written.
 */
#define JA_UTF8	"\xe5\xae\x9b\xe5\x85\x88\xe3\x81\xae\xe3\x82\xa2\xe3\x83\x89" \
	"\xe3\x83\xac\xe3\x82\xb9\xe3\x81\x8c\xe8\xa6\x8b\xe3\x81\xa4\xe3\x81" \
	"\x8b\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93"
#define JA_JIS	"\x1b$B08@h$N%\x22%I%l%9$,8+$D$+$j$^$;$s\x1b(B"
#define JA_SJIS	"\x88\xb6\x90\xe6\x82\xcc\x83" "A\x83h\x83\x8c\x83X\x82\xaa\x8c\xa9" \
	"\x82\xc2\x82\xa9\x82\xe8\x82\xdc\x82\xb9\x82\xf1"
#define JA_EUC	"\xb0\xb8\xc0\xe8\xa4\xce\xa5\xa2\xa5\xc9\xa5\xec\xa5\xb9\xa4\xac" \
	"\xb8\xab\xa4\xc4\xa4\xab\xa4\xea\xa4\xde\xa4\xbb\xa4\xf3"

START_TEST(charsets_each)
{
	static const char *const sjis_labels[] = { "Shift_JIS", "shift-jis",
	    "x-sjis", "sjis", "cp932", "windows-31j", NULL };
	size_t i;

	/* Japanese: "the address was not found". */
	labelled("iso-2022-jp", JA_JIS, JA_UTF8 "\n");
	labelled("ISO-2022-JP-2", JA_JIS, JA_UTF8 "\n");
	for (i = 0; sjis_labels[i] != NULL; i++)
		labelled(sjis_labels[i], JA_SJIS, JA_UTF8 "\n");
	labelled("euc-jp", JA_EUC, JA_UTF8 "\n");
	labelled("x-euc-jp", JA_EUC, JA_UTF8 "\n");
	/* NEC row 13 (a circled 1) and half-width katakana, in ISO-2022-JP as
	   Windows writes it; glibc's ISO-2022-JP refuses the first. */
	labelled("iso-2022-jp", "\x1b$B-!08\x1b(B \x1b(I1\x1b(B",
	    "\xe2\x91\xa0\xe5\xae\x9b \xef\xbd\xb1\n");
	/* NEC row 13 in Shift_JIS. */
	labelled("shift_jis", "\x87\x40", "\xe2\x91\xa0\n");
	/* Chinese: "the recipient address does not exist", simplified... */
	labelled("gb2312", "\xca\xd5\xbc\xfe\xc8\xcb\xb5\xd8\xd6\xb7\xb2\xbb\xb4"
	    "\xe6\xd4\xda", "\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba\xe5\x9c\xb0\xe5"
	    "\x9d\x80\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8\n");
	/* ...with a character of GBK that GB2312 lacks, under each label. */
	labelled("gb2312", "\xd3\xc3\xbb\xa7\x86\xb4\xb2\xbb\xb4\xe6\xd4\xda",
	    "\xe7\x94\xa8\xe6\x88\xb7\xe5\x96\x86\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c"
	    "\xa8\n");
	labelled("gbk", "\xd3\xc3\xbb\xa7\x86\xb4\xb2\xbb\xb4\xe6\xd4\xda",
	    "\xe7\x94\xa8\xe6\x88\xb7\xe5\x96\x86\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c"
	    "\xa8\n");
	labelled("GB18030", "\xd3\xc3\xbb\xa7\x86\xb4\xb2\xbb\xb4\xe6\xd4\xda",
	    "\xe7\x94\xa8\xe6\x88\xb7\xe5\x96\x86\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c"
	    "\xa8\n");
	/* ...and traditional. */
	labelled("big5", "\xa6\xac\xa5\xf3\xa4H\xa6\xec\xa7}\xa4\xa3\xa6s\xa6" "b",
	    "\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba\xe4\xbd\x8d\xe5\x9d\x80\xe4\xb8"
	    "\x8d\xe5\xad\x98\xe5\x9c\xa8\n");
	/* Korean: "the recipient address does not exist". */
	labelled("euc-kr", "\xb9\xde\xb4\xc2 \xbb\xe7\xb6\xf7 \xc1\xd6\xbc\xd2\xb0"
	    "\xa1 \xbe\xf8\xbd\xc0\xb4\xcf\xb4\xd9", "\xeb\xb0\x9b\xeb\x8a\x94 \xec"
	    "\x82\xac\xeb\x9e\x8c \xec\xa3\xbc\xec\x86\x8c\xea\xb0\x80 \xec\x97\x86"
	    "\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4\n");
	labelled("ks_c_5601-1987", "\xb9\xde\xb4\xc2", "\xeb\xb0\x9b\xeb\x8a\x94\n");
	/* Russian: "address not found". */
	labelled("koi8-r", "\xe1\xc4\xd2\xc5\xd3 \xce\xc5 \xce\xc1\xca\xc4\xc5\xce",
	    "\xd0\x90\xd0\xb4\xd1\x80\xd0\xb5\xd1\x81 \xd0\xbd\xd0\xb5 \xd0\xbd\xd0"
	    "\xb0\xd0\xb9\xd0\xb4\xd0\xb5\xd0\xbd\n");
	labelled("windows-1251", "\xc0\xe4\xf0\xe5\xf1 \xed\xe5 \xed\xe0\xe9\xe4"
	    "\xe5\xed", "\xd0\x90\xd0\xb4\xd1\x80\xd0\xb5\xd1\x81 \xd0\xbd\xd0\xb5 "
	    "\xd0\xbd\xd0\xb0\xd0\xb9\xd0\xb4\xd0\xb5\xd0\xbd\n");
	labelled("iso-8859-5", "\xb0\xd4\xe0\xd5\xe1", "\xd0\x90\xd0\xb4\xd1\x80"
	    "\xd0\xb5\xd1\x81\n");
	/* Polish, Turkish: ISO-8859-x, windows-125x. */
	labelled("iso-8859-2", "Skrzynka pe\xb3na", "Skrzynka pe\xc5\x82na\n");
	labelled("windows-1250", "Skrzynka pe\xb3na", "Skrzynka pe\xc5\x82na\n");
	labelled("iso-8859-9", "Kullan\xfd" "c\xfd", "Kullan\xc4\xb1" "c\xc4\xb1\n");
	/* windows-1252, and the ISO-8859-1 label read as it (its quotes). */
	labelled("windows-1252", "Bo\xeete \x96 \x93quota\x94 \x80", "Bo\xc3\xaete "
	    "\xe2\x80\x93 \xe2\x80\x9cquota\xe2\x80\x9d \xe2\x82\xac\n");
	labelled("iso-8859-1", "\x93quota\x94", "\xe2\x80\x9cquota\xe2\x80\x9d\n");
	/* Exchange's name for UTF-7. */
	labelled("unicode-1-1-utf-7", "Bo+AO4-te", "Bo\xc3\xaete\n");
}
END_TEST

START_TEST(charsets_undeclared)
{
	static const char dsn[] =
	    "From: MAILER-DAEMON@mx.example.jp\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n"
	    "\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    JA_JIS "\n"
	    "--b\n"
	    "Content-Type: message/delivery-status\n"
	    "\n"
	    "Final-Recipient: rfc822; hana@example.jp\n"
	    "Diagnostic-Code: smtp; 550 " JA_JIS "\n"
	    "--b\n"
	    "Content-Type: text/rfc822-headers\n"
	    "\n"
	    "Subject: " JA_JIS "\n"
	    "--b--\n";
	static const char hinted[] =
	    "From: postmaster@example.ru\n"
	    "Subject: =?koi8-r?B?4cTSxdM=?=\n"
	    "\n"
	    "\xe1\xc4\xd2\xc5\xd3 \xce\xc5 \xce\xc1\xca\xc4\xc5\xce\n";
	struct mail m;

	/* ISO-2022-JP by its escapes: no label, us-ascii, and no MIME at all. */
	labelled(NULL, JA_JIS, JA_UTF8 "\n");
	labelled("us-ascii", JA_JIS, JA_UTF8 "\n");
	labelled("utf-8", JA_JIS, JA_UTF8 "\n");
	headerless(JA_JIS "\n", JA_UTF8 "\n");
	/* ...and in every part a rule reads, the delivery status too. */
	parse_ok(&m, dsn);
	ck_assert_str_eq(text_of(&m, "text/plain"), JA_UTF8);
	ck_assert_ptr_nonnull(strstr(text_of(&m, "message/delivery-status"),
	    "550 \xe5\xae\x9b\xe5\x85\x88"));
	ck_assert_ptr_nonnull(strstr(text_of(&m, "text/rfc822-headers"),
	    "Subject: \xe5\xae\x9b\xe5\x85\x88"));
	mail_free(&m);
	/* A Japanese label on text that is not ISO-2022-JP: what it is. */
	labelled("iso-2022-jp", JA_SJIS, JA_UTF8 "\n");
	labelled("iso-2022-jp", JA_EUC, JA_UTF8 "\n");
	labelled("iso-2022-jp", JA_UTF8, JA_UTF8 "\n");
	/* UTF-8 under a label it does not convert from. */
	labelled("euc-kr", "caf\xc3\xa9 \xe2\x80\x93", "caf\xc3\xa9 \xe2\x80\x93\n");
	/* 8-bit text with no label: windows-1252 when it is not UTF-8... */
	labelled(NULL, "Usu\xe1rio inv\xe1lido", "Usu\xc3\xa1rio inv\xc3\xa1lido\n");
	labelled("us-ascii", "Bo\xeete", "Bo\xc3\xaete\n");
	labelled("x-unknown-label", "Bo\xeete", "Bo\xc3\xaete\n");
	/* ...the stray byte replaced when most of it is UTF-8... */
	labelled("utf-8", "caf\xc3\xa9 \xe2\x80\x93 \xff ok", "caf\xc3\xa9 \xe2\x80"
	    "\x93 \xef\xbf\xbd ok\n");
	/* ...and the charset the message names elsewhere, when there is one. */
	parse_ok(&m, hinted);
	ck_assert_str_eq(m.subject, "\xd0\x90\xd0\xb4\xd1\x80\xd0\xb5\xd1\x81");
	ck_assert_str_eq(m.parts[0].text, "\xd0\x90\xd0\xb4\xd1\x80\xd0\xb5\xd1\x81 "
	    "\xd0\xbd\xd0\xb5 \xd0\xbd\xd0\xb0\xd0\xb9\xd0\xb4\xd0\xb5\xd0\xbd\n");
	mail_free(&m);
}
END_TEST

/* The Subject that a header value decodes to. */
static void
subject(const char *value, const char *decoded)
{
	struct mail m;
	char *s = xasprintf("From: postmaster@example.net\nSubject: %s\n\nbody\n",
	    value);

	parse_ok(&m, s);
	ck_assert_msg(strcmp(m.subject, decoded) == 0, "%s: got \"%s\"", value,
	    m.subject);
	mail_free(&m);
	free(s);
}

START_TEST(rfc2047_charsets)
{
	/* B words. */
	subject("=?ISO-2022-JP?B?GyRCMDhAaCROJSIlSSVsJTkkLDgrJEQkKyRqJF4kOyRzGyhC?=",
	    "\xe5\xae\x9b\xe5\x85\x88\xe3\x81\xae\xe3\x82\xa2\xe3\x83\x89\xe3\x83"
	    "\xac\xe3\x82\xb9\xe3\x81\x8c\xe8\xa6\x8b\xe3\x81\xa4\xe3\x81\x8b\xe3"
	    "\x82\x8a\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93");
	subject("=?shift-jis?B?iLaQ5pVzlr4=?=", "\xe5\xae\x9b\xe5\x85\x88\xe4\xb8"
	    "\x8d\xe6\x98\x8e");
	subject("=?x-sjis?B?iLaQ5pVzlr4=?=", "\xe5\xae\x9b\xe5\x85\x88\xe4\xb8"
	    "\x8d\xe6\x98\x8e");
	subject("=?ks_c_5601-1987?B?ud60wiC757b3?=", "\xeb\xb0\x9b\xeb\x8a\x94 "
	    "\xec\x82\xac\xeb\x9e\x8c");
	subject("=?gb2312?B?ytW8/sjL?=", "\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba");
	subject("=?EUC-JP?B?sLjA6A==?=", "\xe5\xae\x9b\xe5\x85\x88");
	/* Q words. */
	subject("=?big5?Q?=A6=AC=A5=F3=A4=48?=", "\xe6\x94\xb6\xe4\xbb\xb6\xe4"
	    "\xba\xba");
	subject("=?KOI8-R?Q?=E1=C4=D2=C5=D3?=", "\xd0\x90\xd0\xb4\xd1\x80\xd0\xb5"
	    "\xd1\x81");
	subject("=?iso-8859-2?q?Skrzynka_pe=B3na?=", "Skrzynka pe\xc5\x82na");
	subject("=?windows-1252?Q?=93full=94?=", "\xe2\x80\x9c" "full\xe2\x80\x9d");
	/* A character split between two words, and the blank between dropped. */
	subject("=?utf-8?B?5a6b5Q==?= =?utf-8?B?hYjkuI3mmI4=?=", "\xe5\xae\x9b\xe5"
	    "\x85\x88\xe4\xb8\x8d\xe6\x98\x8e");
	subject("=?iso-2022-jp?B?GyRCMDg=?=\n =?iso-2022-jp?B?QGhJVExAGyhC?=",
	    "\xe5\xae\x9b\xe5\x85\x88\xe4\xb8\x8d\xe6\x98\x8e");
	/* Words and text; an RFC 2231 language; a label nobody knows. */
	subject("Undelivered: =?utf-8?Q?caf=C3=A9?= (2)", "Undelivered: caf\xc3\xa9 (2)");
	subject("=?utf-8*fr?Q?caf=C3=A9?=", "caf\xc3\xa9");
	subject("=?x-nonesuch?Q?Bo=EEte?=", "Bo\xc3\xaete");
	/* Not a word: left as written. */
	subject("=?utf-8?X?abc?= and =? alone", "=?utf-8?X?abc?= and =? alone");
	/* Raw ISO-2022-JP and raw 8-bit text in the header. */
	subject("Returned: " JA_JIS, "Returned: " JA_UTF8);
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
	tcase_add_test(tc, headerless_body);
	tcase_add_test(tc, header_then_text);
	tcase_add_test(tc, part_without_header);
	tcase_add_test(tc, charsets_each);
	tcase_add_test(tc, charsets_undeclared);
	tcase_add_test(tc, rfc2047_charsets);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
