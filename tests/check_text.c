/*
 * check_text.c: the prose helpers the decoders lean on: finding RFC 3463 status
 * codes and SMTP reply codes in free text, case-insensitive search, unfolding.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "plaintext.h"
#include "text.h"

static const char *
status_of(const char *s)
{
	static char out[16];

	if (!text_status(s, strlen(s), out))
		return "";
	return out;
}

static int
code_of(const char *s)
{
	return text_smtp_code(s, strlen(s));
}

START_TEST(status_found_in_prose)
{
	ck_assert_str_eq(status_of("550 5.1.1 <a@example.com>: user unknown"), "5.1.1");
	ck_assert_str_eq(status_of("Status: 4.2.2 (mailbox full)"), "4.2.2");
	ck_assert_str_eq(status_of("5.7.1"), "5.7.1");
	ck_assert_str_eq(status_of("(5.7.26)"), "5.7.26");
	ck_assert_str_eq(status_of("smtp; 552-5.2.2 over quota"), "5.2.2");
	ck_assert_str_eq(status_of("x 2.0.0 ok"), "2.0.0");
	ck_assert_str_eq(status_of("5.7.999 three digits of detail"), "5.7.999");
}
END_TEST

START_TEST(status_edge_cases)
{
	/* Classes other than 2, 4 and 5 do not exist. */
	ck_assert_str_eq(status_of("3.1.1 and 1.2.3"), "");
	/* Part of a version number, an IP address or a longer number. */
	ck_assert_str_eq(status_of("Postfix 3.5.1"), "");
	ck_assert_str_eq(status_of("from 192.168.5.1.2"), "");
	ck_assert_str_eq(status_of("host 10.5.1.1"), "");
	ck_assert_str_eq(status_of("v5.1.1"), "");
	ck_assert_str_eq(status_of("5.1.1a"), "");
	ck_assert_str_eq(status_of("5.1.1.4"), "");
	/* More than three digits in a field, or a missing field. */
	ck_assert_str_eq(status_of("5.1234.1"), "");
	ck_assert_str_eq(status_of("5.1.1234"), "");
	/* A subject is one digit, 0 to 7 (RFC 3463): these are versions. */
	ck_assert_str_eq(status_of("X-Mailer: Apple Mail (2.753.1)"), "");
	ck_assert_str_eq(status_of("phplist v 2.10.10, then 5.1.1"), "5.1.1");
	ck_assert_str_eq(status_of("5.8.1"), "");
	ck_assert_str_eq(status_of("5.1."), "");
	ck_assert_str_eq(status_of("5..1"), "");
	/* Cut short at the end of the buffer. */
	ck_assert_str_eq(status_of("550 5.1"), "");
	ck_assert_str_eq(status_of(""), "");
	/* A sentence may end right after the code. */
	ck_assert_str_eq(status_of("code 5.1.1."), "5.1.1");
}
END_TEST

START_TEST(status_respects_length)
{
	char out[16];

	/* Only n bytes are read: "5.1.1" is past the end here. */
	ck_assert_int_eq(text_status("xx 5.1.1", 4, out), 0);
	ck_assert_int_eq(text_status("5.1.12345", 5, out), 1);
	ck_assert_str_eq(out, "5.1.1");
}
END_TEST

START_TEST(smtp_code_at_start_or_after_lead)
{
	ck_assert_int_eq(code_of("550 5.1.1 user unknown"), 550);
	ck_assert_int_eq(code_of("552-5.2.2 mailbox full"), 552);
	ck_assert_int_eq(code_of("  <421 try later"), 421);
	ck_assert_int_eq(code_of("#550 no"), 550);
	ck_assert_int_eq(code_of("550"), 550);
	ck_assert_int_eq(code_of("host mx.example.net[192.0.2.1] said: 554 5.7.1 "
	    "rejected"), 554);
	ck_assert_int_eq(code_of("smtp; 550 no such user"), 550);
	ck_assert_int_eq(code_of("remote server replied: 451 temporary failure"), 451);
	ck_assert_int_eq(code_of("SAID: 550 upper-case lead"), 550);
	/* A relay quoting another: the lead's second occurrence holds the code. */
	ck_assert_int_eq(code_of("Remote host said: host mx.example.com[192.0.2.3] said: "
	    "550 Requested action not taken: mailbox unavailable"), 550);
}
END_TEST

START_TEST(smtp_code_edge_cases)
{
	/* Not a reply code: wrong first digit, too long, part of a word or number. */
	ck_assert_int_eq(code_of("350 go ahead"), 0);
	ck_assert_int_eq(code_of("5501 too long"), 0);
	ck_assert_int_eq(code_of("55 too short"), 0);
	ck_assert_int_eq(code_of("550x"), 0);
	ck_assert_int_eq(code_of("user unknown 550"), 0);
	ck_assert_int_eq(code_of("said: 5.1.1"), 0);
	ck_assert_int_eq(code_of(""), 0);
	ck_assert_int_eq(code_of("said:"), 0);
	ck_assert_int_eq(text_smtp_code("550", 2), 0);
	/* Followed by the punctuation some servers use. */
	ck_assert_int_eq(code_of("550, no"), 550);
	ck_assert_int_eq(code_of("550.no"), 550);
	ck_assert_int_eq(code_of("421\tbusy"), 421);
	/* After the words a gateway puts before the remote server's reply. */
	ck_assert_int_eq(code_of("Remote SMTP Server Returned: 550 Requested action"),
	    550);
	ck_assert_int_eq(code_of("mailbox unavailable. [SMTP Error Code 550]"), 550);
	ck_assert_int_eq(code_of("Error code: 452 too many recipients"), 452);
	ck_assert_int_eq(code_of("The response from the remote server was:\n550 5.1.1 "
	    "no such account"), 550);
}
END_TEST

/*
 * Where a reply stands in MTAs' own words, with no lead word before it: after the
 * host that answered, after the command it answered, after a transcript marker, in
 * brackets, behind a label, as a multi-line reply; and where a number is not one.
 */
START_TEST(smtp_code_where_a_reply_stands)
{
	/* Exim: the host, then its reply. */
	ck_assert_int_eq(code_of("host mx.example.net [192.0.2.7]: 550 5.1.1 "
	    "<kim@example.net>... User unknown"), 550);
	ck_assert_int_eq(code_of("SMTP error from remote mail server after end of data:"
	    " 553 sorry, that domain isn't in my list"), 553);
	/* DragonFly's dma, MailFoundry, Exchange-like gateways. */
	ck_assert_int_eq(code_of("mx.example.org [192.0.2.8] did not like our RCPT TO: "
	    "550 5.6.0 <kim@example.org>: Recipient address rejected"), 550);
	ck_assert_int_eq(code_of("mx.example.org[192.0.2.9] responded with failure: 552 "
	    "mailbox over quota"), 552);
	ck_assert_int_eq(code_of("It responded as follows: [550 5.1.1 User unknown]"),
	    550);
	/* Transcripts: "Out:", "<<<", a row of dashes, "Deferred:" at the end. */
	ck_assert_int_eq(code_of("Out: 451 4.3.0 Error: queue file write error "
	    "In: QUIT Out: 221 2.0.0 Bye"), 451);
	ck_assert_int_eq(code_of("Received <<< 550 5.1.1 <kim@example.jp>... unknown"),
	    550);
	ck_assert_int_eq(code_of("----- Transcript of session follows ----- 550 sorry,"
	    " no mailbox here by that name"), 550);
	ck_assert_int_eq(code_of("<kim@example.jp>... Deferred: 421"), 421);
	/* A label, and a code glued to its colon. */
	ck_assert_int_eq(code_of("Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1"),
	    550);
	ck_assert_int_eq(code_of("550: 5.1.1 <kim@example.jp>... User Unknown"), 550);
	/* After a word: a status of its class, or a multi-line reply's '-'. */
	ck_assert_int_eq(code_of("5.3.0 - Other mail system problem 550-'Unknown user "
	    "kim@example.jp'"), 550);
	ck_assert_int_eq(code_of("Remote server answered 452 4.2.2 over quota"), 452);
	/* A local mailer's words, then the reply about the address (unfolded). */
	ck_assert_int_eq(code_of("deliver: no such mailbox: kim 554 <kim@example.net>..."
	    " Service unavailable"), 554);
	ck_assert_int_eq(code_of("sent 550 <notes> to the archive"), 0);
	/* A label with '=', or the status it goes with before a '/'. */
	ck_assert_int_eq(code_of("kim@example.com: code=550, status=5.1.1"), 550);
	ck_assert_int_eq(code_of("kim@example.com: 5.1.1/550 user unknown"), 550);
	ck_assert_int_eq(code_of("reply=452 over quota"), 452);
	ck_assert_int_eq(code_of("mail size=550 exceeds"), 0);
	ck_assert_int_eq(code_of("page 1/550 of the log"), 0);
	ck_assert_int_eq(code_of("status 2.0.0/550 odd"), 0);
	/*
	 * A verdict whose status is of another class wraps the remote reply, which
	 * is the later code paired with a status of its own class.
	 */
	ck_assert_int_eq(code_of("554 4.4.7 Message expired: unable to deliver in 840 "
	    "minutes.<421 4.4.2 Connection timed out>"), 421);
	ck_assert_int_eq(code_of("said: 554 4.4.7 gave up; last reply: 451 4.3.0 "
	    "try later"), 451);
	ck_assert_int_eq(code_of("554 4.4.7 Message expired"), 554);
	ck_assert_int_eq(code_of("550 5.1.1 user unknown <421 4.4.2 timed out>"), 550);
	/* A greeting is not what failed: the 4xx after it is. */
	ck_assert_int_eq(code_of("220-mx.example.fr 421 4.2.1 Service refused, try "
	    "later"), 421);
	ck_assert_int_eq(code_of("250 2.0.0 Ok: queued"), 250);
	/* Not reply codes: quantities, addresses, sizes, parts of other tokens. */
	ck_assert_int_eq(code_of("limit: 500 messages per hour"), 0);
	ck_assert_int_eq(code_of("message of 552 bytes is too large"), 0);
	ck_assert_int_eq(code_of("retry in: 450 seconds"), 0);
	ck_assert_int_eq(code_of("connect to [203.0.113.5]: Connection refused"), 0);
	ck_assert_int_eq(code_of("MAIL FROM:<a@example.com> SIZE=5500 rejected"), 0);
	ck_assert_int_eq(code_of("id=450AB12 queued; error OFR_506"), 0);
	ck_assert_int_eq(code_of("call us on 555-1234 when this happens"), 0);
	ck_assert_int_eq(code_of("the mailbox has 550 messages"), 0);
}
END_TEST

static const char *
command_of(const char *s)
{
	const char *c = text_smtp_command(s, strlen(s));

	return c != NULL ? c : "";
}

/* The SMTP command a failure answered, in the words of several MTAs; the last wins. */
START_TEST(smtp_command_named_in_prose)
{
	ck_assert_str_eq(command_of("550 5.1.1 unknown (in reply to RCPT TO command)"),
	    "RCPT");
	ck_assert_str_eq(command_of("SMTP error from remote mail server after EHLO "
	    "mail.example.org: 550 Rejected"), "EHLO");
	ck_assert_str_eq(command_of("SMTP error from remote mail server after HELO x"),
	    "EHLO");
	ck_assert_str_eq(command_of("SMTP error from remote mail server after pipelined "
	    "MAIL FROM:<a@example.org>: 550 sender refused"), "MAIL");
	ck_assert_str_eq(command_of("after pipelined RCPT TO:<b@example.com>: 550 no"),
	    "RCPT");
	ck_assert_str_eq(command_of("552 too big (in reply to BDAT command)"), "DATA");
	ck_assert_str_eq(command_of("192.0.2.1 does not like recipient."), "RCPT");
	ck_assert_str_eq(command_of("after RCPT TO:<a@example.com> ... after end of "
	    "data: 554 spam"), "DATA");
	ck_assert_str_eq(command_of("550 user unknown"), "");
}
END_TEST

/* Lower-casing beyond ASCII keeps every byte offset. */
START_TEST(lower_keeps_offsets)
{
	static const char *const pairs[][2] = {
		{ "UNZUSTELLBAR: Größe ÜBERSCHRITTEN", "unzustellbar: größe überschritten" },
		{ "ÉCHEC DE LA REMISE", "échec de la remise" },
		{ "Wiadomość NIEDOSTARCZONA: ŁÓDŹ, ŚLĄSK, ŻÓŁĆ",
		    "wiadomość niedostarczona: łódź, śląsk, żółć" },
		{ "Недоставленное ПИСЬМО, ЁЖ", "недоставленное письмо, ёж" },
		{ "配信不能 × ß", "配信不能 × ß" },
	};
	char out[128];
	size_t i, n;

	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		n = strlen(pairs[i][0]);
		ck_assert_uint_eq(n, strlen(pairs[i][1]));
		text_lower(pairs[i][0], n, out);
		out[n] = '\0';
		ck_assert_str_eq(out, pairs[i][1]);
	}
	/* A lead byte cut off at the end is copied as it is. */
	text_lower("A\xd0", 2, out);
	ck_assert_int_eq(out[0], 'a');
	ck_assert_int_eq((unsigned char)out[1], 0xd0);
}
END_TEST

START_TEST(find_and_starts)
{
	static const char s[] = "Recipient Address REJECTED: User unknown";

	ck_assert_ptr_eq(text_find(s, strlen(s), "address rejected"), s + 10);
	ck_assert_ptr_null(text_find(s, strlen(s), "unknown user"));
	ck_assert_ptr_null(text_find(s, 9, "recipient address"));
	ck_assert_ptr_eq(text_find(s, strlen(s), ""), s);
	ck_assert_ptr_null(text_find("ab", 2, "abc"));
	ck_assert_int_eq(text_starts(s, strlen(s), "RECIPIENT"), 1);
	ck_assert_int_eq(text_starts(s, 3, "recipient"), 0);
}
END_TEST

START_TEST(unfold_and_trim)
{
	char *u = text_unfold("  550 5.1.1\n\t user\r\n   unknown \n", 31);
	char buf[] = " \t padded \n";

	ck_assert_str_eq(u, "550 5.1.1 user unknown");
	free(u);
	u = text_unfold(" \n\t ", 4);
	ck_assert_str_eq(u, "");
	free(u);
	ck_assert_str_eq(text_trim(buf), "padded");
}
END_TEST

START_TEST(eol)
{
	static const char s[] = "one\ntwo";

	ck_assert_ptr_eq(text_eol(s, s + 7), s + 3);
	ck_assert_ptr_eq(text_eol(s + 4, s + 7), s + 7);
	ck_assert_ptr_eq(text_eol(s, s), s);
}
END_TEST

/* A host token has a dot or is an IPv6 literal: "Remote host said:" names none. */
START_TEST(host_tokens)
{
	static const char said[] = "Remote host said: 550 no such user";
	static const char named[] = "remote host mx.example.com [192.0.2.4] refused";
	char *h;

	ck_assert_ptr_null(plain_token_after(said, strlen(said), "remote host "));
	h = plain_token_after(named, strlen(named), "remote host ");
	ck_assert_str_eq(h, "mx.example.com");
	free(h);
	h = plain_token_before(named, strlen(named), " refused");
	ck_assert_str_eq(h, "mx.example.com");
	free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, status_found_in_prose);
	tcase_add_test(tc, status_edge_cases);
	tcase_add_test(tc, status_respects_length);
	tcase_add_test(tc, smtp_code_at_start_or_after_lead);
	tcase_add_test(tc, smtp_code_edge_cases);
	tcase_add_test(tc, smtp_code_where_a_reply_stands);
	tcase_add_test(tc, lower_keeps_offsets);
	tcase_add_test(tc, smtp_command_named_in_prose);
	tcase_add_test(tc, find_and_starts);
	tcase_add_test(tc, unfold_and_trim);
	tcase_add_test(tc, eol);
	tcase_add_test(tc, host_tokens);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
