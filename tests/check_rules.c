/*
 * check_rules.c: the rule file format, the first-match order, site rules before the
 * built-in table, the status and reply-code fallbacks, and a table of diagnostics
 * that MTAs send with the reason the built-in table must give each.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "classifier.h"
#include "reason.h"
#include "report.h"
#include "rules.h"

static struct rules *
compile(const char *text)
{
	struct rules *rs = rules_new();
	struct err e;

	ck_assert_msg(rules_add_text(rs, "test.tsv", text, strlen(text), &e) == 0,
	    "%s", e.msg);
	rules_compile(rs);
	return rs;
}

static struct rules *
builtin(void)
{
	struct rules *rs = rules_new();
	struct err e;

	ck_assert_msg(rules_add_text(rs, "rules.tsv", rules_default_text,
	    rules_default_len, &e) == 0, "%s", e.msg);
	rules_compile(rs);
	return rs;
}

/* The reason rules give, or "-" when no rule matched. */
static const char *
match(const struct rules *rs, const char *diagnostic, const char *status, int code)
{
	struct rule_match m;
	struct result res;

	memset(&res, 0, sizeof res);
	res.diagnostic = (char *)diagnostic;
	snprintf(res.status, sizeof res.status, "%s", status != NULL ? status : "");
	res.smtp_code = code;
	return rules_match(rs, &res, &m) ? m.reason : "-";
}

/* rules_add_text fails and its message starts with "test.tsv:LINE:" and names why. */
static void
assert_bad(const char *text, int line, const char *why)
{
	struct rules *rs = rules_new();
	struct err e;
	char where[32];

	ck_assert_int_eq(rules_add_text(rs, "test.tsv", text, strlen(text), &e), -1);
	snprintf(where, sizeof where, "test.tsv:%d:", line);
	ck_assert_msg(strncmp(e.msg, where, strlen(where)) == 0, "\"%s\" lacks %s",
	    e.msg, where);
	ck_assert_msg(strstr(e.msg, why) != NULL, "\"%s\" lacks \"%s\"", e.msg, why);
	rules_free(rs);
}

START_TEST(format_errors_name_file_and_line)
{
	assert_bad("# comment\n\nuserunknown\tphrase\n", 3, "want reason, kind");
	assert_bad("userunknown\tphrase\tno such user\nnosuchreason\tphrase\tx\n", 2,
	    "\"nosuchreason\" is not a reason");
	assert_bad("userunknown\tword\tx\n", 1, "kind \"word\"");
	assert_bad("\n\n\nblocked\tregex\tblocked (using\n", 4, "bad regular expression");
	assert_bad("blocked\tphrase\tblocked\twhen=RCPT\n", 1, "constraint");
}
END_TEST

START_TEST(comments_blank_lines_and_crlf)
{
	struct rules *rs = compile("# a comment\r\n\r\n   # indented comment\r\n"
	    "mailboxfull\tphrase\tmailbox full\r\n");
	struct rule_match m;
	struct result res = { .diagnostic = (char *)"552 Mailbox full", .smtp_code = 552 };

	ck_assert_int_eq(rules_match(rs, &res, &m), 1);
	ck_assert_str_eq(m.reason, "mailboxfull");
	ck_assert_str_eq(m.where, "test.tsv:4");
	rules_free(rs);
}
END_TEST

START_TEST(phrases_ignore_case_and_white_space)
{
	struct rules *rs = compile("mailboxfull\tphrase\tMailbox   is full\n");

	ck_assert_str_eq(match(rs, "552 MAILBOX\n\t is  FULL", "", 0), "mailboxfull");
	ck_assert_str_eq(match(rs, "552 mailbox isfull", "", 0), "-");
	ck_assert_str_eq(match(rs, NULL, "5.2.2", 552), "-");
	rules_free(rs);
}
END_TEST

START_TEST(first_rule_in_file_order_wins)
{
	/* Both phrases occur; the rule that comes first in the file decides, not the text. */
	struct rules *rs = compile(
	    "rejected\tphrase\tsender address rejected\n"
	    "hostunknown\tphrase\tdomain not found\n"
	    "blocked\tregex\tblocked using \\S+\n"
	    "userunknown\tphrase\tuser unknown\n");

	ck_assert_str_eq(match(rs, "Domain not found; Sender address rejected", "", 0),
	    "rejected");
	ck_assert_str_eq(match(rs, "User unknown; blocked using zen.example.org", "", 0),
	    "blocked");
	ck_assert_str_eq(match(rs, "User unknown; blocked using", "", 0), "userunknown");
	rules_free(rs);
}
END_TEST

START_TEST(constraints_narrow_a_rule)
{
	struct rules *rs = compile(
	    "userunknown\tphrase\tmailbox unavailable\tcode=5*\n"
	    "mailboxfull\tphrase\tmailbox unavailable\tstatus=4.2.2\n"
	    "onhold\tphrase\tmailbox unavailable\n"
	    "expired\tregex\ttimed? ?out\tstatus=4.*,code=4*\n"
	    "networkerror\tstatus\t4.4.*\n");

	ck_assert_str_eq(match(rs, "mailbox unavailable", "5.0.0", 550), "userunknown");
	ck_assert_str_eq(match(rs, "mailbox unavailable", "4.2.2", 450), "mailboxfull");
	ck_assert_str_eq(match(rs, "mailbox unavailable", "4.0.0", 450), "onhold");
	ck_assert_str_eq(match(rs, "mailbox unavailable", "", 0), "onhold");
	ck_assert_str_eq(match(rs, "421 Timeout", "4.4.2", 421), "expired");
	/* Both parts of a constraint must hold. */
	ck_assert_str_eq(match(rs, "Timeout", "4.4.2", 0), "networkerror");
	rules_free(rs);
}
END_TEST

START_TEST(command_constraint)
{
	struct rules *rs = compile(
	    "filtered\tphrase\tuser unknown\tcommand=DATA\n"
	    "userunknown\tphrase\tuser unknown\n");
	struct result res = { .diagnostic = (char *)"550 User unknown" };
	struct rule_match m;

	ck_assert_int_eq(rules_match(rs, &res, &m), 1);
	ck_assert_str_eq(m.reason, "userunknown");
	strcpy(res.smtp_command, "DATA");
	ck_assert_int_eq(rules_match(rs, &res, &m), 1);
	ck_assert_str_eq(m.reason, "filtered");
	rules_free(rs);
}
END_TEST

START_TEST(action_constraint)
{
	struct rules *rs = compile("expired\tstatus\t4.*\taction=failed\n"
	    "networkerror\tstatus\t4.4.*\n");
	struct result res = { .status = "4.4.1", .action = (char *)"delayed" };
	struct rule_match m;

	ck_assert_int_eq(rules_match(rs, &res, &m), 1);
	ck_assert_str_eq(m.reason, "networkerror");
	res.action = (char *)"failed";
	ck_assert_int_eq(rules_match(rs, &res, &m), 1);
	ck_assert_str_eq(m.reason, "expired");
	rules_free(rs);
}
END_TEST

START_TEST(status_and_code_rules)
{
	struct rules *rs = compile(
	    "userunknown\tstatus\t*.1.1\n"
	    "securityerror\tstatus\t5.7.*\n"
	    "mailboxfull\tcode\t552\n"
	    "syntaxerror\tcode\t50*\n");

	ck_assert_str_eq(match(rs, NULL, "5.1.1", 0), "userunknown");
	ck_assert_str_eq(match(rs, "whatever", "4.1.1", 450), "userunknown");
	ck_assert_str_eq(match(rs, NULL, "5.1.10", 0), "-");
	ck_assert_str_eq(match(rs, NULL, "5.7.26", 550), "securityerror");
	ck_assert_str_eq(match(rs, NULL, "5.0.0", 552), "mailboxfull");
	ck_assert_str_eq(match(rs, NULL, "", 503), "syntaxerror");
	ck_assert_str_eq(match(rs, NULL, "", 0), "-");
	rules_free(rs);
}
END_TEST

START_TEST(builtin_fallbacks)
{
	struct rules *rs = builtin();

	ck_assert_str_eq(match(rs, NULL, "5.1.1", 0), "userunknown");
	ck_assert_str_eq(match(rs, NULL, "4.2.2", 452), "mailboxfull");
	ck_assert_str_eq(match(rs, NULL, "5.1.2", 0), "hostunknown");
	ck_assert_str_eq(match(rs, NULL, "5.1.10", 0), "notaccept");
	ck_assert_str_eq(match(rs, NULL, "5.7.1", 0), "policyviolation");
	ck_assert_str_eq(match(rs, NULL, "5.7.25", 0), "requireptr");
	ck_assert_str_eq(match(rs, NULL, "5.7.26", 0), "authfailure");
	ck_assert_str_eq(match(rs, NULL, "5.7.13", 0), "suspend");
	ck_assert_str_eq(match(rs, NULL, "4.4.7", 0), "expired");
	ck_assert_str_eq(match(rs, NULL, "5.6.0", 0), "contenterror");
	/* A bare x.0.0 says nothing; the reply code may. */
	ck_assert_str_eq(match(rs, "Thank you", "5.0.0", 0), "-");
	ck_assert_str_eq(match(rs, "Thank you", "4.0.0", 0), "-");
	ck_assert_str_eq(match(rs, "Thank you", "5.0.0", 552), "mailboxfull");
	ck_assert_str_eq(match(rs, "Thank you", "5.0.0", 553), "rejected");
	ck_assert_str_eq(match(rs, "Thank you", "", 535), "securityerror");
	ck_assert_str_eq(match(rs, "Thank you", "", 502), "syntaxerror");
	/* The words beat the codes. */
	ck_assert_str_eq(match(rs, "Mailbox is full", "5.1.1", 550), "mailboxfull");
	rules_free(rs);
}
END_TEST

/* A DSN for one recipient with the given Diagnostic-Code. */
static int
classify_dsn(const struct classifier *c, const char *status, const char *diagnostic,
    struct report *r)
{
	char msg[2048];

	snprintf(msg, sizeof msg,
	    "From: MAILER-DAEMON@mx.example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Undelivered Mail Returned to Sender\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n"
	    "\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "Your message could not be delivered.\n"
	    "--b\n"
	    "Content-Type: message/delivery-status\n"
	    "\n"
	    "Reporting-MTA: dns; mx.example.net\n"
	    "\n"
	    "Final-Recipient: rfc822; member@example.com\n"
	    "Action: failed\n"
	    "Status: %s\n"
	    "Diagnostic-Code: smtp; %s\n"
	    "--b--\n", status, diagnostic);
	memset(r, 0, sizeof *r);
	return classify(c, msg, strlen(msg), r);
}

START_TEST(site_rules_come_first)
{
	char path[] = "/tmp/check_rules_XXXXXX";
	static const char site[] = "# local knowledge\n"
	    "mailboxfull\tphrase\tuser unknown\tstatus=4.*\n"
	    "hasmoved\tphrase\tleft the company\n";
	struct classifier *c = classifier_new();
	struct report r;
	struct err e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, site, strlen(site)), (int)strlen(site));
	close(fd);
	ck_assert_int_eq(classifier_load_rules(c, path, &e), 0);

	ck_assert_int_eq(classify_dsn(c, "5.0.0", "550 Sorry, kim left the company", &r), 1);
	ck_assert_str_eq(r.results[0].reason, "hasmoved");
	ck_assert_ptr_nonnull(strstr(r.results[0].rule, path));
	ck_assert_str_eq(class_name(r.results[0].class), "hard");
	report_free(&r);
	/* The site rule's constraint does not hold: the built-in table decides. */
	ck_assert_int_eq(classify_dsn(c, "5.1.1", "550 5.1.1 User unknown", &r), 1);
	ck_assert_str_eq(r.results[0].reason, "userunknown");
	ck_assert_ptr_nonnull(strstr(r.results[0].rule, "rules.tsv:"));
	report_free(&r);
	ck_assert_int_eq(classify_dsn(c, "4.0.0", "450 User unknown, try later", &r), 1);
	ck_assert_str_eq(r.results[0].reason, "mailboxfull");
	report_free(&r);
	classifier_free(c);
	unlink(path);
}
END_TEST

START_TEST(bad_site_file_is_refused)
{
	char path[] = "/tmp/check_rules_XXXXXX";
	static const char site[] = "hasmoved\tphrase\tleft the company\nfull\tphrase\tx\n";
	struct classifier *c = classifier_new();
	struct err e;
	char where[64];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, site, strlen(site)), (int)strlen(site));
	close(fd);
	ck_assert_int_eq(classifier_load_rules(c, path, &e), -1);
	snprintf(where, sizeof where, "%s:2:", path);
	ck_assert_msg(strstr(e.msg, where) != NULL, "\"%s\" lacks %s", e.msg, where);
	ck_assert_int_eq(classifier_load_rules(c, "/nonexistent/rules.tsv", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/rules.tsv"));
	classifier_free(c);
	unlink(path);
}
END_TEST

/* What MTAs say, and the reason the built-in table must give. */
static const struct {
	const char	*diagnostic;
	const char	*status;
	int		 code;
	const char	*reason;
} said[] = {
	/* the address is gone */
	{ "550 5.1.1 <kim@example.com>: Recipient address rejected: User unknown in "
	    "local recipient table", "5.1.1", 550, "userunknown" },
	{ "Requested action not taken: mailbox unavailable", "5.0.0", 550, "userunknown" },
	{ "Requested action not taken: mailbox unavailable", "4.0.0", 450, "-" },
	{ "450 4.1.1 <kim@example.com>: Recipient address rejected: unverified address: "
	    "host mx.example.com said: 550 No such user here", "4.1.1", 450, "userunknown" },
	{ "Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1", 0, "userunknown" },
	{ "The email account that you tried to reach does not exist.", "5.1.1", 550,
	    "userunknown" },
	{ "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
	    "address lookup", "5.1.10", 550, "userunknown" },
	{ "550 <kim@example.com>... User unknown 503 5.0.0 Need RCPT (recipient)",
	    "5.0.0", 550, "userunknown" },
	{ "host spam.example.net[192.0.2.9] said: 550 5.1.1 <kim@example.com>: "
	    "Recipient unknown", "5.1.1", 550, "userunknown" },
	{ "Host or domain name not found. Name service error for name=example.invalid "
	    "type=A: Host not found", "5.4.4", 0, "hostunknown" },
	{ "Sorry, I couldn't find any host named example.invalid. (#5.1.2)", "5.1.2", 0,
	    "hostunknown" },
	{ "Unrouteable address", "5.0.0", 0, "hostunknown" },
	{ "551 5.1.6 User has moved; please try <kim@example.net>", "5.1.6", 551,
	    "hasmoved" },
	{ "Domain example.com does not accept mail (null MX)", "5.1.10", 556,
	    "notaccept" },
	/* the recipient side, for now */
	{ "552 5.2.2 <kim@example.com>: Mailbox full", "5.2.2", 552, "mailboxfull" },
	{ "host antivirus.example.net[192.0.2.9] said: 552 sorry, mailbox "
	    "kim@example.com is over quota", "5.0.0", 552, "mailboxfull" },
	{ "552 5.2.3 Message length exceeds administrative limit", "5.2.3", 552,
	    "exceedlimit" },
	{ "552 5.3.4 Message size exceeds fixed maximum message size (10485760)",
	    "5.3.4", 552, "mesgtoobig" },
	{ "550 5.2.1 The email account that you tried to reach is disabled.", "5.2.1",
	    550, "suspend" },
	{ "554 delivery error: dd Sorry your message to kim@example.com cannot be "
	    "delivered. This account has been disabled or discontinued [#102].",
	    "5.0.0", 554, "suspend" },
	{ "550 User unknown (in reply to end of DATA command)", "5.0.0", 550,
	    "filtered" },
	{ "550 5.7.1 550 User Unknown: kim@example.org", "5.7.1", 550, "filtered" },
	{ "550 5.1.1 <kim@example.org>: User unknown", "5.1.1", 550, "userunknown" },
	{ "550 5.7.1 The recipient refuses to accept your mail", "5.7.1", 550,
	    "filtered" },
	{ "retry timeout exceeded", "", 0, "expired" },
	{ "I'm not going to try again; this message has been in the queue too long.",
	    "", 0, "expired" },
	{ "delivery temporarily suspended: connect to mx.example.com[192.0.2.9]:25: "
	    "Connection timed out", "4.4.1", 0, "expired" },
	{ "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)", "4.4.1", 0,
	    "networkerror" },
	{ "mail forwarding loop for kim@example.com", "5.4.6", 0, "networkerror" },
	{ "451 Requested action aborted: local error in processing", "4.0.0", 451,
	    "systemerror" },
	{ "452 4.3.1 Insufficient system storage", "4.3.1", 452, "systemfull" },
	{ "Command died with status 1: \"/usr/bin/procmail\"", "5.3.0", 0,
	    "mailererror" },
	{ "450 4.7.1 <kim@example.com>: Recipient address rejected: Greylisted, see "
	    "https://greylisting.example.org/", "4.7.1", 450, "onhold" },
	/* the sender side */
	{ "550 5.7.26 Unauthenticated email from example.org is not accepted due to "
	    "domain's DMARC policy", "5.7.26", 550, "authfailure" },
	{ "550 5.7.23 The message was rejected because of Sender Policy Framework "
	    "violation", "5.7.23", 550, "authfailure" },
	{ "550 5.7.1 Our system has detected that this message is likely suspicious due "
	    "to the very low reputation of the sending IP address.", "5.7.1", 550,
	    "badreputation" },
	{ "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using "
	    "zen.spamhaus.org", "5.7.1", 554, "blocked" },
	{ "554 5.6.0 Message header error", "5.6.0", 554, "contenterror" },
	{ "554 5.7.1 <kim@example.net>: Relay access denied", "5.7.1", 554,
	    "norelaying" },
	{ "550 5.7.1 Message is not RFC 5322 compliant", "5.7.1", 550,
	    "notcompliantrfc" },
	{ "552 5.7.0 This message was blocked because its content presents a potential "
	    "security issue.", "5.7.0", 552, "policyviolation" },
	{ "553 5.1.8 <list@example.org>: Sender address rejected: Domain not found",
	    "5.1.8", 553, "rejected" },
	{ "550 5.1.7 No such domain example.org", "5.1.7", 550, "rejected" },
	{ "450 4.7.1 Client host rejected: cannot find your reverse hostname, "
	    "[192.0.2.9]", "4.7.1", 450, "requireptr" },
	{ "530 5.7.0 Authentication required", "5.7.0", 530, "securityerror" },
	{ "554 5.7.1 Message rejected as spam by Content Filtering", "5.7.1", 554,
	    "spamdetected" },
	{ "501 5.5.2 Syntax error in parameters or arguments", "5.5.2", 501,
	    "syntaxerror" },
	{ "554 5.7.1 Message rejected: virus found (Eicar-Test-Signature)", "5.7.1",
	    554, "virusdetected" },
	{ "421 4.7.0 Too many concurrent SMTP connections from this IP address",
	    "4.7.0", 421, "toomanyconn" },
	{ "450 4.2.1 The user you are trying to contact is receiving mail at a rate "
	    "that prevents additional messages from being delivered.", "4.2.1", 450,
	    "speeding" },
	{ "530 5.7.0 Must issue a STARTTLS command first", "5.7.0", 530,
	    "failedstarttls" },
	{ "conversation with spam.example.net[192.0.2.9] timed out while sending "
	    "message body", "4.4.2", 0, "expired" },
};

START_TEST(what_mtas_say)
{
	struct rules *rs = builtin();
	const char *got;
	int i = _i;

	got = match(rs, said[i].diagnostic, said[i].status, said[i].code);
	ck_assert_msg(strcmp(got, said[i].reason) == 0, "\"%s\" (%s, %d): got %s, want %s",
	    said[i].diagnostic, said[i].status, said[i].code, got, said[i].reason);
	rules_free(rs);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rules");
	TCase *format = tcase_create("format"), *table = tcase_create("table");

	tcase_add_test(format, format_errors_name_file_and_line);
	tcase_add_test(format, comments_blank_lines_and_crlf);
	tcase_add_test(format, phrases_ignore_case_and_white_space);
	tcase_add_test(format, first_rule_in_file_order_wins);
	tcase_add_test(format, constraints_narrow_a_rule);
	tcase_add_test(format, command_constraint);
	tcase_add_test(format, action_constraint);
	tcase_add_test(format, status_and_code_rules);
	tcase_add_test(format, site_rules_come_first);
	tcase_add_test(format, bad_site_file_is_refused);
	tcase_add_test(table, builtin_fallbacks);
	tcase_add_loop_test(table, what_mtas_say, 0, (int)(sizeof said / sizeof said[0]));
	suite_add_tcase(s, format);
	suite_add_tcase(s, table);
	return run_suite(s);
}
