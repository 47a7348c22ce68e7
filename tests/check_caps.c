/*
 * check_caps.c: hostile messages built in memory. Each must come back promptly,
 * without a crash, and say in report.error which cap it hit, so that one crafted
 * bounce can neither take the scanner down nor stall it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "classifier.h"
#include "report.h"

/* Far above what the classifier needs, even under ASan and valgrind. */
#define PROMPT_SECONDS	5.0

struct buffer {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

static void
append(struct buffer *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		ck_assert_ptr_nonnull(b->data);
	}
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Classify b, check it was prompt; returns classify()'s value, r filled. */
static int
classify_timed(struct buffer *b, struct report *r)
{
	struct classifier *c = classifier_new();
	double start = now();
	int n;

	memset(r, 0, sizeof *r);
	n = classify(c, b->data, b->len, r);
	ck_assert_msg(now() - start < PROMPT_SECONDS, "classify took %.1f s",
	    now() - start);
	classifier_free(c);
	free(b->data);
	memset(b, 0, sizeof *b);
	return n;
}

static const char bounce_header[] =
    "From: MAILER-DAEMON@mx.example.net\n"
    "To: list-bounces@lists.example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n";

START_TEST(nested_message_rfc822_40000)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	int i;

	append(&b, bounce_header);
	append(&b, "Content-Type: message/rfc822\n\n");
	for (i = 0; i < 40000; i++)
		append(&b, "Content-Type: message/rfc822\n\n");
	append(&b, "Subject: the innermost message\n\nhello\n");
	/*
	 * The returned message is never split further (its inner parts are not the
	 * bounce), so this one hits no cap: it must just come back at once.
	 */
	ck_assert_int_ge(classify_timed(&b, &r), 0);
	report_free(&r);
}
END_TEST

START_TEST(nested_multipart_30000)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	char line[128];
	int i;

	append(&b, bounce_header);
	for (i = 0; i < 30000; i++) {
		/* No boundary is a prefix of another, so each level nests. */
		snprintf(line, sizeof line, "Content-Type: multipart/mixed; "
		    "boundary=\"n%d=\"\n\n--n%d=\n", i, i);
		append(&b, line);
	}
	append(&b, "Content-Type: text/plain\n\n550 5.1.1 user unknown\n");
	for (i = 30000 - 1; i >= 0; i--) {
		snprintf(line, sizeof line, "--n%d=--\n", i);
		append(&b, line);
	}
	ck_assert_int_ge(classify_timed(&b, &r), 0);
	ck_assert_msg(strstr(r.error, "nesting") != NULL, "error: \"%s\"", r.error);
	report_free(&r);
}
END_TEST

/* The delivery report comes first, so it is still read when the part cap is hit. */
START_TEST(sibling_parts_100000)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	int i;

	append(&b, bounce_header);
	append(&b, "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=\"s\"\n\n"
	    "--s\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example.net\n\n"
	    "Final-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: user unknown\n\n");
	for (i = 0; i < 100000; i++)
		append(&b, "--s\nContent-Type: text/plain\n\nx\n");
	append(&b, "--s--\n");
	ck_assert_int_eq(classify_timed(&b, &r), 1);
	ck_assert_msg(strstr(r.error, "MIME parts") != NULL, "error: \"%s\"", r.error);
	ck_assert_str_eq(r.results[0].recipient, "gone@example.com");
	ck_assert_int_eq(r.results[0].class, CLASS_HARD);
	report_free(&r);
}
END_TEST

START_TEST(message_20_megabytes)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	size_t size = 20u * 1024 * 1024;

	append(&b, bounce_header);
	append(&b, "\n");
	b.data = realloc(b.data, size + 1);
	ck_assert_ptr_nonnull(b.data);
	memset(b.data + b.len, 'x', size - b.len);
	b.data[size] = '\0';
	b.len = b.cap = size;
	ck_assert_int_eq(classify_timed(&b, &r), -1);
	ck_assert_msg(strstr(r.error, "over the cap") != NULL, "error: \"%s\"", r.error);
	ck_assert_uint_eq(r.nresults, 0);
	report_free(&r);
}
END_TEST

/* Just under the size cap: read in full, no error, no stall. */
START_TEST(message_15_megabytes_of_lines)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	size_t size = 15u * 1024 * 1024, i;

	append(&b, bounce_header);
	append(&b, "\n");
	b.data = realloc(b.data, size + 1);
	ck_assert_ptr_nonnull(b.data);
	for (i = b.len; i < size; i++)
		b.data[i] = i % 64 == 63 ? '\n' : (i % 128 == 0 ? '\r' : 'a');
	b.data[size] = '\0';
	b.len = b.cap = size;
	ck_assert_int_ge(classify_timed(&b, &r), 0);
	report_free(&r);
}
END_TEST

/*
 * Issue 11: a DSN just under the size cap with no text part (so the report is
 * also the text searched for each result's words), whose 149,000 recipient
 * groups all carry the same Diagnostic-Code, took 40 s: each of the 1,000
 * results looked for its diagnostic at every one of the 149,000 places it is
 * quoted. The cap must stop the work, and the result say that it was hit.
 */
START_TEST(dsn_149000_groups)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	char group[160];
	size_t i;

	append(&b, bounce_header);
	append(&b, "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=\"b\"\n\n--b\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example.net\n");
	for (i = 0; i < 149000; i++) {
		snprintf(group, sizeof group, "\nFinal-Recipient: rfc822; %zu@example.com\n"
		    "Action: failed\nStatus: 5.1.1\n"
		    "Diagnostic-Code: smtp; 550 no user\n", i);
		append(&b, group);
	}
	append(&b, "\n--b--\n");
	ck_assert_uint_lt(b.len, CLASSIFIER_MAX_BYTES);
	ck_assert_int_eq(classify_timed(&b, &r), CLASSIFIER_MAX_RESULTS);
	ck_assert_msg(strstr(r.error, "only the first 1000") != NULL, "error: \"%s\"",
	    r.error);
	ck_assert_str_eq(r.results[999].recipient, "999@example.com");
	ck_assert_int_eq(r.results[999].class, CLASS_HARD);
	report_free(&r);
}
END_TEST

/*
 * 200,000 recipients added to one report: 1,000 kept, a warning, and no search of
 * the kept results for every recipient past the cap (800,000 addresses in
 * X-Failed-Recipients took 5 s before results were indexed by recipient).
 */
START_TEST(report_add_200000)
{
	struct report r;
	char address[64];
	double start = now();
	int i;

	memset(&r, 0, sizeof r);
	ck_assert_ptr_null(report_find(&r, NULL));
	ck_assert_ptr_eq(report_add(&r, NULL), &r.results[0]);
	ck_assert_ptr_eq(report_find(&r, NULL), &r.results[0]);
	for (i = 0; i < 200000; i++) {
		snprintf(address, sizeof address, "%d@example.org", i);
		if (report_add(&r, address) == NULL)
			ck_assert_int_ge(i, CLASSIFIER_MAX_RESULTS - 1);
	}
	ck_assert_ptr_eq(report_add(&r, "998@example.org"), &r.results[999]);
	ck_assert_ptr_eq(report_find(&r, "17@example.org"), &r.results[18]);
	ck_assert_ptr_eq(report_find(&r, NULL), &r.results[0]);
	ck_assert_ptr_null(report_find(&r, "999@example.org"));
	ck_assert_ptr_eq(report_add(&r, NULL), &r.results[0]);	/* there already */
	ck_assert_uint_eq(r.nresults, CLASSIFIER_MAX_RESULTS);
	ck_assert_msg(strstr(r.error, "more than 1000 recipients") != NULL,
	    "error: \"%s\"", r.error);
	ck_assert_msg(now() - start < PROMPT_SECONDS, "took %.1f s", now() - start);
	report_free(&r);
}
END_TEST

/* 300 "<address>: reason" paragraphs: the first 200 are read, and it says so. */
START_TEST(recipient_paragraphs_300)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	char line[128];
	int i;

	append(&b, "From: MAILER-DAEMON@mx.example.net\n"
	    "To: list-bounces@lists.example.org\n"
	    "Subject: failure notice\n\n"
	    "Hi. This is the qmail-send program at mx.example.net.\n"
	    "I'm afraid I wasn't able to deliver your message to the following"
	    " addresses.\nThis is a permanent error; I've given up. Sorry it didn't"
	    " work out.\n\n");
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof line, "<%d@example.com>:\n"
		    "Remote host said: 550 5.1.1 no such user\n\n", i);
		append(&b, line);
	}
	ck_assert_int_eq(classify_timed(&b, &r), 200);
	ck_assert_msg(strstr(r.error, "only the first 200") != NULL, "error: \"%s\"",
	    r.error);
	report_free(&r);
}
END_TEST

/*
 * Found by the fuzzer: a plain-text decoder took a tab's column width (8) as a byte
 * count, stepped past the end of a short last line and read beyond the message.
 */
START_TEST(tab_indented_last_line)
{
	static const char *const lines[] = { "\tThIe", "\t\t", "\tx", " \t---",
	    "  trent@example.org\n\tx", "  trent@example.org\n\t\thost", "\t<", NULL };
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	int i;

	for (i = 0; lines[i] != NULL; i++) {
		append(&b, "From: MAILER-DAEMON@mx.example.net\n"
		    "Subject: Mail delivery failed: returning message to sender\n\n"
		    "This message was created automatically by mail delivery software.\n"
		    "<trent@example.org>: Mailbox full\n");
		append(&b, lines[i]);
		ck_assert_int_ge(classify_timed(&b, &r), 0);
		report_free(&r);
	}
}
END_TEST

/*
 * A diagnostic of 8 MB that repeats "said: " with no code after it: looking for
 * the reply code after each lead must not turn into a search per occurrence.
 */
START_TEST(diagnostic_repeating_said)
{
	struct buffer b = { NULL, 0, 0 };
	struct report r;
	int i;

	append(&b, "From: MAILER-DAEMON@mx.example.net\n"
	    "Subject: failure notice\n\n"
	    "Hi. This is the qmail-send program at mx.example.net.\n"
	    "I'm afraid I wasn't able to deliver your message to the following"
	    " addresses.\n\n<vic@example.org>:\nRemote host ");
	for (i = 0; i < 8 * 1024 * 1024 / 8; i++)
		append(&b, "said: x ");
	append(&b, "\n");
	ck_assert_int_ge(classify_timed(&b, &r), 0);
	report_free(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("hostile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nested_message_rfc822_40000);
	tcase_add_test(tc, nested_multipart_30000);
	tcase_add_test(tc, sibling_parts_100000);
	tcase_add_test(tc, message_20_megabytes);
	tcase_add_test(tc, message_15_megabytes_of_lines);
	tcase_add_test(tc, tab_indented_last_line);
	tcase_add_test(tc, dsn_149000_groups);
	tcase_add_test(tc, report_add_200000);
	tcase_add_test(tc, recipient_paragraphs_300);
	tcase_add_test(tc, diagnostic_repeating_said);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
