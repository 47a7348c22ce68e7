/*
 * bench_queries.c: the store's single-address and by-time queries on a large
 * database, each against one indexed SQLite statement that reads the same rows
 * (what a list manager reading the file would pay). Not part of "make check":
 * "make bench-queries" builds 400,000 messages with bench_store and runs this.
 *
 * usage: bench_queries DATABASE [ADDRESSES]   (default 100 addresses)
 *
 * Measured as the commands do them: status is store_status; why is store_status
 * and three store_why walks (cmd-why.c); unsuppress ADDRESS is store_unsuppress
 * in its own transaction (written to disk, as the command does) and, for the
 * look-up alone, inside a transaction rolled back (--dry-run); stats --since is
 * the five store_stats groupings and store_incidents. Each figure is the best
 * of three rounds, per address or per stats call, in microseconds of CPU time
 * (the machine is shared: wall time measures the neighbours), except the
 * committed unsuppress, whose time is mostly waiting for the disk: wall time.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"

#define ROUNDS		3
#define ADDRESSES_MAX	1000

/* Suppressed addresses: the first half for the store, the second for the reference. */
static char	*addresses[2 * ADDRESSES_MAX];
static size_t	 naddresses;

static clockid_t clock_used = CLOCK_PROCESS_CPUTIME_ID;

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(clock_used, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "bench_queries: %s: %s\n", what, why);
	exit(1);
}

static sqlite3 *
open_reference(const char *path, int flags)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	/* As the store does: the same page cache, and commits on disk. */
	sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA synchronous = FULL", NULL,
	    NULL, NULL);
	return db;
}

/* Step a reference statement to its end, reading every column of every row. */
static void
drain(sqlite3_stmt *stmt)
{
	int i, n;

	while (sqlite3_step(stmt) == SQLITE_ROW)
		for (i = 0, n = sqlite3_column_count(stmt); i < n; i++)
			(void)sqlite3_column_text(stmt, i);
	sqlite3_reset(stmt);
}

static void
pick_addresses(sqlite3 *db, size_t want)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(db, "SELECT r.address FROM recipients r"
	    " JOIN suppressions s ON s.recipient_id = r.id AND s.lifted IS NULL"
	    " ORDER BY r.id LIMIT ?1", -1, &stmt, NULL) != SQLITE_OK)
		die("picking addresses", sqlite3_errmsg(db));
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(2 * want));
	while (sqlite3_step(stmt) == SQLITE_ROW && naddresses < 2 * want)
		addresses[naddresses++] =
		    strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	if (naddresses < 2 * want)
		die("picking addresses", "too few suppressed addresses");
}

/* Per address: the store's way, then the reference statement's. */
struct pair {
	double	store, reference;
};

static int
ignore_event(const struct store_event_row *r, void *arg)
{
	(void)r;
	(void)arg;
	return 0;
}

static int
ignore_suppression(const struct store_suppression *s, void *arg)
{
	(void)s;
	(void)arg;
	return 0;
}

static int
ignore_stat(const struct store_stat *s, void *arg)
{
	(void)s;
	(void)arg;
	return 0;
}

static int
ignore_incident(const struct store_incident *i, void *arg)
{
	(void)i;
	(void)arg;
	return 0;
}

static void
status_one(struct store *st, const char *address)
{
	struct store_status s;
	struct err e;

	if (store_status(st, address, &s, &e) == -1)
		die(address, e.msg);
	store_status_free(&s);
}

static void
why_one(struct store *st, const char *address)
{
	struct err e;

	status_one(st, address);
	if (store_why(st, address, NULL, ignore_suppression, NULL, &e) == -1 ||
	    store_why(st, address, ignore_event, NULL, NULL, &e) == -1 ||
	    store_why(st, address, NULL, ignore_suppression, NULL, &e) == -1)
		die(address, e.msg);
}

/* The same rows as store_status: the recipient, its events, its suppression. */
static const char status_reference[] =
	"SELECT r.address, r.reset_time, e.id, e.class, e.reason, e.bounce_time,"
	" s.cause, s.reason, s.rule, s.created FROM recipients r"
	" JOIN events e ON e.recipient_id = r.id"
	" LEFT JOIN suppressions s ON s.recipient_id = r.id AND s.lifted IS NULL"
	" WHERE r.address_key = lower(?1)";

/* The same rows as why: every event with its message, every suppression. */
static const char why_reference[] =
	"SELECT e.*, m.source, m.origin, m.hash, s.* FROM recipients r"
	" JOIN events e ON e.recipient_id = r.id JOIN messages m ON m.id = e.message_id"
	" LEFT JOIN suppressions s ON s.recipient_id = r.id"
	" WHERE r.address_key = lower(?1)";

static double
time_reference(sqlite3 *db, const char *sql, size_t first, size_t n)
{
	sqlite3_stmt *stmt;
	double start;
	size_t i;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		die("reference", sqlite3_errmsg(db));
	start = seconds();
	for (i = first; i < first + n; i++) {
		sqlite3_bind_text(stmt, 1, addresses[i], -1, SQLITE_STATIC);
		drain(stmt);
	}
	sqlite3_finalize(stmt);
	return (seconds() - start) / (double)n;
}

static double
time_store(struct store *st, void (*one)(struct store *, const char *), size_t n)
{
	double start = seconds();
	size_t i;

	for (i = 0; i < n; i++)
		one(st, addresses[i]);
	return (seconds() - start) / (double)n;
}

static void
best(struct pair *b, double store, double reference)
{
	if (b->store == 0 || store < b->store)
		b->store = store;
	if (b->reference == 0 || reference < b->reference)
		b->reference = reference;
}

static void
report(const char *what, const struct pair *p)
{
	printf("%-34s %10.0f %10.0f %7.2fx\n", what, p->store * 1e6, p->reference * 1e6,
	    p->store / p->reference);
}

/* stats --since: five groupings and the incidents, against one grouping. */
static void
bench_stats(struct store *st, sqlite3 *db, time_t since, const char *label)
{
	static const enum store_stats_by by[] = { STORE_BY_CLASS, STORE_BY_REASON,
	    STORE_BY_DOMAIN, STORE_BY_BLOCKED_DOMAIN, STORE_BY_DAY };
	struct pair p = { 0, 0 };
	sqlite3_stmt *stmt;
	struct err e;
	double start, store;
	size_t i;
	int round;

	if (sqlite3_prepare_v2(db, "SELECT class, count(*) FROM events"
	    " WHERE bounce_time >= ?1 GROUP BY class", -1, &stmt, NULL) != SQLITE_OK)
		die("reference", sqlite3_errmsg(db));
	/*
	 * The store keeps its counts until the database changes: a new since each
	 * round (a second earlier) makes it count again, as each stats command does.
	 */
	for (round = 0; round < ROUNDS; round++, since--) {
		start = seconds();
		for (i = 0; i < sizeof by / sizeof by[0]; i++)
			if (store_stats(st, by[i], since, ignore_stat, NULL, &e) == -1)
				die("stats", e.msg);
		if (store_incidents(st, since, ignore_incident, NULL, &e) == -1)
			die("incidents", e.msg);
		store = seconds() - start;
		start = seconds();
		sqlite3_bind_int64(stmt, 1, since);
		drain(stmt);
		best(&p, store, seconds() - start);
	}
	sqlite3_finalize(stmt);
	report(label, &p);
}

static void
unsuppress_one(struct store *st, const char *address, int dry_run)
{
	struct store_unsuppress u = { .address = address };
	struct err e;
	size_t count;

	if (dry_run && store_begin(st, &e) == -1)
		die(address, e.msg);
	if (store_unsuppress(st, &u, &count, &e) == -1)
		die(address, e.msg);
	if (dry_run)
		store_rollback(st);
}

static void
unsuppress_dry(struct store *st, const char *address)
{
	unsuppress_one(st, address, 1);
}

static void
unsuppress_real(struct store *st, const char *address)
{
	unsuppress_one(st, address, 0);
}

/* The reference for unsuppress: one indexed UPDATE, committed (other addresses). */
static double
unsuppress_reference(sqlite3 *db, size_t first, size_t n)
{
	sqlite3_stmt *stmt;
	double start;
	size_t i;

	if (sqlite3_prepare_v2(db, "UPDATE suppressions SET lifted = 1, lifted_by = 'bench'"
	    " WHERE lifted IS NULL AND recipient_id ="
	    " (SELECT id FROM recipients WHERE address_key = lower(?1))", -1, &stmt,
	    NULL) != SQLITE_OK)
		die("reference", sqlite3_errmsg(db));
	start = seconds();
	for (i = first; i < first + n; i++) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_text(stmt, 1, addresses[i], -1, SQLITE_STATIC);
		drain(stmt);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die("reference", sqlite3_errmsg(db));
	}
	sqlite3_finalize(stmt);
	return (seconds() - start) / (double)n;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 2 ? (size_t)atol(argv[2]) : 100;
	struct pair status = { 0, 0 }, why = { 0, 0 }, dry = { 0, 0 }, lift;
	struct store *st;
	sqlite3 *db, *writer;
	sqlite3_stmt *stmt;
	struct err e;
	time_t newest = 0;
	int round;

	if (argc < 2 || n == 0 || n > ADDRESSES_MAX)
		die("usage", "bench_queries DATABASE [ADDRESSES (1-1000)]");
	if ((st = store_open(argv[1], &e, NULL)) == NULL)
		die(argv[1], e.msg);
	db = open_reference(argv[1], SQLITE_OPEN_READONLY);
	pick_addresses(db, n);
	if (sqlite3_prepare_v2(db, "SELECT max(bounce_time) FROM events", -1, &stmt,
	    NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		newest = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);

	printf("%-34s %10s %10s %8s\n", "per call, microseconds", "store", "sqlite",
	    "ratio");
	for (round = 0; round < ROUNDS; round++) {
		best(&status, time_store(st, status_one, n),
		    time_reference(db, status_reference, 0, n));
		best(&why, time_store(st, why_one, n),
		    time_reference(db, why_reference, 0, n));
		best(&dry, time_store(st, unsuppress_dry, n),
		    time_reference(db, status_reference, 0, n));
	}
	report("status ADDRESS", &status);
	report("why ADDRESS", &why);
	report("unsuppress ADDRESS --dry-run", &dry);
	bench_stats(st, db, newest - 86400, "stats --since (the last day)");
	bench_stats(st, db, newest - 7 * 86400, "stats --since (the last 7 days)");
	/* Writes last: once lifted, an address has nothing more to lift. */
	writer = open_reference(argv[1], SQLITE_OPEN_READWRITE);
	clock_used = CLOCK_MONOTONIC;
	lift.store = time_store(st, unsuppress_real, n);
	lift.reference = unsuppress_reference(writer, n, n);
	report("unsuppress ADDRESS (committed)", &lift);
	sqlite3_close(writer);
	sqlite3_close(db);
	store_close(st);
	return 0;
}
