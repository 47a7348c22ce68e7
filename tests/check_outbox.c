/*
 * check_outbox.c: the webhook outbox of db/outbox.c on real SQLite files. Rows
 * appear only for the kinds a webhook wants, in the transaction of the event (a
 * rolled-back batch leaves none), from every path that suppresses or lifts; the
 * payload carries the event; leases, failures, backoff times and purging behave;
 * the leases of a dead owner are handed back at once; the next due time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "db.h"

#define STORE_FIXTURE_NAME	"check_outbox"
#include "store_fixture.h"

static void
subscribe(const char *name, unsigned events, const char *name2, unsigned events2)
{
	struct store_webhook w[2] = { { name, events }, { name2, events2 } };
	struct err e;

	ck_assert_msg(store_set_webhooks(st, w, name2 != NULL ? 2 : 1, &e) == 0, "%s",
	    e.msg);
}

static const char *bounce_list;	/* the list bounce() says it came from, or NULL */

static void
bounce(const char *address, const char *class, int64_t scan_id)
{
	struct store_message m = { 0 };
	struct store_event ev = { 0 };
	struct err e;
	char hash[32];

	snprintf(hash, sizeof hash, "h%d", ++counter);
	m.hash = hash;
	m.bounce_time = T0;
	m.scan_id = scan_id;
	m.source = "maildir:/srv/bounces";
	m.list = bounce_list;
	ev.recipient = address;
	ev.class = class;
	ev.reason = strcmp(class, "block") == 0 ? "blocked" : "userunknown";
	ev.status = "5.1.1";
	ev.smtp_code = 550;
	ev.diagnostic = "550 5.1.1 <x>: \"quoted\" user unknown";
	ev.rule = "rules.tsv:1";
	ck_assert_msg(store_ingest_message(st, &m, &ev, 1, NULL, &e) == 0, "%s", e.msg);
}

/* The rows as "webhook kind|payload" lines, for strstr. */
struct collected {
	char	text[16384];
	int	rows;
};

static int
collect(const struct store_outbox_row *r, void *arg)
{
	struct collected *c = arg;
	size_t len = strlen(c->text);

	snprintf(c->text + len, sizeof c->text - len, "%s %s|%s\n", r->webhook, r->kind,
	    r->payload);
	c->rows++;
	return 0;
}

static struct collected *
rows(void)
{
	static struct collected c;
	struct err e;

	memset(&c, 0, sizeof c);
	ck_assert_msg(store_outbox_list(st, 1, collect, &c, &e) == 0, "%s", e.msg);
	return &c;
}

START_TEST(nothing_without_webhooks)
{
	bounce("alice@example.com", "hard", 0);
	ck_assert_int_eq(rows()->rows, 0);
	subscribe("a", 0, NULL, 0);	/* a webhook that wants nothing */
	bounce("bob@example.com", "hard", 0);
	ck_assert_int_eq(rows()->rows, 0);
}
END_TEST

START_TEST(bounce_and_suppression_payloads)
{
	struct collected *c;

	subscribe("a", STORE_WEBHOOK_BOUNCE | STORE_WEBHOOK_SUPPRESSED,
	    "b", STORE_WEBHOOK_UNSUPPRESSED);
	bounce("Alice@Example.COM", "hard", 0);
	c = rows();
	ck_assert_int_eq(c->rows, 2);
	ck_assert_ptr_nonnull(strstr(c->text, "a bounce|{\"event\":\"bounce\","
	    "\"address\":\"Alice@example.com\",\"domain\":\"example.com\","
	    "\"state\":\"suppressed\",\"class\":\"hard\",\"reason\":\"userunknown\","
	    "\"rule\":\"rules.tsv:1\",\"status\":\"5.1.1\",\"smtp_code\":550,"
	    "\"diagnostic\":\"550 5.1.1 <x>: \\\"quoted\\\" user unknown\","
	    "\"remote_mta\":null,\"time\":\"2023-11-14T22:13:20Z\","
	    "\"source\":\"maildir:/srv/bounces\",\"scan_id\":null,\"list\":null}"));
	ck_assert_ptr_nonnull(strstr(c->text, "a suppressed|{\"event\":\"suppressed\","
	    "\"address\":\"Alice@example.com\""));
	ck_assert_ptr_nonnull(strstr(c->text, "\"cause\":\"policy\",\"class\":\"hard\""));
	ck_assert_ptr_null(strstr(c->text, "b "));

	/* A bounce of one of several lists ([list NAME]) names it, as does its suppression. */
	bounce_list = "announce";
	bounce("dora@example.org", "hard", 0);
	bounce_list = NULL;
	c = rows();
	ck_assert_int_eq(c->rows, 4);
	ck_assert_ptr_nonnull(strstr(c->text, "a bounce|{\"event\":\"bounce\","
	    "\"address\":\"dora@example.org\""));
	ck_assert_ptr_nonnull(strstr(c->text, "\"scan_id\":null,\"list\":\"announce\"}\n"
	    "a suppressed|{\"event\":\"suppressed\",\"address\":\"dora@example.org\""));
	/* The suppression, written after the bounce, is the last row. */
	ck_assert_str_eq(c->text + strlen(c->text) - strlen(",\"list\":\"announce\"}\n"),
	    ",\"list\":\"announce\"}\n");
}
END_TEST

START_TEST(block_never_suppresses)
{
	struct collected *c;

	subscribe("a", STORE_WEBHOOK_BOUNCE | STORE_WEBHOOK_SUPPRESSED, NULL, 0);
	bounce("carol@example.net", "block", 0);
	c = rows();
	ck_assert_int_eq(c->rows, 1);
	ck_assert_ptr_nonnull(strstr(c->text, "\"class\":\"block\""));
	ck_assert_ptr_null(strstr(c->text, "suppressed|"));
}
END_TEST

START_TEST(rolled_back_batch_leaves_no_rows)
{
	struct err e;

	subscribe("a", STORE_WEBHOOK_BOUNCE | STORE_WEBHOOK_SUPPRESSED, NULL, 0);
	ck_assert_int_eq(store_begin(st, &e), 0);
	bounce("alice@example.com", "hard", 0);
	bounce("bob@example.com", "hard", 0);
	ck_assert_int_eq(rows()->rows, 4);	/* seen inside the transaction */
	store_rollback(st);
	ck_assert_int_eq(rows()->rows, 0);
	ck_assert_int_eq(store_begin(st, &e), 0);
	bounce("alice@example.com", "hard", 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	ck_assert_int_eq(rows()->rows, 2);
}
END_TEST

START_TEST(manual_import_and_unsuppress)
{
	struct store_unsuppress u = { 0 };
	struct store_import_result r;
	struct collected *c;
	struct err e;
	char file[160];
	FILE *fp;
	size_t n;

	subscribe("a", STORE_WEBHOOK_SUPPRESSED | STORE_WEBHOOK_UNSUPPRESSED, NULL, 0);
	ck_assert_int_eq(store_suppress(st, "dave@example.org", "asked to", &e), 1);
	snprintf(file, sizeof file, "%s/list.txt", dir);
	ck_assert_ptr_nonnull(fp = fopen(file, "w"));
	fputs("erin@example.org\n", fp);
	fclose(fp);
	ck_assert_int_eq(store_import(st, file, &r, &e), 0);
	store_set_now(st, T0 + 60);
	u.address = "dave@example.org";
	ck_assert_int_eq(store_unsuppress(st, &u, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	c = rows();
	ck_assert_int_eq(c->rows, 3);
	ck_assert_ptr_nonnull(strstr(c->text, "\"cause\":\"manual\",\"class\":null,"
	    "\"reason\":\"asked to\""));
	ck_assert_ptr_nonnull(strstr(c->text, "\"address\":\"erin@example.org\","
	    "\"domain\":\"example.org\",\"state\":\"suppressed\",\"cause\":\"import\""));
	ck_assert_ptr_nonnull(strstr(c->text, "a unsuppressed|{\"event\":\"unsuppressed\","
	    "\"address\":\"dave@example.org\",\"domain\":\"example.org\","
	    "\"state\":\"active\""));
	ck_assert_ptr_nonnull(strstr(c->text, "\"lifted_by\":\"manual\","
	    "\"time\":\"2023-11-14T22:14:20Z\""));
}
END_TEST

START_TEST(incident_row)
{
	struct collected *c;
	struct err e;
	int64_t scan;
	char address[64];
	int i;

	subscribe("a", STORE_WEBHOOK_INCIDENT, NULL, 0);
	ck_assert_int_eq(store_scan_begin(st, "test", &scan, &e), 0);
	for (i = 0; i < 6; i++) {
		snprintf(address, sizeof address, "u%d@example.com", i);
		bounce(address, "block", scan);
	}
	ck_assert_int_eq(store_scan_finish(st, scan, NULL, &e), 0);
	c = rows();
	ck_assert_int_ge(c->rows, 1);
	ck_assert_ptr_nonnull(strstr(c->text, "a incident|{\"event\":\"incident\","
	    "\"incident\":\"domain\",\"domain\":\"example.com\",\"class\":\"block\","
	    "\"reason\":\"blocked\",\"blocks\":6"));
}
END_TEST

START_TEST(take_lease_fail_deliver_purge)
{
	struct store_outbox_row *r;
	struct err e;
	size_t n, purged;
	int64_t after;

	subscribe("a", STORE_WEBHOOK_BOUNCE, "b", STORE_WEBHOOK_BOUNCE);
	bounce("alice@example.com", "soft", 0);
	bounce("bob@example.com", "soft", 0);
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 100, 0, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(r[0].webhook, "a");
	ck_assert_int_lt(r[0].id, r[1].id);
	ck_assert_int_eq(store_outbox_failed(st, r[0].id, "HTTP status 503", T0 + 30,
	    &e), 0);
	ck_assert_int_eq(store_outbox_delivered(st, r[1].id, NULL, &e), 0);
	store_outbox_rows_free(r, n);
	/* Leased or put off: nothing due now; b's rows are b's. */
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 100, 0, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	store_outbox_rows_free(r, n);
	store_set_now(st, T0 + 30);
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 100, 0, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(r[0].attempts, 1);
	ck_assert_str_eq(r[0].last_error, "HTTP status 503");
	store_outbox_rows_free(r, n);
	/* Leased again, but force takes it; after: only later ids. */
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 100, 0, 1, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_outbox_delivered(st, r[0].id, NULL, &e), 0);
	store_outbox_rows_free(r, n);
	ck_assert_int_eq(store_outbox_take(st, "b", 0, 10, 100, 0, 1, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	after = r[0].id;
	store_outbox_rows_free(r, n);
	ck_assert_int_eq(store_outbox_take(st, "b", after, 10, 100, 0, 1, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 1);	/* b's second row only */
	ck_assert_int_gt(r[0].id, after);
	ck_assert_int_eq(store_outbox_defer(st, r[0].id, T0, &e), 0);
	store_outbox_rows_free(r, n);
	ck_assert_int_eq(store_outbox_purge(st, T0 + 31, &purged, &e), 0);
	ck_assert_uint_eq(purged, 2);
	ck_assert_int_eq(rows()->rows, 2);	/* b's two, never delivered */
}
END_TEST

/*
 * A delivery id is never given twice, even when the purge has emptied the
 * outbox of everything delivered: a receiver discards an id it saw before.
 */
START_TEST(purge_never_reuses_ids)
{
	struct store_outbox_row *r;
	struct err e;
	size_t n, i, purged;
	int64_t highest = 0;

	subscribe("a", STORE_WEBHOOK_BOUNCE, NULL, 0);
	bounce("alice@example.com", "soft", 0);
	bounce("bob@example.com", "soft", 0);
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 100, 0, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(store_outbox_delivered(st, r[i].id, NULL, &e), 0);
		highest = r[i].id > highest ? r[i].id : highest;
	}
	store_outbox_rows_free(r, n);
	ck_assert_int_eq(store_outbox_purge(st, T0 + 86400, &purged, &e), 0);
	ck_assert_uint_eq(purged, 1);	/* the newest row stays */
	bounce("carol@example.com", "soft", 0);
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 100, 0, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_gt(r[0].id, highest);
	store_outbox_rows_free(r, n);
}
END_TEST

/* Owners 7 and 9 have died; every other one lives. asked counts the questions. */
static int asked;

static int
alive_but_7_9(int64_t owner, void *arg)
{
	(void)arg;
	asked++;
	return owner != 7 && owner != 9;
}

static size_t
take_now(const char *webhook, int64_t owner, int64_t *first_id)
{
	struct store_outbox_row *r;
	struct err e;
	size_t n;

	ck_assert_msg(store_outbox_take(st, webhook, 0, 10, 600, owner, 0, &r, &n,
	    &e) == 0, "%s", e.msg);
	if (first_id != NULL)
		*first_id = n > 0 ? r[0].id : 0;
	store_outbox_rows_free(r, n);
	return n;
}

/*
 * A process killed in the middle of a batch: its undelivered rows come back at
 * once when its owner is found dead; what it delivered or put off by a backoff
 * before dying stays so; a live owner's rows stay leased.
 */
START_TEST(reclaim_dead_owner)
{
	struct store_outbox_row *r;
	struct err e;
	size_t n, released;

	subscribe("a", STORE_WEBHOOK_BOUNCE, "b", STORE_WEBHOOK_BOUNCE);
	bounce("alice@example.com", "soft", 0);
	bounce("bob@example.com", "soft", 0);
	bounce("carol@example.com", "soft", 0);
	/* Owner 7 takes a's three rows, delivers one, fails one, dies on the third. */
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 600, 7, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(store_outbox_delivered(st, r[0].id, NULL, &e), 0);
	ck_assert_int_eq(store_outbox_failed(st, r[1].id, "HTTP status 500", T0 + 300,
	    &e), 0);
	store_outbox_rows_free(r, n);
	/* Owner 8, alive, takes b's rows. */
	ck_assert_uint_eq(take_now("b", 8, NULL), 3);
	ck_assert_uint_eq(take_now("a", 1, NULL), 0);
	store_set_now(st, T0 + 5);
	ck_assert_int_eq(store_outbox_reclaim(st, alive_but_7_9, NULL, &released, &e),
	    0);
	ck_assert_uint_eq(released, 1);
	ck_assert_int_eq(asked, 2);	/* 7 and 8, once each */
	/* Only carol's row is due again; bob's waits for its backoff. */
	ck_assert_uint_eq(take_now("a", 1, NULL), 1);
	ck_assert_uint_eq(take_now("b", 1, NULL), 0);
	/* Nothing more to reclaim: 7's leases are forgotten, 8 still lives. */
	asked = 0;
	ck_assert_int_eq(store_outbox_reclaim(st, alive_but_7_9, NULL, &released, &e),
	    0);
	ck_assert_uint_eq(released, 0);
	ck_assert_int_eq(asked, 2);	/* 1 (took carol's row again) and 8 */
	/* Leases without an owner are not reclaimed: they run out. */
	store_set_now(st, T0 + 700);
	ck_assert_uint_eq(take_now("b", 0, NULL), 3);
	asked = 0;
	ck_assert_int_eq(store_outbox_reclaim(st, alive_but_7_9, NULL, &released, &e),
	    0);
	ck_assert_int_eq(asked, 1);	/* owner 1 alone */
}
END_TEST

/* Many owners, dead and alive: the walk asks each once and releases the dead. */
START_TEST(reclaim_many_owners)
{
	struct store_outbox_row *r;
	struct err e;
	size_t n, i, released;
	char address[64];

	subscribe("a", STORE_WEBHOOK_BOUNCE, NULL, 0);
	for (i = 0; i < 80; i++) {
		snprintf(address, sizeof address, "u%zu@example.com", i);
		bounce(address, "soft", 0);
	}
	/* 80 rows, one per owner: 1..80 (7 and 9 dead). */
	for (i = 0; i < 80; i++) {
		ck_assert_int_eq(store_outbox_take(st, "a", 0, 1, 600, (int64_t)i + 1, 0,
		    &r, &n, &e), 0);
		ck_assert_uint_eq(n, 1);
		store_outbox_rows_free(r, n);
	}
	asked = 0;
	ck_assert_int_eq(store_outbox_reclaim(st, alive_but_7_9, NULL, &released, &e),
	    0);
	ck_assert_uint_eq(released, 2);
	ck_assert_int_eq(asked, 80);
	ck_assert_uint_eq(take_now("a", 100, NULL), 2);
}
END_TEST

/* When the daemon must wake for the outbox without new mail. */
START_TEST(next_due_time)
{
	struct store_outbox_row *r;
	struct err e;
	time_t when;
	size_t n;

	subscribe("a", STORE_WEBHOOK_BOUNCE, NULL, 0);
	ck_assert_int_eq(store_outbox_next_due(st, &when, &e), 0);
	ck_assert_int_eq(when, 0);
	bounce("alice@example.com", "soft", 0);
	ck_assert_int_eq(store_outbox_next_due(st, &when, &e), 0);
	ck_assert_int_eq(when, T0);
	ck_assert_int_eq(store_outbox_take(st, "a", 0, 10, 600, 7, 0, &r, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_outbox_next_due(st, &when, &e), 0);
	ck_assert_int_eq(when, T0 + 600);	/* the lease runs out */
	ck_assert_int_eq(store_outbox_failed(st, r[0].id, "HTTP status 500", T0 + 30,
	    &e), 0);
	ck_assert_int_eq(store_outbox_next_due(st, &when, &e), 0);
	ck_assert_int_eq(when, T0 + 30);	/* the backoff ends */
	ck_assert_int_eq(store_outbox_delivered(st, r[0].id, NULL, &e), 0);
	store_outbox_rows_free(r, n);
	ck_assert_int_eq(store_outbox_next_due(st, &when, &e), 0);
	ck_assert_int_eq(when, 0);
	/* A webhook no longer configured does not wake anyone. */
	bounce("bob@example.com", "soft", 0);
	subscribe("b", STORE_WEBHOOK_BOUNCE, NULL, 0);
	ck_assert_int_eq(store_outbox_next_due(st, &when, &e), 0);
	ck_assert_int_eq(when, 0);
}
END_TEST

static Suite *
outbox_suite(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("outbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, nothing_without_webhooks);
	tcase_add_test(tc, bounce_and_suppression_payloads);
	tcase_add_test(tc, block_never_suppresses);
	tcase_add_test(tc, rolled_back_batch_leaves_no_rows);
	tcase_add_test(tc, manual_import_and_unsuppress);
	tcase_add_test(tc, incident_row);
	tcase_add_test(tc, take_lease_fail_deliver_purge);
	tcase_add_test(tc, purge_never_reuses_ids);
	tcase_add_test(tc, reclaim_dead_owner);
	tcase_add_test(tc, reclaim_many_owners);
	tcase_add_test(tc, next_due_time);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(outbox_suite());
}
