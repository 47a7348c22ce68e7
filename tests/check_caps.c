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
	suite_add_tcase(s, tc);
	return run_suite(s);
}
