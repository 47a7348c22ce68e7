/*
 * check_generic.c: the generic bounce reader on its own (classifier_set_generic_only):
 * what makes a message a delivery failure report, which addresses it names as failed
 * recipients, the list's own addresses it never names, the languages of its
 * vocabulary, delays, and the returned copy it does not read. Every message here is
 * written for this test; none comes from an MTA we have a decoder for, so the
 * generic reader is the only way in.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "classifier.h"

static struct classifier *
generic(void)
{
	struct classifier *c = classifier_new();

	classifier_set_generic_only(c, 1);
	return c;
}

static int
read_message(struct classifier *c, const char *msg, struct report *r)
{
	memset(r, 0, sizeof *r);
	return classify(c, msg, strlen(msg), r);
}

/* The result for addr, or NULL. */
static const struct result *
find(const struct report *r, const char *addr)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (r->results[i].recipient != NULL &&
		    strcmp(r->results[i].recipient, addr) == 0)
			return &r->results[i];
	return NULL;
}

/* msg names exactly the one failed recipient addr, with class cls. */
static void
assert_one(const char *msg, const char *addr, enum bounce_class cls)
{
	struct classifier *c = generic();
	struct report r;
	const struct result *res;

	ck_assert_int_eq(read_message(c, msg, &r), 1);
	res = find(&r, addr);
	ck_assert_msg(res != NULL, "%s not named (got %s)", addr,
	    r.results[0].recipient != NULL ? r.results[0].recipient : "no address");
	ck_assert_msg(res->class == cls, "%s: class %s, want %s", addr,
	    class_name(res->class), class_name(cls));
	ck_assert_str_eq(r.format, "generic");
	report_free(&r);
	classifier_free(c);
}

/* msg gives no failure at all. */
static void
assert_none(const char *msg)
{
	struct classifier *c = generic();
	struct report r;
	size_t i;

	ck_assert_int_ge(read_message(c, msg, &r), 0);
	for (i = 0; i < r.nresults; i++)
		ck_assert_msg(r.results[i].class != CLASS_HARD &&
		    r.results[i].class != CLASS_SOFT && r.results[i].class != CLASS_BLOCK,
		    "a failure for %s", r.results[i].recipient != NULL ?
		    r.results[i].recipient : "no address");
	report_free(&r);
	classifier_free(c);
}

#define BOUNCE_HEAD \
	"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.net>\n" \
	"To: list-bounces@lists.example.org\n" \
	"Subject: Undelivered Mail Returned to Sender\n" \
	"Auto-Submitted: auto-replied\n" \
	"\n"

/* An old MTA nobody wrote a decoder for: sender, subject, a quoted 550. */
START_TEST(unknown_mta_with_quoted_reply)
{
	assert_one(BOUNCE_HEAD
	    "Your message could not be delivered to some recipients.\n"
	    "\n"
	    "<alice@example.com>:\n"
	    "mx.example.com said: 550 5.1.1 User unknown\n",
	    "alice@example.com", CLASS_HARD);
}
END_TEST

/* The same words from a member's reply are not a bounce. */
START_TEST(member_reply_is_not_a_bounce)
{
	assert_none(
	    "From: Bob Member <bob@example.com>\n"
	    "To: list@lists.example.org\n"
	    "Subject: Re: Undelivered Mail Returned to Sender\n"
	    "\n"
	    "I got this, what does it mean?\n"
	    "<alice@example.com>: 550 5.1.1 User unknown\n");
}
END_TEST

/* Failure words alone, with no sender or structure that bounces have. */
START_TEST(words_alone_are_not_a_bounce)
{
	assert_none(
	    "From: Carol <carol@example.com>\n"
	    "To: list@lists.example.org\n"
	    "Subject: my newsletter\n"
	    "\n"
	    "Last week the parcel could not be delivered to our office, sorry.\n"
	    "Write to dave@example.org for questions.\n");
}
END_TEST

/* A newsletter or a member that uses failure words is no report. */
START_TEST(failure_words_from_anyone)
{
	assert_none(
	    "From: Garden News Mailer <newsmailer@example.com>\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Your weekly digest\n"
	    "\n"
	    "If this message could not be delivered to you in full, read it online.\n"
	    "Write to help@example.com when something failed.\n");
	assert_none(
	    "From: Bob <bob@example.com>\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Mail delivery failed\n"
	    "\n"
	    "Hi, please remove me. Mail to my old address bob.old@example.com could\n"
	    "not be delivered anyway.\n");
}
END_TEST

/* No sender, subject or Auto-Submitted: a quoted reply next to an address. */
START_TEST(null_sender_and_code_suffice)
{
	assert_one(
	    "Return-Path: <>\n"
	    "From: <>\n"
	    "To: list-bounces@lists.example.org\n"
	    "\n"
	    "You sent mail to erin@example.net. 550 That is not a valid user here.\n",
	    "erin@example.net", CLASS_HARD);
}
END_TEST

/* An SMTP transcript: the RCPT TO that got an error, not the one accepted. */
START_TEST(rcpt_to_followed_by_error)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "Delivery failed. Transcript of the session:\n"
	    ">>> MAIL FROM:<list-bounces@lists.example.org>\n"
	    "<<< 250 ok\n"
	    ">>> RCPT TO:<frank@example.com>\n"
	    "<<< 250 ok\n"
	    ">>> RCPT TO:<grace@example.com>\n"
	    "<<< 550 5.1.1 no mailbox by that name\n"
	    ">>> QUIT\n", &r), 1);
	ck_assert_ptr_nonnull(find(&r, "grace@example.com"));
	ck_assert_ptr_null(find(&r, "frank@example.com"));
	ck_assert_str_eq(r.results[0].status, "5.1.1");
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* Addresses listed under a heading, each with its error on the next lines. */
START_TEST(addresses_under_heading)
{
	struct classifier *c = generic();
	struct report r;
	const struct result *a, *b;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "The following recipients failed permanently:\n"
	    "\n"
	    "  heidi@example.com\n"
	    "    mailbox is over quota\n"
	    "  ivan@example.org\n"
	    "    no such user\n"
	    "\n", &r), 2);
	a = find(&r, "heidi@example.com");
	b = find(&r, "ivan@example.org");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a->reason, "mailboxfull");
	ck_assert_str_eq(b->reason, "userunknown");
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* "Recipient address: x" and "Reason:" lines. */
START_TEST(labelled_recipient)
{
	assert_one(BOUNCE_HEAD
	    "Your message cannot be delivered.\n"
	    "\n"
	    "  Recipient address: judy@example.com\n"
	    "  Reason: mailbox full, quota exceeded\n",
	    "judy@example.com", CLASS_SOFT);
}
END_TEST

/* An address alone between the paragraph that introduces it and its reason. */
START_TEST(address_between_paragraphs)
{
	assert_one(
	    "From: postmaster@example.com\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Mail Delivery Failure\n"
	    "\n"
	    "Delivery of email to this address\n"
	    "\n"
	    "\"kim@example.com\"\n"
	    "\n"
	    "has failed because the mailbox is full.\n",
	    "kim@example.com", CLASS_SOFT);
}
END_TEST

/*
 * Never the list's own addresses: the bounce's To, the returned message's From,
 * postmaster and MAILER-DAEMON, however close to an error they stand.
 */
START_TEST(own_addresses_never_named)
{
	struct classifier *c = generic();
	struct report r;
	size_t i;

	ck_assert_int_ge(read_message(c,
	    "From: MAILER-DAEMON@relay.example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: failure notice\n"
	    "\n"
	    "Delivery failed for list-bounces@lists.example.org: 550 rejected\n"
	    "Reported by postmaster@relay.example.net: 550 error\n"
	    "MAILER-DAEMON@relay.example.net: 550 error\n"
	    "<poster@example.com>: 550 5.7.1 rejected\n"
	    "<leo@example.com>: 550 5.1.1 unknown user\n"
	    "\n"
	    "------ This is a copy of the message, including all the headers. ------\n"
	    "From: Poster <poster@example.com>\n"
	    "To: list@lists.example.org\n"
	    "Subject: hello\n"
	    "\n"
	    "hi\n", &r), 1);
	for (i = 0; i < r.nresults; i++)
		ck_assert_msg(r.results[i].recipient != NULL &&
		    strcmp(r.results[i].recipient, "leo@example.com") == 0,
		    "named %s", r.results[i].recipient);
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* Text after the returned-message separator is not read for recipients. */
START_TEST(returned_copy_not_read)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "I'm sorry, your message could not be delivered.\n"
	    "<mia@example.com>: 552 mailbox full\n"
	    "\n"
	    "--- Below this line is a copy of the message.\n"
	    "\n"
	    "From: poster@example.com\n"
	    "To: list@lists.example.org\n"
	    "\n"
	    "quoting an old bounce: <nick@example.org>: 550 user unknown\n", &r), 1);
	ck_assert_ptr_nonnull(find(&r, "mia@example.com"));
	report_free(&r);
	classifier_free(c);
}
END_TEST

/*
 * Weak evidence (an address beside error words, no code) is cross-checked with
 * the returned message's recipients when they name one of the candidates.
 */
START_TEST(weak_candidates_cross_checked)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "This message could not be delivered.\n"
	    "olga@example.com: mailbox unavailable\n"
	    "Contact help@example.net if this error persists.\n"
	    "\n"
	    "----- Original message -----\n"
	    "From: poster@example.com\n"
	    "To: olga@example.com\n"
	    "Subject: hello\n"
	    "\n"
	    "hi\n", &r), 1);
	ck_assert_ptr_nonnull(find(&r, "olga@example.com"));
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* RFC 3464 fields in the text itself: they name the recipient and its status. */
START_TEST(dsn_fields_in_text)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "The message could not be delivered.\n"
	    "\n"
	    "Final-Recipient: rfc822; yara@example.com\n"
	    "Action: failed\n"
	    "Status: 5.2.2\n"
	    "Diagnostic-Code: smtp; 552 5.2.2 mailbox over quota\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "yara@example.com");
	ck_assert_str_eq(r.results[0].status, "5.2.2");
	ck_assert_str_eq(r.results[0].reason, "mailboxfull");
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* A line that only points at the address; the reply is in the next paragraph. */
START_TEST(reply_after_pointer_line)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "There was an error delivering your mail to <zack@example.com>.\n"
	    "\n"
	    "mx.example.com [192.0.2.4] did not like our RCPT TO:\n"
	    "550 5.1.1 <zack@example.com>: Recipient address rejected: no such user\n",
	    &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "zack@example.com");
	ck_assert_str_eq(r.results[0].status, "5.1.1");
	ck_assert_int_eq(r.results[0].class, CLASS_HARD);
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* A provider that names its own members without a domain: the reporter's domain. */
START_TEST(bare_names_under_heading)
{
	assert_one(
	    "From: Mail Delivery Subsystem <MAILER-DAEMON@provider.example.com>\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Mail Delivery Problem\n"
	    "\n"
	    "Your mail to the following recipients could not be delivered because"
	    " they do not accept mail with attachments or embedded images:\n"
	    "\tvera42\n",
	    "vera42@provider.example.com", CLASS_BLOCK);
}
END_TEST

/* "Will retry": a delay, not a failure. */
START_TEST(delay_notice)
{
	assert_one(
	    "From: Mail Delivery System <mailer-daemon@relay.example.net>\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Warning: message delivery delayed\n"
	    "\n"
	    "This is a warning message only; you do not need to resend your message.\n"
	    "Delivery to the following recipient has been delayed:\n"
	    "\n"
	    "  pat@example.com\n"
	    "    451 4.4.1 connection timed out; will retry for 4 more days\n",
	    "pat@example.com", CLASS_DELAYED);
}
END_TEST

/* The intro vocabulary in the languages of the seeds and corpora. */
START_TEST(languages)
{
	static const char *const intros[] = {
		"Ihre Nachricht konnte nicht zugestellt werden an:",
		"Votre message n'a pas pu être remis aux destinataires suivants :",
		"Su mensaje no se pudo entregar a los siguientes destinatarios:",
		"Sua mensagem não pôde ser entregue aos seguintes destinatários:",
		"Non è stato possibile recapitare il messaggio ai seguenti destinatari:",
		"Uw bericht kon niet worden afgeleverd aan de volgende ontvangers:",
		"Ваше сообщение не может быть доставлено следующим адресатам:",
		"您的邮件无法投递到以下收件人：",
		"您的郵件無法傳遞給下列收件人：",
		"以下の宛先へメッセージを配信できませんでした。",
		NULL
	};
	char msg[2048];
	int i;

	for (i = 0; intros[i] != NULL; i++) {
		snprintf(msg, sizeof msg,
		    "From: Mail Delivery System <postmaster@relay.example.net>\n"
		    "To: list-bounces@lists.example.org\n"
		    "Subject: =?UTF-8?B?TWFpbA==?=\n"
		    "\n"
		    "%s\n"
		    "\n"
		    "    quinn@example.com\n"
		    "\n"
		    "550 5.1.1 mailbox unavailable\n", intros[i]);
		assert_one(msg, "quinn@example.com", CLASS_HARD);
	}
}
END_TEST

/* A delivery failure subject in other languages with a quoted reply. */
START_TEST(localised_subjects)
{
	static const char *const subjects[] = {
		"Unzustellbar: Newsletter", "Non remis : Newsletter",
		"No entregado: Newsletter", "=?UTF-8?B?6YCA5L+h?=",
		"Onbestelbaar: Newsletter", "Mancata consegna: Newsletter",
		"Olevererbart: Newsletter", "Nedoručitelné: Newsletter",
		"Teslim edilemedi: Newsletter", "Kézbesíthetetlen: Newsletter",
		"Niedostarczona wiadomość: Newsletter",
		"Недоставленное сообщение: Newsletter", NULL
	};
	char msg[1024];
	int i;

	for (i = 0; subjects[i] != NULL; i++) {
		snprintf(msg, sizeof msg,
		    "From: Administrator <admin@relay.example.net>\n"
		    "To: list-bounces@lists.example.org\n"
		    "Subject: %s\n"
		    "Auto-Submitted: auto-generated\n"
		    "\n"
		    "rita@example.com: 550 5.1.1 recipient rejected\n", subjects[i]);
		assert_one(msg, "rita@example.com", CLASS_HARD);
	}
}
END_TEST

/* A report that names nobody: one result with no recipient (VERP may name it). */
START_TEST(no_recipient_named)
{
	struct classifier *c = classifier_new();
	struct report r;
	struct err e;
	static const char msg[] =
	    "From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.net>\n"
	    "To: bounces+sam=example.com@lists.example.org\n"
	    "Subject: Returned mail: see transcript for details\n"
	    "\n"
	    "Your message could not be delivered: mailbox unavailable.\n";

	classifier_set_generic_only(c, 1);
	ck_assert_int_eq(read_message(c, msg, &r), 1);
	ck_assert_ptr_null(r.results[0].recipient);
	report_free(&r);
	ck_assert_int_eq(classifier_set_verp(c,
	    "bounces+{local}={domain}@lists.example.org", &e), 0);
	ck_assert_int_eq(read_message(c, msg, &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "sam@example.com");
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* Without --generic-only the reader still takes what no decoder knows. */
START_TEST(full_mode_falls_back_to_generic)
{
	struct classifier *c = classifier_new();
	struct report r;

	ck_assert_int_eq(read_message(c, BOUNCE_HEAD
	    "Sorry, we could not deliver your mail.\n"
	    "<tom@example.com>: host mx.example.com said: 550 5.1.1 no such user\n",
	    &r), 1);
	ck_assert_str_eq(r.format, "generic");
	ck_assert_str_eq(r.results[0].recipient, "tom@example.com");
	ck_assert_ptr_nonnull(r.results[0].remote_mta);
	ck_assert_str_eq(r.results[0].remote_mta, "mx.example.com");
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* Past its cap of addresses the reader stops, and says so. */
START_TEST(candidates_capped_with_warning)
{
	struct classifier *c = generic();
	struct report r;
	char *msg = malloc(300 * 64 + 256), *p;
	int i;

	p = msg + sprintf(msg, BOUNCE_HEAD "Delivery failed:\n");
	for (i = 0; i < 300; i++)
		p += sprintf(p, "u%d@example.org: 550 5.1.1 unknown user\n", i);
	ck_assert_int_eq(read_message(c, msg, &r), 200);
	ck_assert_msg(strstr(r.error, "more than 200") != NULL, "warning: %s", r.error);
	report_free(&r);
	classifier_free(c);
	free(msg);
}
END_TEST

/* A bare bounce body, no header at all (pasted into a tool, or a gateway's). */
START_TEST(bare_body_without_header)
{
	assert_one(
	    "Your message could not be delivered to the following recipient:\n"
	    "\n"
	    "  abe@example.com\n"
	    "    550 5.1.1 no such user\n",
	    "abe@example.com", CLASS_HARD);
}
END_TEST

/* A notice of successful delivery lists recipients under a heading too. */
START_TEST(success_notice_is_not_a_failure)
{
	assert_none(
	    "From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Delivery Status Notification\n"
	    "\n"
	    "Your message has been successfully delivered to the following"
	    " recipients:\n"
	    "\n"
	    "   bob@example.com\n");
}
END_TEST

/* An out-of-office notice that talks about delivery is not a failure. */
START_TEST(vacation_is_not_a_failure)
{
	assert_none(
	    "From: Uma <uma@example.com>\n"
	    "To: list@lists.example.org\n"
	    "Subject: Out of office\n"
	    "Auto-Submitted: auto-replied\n"
	    "\n"
	    "I am away; mail to uma@example.com could not be read until Monday.\n");
}
END_TEST

/* Mailbox names of mail systems are a sender signal: MDaemon, an antivirus gateway. */
START_TEST(system_mailboxes_as_senders)
{
	assert_one(
	    "From: MDaemon@mail.example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Warning: kim@example.net - no such mailbox\n"
	    "\n"
	    "kim@example.net - there is no such user on this server.\n",
	    "kim@example.net", CLASS_HARD);
	assert_one(
	    "From: Virus_Scanner_for_SMTP_Gateways@example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Delivery failure notification\n"
	    "\n"
	    "Your message about the meeting could not be delivered to the following\n"
	    "recipients:\n"
	    "\n"
	    "Lee@example.net\n"
	    "\n"
	    "Delivery attempts will continue to be made for 3 days.\n",
	    "lee@example.net", CLASS_DELAYED);
}
END_TEST

/* An empty delivery-status part still says what the message is. */
START_TEST(empty_report_part_supports)
{
	assert_one(
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Utilisateur inconnu\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n"
	    "\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "A message could not be delivered to:\n"
	    "max@example.fr\n"
	    "L'adresse de messagerie mentionnee ci-dessus n'existe pas.\n"
	    "\n"
	    "--b\n"
	    "Content-Type: message/delivery-status\n"
	    "\n"
	    "Reporting-MTA: dns; gw.example.fr\n"
	    "\n"
	    "--b--\n",
	    "max@example.fr", CLASS_HARD);
}
END_TEST

/* A gateway answering "RE: <subject>" opens with the failure; a member does not. */
START_TEST(gateway_reply_subject)
{
	assert_one(
	    "From: notices.gw@example.com\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: RE: Weekly digest : non remis\n"
	    "\n"
	    "*****************************************\n"
	    "Your message could not be delivered to\n"
	    "ned@example.com\n"
	    "*****************************************\n",
	    "ned@example.com", CLASS_SOFT);
	assert_none(
	    "From: Ned <ned@example.com>\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: RE: Weekly digest : non remis\n"
	    "\n"
	    "Hello, why do I get this? Your message could not be delivered to\n"
	    "ned@example.com\n");
}
END_TEST

/* "(generated from a@b)" under a failed address that names nobody. */
START_TEST(original_address_annotation)
{
	assert_one(BOUNCE_HEAD
	    "A message that you sent could not be delivered to one or more of its\n"
	    "recipients. This is a permanent error. The following address(es) failed:\n"
	    "\n"
	    "  a hidden recipient\n"
	    "    (generated from opal@example.com)\n",
	    "opal@example.com", CLASS_SOFT);	/* no reason given */
	assert_one(BOUNCE_HEAD
	    "Your message has met delivery problems\n"
	    "to local user pat.\n"
	    "(Originally addressed to pat@example.it)\n"
	    "\n"
	    "No such user here\n",
	    "pat@example.it", CLASS_HARD);
}
END_TEST

/* The address, then the error on the next line of the same sentence. */
START_TEST(error_on_the_next_line)
{
	assert_one(BOUNCE_HEAD
	    "The message below, which was addressed to 'quill@example.co.uk',\n"
	    "failed because the mailbox is full.\n",
	    "quill@example.co.uk", CLASS_SOFT);
}
END_TEST

/* "not accepting mail from <list>": the list is the sender, the names are members. */
START_TEST(sender_address_in_heading)
{
	assert_one(
	    "From: \"Mail Delivery Subsystem\" <MAILER-DAEMON@example.com>\n"
	    "To: <list-bounces@lists.example.org>\n"
	    "Subject: Mail Delivery Problem\n"
	    "\n"
	    "Your mail to the following recipients could not be delivered because they\n"
	    "are not accepting mail from announce@lists.example.org:\n"
	    "\tsunnyday\n",
	    "sunnyday@example.com", CLASS_HARD);
}
END_TEST

/* "Your message to: / a@b / has not yet been delivered": a delay, with its address. */
START_TEST(delay_with_address_alone)
{
	assert_one(
	    "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Warning: message has not yet been delivered\n"
	    "\n"
	    "Your message to:\n"
	    "\troy@example.com\n"
	    "\n"
	    "has not yet been delivered because the receiving server did not respond.\n",
	    "roy@example.com", CLASS_DELAYED);
}
END_TEST

/* "transient non-fatal errors" is a delay, though it holds "fatal error". */
START_TEST(non_fatal_is_a_delay)
{
	assert_one(
	    "\n"
	    "   ----- The following addresses had transient non-fatal errors -----\n"
	    "<zoe@example.com>\n"
	    "\n"
	    "   ----- Transcript of session follows -----\n"
	    "<zoe@example.com>... Deferred: Connection refused by mx.example.com.\n"
	    "Warning: message still undelivered after 4 hours\n",
	    "zoe@example.com", CLASS_DELAYED);
}
END_TEST

/* The reason in the opening sentence, or on a "Reason:" line, decides. */
START_TEST(reason_in_sentence_or_reason_line)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c,
	    "\n"
	    "The following message could not be delivered because the recipient's\n"
	    "mailbox is full.\n"
	    "\n"
	    "To: gil@example.com\n"
	    "Subject: News\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "gil@example.com");
	ck_assert_str_eq(r.results[0].reason, "mailboxfull");
	report_free(&r);
	ck_assert_int_eq(read_message(c,
	    "\n"
	    "Your message cannot be delivered to the following recipients:\n"
	    "\n"
	    "  Recipient address: fay@example.com\n"
	    "  Reason: Illegal host/domain name found\n", &r), 1);
	ck_assert_str_eq(r.results[0].reason, "hostunknown");
	report_free(&r);
	classifier_free(c);
}
END_TEST

/*
 * Under the heading: a name with its error after a gap is the failed mailbox; an
 * address that a wrapped sentence of the explanation puts at a line's start is not.
 */
START_TEST(name_with_error_not_wrapped_address)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c,
	    "From: MAILER-DAEMON@mx.example.edu\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Returned mail - nameserver error report\n"
	    "\n"
	    " --------Message not delivered to the following:\n"
	    "\n"
	    " jdoe    No matches to nameserver query\n"
	    "\n"
	    " --------Error Detail:\n"
	    "\n"
	    " The directory did not find the name. If in doubt, write the\n"
	    " full form of the name, e.g., if\n"
	    " ann.lee@example.edu fails, try ann.b.lee@example.edu.\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "jdoe@mx.example.edu");
	ck_assert_str_eq(r.results[0].reason, "userunknown");
	ck_assert_ptr_null(find(&r, "ann.lee@example.edu"));
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* Korean, with no header at all: the heading, the address, the reason. */
START_TEST(korean_body)
{
	assert_one(
	    "\n"
	    "메일이 다음 수신자에게 전달되지 않았습니다.\n"
	    "\n"
	    "kim@example.kr\n"
	    "사유: 수신자의 메일함 용량이 초과되었습니다.\n",
	    "kim@example.kr", CLASS_SOFT);
}
END_TEST

/* Chinese and Japanese headings ("the following recipients:") over the address. */
START_TEST(cjk_headings)
{
	assert_one(
	    "\n"
	    "您的邮件未能送达以下收件人：\n"
	    "\n"
	    "wang@example.cn\n"
	    "原因：收件人邮箱已满\n",
	    "wang@example.cn", CLASS_SOFT);
	assert_one(
	    "\n"
	    "以下のあて先へのメッセージは配信されませんでした。\n"
	    "\n"
	    "tanaka@example.jp\n",
	    "tanaka@example.jp", CLASS_SOFT);
}
END_TEST

/*
 * Russian with capitals ("Недоставленное"), and Polish: the vocabulary is matched
 * lower-cased beyond ASCII, the heading names the address, the reason decides.
 */
START_TEST(russian_capitals_and_polish)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c,
	    "From: MAILER-DAEMON@mx.example.ru\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Недоставленное сообщение\n"
	    "\n"
	    "ВАШЕ ПИСЬМО НЕ БЫЛО ДОСТАВЛЕНО СЛЕДУЮЩИМ ПОЛУЧАТЕЛЯМ:\n"
	    "\n"
	    "ivan@example.ru\n"
	    "Причина: Почтовый ящик получателя переполнен.\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "ivan@example.ru");
	ck_assert_str_eq(r.results[0].reason, "mailboxfull");
	report_free(&r);
	ck_assert_int_eq(read_message(c,
	    "From: MAILER-DAEMON@poczta.example.pl\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Niedostarczona wiadomość\n"
	    "\n"
	    "Wiadomość nie została dostarczona do następujących odbiorców:\n"
	    "\n"
	    "ola@example.pl\n"
	    "Powód: Użytkownik nie istnieje.\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "ola@example.pl");
	ck_assert_str_eq(r.results[0].reason, "userunknown");
	ck_assert_int_eq(r.results[0].class, CLASS_HARD);
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* Still trying, said in other languages, is a delay; given up is a failure. */
START_TEST(delays_in_other_languages)
{
	assert_one(
	    "\n"
	    "Votre message n'a pas encore pu être remis aux destinataires suivants :\n"
	    "\n"
	    "luc@example.fr\n"
	    "\n"
	    "Le serveur fera de nouvelles tentatives pendant 2 jours.\n",
	    "luc@example.fr", CLASS_DELAYED);
	assert_one(
	    "\n"
	    "Su mensaje todavía no ha podido entregarse a los siguientes destinatarios:\n"
	    "\n"
	    "ana@example.es\n"
	    "Motivo: 451 buzón no disponible temporalmente\n",
	    "ana@example.es", CLASS_DELAYED);
	assert_one(
	    "\n"
	    "以下の宛先へのメッセージはまだ配信されていません。\n"
	    "\n"
	    "taro@example.jp\n"
	    "\n"
	    "サーバーは引き続き再送を試みます。\n",
	    "taro@example.jp", CLASS_DELAYED);
	assert_one(
	    "\n"
	    "Ihre Nachricht konnte nicht an folgende Empfänger zugestellt werden:\n"
	    "\n"
	    "jan@example.de\n"
	    "Grund: Postfach voll. Es wird weiterhin versucht ... nach 5 Tagen\n"
	    "wurde die Zustellung aufgegeben.\n",
	    "jan@example.de", CLASS_SOFT);
}
END_TEST

/*
 * The sender's address in a refusal of the sender is no failed recipient, nor the
 * new address of one who moved.
 */
START_TEST(sender_address_in_refusal)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_eq(read_message(c,
	    "From: MAILER-DAEMON@mx.example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Undelivered Mail Returned to Sender\n"
	    "\n"
	    "Delivery to the following recipient failed permanently:\n"
	    "\n"
	    "     kim@example.com\n"
	    "\n"
	    "Technical details of permanent failure:\n"
	    "450 4.1.8 <owner@lists.example.net>: Sender address rejected: Domain not "
	    "found\n"
	    "550 Sender <news@lists.example.net> refused by policy\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "kim@example.com");
	ck_assert_ptr_null(find(&r, "owner@lists.example.net"));
	ck_assert_ptr_null(find(&r, "news@lists.example.net"));
	report_free(&r);
	/* Nor is the new address of one who moved. */
	ck_assert_int_eq(read_message(c,
	    "From: MAILER-DAEMON@mx.example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Returned mail\n"
	    "\n"
	    "The following address failed:\n"
	    "\n"
	    "     max@example.com\n"
	    "\n"
	    "551 User not local; please try <max@example.net>\n", &r), 1);
	ck_assert_str_eq(r.results[0].recipient, "max@example.com");
	ck_assert_str_eq(r.results[0].reason, "hasmoved");
	ck_assert_ptr_null(find(&r, "max@example.net"));
	report_free(&r);
	classifier_free(c);
}
END_TEST

/* A separator naming the source mail's header: its To is no recipient. */
START_TEST(source_header_separator)
{
	struct classifier *c = generic();
	struct report r;

	ck_assert_int_ge(read_message(c,
	    "From: postmaster@mail.example.cn\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: Returned mail\n"
	    "\n"
	    "Your mail cannot be delivered to the following address(es):\n"
	    "\n"
	    " tom \"(0), ErrMsg=over quota\"\n"
	    "\n"
	    "---- Header of the source mail attached ----\n"
	    "\n"
	    "From: <sam@example.net>\n"
	    "To: Una Other <una@example.com.au>\n"
	    "Subject: Re: a thread\n", &r), 0);
	ck_assert_ptr_null(find(&r, "una@example.com.au"));
	report_free(&r);
	classifier_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("generic");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, unknown_mta_with_quoted_reply);
	tcase_add_test(tc, member_reply_is_not_a_bounce);
	tcase_add_test(tc, words_alone_are_not_a_bounce);
	tcase_add_test(tc, failure_words_from_anyone);
	tcase_add_test(tc, null_sender_and_code_suffice);
	tcase_add_test(tc, rcpt_to_followed_by_error);
	tcase_add_test(tc, addresses_under_heading);
	tcase_add_test(tc, labelled_recipient);
	tcase_add_test(tc, address_between_paragraphs);
	tcase_add_test(tc, own_addresses_never_named);
	tcase_add_test(tc, returned_copy_not_read);
	tcase_add_test(tc, weak_candidates_cross_checked);
	tcase_add_test(tc, dsn_fields_in_text);
	tcase_add_test(tc, reply_after_pointer_line);
	tcase_add_test(tc, bare_names_under_heading);
	tcase_add_test(tc, delay_notice);
	tcase_add_test(tc, languages);
	tcase_add_test(tc, localised_subjects);
	tcase_add_test(tc, no_recipient_named);
	tcase_add_test(tc, full_mode_falls_back_to_generic);
	tcase_add_test(tc, candidates_capped_with_warning);
	tcase_add_test(tc, bare_body_without_header);
	tcase_add_test(tc, vacation_is_not_a_failure);
	tcase_add_test(tc, success_notice_is_not_a_failure);
	tcase_add_test(tc, system_mailboxes_as_senders);
	tcase_add_test(tc, empty_report_part_supports);
	tcase_add_test(tc, gateway_reply_subject);
	tcase_add_test(tc, original_address_annotation);
	tcase_add_test(tc, error_on_the_next_line);
	tcase_add_test(tc, sender_address_in_heading);
	tcase_add_test(tc, delay_with_address_alone);
	tcase_add_test(tc, source_header_separator);
	tcase_add_test(tc, non_fatal_is_a_delay);
	tcase_add_test(tc, korean_body);
	tcase_add_test(tc, name_with_error_not_wrapped_address);
	tcase_add_test(tc, cjk_headings);
	tcase_add_test(tc, reason_in_sentence_or_reason_line);
	tcase_add_test(tc, russian_capitals_and_polish);
	tcase_add_test(tc, delays_in_other_languages);
	tcase_add_test(tc, sender_address_in_refusal);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
