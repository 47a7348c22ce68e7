/*
 * check_policy.c: the suppression policy, on real SQLite files with the clock
 * injected: soft-bounce days and their window (ending at the scan, for live
 * processing and reapply alike), hard and complaint thresholds, block results
 * that never suppress but raise incidents, duplicate messages, re-applying a
 * changed policy, manual unsuppress surviving it, and suppressions that hold
 * for every list whichever lists the bounces came from.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "db.h"

#define DAY	86400
#define STORE_FIXTURE_NAME	"check_policy"
#include "store_fixture.h"

/* One message with one result, bounced at `when`; returns what ingest did. */
static struct store_ingest
bounce_at(struct store *s, const char *address, const char *class, const char *reason,
    time_t when, int64_t scan_id)
{
	struct store_message m = { 0 };
	struct store_event ev = { 0 };
	struct store_ingest out;
	struct err e;
	char hash[64];

	snprintf(hash, sizeof hash, "hash-%d", ++counter);
	m.hash = hash;
	m.bounce_time = when;
	m.scan_id = scan_id;
	ev.recipient = address;
	ev.class = class;
	ev.reason = reason;
	ev.rule = "rules.tsv:1";
	store_set_now(s, when + 60);	/* ingested a minute later */
	ck_assert_msg(store_ingest_message(s, &m, &ev, 1, &out, &e) == 0, "%s", e.msg);
	return out;
}

static enum store_state
state_of(struct store *s, const char *address, struct store_status *out)
{
	struct store_status status;
	struct err e;
	enum store_state state;

	ck_assert_msg(store_status(s, address, &status, &e) == 0, "%s", e.msg);
	state = status.state;
	if (out != NULL)
		*out = status;
	else
		store_status_free(&status);
	return state;
}

START_TEST(soft_fifth_day_suppresses)
{
	int day;

	for (day = 0; day < 4; day++) {
		bounce_at(st, "a@example.com", "soft", "mailboxfull", T0 + day * DAY, 0);
		ck_assert_int_eq(state_of(st, "a@example.com", NULL), STORE_ACTIVE);
	}
	ck_assert_uint_eq(bounce_at(st, "a@example.com", "soft", "mailboxfull",
	    T0 + 4 * DAY, 0).suppressed, 1);
	ck_assert_int_eq(state_of(st, "a@example.com", NULL), STORE_SUPPRESSED);
}
END_TEST

START_TEST(soft_same_day_counts_once)
{
	struct store_status s;
	int i;

	for (i = 0; i < 3; i++)
		bounce_at(st, "b@example.com", "soft", "mailboxfull", T0 + i * 600, 0);
	for (i = 1; i < 4; i++)
		bounce_at(st, "b@example.com", "soft", "mailboxfull", T0 + i * DAY, 0);
	ck_assert_int_eq(state_of(st, "b@example.com", &s), STORE_ACTIVE);
	ck_assert_int_eq(s.soft_days, 4);
	ck_assert_int_eq(s.events, 6);
	store_status_free(&s);
}
END_TEST

START_TEST(soft_old_days_leave_window)
{
	struct store_status s;
	int day;

	for (day = 0; day < 4; day++)
		bounce_at(st, "c@example.com", "soft", "mailboxfull", T0 + day * DAY, 0);
	/* Day 40: the first four days are outside the 30-day window. */
	bounce_at(st, "c@example.com", "soft", "mailboxfull", T0 + 40 * DAY, 0);
	ck_assert_int_eq(state_of(st, "c@example.com", &s), STORE_ACTIVE);
	ck_assert_int_eq(s.soft_days, 1);
	store_status_free(&s);
	/* Days 40-43: four days in the window, still active. */
	bounce_at(st, "c@example.com", "soft", "mailboxfull", T0 + 41 * DAY, 0);
	bounce_at(st, "c@example.com", "soft", "mailboxfull", T0 + 42 * DAY, 0);
	bounce_at(st, "c@example.com", "soft", "mailboxfull", T0 + 43 * DAY, 0);
	ck_assert_int_eq(state_of(st, "c@example.com", NULL), STORE_ACTIVE);
	/* Day 69: days 40-43 and 69 are five within 30 days. */
	bounce_at(st, "c@example.com", "soft", "mailboxfull", T0 + 69 * DAY, 0);
	ck_assert_int_eq(state_of(st, "c@example.com", NULL), STORE_SUPPRESSED);
}
END_TEST

/* A soft bounce of `when` that a scan at `now` finds (a backlog when far apart). */
static struct store_ingest
soft_found_at(struct store *s, const char *address, time_t when, time_t now)
{
	struct store_message m = { .bounce_time = when };
	struct store_event ev = { .recipient = address, .class = "soft",
	    .reason = "mailboxfull" };
	struct store_ingest out;
	struct err e;
	char hash[64];

	snprintf(hash, sizeof hash, "hash-%d", ++counter);
	m.hash = hash;
	store_set_now(s, now);
	ck_assert_msg(store_ingest_message(s, &m, &ev, 1, &out, &e) == 0, "%s", e.msg);
	return out;
}

/*
 * The soft window ends at the scan, not at the newest bounce: five soft days
 * 40-44 days before a first scan, and nothing since, suppress nobody; five days
 * within the last 30 do.
 */
START_TEST(soft_window_ends_at_the_scan)
{
	time_t now = T0 + 100 * DAY;
	struct store_status s;
	size_t suppressed = 0;
	int day;

	for (day = 44; day >= 40; day--)
		suppressed += soft_found_at(st, "old@example.com", now - day * DAY,
		    now).suppressed;
	ck_assert_uint_eq(suppressed, 0);
	ck_assert_int_eq(state_of(st, "old@example.com", &s), STORE_ACTIVE);
	ck_assert_int_eq(s.soft_days, 0);
	ck_assert_int_eq(s.events, 5);
	store_status_free(&s);

	for (day = 29; day >= 25; day--)
		suppressed += soft_found_at(st, "new@example.com", now - day * DAY,
		    now).suppressed;
	ck_assert_uint_eq(suppressed, 1);
	ck_assert_int_eq(state_of(st, "new@example.com", &s), STORE_SUPPRESSED);
	ck_assert_int_eq(s.soft_days, 5);
	store_status_free(&s);

	/* Four old days and one recent one: only the recent one counts. */
	for (day = 44; day >= 41; day--)
		soft_found_at(st, "mixed@example.com", now - day * DAY, now);
	soft_found_at(st, "mixed@example.com", now - DAY, now);
	ck_assert_int_eq(state_of(st, "mixed@example.com", &s), STORE_ACTIVE);
	ck_assert_int_eq(s.soft_days, 1);
	store_status_free(&s);
}
END_TEST

/*
 * reapply judges each soft bounce at the time it was recorded, as live
 * processing did: the old backlog still suppresses nobody, and five days that
 * suppressed when they happened stay suppressed however long ago that was.
 */
START_TEST(soft_window_and_reapply)
{
	time_t now = T0 + 100 * DAY;
	struct store_policy p;
	struct err e;
	size_t changed;
	int day;

	store_policy_defaults(&p);
	p.soft_threshold = 6;
	store_set_policy(st, &p);
	for (day = 44; day >= 40; day--) {
		soft_found_at(st, "backlog@example.com", now - day * DAY, now);
		soft_found_at(st, "recent@example.com", now - (day - 20) * DAY, now);
		soft_found_at(st, "live@example.com", now - day * DAY,
		    now - day * DAY + 60);
	}
	ck_assert_int_eq(state_of(st, "backlog@example.com", NULL), STORE_ACTIVE);
	ck_assert_int_eq(state_of(st, "recent@example.com", NULL), STORE_ACTIVE);
	ck_assert_int_eq(state_of(st, "live@example.com", NULL), STORE_ACTIVE);

	p.soft_threshold = 5;
	store_set_policy(st, &p);
	store_set_now(st, now);
	ck_assert_int_eq(store_reapply(st, &changed, &e), 0);
	ck_assert_uint_eq(changed, 2);
	ck_assert_int_eq(state_of(st, "backlog@example.com", NULL), STORE_ACTIVE);
	ck_assert_int_eq(state_of(st, "recent@example.com", NULL), STORE_SUPPRESSED);
	ck_assert_int_eq(state_of(st, "live@example.com", NULL), STORE_SUPPRESSED);

	/* A year later, reapply again: nothing changes. */
	store_set_now(st, now + 365 * DAY);
	ck_assert_int_eq(store_reapply(st, &changed, &e), 0);
	ck_assert_uint_eq(changed, 0);
	ck_assert_int_eq(state_of(st, "backlog@example.com", NULL), STORE_ACTIVE);
	ck_assert_int_eq(state_of(st, "live@example.com", NULL), STORE_SUPPRESSED);
}
END_TEST

START_TEST(soft_order_does_not_matter)
{
	struct store *other = open_store("replay.db");
	int day;

	/* The same five days, newest first: replaying gives the same answer. */
	for (day = 4; day >= 0; day--)
		bounce_at(other, "d@example.com", "soft", "mailboxfull", T0 + day * DAY, 0);
	ck_assert_int_eq(state_of(other, "d@example.com", NULL), STORE_SUPPRESSED);
	store_close(other);
}
END_TEST

static int
count_incident(const struct store_incident *i, void *arg)
{
	int *count = arg;

	if (strcmp(i->kind, "domain") == 0) {
		ck_assert_str_eq(i->domain, "example.net");
		ck_assert_str_eq(i->reason, "blocked");
		ck_assert_int_eq(i->blocks, 8);
	}
	(*count)++;
	return 0;
}

START_TEST(block_never_suppresses)
{
	struct store_scan_summary summary;
	struct store_status s;
	struct err e;
	int64_t scan;
	char address[64];
	int i, incidents = 0;

	ck_assert_int_eq(store_scan_begin(st, "maildir:/tmp/x", &scan, &e), 0);
	for (i = 0; i < 6; i++)
		bounce_at(st, "e@example.net", "block", "blocked", T0 + i * DAY, scan);
	for (i = 0; i < 2; i++) {
		snprintf(address, sizeof address, "user%d@example.net", i);
		bounce_at(st, address, "block", "blocked", T0, scan);
	}
	bounce_at(st, "f@example.org", "hard", "userunknown", T0, scan);
	ck_assert_int_eq(state_of(st, "e@example.net", &s), STORE_ACTIVE);
	ck_assert_int_eq(s.blocks, 6);
	store_status_free(&s);
	ck_assert_int_eq(store_scan_finish(st, scan, &summary, &e), 0);
	ck_assert_int_eq(summary.messages, 9);
	ck_assert_int_eq(summary.by_class[2], 8);	/* block */
	ck_assert_int_eq(summary.suppressed, 1);
	/* One burst for example.net, and 8 of 9 failures is a high share, but 9 < 20. */
	ck_assert_int_eq(summary.incidents, 1);
	ck_assert_int_eq(store_incidents(st, 0, count_incident, &incidents, &e), 0);
	ck_assert_int_eq(incidents, 1);
	/* Finishing again records nothing twice. */
	ck_assert_int_eq(store_scan_finish(st, scan, &summary, &e), 0);
	ck_assert_int_eq(summary.incidents, 1);
}
END_TEST

START_TEST(block_share_incident)
{
	struct store_scan_summary summary;
	struct err e;
	int64_t scan;
	char address[64];
	int i;

	ck_assert_int_eq(store_scan_begin(st, "mbox:/tmp/y", &scan, &e), 0);
	for (i = 0; i < 20; i++) {
		snprintf(address, sizeof address, "u%d@d%d.example.com", i, i);
		bounce_at(st, address, i < 10 ? "block" : "hard",
		    i < 10 ? "spamdetected" : "userunknown", T0, scan);
	}
	ck_assert_int_eq(store_scan_finish(st, scan, &summary, &e), 0);
	ck_assert_int_eq(summary.incidents, 1);	/* the share; no domain has 5 */
}
END_TEST

/* Counts every incident, and the blocks of the last one seen. */
static int
last_incident(const struct store_incident *i, void *arg)
{
	int64_t *seen = arg;

	seen[0]++;
	seen[1] = i->blocks;
	return 0;
}

/* One scan per block result, as pipes from the MTA are: finish each. */
static void
pipe_block(struct store *s, const char *address, time_t when)
{
	struct store_scan_summary summary;
	struct err e;
	int64_t scan;

	store_set_now(s, when);
	ck_assert_int_eq(store_scan_begin(s, "-", &scan, &e), 0);
	bounce_at(s, address, "block", "blocked", when, scan);
	ck_assert_msg(store_scan_finish(s, scan, &summary, &e) == 0, "%s", e.msg);
}

START_TEST(block_incident_over_pipes)
{
	struct store_scan_summary summary;
	struct store_policy p;
	struct err e;
	int64_t scan;
	int64_t seen[2];
	char address[64];
	int i;

	/* Four pipes an hour and more before: too old to join the burst. */
	for (i = 0; i < 4; i++) {
		snprintf(address, sizeof address, "old%d@example.net", i);
		pipe_block(st, address, T0 - 2 * 3600 + i);
	}
	/* Four within the hour: no incident yet (the threshold is 5). */
	for (i = 0; i < 4; i++) {
		snprintf(address, sizeof address, "u%d@example.net", i);
		pipe_block(st, address, T0 + i * 600);
	}
	memset(seen, 0, sizeof seen);
	ck_assert_int_eq(store_incidents(st, 0, last_incident, seen, &e), 0);
	ck_assert_int_eq(seen[0], 0);
	/* The fifth makes one; later ones in the window grow it, not add to it. */
	for (i = 4; i < 8; i++) {
		snprintf(address, sizeof address, "u%d@example.net", i);
		pipe_block(st, address, T0 + 2400 + i * 60);
	}
	memset(seen, 0, sizeof seen);
	ck_assert_int_eq(store_incidents(st, 0, last_incident, seen, &e), 0);
	ck_assert_int_eq(seen[0], 1);
	ck_assert_int_eq(seen[1], 8);
	/* A shorter window leaves the early ones out: a new burst needs 5 again. */
	store_get_policy(st, &p);
	p.incident_window_minutes = 10;
	store_set_policy(st, &p);
	for (i = 0; i < 4; i++) {
		snprintf(address, sizeof address, "v%d@example.net", i);
		pipe_block(st, address, T0 + 4 * 3600 + i * 60);
	}
	memset(seen, 0, sizeof seen);
	ck_assert_int_eq(store_incidents(st, 0, last_incident, seen, &e), 0);
	ck_assert_int_eq(seen[0], 1);
	pipe_block(st, "v4@example.net", T0 + 4 * 3600 + 300);
	memset(seen, 0, sizeof seen);
	ck_assert_int_eq(store_incidents(st, 0, last_incident, seen, &e), 0);
	ck_assert_int_eq(seen[0], 2);
	ck_assert_int_eq(seen[1], 5);
	/* Bounces dated a day ahead never join a burst of now. */
	for (i = 0; i < 4; i++) {
		snprintf(address, sizeof address, "w%d@example.org", i);
		pipe_block(st, address, T0 + 5 * DAY + i);
	}
	snprintf(address, sizeof address, "w4@example.org");
	store_set_now(st, T0 + 4 * DAY);
	ck_assert_int_eq(store_scan_begin(st, "-", &scan, &e), 0);
	bounce_at(st, address, "block", "blocked", T0 + 4 * DAY - 60, scan);
	ck_assert_int_eq(store_scan_finish(st, scan, &summary, &e), 0);
	ck_assert_int_eq(summary.incidents, 0);
}
END_TEST

START_TEST(complaint_suppresses)
{
	ck_assert_uint_eq(bounce_at(st, "g@example.com", "complaint", "feedback", T0,
	    0).suppressed, 1);
	ck_assert_int_eq(state_of(st, "g@example.com", NULL), STORE_SUPPRESSED);
	/* Auto-replies, delays and deliveries are recorded, never counted. */
	bounce_at(st, "h@example.com", "autoreply", "vacation", T0, 0);
	bounce_at(st, "h@example.com", "delayed", "delayed", T0, 0);
	bounce_at(st, "h@example.com", "delivered", "delivered", T0, 0);
	ck_assert_int_eq(state_of(st, "h@example.com", NULL), STORE_ACTIVE);
}
END_TEST

/* A soft bounce from list on the day of when (bounce_at, with a list). */
static void
soft_from_list(const char *address, const char *list, time_t when)
{
	struct store_message m = { 0 };
	struct store_event ev = { 0 };
	struct err e;
	char hash[64];

	snprintf(hash, sizeof hash, "list-%d", ++counter);
	m.hash = hash;
	m.bounce_time = when;
	m.list = list;
	ev.recipient = address;
	ev.class = "soft";
	ev.reason = "mailboxfull";
	store_set_now(st, when + 60);
	ck_assert_msg(store_ingest_message(st, &m, &ev, 1, NULL, &e) == 0, "%s", e.msg);
}

/*
 * Suppressions are per address: soft days from two lists add up to the
 * threshold (a full mailbox is full for every list), and once suppressed the
 * address is suppressed whichever list asks; each list's own count is told
 * apart. A complaint from one list likewise holds for the other.
 */
START_TEST(lists_share_one_suppression)
{
	struct store_status s;
	struct err e;
	int day;

	for (day = 0; day < 3; day++)
		soft_from_list("a@example.com", "announce", T0 + day * DAY);
	soft_from_list("a@example.com", "discuss", T0 + 3 * DAY);
	ck_assert_int_eq(state_of(st, "a@example.com", NULL), STORE_ACTIVE);
	soft_from_list("a@example.com", "discuss", T0 + 4 * DAY);
	ck_assert_int_eq(state_of(st, "a@example.com", NULL), STORE_SUPPRESSED);
	ck_assert_int_eq(store_status_list(st, "a@example.com", "announce", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_int_eq(s.soft_days, 3);
	ck_assert_str_eq(s.list, "discuss");	/* the fifth day decided */
	store_status_free(&s);
	ck_assert_int_eq(store_status_list(st, "a@example.com", "discuss", &s, &e), 0);
	ck_assert_int_eq(s.soft_days, 2);
	store_status_free(&s);

	bounce_at(st, "c@example.org", "complaint", "feedback", T0, 0);
	ck_assert_int_eq(store_status_list(st, "c@example.org", "discuss", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_ptr_null(s.list);
	store_status_free(&s);
}
END_TEST

START_TEST(hard_suppresses_at_one)
{
	struct store_status s;

	bounce_at(st, "i@example.com", "hard", "userunknown", T0, 0);
	ck_assert_int_eq(state_of(st, "i@example.com", &s), STORE_SUPPRESSED);
	ck_assert_str_eq(s.cause, "policy");
	ck_assert_str_eq(s.reason, "userunknown");
	ck_assert_str_eq(s.rule, "rules.tsv:1");
	ck_assert_int_eq(s.hard_bounces, 1);
	store_status_free(&s);
}
END_TEST

START_TEST(duplicate_message_counts_once)
{
	struct store_policy p;
	struct store_message m = { .hash = "same", .bounce_time = T0 };
	struct store_event ev = { .recipient = "j@example.com", .class = "hard" };
	struct store_ingest out;
	struct store_status s;
	struct err e;

	store_policy_defaults(&p);
	p.hard_threshold = 2;
	store_set_policy(st, &p);
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, &out, &e), 0);
	ck_assert_int_eq(out.duplicate, 0);
	ck_assert_uint_eq(out.events, 1);
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, &out, &e), 0);
	ck_assert_int_eq(out.duplicate, 1);
	ck_assert_uint_eq(out.events, 0);
	ck_assert_int_eq(store_message_seen(st, "same", &e), 1);
	ck_assert_int_eq(store_message_seen(st, "other", &e), 0);
	ck_assert_int_eq(state_of(st, "j@example.com", &s), STORE_ACTIVE);
	ck_assert_int_eq(s.hard_bounces, 1);
	store_status_free(&s);
}
END_TEST

START_TEST(threshold_change_and_reapply)
{
	struct store *fresh = open_store("fresh.db");
	struct store_policy p;
	struct err e;
	size_t changed;
	int day;

	for (day = 0; day < 3; day++) {
		bounce_at(st, "k@example.com", "soft", "mailboxfull", T0 + day * DAY, 0);
		bounce_at(st, "l@example.com", "soft", "mailboxfull", T0 + day * 20 * DAY, 0);
	}
	ck_assert_int_eq(state_of(st, "k@example.com", NULL), STORE_ACTIVE);
	store_policy_defaults(&p);
	p.soft_threshold = 3;
	store_set_policy(st, &p);
	ck_assert_int_eq(store_reapply(st, &changed, &e), 0);
	ck_assert_uint_eq(changed, 1);
	ck_assert_int_eq(state_of(st, "k@example.com", NULL), STORE_SUPPRESSED);
	ck_assert_int_eq(state_of(st, "l@example.com", NULL), STORE_ACTIVE);

	/* The same as if the threshold had always been 3. */
	store_set_policy(fresh, &p);
	for (day = 0; day < 3; day++) {
		bounce_at(fresh, "k@example.com", "soft", "mailboxfull", T0 + day * DAY, 0);
		bounce_at(fresh, "l@example.com", "soft", "mailboxfull", T0 + day * 20 * DAY,
		    0);
	}
	ck_assert_int_eq(state_of(fresh, "k@example.com", NULL), STORE_SUPPRESSED);
	ck_assert_int_eq(state_of(fresh, "l@example.com", NULL), STORE_ACTIVE);
	store_close(fresh);

	/* And back: the policy suppression is lifted again. */
	store_policy_defaults(&p);
	store_set_policy(st, &p);
	ck_assert_int_eq(store_reapply(st, &changed, &e), 0);
	ck_assert_uint_eq(changed, 1);
	ck_assert_int_eq(state_of(st, "k@example.com", NULL), STORE_ACTIVE);
}
END_TEST

START_TEST(unsuppress_survives_reapply)
{
	struct store_unsuppress u = { .address = "M@Example.com" };
	struct err e;
	size_t count;

	bounce_at(st, "m@example.com", "hard", "userunknown", T0, 0);
	ck_assert_int_eq(state_of(st, "m@example.com", NULL), STORE_SUPPRESSED);
	store_set_now(st, T0 + DAY);
	ck_assert_int_eq(store_unsuppress(st, &u, &count, &e), 0);
	ck_assert_uint_eq(count, 1);
	ck_assert_int_eq(store_reapply(st, NULL, &e), 0);
	ck_assert_int_eq(state_of(st, "m@example.com", NULL), STORE_ACTIVE);
	/* Replaying the old bounce is no new evidence ... */
	bounce_at(st, "m@example.com", "hard", "userunknown", T0 - 60, 0);
	ck_assert_int_eq(state_of(st, "m@example.com", NULL), STORE_ACTIVE);
	/* ... a new one is. */
	bounce_at(st, "m@example.com", "hard", "userunknown", T0 + 2 * DAY, 0);
	ck_assert_int_eq(state_of(st, "m@example.com", NULL), STORE_SUPPRESSED);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, soft_fifth_day_suppresses);
	tcase_add_test(tc, soft_same_day_counts_once);
	tcase_add_test(tc, soft_old_days_leave_window);
	tcase_add_test(tc, soft_order_does_not_matter);
	tcase_add_test(tc, soft_window_ends_at_the_scan);
	tcase_add_test(tc, soft_window_and_reapply);
	tcase_add_test(tc, block_never_suppresses);
	tcase_add_test(tc, block_share_incident);
	tcase_add_test(tc, block_incident_over_pipes);
	tcase_add_test(tc, complaint_suppresses);
	tcase_add_test(tc, hard_suppresses_at_one);
	tcase_add_test(tc, lists_share_one_suppression);
	tcase_add_test(tc, duplicate_message_counts_once);
	tcase_add_test(tc, threshold_change_and_reapply);
	tcase_add_test(tc, unsuppress_survives_reapply);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(policy_suite());
}
