/*
 * check_store.c: the store as a file and an interface, on real SQLite files in a
 * temporary directory: schema version and re-opening, address normalisation,
 * import, export filters, bulk unsuppress by cause, evidence, statistics, source
 * progress, clear errors for read-only, locked and corrupt databases, and a batch
 * in which a write failed never committing.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "db.h"

#define DAY	86400
#define STORE_FIXTURE_NAME	"check_store"
#include "store_fixture.h"

static void
write_file(const char *name, const char *content, char *out, size_t size)
{
	FILE *fp;

	snprintf(out, size, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(out, "w"));
	fputs(content, fp);
	fclose(fp);
}

static void
bounce(const char *address, const char *class, const char *reason, const char *rule,
    int64_t scan_id, time_t when)
{
	struct store_message m = { 0 };
	struct store_event ev = { 0 };
	struct err e;
	char hash[32];

	snprintf(hash, sizeof hash, "h%d", ++counter);
	m.hash = hash;
	m.bounce_time = when;
	m.scan_id = scan_id;
	m.source = "maildir:/srv/bounces";
	m.origin = hash;
	ev.recipient = address;
	ev.class = class;
	ev.reason = reason;
	ev.rule = rule;
	ev.status = "5.1.1";
	ev.smtp_code = 550;
	ev.diagnostic = "550 5.1.1 no such user";
	ck_assert_msg(store_ingest_message(st, &m, &ev, 1, NULL, &e) == 0, "%s", e.msg);
}

static enum store_state
state_of(const char *address)
{
	struct store_status s;
	struct err e;
	enum store_state state;

	ck_assert_msg(store_status(st, address, &s, &e) == 0, "%s", e.msg);
	state = s.state;
	store_status_free(&s);
	return state;
}

/* On a server (store_fixture.h): sql run by psql on url; its output, or "". */
static void
server_sql(const char *url, const char *sql, char *out, size_t size)
{
	char command[4096];
	FILE *fp;
	size_t n, i;

	n = (size_t)snprintf(command, sizeof command, "psql -qAtX -v ON_ERROR_STOP=1"
	    " '%s' -c 'SET client_min_messages = warning' -c '", url);
	for (i = 0; sql[i] != '\0' && n + 8 < sizeof command; i++)
		if (sql[i] == '\'') {
			memcpy(command + n, "'\\''", 4);
			n += 4;
		} else
			command[n++] = sql[i];
	snprintf(command + n, sizeof command - n, "'");
	ck_assert_ptr_nonnull(fp = popen(command, "r"));
	n = fread(out, 1, size - 1, fp);
	out[n] = '\0';
	ck_assert_msg(pclose(fp) == 0, "%s", command);
}

/* The first column of the first row of sql, run on file directly; -1 if none. */
static int
query_int(const char *file, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int value = -1;
	char out[256];

	if (store_server() != NULL) {
		server_sql(file, sql, out, sizeof out);
		return out[0] != '\0' ? atoi(out) : -1;
	}
	ck_assert_int_eq(sqlite3_open(file, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

static int
user_version(const char *file)
{
	return query_int(file, "PRAGMA user_version");
}

START_TEST(schema_version_and_reopen)
{
	struct err e;
	sqlite3 *db;
	char old[160];

	ck_assert_int_ge(store_schema_version(), 1);
	bounce("a@example.com", "hard", "userunknown", NULL, 0, T0);
	store_close(st);
	ck_assert_int_eq(user_version(path), store_schema_version());
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(state_of("a@example.com"), STORE_SUPPRESSED);

	/* An empty SQLite file (version 0) is migrated forward. */
	snprintf(old, sizeof old, "%s/old.db", dir);
	ck_assert_int_eq(sqlite3_open(old, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	store_close(st);
	st = store_open(old, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(user_version(old), store_schema_version());

	/* A newer file is refused, not guessed at. */
	store_close(st);
	ck_assert_int_eq(sqlite3_open(old, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(old, &e, NULL);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(e.msg, "newer"));
	ck_assert_ptr_nonnull(strstr(e.msg, "old.db"));
	st = store_open(path, &e, NULL);
}
END_TEST

/* Run fixed SQL on the file behind the store's back, as an older build or a fault. */
static void
raw_sql(const char *file, const char *sql)
{
	sqlite3 *db;
	char out[256];

	if (store_server() != NULL) {
		server_sql(file, sql, out, sizeof out);
		return;
	}

	ck_assert_int_eq(sqlite3_open(file, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(db));
	sqlite3_close(db);
}

static int
hash_is_blob(const char *file)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int blob = -1;

	ck_assert_int_eq(sqlite3_open(file, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT typeof(hash) = 'blob' FROM messages",
	    -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		blob = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return blob;
}

static int
hash_seen(const struct store_event_row *row, void *arg)
{
	ck_assert_str_eq(row->message_hash, (const char *)arg);
	return 0;
}

/*
 * Version 1 kept SHA-256 hashes as 64 hex digits; version 2 keeps their 32 bytes.
 * A version 1 file still knows its messages after the upgrade, in either case.
 */
/* 1 when SQLite's plan for sql, run on file, mentions what. */
static int
explain_uses(const char *file, const char *sql, const char *what)
{
	char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *stmt;
	sqlite3 *db;
	int found = 0;

	ck_assert_int_eq(sqlite3_open(file, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, explain, -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		found |= strstr((const char *)sqlite3_column_text(stmt, 3), what) != NULL;
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	sqlite3_free(explain);
	return found;
}

static int
soft_days_of(const char *address)
{
	struct store_status s;
	struct err e;
	int days;

	ck_assert_msg(store_status(st, address, &s, &e) == 0, "%s", e.msg);
	days = s.soft_days;
	store_status_free(&s);
	return days;
}

/*
 * Schema 5: a recipient's history (the policy's walk over its events) is read
 * from events_recipient alone, in the walk's order, with no sort (schema 7 adds
 * the recording time the soft window needs); a version-4 file gets the new
 * index when it is opened for writing.
 */
START_TEST(history_index_covers_policy_walk)
{
	static const char walk[] = "SELECT count(*) FROM (SELECT id, class, bounce_time,"
	    " ingested FROM events WHERE recipient_id = 1 AND bounce_time > 0"
	    " ORDER BY bounce_time, id)";
	static const char plan[] = "SELECT count(*) FROM pragma_index_info("
	    "'events_recipient') WHERE name = 'class'";
	struct err e;

	bounce("a@example.com", "soft", "mailboxfull", NULL, 0, T0);
	bounce("a@example.com", "soft", "mailboxfull", NULL, 0, T0 + DAY);
	store_close(st);
	ck_assert_int_eq(query_int(path, plan), 1);
	ck_assert_int_eq(query_int(path, walk), 2);
	ck_assert_int_eq(explain_uses(path, walk, "COVERING INDEX events_recipient"), 1);
	ck_assert_int_eq(explain_uses(path, walk, "TEMP B-TREE"), 0);

	raw_sql(path, "DROP INDEX events_recipient; CREATE INDEX events_recipient"
	    " ON events(recipient_id, bounce_time); PRAGMA user_version = 4");
	ck_assert_int_eq(query_int(path, plan), 0);
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(user_version(path), store_schema_version());
	ck_assert_int_eq(query_int(path, plan), 1);
	store_set_now(st, T0 + DAY);
	ck_assert_int_eq(soft_days_of("a@example.com"), 2);
}
END_TEST

START_TEST(hash_upgrade_from_version_1)
{
	static const char hex[] =
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	struct store_message m = { .hash = hex, .bounce_time = T0 };
	struct store_event ev = { .recipient = "a@example.com", .class = "hard" };
	struct store_ingest out;
	char upper[sizeof hex];
	struct err e;
	size_t i;

	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, &out, &e), 0);
	store_close(st);
	ck_assert_int_eq(hash_is_blob(path), 1);
	raw_sql(path, "UPDATE messages SET hash = lower(hex(hash)); PRAGMA user_version = 1");
	ck_assert_int_eq(hash_is_blob(path), 0);
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(user_version(path), store_schema_version());
	ck_assert_int_eq(hash_is_blob(path), 1);
	for (i = 0; i < sizeof hex; i++)
		upper[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);
	ck_assert_int_eq(store_message_seen(st, hex, &e), 1);
	ck_assert_int_eq(store_message_seen(st, upper, &e), 1);
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, &out, &e), 0);
	ck_assert_int_eq(out.duplicate, 1);
	ck_assert_int_eq(store_why(st, "a@example.com", hash_seen, NULL, (void *)hex, &e),
	    0);
	/* Other strings stay text and are found as before. */
	ck_assert_int_eq(store_message_seen(st, "9f86", &e), 0);
}
END_TEST

START_TEST(addresses_normalised)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct store_status s;
	struct err e;

	ck_assert_int_eq(store_address_normalise(" <John.Doe@EXAMPLE.Com> ", display, key,
	    &e), 0);
	ck_assert_str_eq(display, "John.Doe@example.com");
	ck_assert_str_eq(key, "john.doe@example.com");
	ck_assert_int_eq(store_address_normalise("\"a@b\"@example.org", display, key, &e),
	    0);
	bounce("John.Doe@EXAMPLE.com", "hard", "userunknown", NULL, 0, T0);
	ck_assert_int_eq(store_status(st, "john.doe@example.com", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_str_eq(s.address, "John.Doe@example.com");
	store_status_free(&s);
	ck_assert_int_eq(state_of("nobody@example.com"), STORE_UNKNOWN);
}
END_TEST

/* Every spelling of one international mailbox is one recipient (issue 11, 5). */
START_TEST(international_addresses_match)
{
	static const char *const same[][2] = {
		{ "user@bücher.example", "user@xn--bcher-kva.example" },
		{ "user@bücher.example", "user@BÜCHER.example" },
		{ "user@bücher.example", "USER@XN--BCHER-KVA.EXAMPLE" },
		{ "user@bücher.example", "user@bu\xcc\x88" "cher.example" },	/* NFD */
		{ "ünïcode@example.com", "Ünïcode@Example.COM" },
		{ "ünïcode@example.com", "u\xcc\x88" "ni\xcc\x88" "code@example.com" },
		{ "ünïcode@example.com", "U\xcc\x88" "NI\xcc\x88" "CODE@EXAMPLE.COM" },
		{ "x@☃.example", "X@☃.EXAMPLE" },	/* IDNA refuses it: folded */
	};
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	char other[STORE_ADDRESS_MAX];
	struct store_status s;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		ck_assert_msg(store_address_normalise(same[i][0], display, key, &e) == 0,
		    "%s", e.msg);
		ck_assert_msg(store_address_normalise(same[i][1], display, other, &e) == 0,
		    "%s", e.msg);
		ck_assert_msg(strcmp(key, other) == 0, "%s: %s, %s: %s", same[i][0], key,
		    same[i][1], other);
	}
	ck_assert_int_eq(store_address_normalise("Ünïcode@BÜCHER.Example", display, key,
	    &e), 0);
	ck_assert_str_eq(key, "ünïcode@xn--bcher-kva.example");
	ck_assert_str_eq(display, "Ünïcode@bücher.example");	/* as written */
	ck_assert_int_eq(store_address_normalise("a@b\xe9" ".example", display, key, &e), 0);
	ck_assert_str_eq(key, "a@b\xe9" ".example");	/* not UTF-8: kept */

	ck_assert_int_eq(store_suppress(st, "user@bücher.example", "test", &e), 1);
	ck_assert_int_eq(store_suppress(st, "user@XN--BCHER-KVA.example", "again", &e), 0);
	ck_assert_int_eq(state_of("user@xn--bcher-kva.example"), STORE_SUPPRESSED);
	ck_assert_int_eq(state_of("user@BÜCHER.example"), STORE_SUPPRESSED);
	bounce("Ünïcode@Example.COM", "hard", "userunknown", NULL, 0, T0);
	ck_assert_int_eq(store_status(st, "u\xcc\x88" "ni\xcc\x88" "code@example.com", &s,
	    &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_str_eq(s.address, "Ünïcode@example.com");
	store_status_free(&s);
	store_close(st);
	st = NULL;
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM recipients"), 2);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM recipients"
	    " WHERE domain = 'xn--bcher-kva.example'"), 1);
	st = open_store("store.db");
}
END_TEST

/*
 * Schema 7 recomputes the keys of a version-6 file, whose keys were only
 * lower-cased: rows that now share a key are merged into the first seen, with
 * all the events, one suppression in force (the oldest) and counters counted
 * again; the domains of its events follow. Made here by writing version-6 forms
 * over rows of today's store.
 */
START_TEST(address_keys_upgrade_from_version_6)
{
	struct store_status s;
	struct err e;

	bounce("p1@example.com", "hard", "userunknown", NULL, 0, T0);
	store_set_now(st, T0 + DAY);
	ck_assert_int_eq(store_suppress(st, "p2@example.com", "by hand", &e), 1);
	bounce("p2@example.com", "block", "blocked", NULL, 0, T0 + DAY);
	bounce("p3@example.org", "soft", "mailboxfull", NULL, 0, T0 + DAY);
	bounce("p4@example.org", "hard", "userunknown", NULL, 0, T0 + DAY);
	bounce("plain@example.net", "hard", "userunknown", NULL, 0, T0 + DAY);
	store_close(st);
	raw_sql(path,
	    "UPDATE recipients SET address = 'Ünïcode@example.com',"
	    "  address_key = 'Ünïcode@example.com' WHERE address = 'p1@example.com';"
	    "UPDATE recipients SET address = 'ünïcode@example.com',"
	    "  address_key = 'ünïcode@example.com' WHERE address = 'p2@example.com';"
	    "UPDATE recipients SET address = 'user@bÜcher.example',"
	    "  address_key = 'user@bÜcher.example', domain = 'bÜcher.example'"
	    "  WHERE address = 'p3@example.org';"
	    "UPDATE recipients SET address = 'User@xn--bcher-kva.example',"
	    "  address_key = 'user@xn--bcher-kva.example', domain = 'xn--bcher-kva.example'"
	    "  WHERE address = 'p4@example.org';"
	    "UPDATE events SET domain = 'bÜcher.example' WHERE recipient_id = 3;"
	    "UPDATE events SET domain = 'xn--bcher-kva.example' WHERE recipient_id = 4;"
	    "DROP INDEX suppressions_recipient; DROP INDEX events_time;"
	    "DROP INDEX recipients_address; DROP INDEX recipients_domain;"
	    "DROP INDEX events_recipient; CREATE INDEX events_recipient"
	    "  ON events(recipient_id, bounce_time, id, class);"
	    "PRAGMA user_version = 6");
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	store_set_now(st, T0 + 2 * DAY);
	ck_assert_int_eq(user_version(path), store_schema_version());
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM recipients"), 3);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM recipients"
	    " WHERE id = 1 AND address = 'Ünïcode@example.com'"
	    " AND address_key = 'ünïcode@example.com' AND state = 'suppressed'"
	    " AND hard_bounces = 1 AND blocks = 1 AND events = 2"), 1);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM recipients"
	    " WHERE id = 3 AND address = 'user@bücher.example'"
	    " AND address_key = 'user@xn--bcher-kva.example'"
	    " AND domain = 'xn--bcher-kva.example' AND state = 'suppressed'"
	    " AND hard_bounces = 1 AND events = 2"), 1);
	/* The oldest suppression in force stays; the other is lifted, not lost. */
	ck_assert_int_eq(query_int(path, "SELECT group_concat(recipient_id || ':' ||"
	    " cause || ':' || coalesce(lifted_by, '-'), ' ') = '1:policy:- 1:manual:merged"
	    " 3:policy:- 5:policy:-' FROM (SELECT * FROM suppressions ORDER BY id)"), 1);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM events"
	    " WHERE recipient_id = 3 AND domain = 'xn--bcher-kva.example'"), 2);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM events"
	    " WHERE recipient_id IN (2, 4)"), 0);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM pragma_index_info("
	    "'events_recipient') WHERE name = 'ingested'"), 1);
	ck_assert_int_eq(state_of("plain@example.net"), STORE_SUPPRESSED);
	ck_assert_int_eq(store_status(st, "user@BÜCHER.example", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_int_eq(s.soft_days, 1);
	ck_assert_int_eq(s.hard_bounces, 1);
	store_status_free(&s);
	ck_assert_int_eq(store_status(st, "u\xcc\x88ni\xcc\x88" "code@EXAMPLE.com", &s,
	    &e), 0);
	ck_assert_str_eq(s.cause, "policy");
	ck_assert_int_eq(s.events, 2);
	store_status_free(&s);
}
END_TEST

START_TEST(invalid_address_rejected)
{
	static const char *const bad[] = {
		"", "no-at-sign", "@example.com", "user@", "user@localhost",
		"us er@example.com", "user@exa mple.com", "user@-example.com",
		"user@example..com", "a<b@example.com", "user@example.com\n@x.org", NULL
	};
	struct store_message m = { .hash = "bad", .bounce_time = T0 };
	struct store_event ev[2] = {
		{ .recipient = "garbage", .class = "hard" },
		{ .recipient = "ok@example.com", .class = "hard" },
	};
	struct store_ingest out;
	struct store_status s;
	struct err e;
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		e.msg[0] = '\0';
		ck_assert_msg(store_suppress(st, bad[i], "test", &e) == -1, "%s", bad[i]);
		ck_assert_msg(strstr(e.msg, "address") != NULL, "%s: %s", bad[i], e.msg);
	}
	ck_assert_int_eq(store_status(st, "not an address", &s, &e), -1);
	ck_assert_int_eq(store_retry(st), 0);
	ck_assert_int_eq(store_ingest_message(st, &m, ev, 2, &out, &e), 0);
	ck_assert_uint_eq(out.events, 1);
	ck_assert_uint_eq(out.rejected, 1);
	ck_assert_ptr_nonnull(strstr(out.first_rejected, "garbage"));
}
END_TEST

START_TEST(import_idempotent)
{
	struct store_import_result r;
	struct store_status s;
	struct err e;
	char plain[160], csv[160];

	write_file("list.txt", "# exported\nA@Example.com\n\nb@example.com\nnot valid\n",
	    plain, sizeof plain);
	ck_assert_msg(store_import(st, plain, &r, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(r.added, 2);
	ck_assert_uint_eq(r.invalid, 1);
	ck_assert_ptr_nonnull(strstr(r.first_invalid, "line 5"));
	ck_assert_int_eq(store_import(st, plain, &r, &e), 0);
	ck_assert_uint_eq(r.added, 0);
	ck_assert_uint_eq(r.already, 2);

	write_file("list.csv", "name,Email,reason\n\"Doe, J\",c@example.com,unsubscribed\n"
	    "x,a@example.com,\n", csv, sizeof csv);
	ck_assert_msg(store_import(st, csv, &r, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(r.added, 1);
	ck_assert_uint_eq(r.already, 1);
	ck_assert_int_eq(store_status(st, "c@example.com", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_str_eq(s.cause, "import");
	ck_assert_str_eq(s.reason, "unsubscribed");
	store_status_free(&s);
	ck_assert_int_eq(store_import(st, "/nonexistent/list", &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/list"));
}
END_TEST

static int
collect(const struct store_suppression *s, void *arg)
{
	char *out = arg;

	strcat(out, s->address);
	strcat(out, " ");
	return 0;
}

static char *
export(const struct store_filter *f)
{
	static char out[1024];
	struct err e;

	out[0] = '\0';
	ck_assert_msg(store_export(st, f, collect, out, &e) == 0, "%s", e.msg);
	return out;
}

START_TEST(export_filters)
{
	struct store_filter f = { 0 };
	struct err e;

	bounce("a@example.com", "hard", "userunknown", NULL, 0, T0);
	bounce("b@example.org", "hard", "hostunknown", NULL, 0, T0);
	bounce("c@example.com", "complaint", "feedback", NULL, 0, T0);
	store_set_now(st, T0 + DAY);
	bounce("d@example.com", "hard", "userunknown", NULL, 0, T0 + DAY);
	ck_assert_int_eq(store_suppress(st, "e@example.net", "asked to leave", &e), 1);
	ck_assert_int_eq(store_suppress(st, "E@example.net", "again", &e), 0);
	bounce("f@example.com", "block", "blocked", NULL, 0, T0);

	ck_assert_str_eq(export(NULL), "a@example.com b@example.org c@example.com "
	    "d@example.com e@example.net ");
	f.class = "hard";
	ck_assert_str_eq(export(&f), "a@example.com b@example.org d@example.com ");
	f.reason = "userunknown";
	ck_assert_str_eq(export(&f), "a@example.com d@example.com ");
	f.since = T0 + DAY;
	ck_assert_str_eq(export(&f), "d@example.com ");
	memset(&f, 0, sizeof f);
	f.domain = "EXAMPLE.org";
	ck_assert_str_eq(export(&f), "b@example.org ");
	memset(&f, 0, sizeof f);
	f.cause = "manual";
	ck_assert_str_eq(export(&f), "e@example.net ");
}
END_TEST

/* One result of a bounce that came from list (NULL: none told). */
static void
list_bounce(const char *address, const char *class, const char *list, time_t when)
{
	struct store_message m = { 0 };
	struct store_event ev = { 0 };
	struct err e;
	char hash[32];

	snprintf(hash, sizeof hash, "l%d", ++counter);
	m.hash = hash;
	m.bounce_time = when;
	m.list = list;
	ev.recipient = address;
	ev.class = class;
	ev.reason = strcmp(class, "hard") == 0 ? "userunknown" : strcmp(class,
	    "complaint") == 0 ? "feedback" : "mailboxfull";
	ck_assert_msg(store_ingest_message(st, &m, &ev, 1, NULL, &e) == 0, "%s", e.msg);
}

static int
collect_list(const struct store_suppression *s, void *arg)
{
	char *out = arg;

	strcat(out, s->address);
	strcat(out, "=");
	strcat(out, s->list != NULL ? s->list : "-");
	strcat(out, " ");
	return 0;
}

static int
count_stat(const struct store_stat *s, void *arg)
{
	*(int64_t *)arg += s->count;
	return 0;
}

static int64_t
stats_total(const char *list)
{
	int64_t total = 0;
	struct err e;

	ck_assert_msg(store_stats_list(st, STORE_BY_CLASS, 0, list, count_stat, &total,
	    &e) == 0, "%s", e.msg);
	return total;
}

/*
 * Schema 9: each event keeps the list its bounce came from; export filters on
 * the list of a suppression's deciding event (manual ones have none), stats
 * counts one list's events, and a suppression holds for every list: status
 * with a list keeps the address's state and counts that list's bounces.
 */
START_TEST(lists_recorded_and_filtered)
{
	struct store_filter f = { 0 };
	struct store_status s;
	static char out[1024];
	struct err e;

	list_bounce("a@example.com", "hard", "announce", T0);
	list_bounce("b@example.org", "complaint", "announce", T0);
	list_bounce("c@example.net", "hard", "discuss", T0);
	list_bounce("d@example.net", "hard", NULL, T0);
	list_bounce("a@example.com", "soft", "discuss", T0 + 60);
	ck_assert_int_eq(store_suppress(st, "m@example.com", "by hand", &e), 1);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM events"
	    " WHERE list = 'announce'"), 2);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM events"
	    " WHERE list IS NULL"), 1);

	out[0] = '\0';
	ck_assert_int_eq(store_export(st, NULL, collect_list, out, &e), 0);
	ck_assert_str_eq(out, "a@example.com=announce b@example.org=announce "
	    "c@example.net=discuss d@example.net=- m@example.com=- ");
	f.list = "announce";
	ck_assert_str_eq(export(&f), "a@example.com b@example.org ");
	f.list = "discuss";
	ck_assert_str_eq(export(&f), "c@example.net ");
	f.class = "complaint";
	ck_assert_str_eq(export(&f), "");

	ck_assert_int_eq(stats_total(NULL), 5);
	ck_assert_int_eq(stats_total("announce"), 2);
	ck_assert_int_eq(stats_total("discuss"), 2);
	ck_assert_int_eq(stats_total("nosuch"), 0);
	ck_assert_int_eq(stats_total(NULL), 5);	/* the memo follows the list */

	ck_assert_int_eq(store_status_list(st, "a@example.com", "discuss", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);
	ck_assert_str_eq(s.list, "announce");
	ck_assert_int_eq(s.hard_bounces, 0);
	ck_assert_int_eq(s.soft_days, 1);
	ck_assert_int_eq(s.events, 1);
	ck_assert_str_eq(s.last_class, "soft");
	store_status_free(&s);
	ck_assert_int_eq(store_status(st, "a@example.com", &s, &e), 0);
	ck_assert_int_eq(s.hard_bounces, 1);
	ck_assert_int_eq(s.events, 2);
	store_status_free(&s);
	ck_assert_int_eq(store_status_list(st, "b@example.org", "discuss", &s, &e), 0);
	ck_assert_int_eq(s.state, STORE_SUPPRESSED);	/* a complaint: every list */
	ck_assert_int_eq(s.complaints, 0);
	store_status_free(&s);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM suppressed"
	    " WHERE list = 'discuss' AND address = 'c@example.net'"), 1);
}
END_TEST

/*
 * 8 -> 9 on a file of schema 8 (made here by taking schema 9's additions off
 * a current one): its events keep no list, the column, index and view column
 * are added, and the events of one list are then counted from events_list
 * alone. Running the step again on a file that has the column is harmless.
 */
START_TEST(lists_upgrade_from_version_8)
{
	static const char by_list[] = "SELECT class, reason, domain, bounce_time"
	    " FROM events WHERE list = 'announce' AND bounce_time >= 0"
	    " ORDER BY bounce_time";
	struct err e;

	bounce("a@example.com", "hard", "userunknown", NULL, 0, T0);
	store_close(st);
	raw_sql(path, "DROP INDEX events_list; DROP VIEW suppressed;"
	    " ALTER TABLE events DROP COLUMN list;"
	    " CREATE VIEW suppressed AS"
	    "  SELECT r.address, r.domain, s.cause, s.class, s.reason, s.rule, s.scan_id,"
	    "         s.created AS suppressed_at"
	    "  FROM suppressions s JOIN recipients r ON r.id = s.recipient_id"
	    "  WHERE s.lifted IS NULL;"
	    " PRAGMA user_version = 8");
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM pragma_table_info("
	    "'events') WHERE name = 'list'"), 0);
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(user_version(path), store_schema_version());
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM events"
	    " WHERE list IS NULL"), 1);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM suppressed"
	    " WHERE address = 'a@example.com' AND list IS NULL"), 1);
	list_bounce("b@example.com", "hard", "announce", T0);
	ck_assert_int_eq(explain_uses(path, by_list, "COVERING INDEX events_list"), 1);
	ck_assert_int_eq(explain_uses(path, by_list, "TEMP B-TREE"), 0);

	store_close(st);
	raw_sql(path, "PRAGMA user_version = 8");
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(user_version(path), store_schema_version());
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM events"
	    " WHERE list = 'announce'"), 1);
}
END_TEST

START_TEST(unsuppress_by_cause)
{
	struct store_unsuppress u = { 0 };
	struct err e;
	int64_t scan1, scan2;
	size_t count;

	ck_assert_int_eq(store_scan_begin(st, "scan one", &scan1, &e), 0);
	bounce("a@example.com", "hard", "userunknown", "rules.tsv:10", scan1, T0);
	bounce("b@example.com", "hard", "userunknown", "rules.tsv:10", scan1, T0);
	bounce("c@example.com", "hard", "hostunknown", "rules.tsv:20", scan1, T0);
	ck_assert_int_eq(store_scan_begin(st, "scan two", &scan2, &e), 0);
	bounce("d@example.com", "hard", "norelaying", "rules.tsv:30", scan2, T0);
	bounce("e@example.com", "hard", "norelaying", "rules.tsv:30", scan2, T0);
	bounce("f@example.com", "soft", "mailboxfull", "rules.tsv:40", scan2, T0);

	ck_assert_int_eq(store_unsuppress(st, &u, &count, &e), -1);	/* no filter */
	u.rule = "rules.tsv:10";
	ck_assert_int_eq(store_unsuppress(st, &u, &count, &e), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(state_of("a@example.com"), STORE_ACTIVE);
	ck_assert_int_eq(state_of("b@example.com"), STORE_ACTIVE);
	ck_assert_int_eq(state_of("c@example.com"), STORE_SUPPRESSED);
	memset(&u, 0, sizeof u);
	u.scan_id = scan2;
	ck_assert_int_eq(store_unsuppress(st, &u, &count, &e), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(state_of("d@example.com"), STORE_ACTIVE);
	ck_assert_int_eq(state_of("c@example.com"), STORE_SUPPRESSED);
	memset(&u, 0, sizeof u);
	u.reason = "hostunknown";
	ck_assert_int_eq(store_unsuppress(st, &u, &count, &e), 0);
	ck_assert_uint_eq(count, 1);
	/* Re-applying the policy does not undo any of it. */
	ck_assert_int_eq(store_reapply(st, NULL, &e), 0);
	ck_assert_int_eq(state_of("a@example.com"), STORE_ACTIVE);
	ck_assert_int_eq(state_of("c@example.com"), STORE_ACTIVE);
	ck_assert_int_eq(state_of("e@example.com"), STORE_ACTIVE);
}
END_TEST

/* A daemon's poll that found nothing leaves no scan behind; one that did stays. */
START_TEST(empty_scan_forgotten)
{
	struct err e;
	int64_t empty, busy;

	ck_assert_int_eq(store_scan_begin(st, "poll", &empty, &e), 0);
	ck_assert_int_eq(store_scan_finish(st, empty, NULL, &e), 0);
	ck_assert_int_eq(store_scan_begin(st, "poll", &busy, &e), 0);
	bounce("a@example.com", "hard", "userunknown", "rules.tsv:10", busy, T0);
	ck_assert_int_eq(store_scan_finish(st, busy, NULL, &e), 0);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM scans"), 2);
	ck_assert_int_eq(store_scan_forget(st, empty, &e), 0);
	ck_assert_int_eq(store_scan_forget(st, busy, &e), 0);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM scans"), 1);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM scans WHERE id = 2"), 1);
}
END_TEST

/*
 * A scan's rows are found through indexes, not by reading whole tables: the
 * summary after every scan and the daemon's forgetting of empty polls would
 * otherwise slow down as the store grows. A version-5 file gains them.
 */
START_TEST(scan_rows_indexed)
{
	static const char *const by_scan[][2] = {
		{ "SELECT count(*) FROM messages WHERE scan_id = 1", "messages_scan" },
		{ "SELECT count(*) FROM suppressions WHERE scan_id = 1", "suppressions_scan" },
		{ "SELECT count(*) FROM events WHERE scan_id = 1", "events_scan" },
	};
	struct err e;
	int64_t scan;
	size_t i;

	ck_assert_int_eq(store_scan_begin(st, "scan", &scan, &e), 0);
	bounce("a@example.com", "hard", "userunknown", "rules.tsv:10", scan, T0);
	ck_assert_int_eq(store_scan_finish(st, scan, NULL, &e), 0);
	store_close(st);
	for (i = 0; i < sizeof by_scan / sizeof by_scan[0]; i++) {
		ck_assert_int_eq(query_int(path, by_scan[i][0]), 1);
		ck_assert_msg(explain_uses(path, by_scan[i][0], by_scan[i][1]), "%s",
		    by_scan[i][0]);
		ck_assert_int_eq(explain_uses(path, by_scan[i][0], "SCAN "), 0);
	}
	raw_sql(path, "DROP INDEX messages_scan; DROP INDEX suppressions_scan;"
	    " PRAGMA user_version = 5");
	ck_assert_int_eq(explain_uses(path, by_scan[0][0], "messages_scan"), 0);
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(user_version(path), store_schema_version());
	ck_assert_int_eq(explain_uses(path, by_scan[0][0], "messages_scan"), 1);
	ck_assert_int_eq(explain_uses(path, by_scan[1][0], "suppressions_scan"), 1);
}
END_TEST

/*
 * Schema 7: what one address, one domain or a recent time range asks is read
 * through an index, never by reading a whole table (issue 11, 16): the queries
 * of status, why, unsuppress ADDRESS (and by scan or time), stats --since, and
 * the documented views asked for one address or one domain. The SQL is db/'s.
 */
START_TEST(single_address_queries_indexed)
{
	static const char *const plans[][2] = {
		/* status (query.c status_sql) */
		{ "SELECT r.id, r.reset_time, r.address, s.cause, s.reason, s.rule, s.created"
		  " FROM recipients r LEFT JOIN suppressions s"
		  "  ON s.recipient_id = r.id AND s.lifted IS NULL"
		  " WHERE r.address_key = ?1", "suppressions_in_force" },
		/* why: events (why_events_sql) and every suppression, lifted too */
		{ "SELECT e.id, r.address, e.class, m.source FROM events e"
		  " JOIN recipients r ON r.id = e.recipient_id"
		  " JOIN messages m ON m.id = e.message_id"
		  " WHERE r.address_key = ?1 ORDER BY e.bounce_time, e.id",
		  "events_recipient" },
		{ "SELECT s.id, r.address FROM suppressions s"
		  " JOIN recipients r ON r.id = s.recipient_id"
		  " WHERE r.address_key = ?1 ORDER BY s.id", "suppressions_recipient" },
		/* unsuppress (suppress.c matching_sql) by address, scan, time */
		{ "SELECT s.id, s.recipient_id FROM suppressions s"
		  " WHERE s.recipient_id = (SELECT id FROM recipients WHERE address_key = ?1)"
		  " AND s.lifted IS NULL AND (?2 IS NULL OR s.reason = ?2) ORDER BY s.id",
		  "suppressions_in_force" },
		{ "SELECT s.id, s.recipient_id FROM suppressions s"
		  " WHERE s.scan_id = ?4 AND s.lifted IS NULL AND (?2 IS NULL OR s.reason = ?2)"
		  " ORDER BY s.id", "suppressions_scan" },
		{ "SELECT s.id, s.recipient_id FROM suppressions s"
		  " WHERE s.created >= coalesce(?5, 0) AND s.created < coalesce(?6, 1 << 62)"
		  " AND s.lifted IS NULL ORDER BY s.id", "suppressions_created" },
		/* stats --since (stats.c): the index alone, already in order */
		{ "SELECT class, reason, domain, bounce_time FROM events"
		  " WHERE bounce_time >= ?1 ORDER BY bounce_time", "COVERING INDEX events_time" },
		/* the views, as a list manager asks them */
		{ "SELECT * FROM recipient_status WHERE address = 'a@example.com'",
		  "recipients_address" },
		{ "SELECT address FROM suppressed WHERE domain = 'example.com'",
		  "recipients_domain" },
	};
	size_t i;

	bounce("a@example.com", "hard", "userunknown", "rules.tsv:10", 0, T0);
	bounce("b@example.com", "soft", "mailboxfull", "rules.tsv:11", 0, T0);
	store_close(st);
	st = NULL;
	for (i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		ck_assert_msg(explain_uses(path, plans[i][0], plans[i][1]), "%s: not %s",
		    plans[i][0], plans[i][1]);
		ck_assert_msg(!explain_uses(path, plans[i][0], "SCAN "), "%s", plans[i][0]);
	}
	ck_assert_int_eq(explain_uses(path, plans[6][0], "TEMP B-TREE"), 0);
	st = open_store("store.db");
}
END_TEST

START_TEST(unsuppress_by_time)
{
	struct store_unsuppress u = { .since = T0 + DAY, .until = T0 + 2 * DAY };
	struct err e;
	size_t count;

	bounce("a@example.com", "hard", "userunknown", NULL, 0, T0);
	store_set_now(st, T0 + DAY + 10);
	bounce("b@example.com", "hard", "userunknown", NULL, 0, T0 + DAY);
	store_set_now(st, T0 + 3 * DAY);
	ck_assert_int_eq(store_unsuppress(st, &u, &count, &e), 0);
	ck_assert_uint_eq(count, 1);
	ck_assert_int_eq(state_of("a@example.com"), STORE_SUPPRESSED);
	ck_assert_int_eq(state_of("b@example.com"), STORE_ACTIVE);
}
END_TEST

static int
count_event(const struct store_event_row *r, void *arg)
{
	int *counts = arg;

	ck_assert_str_eq(r->address, "a@example.com");
	ck_assert_str_eq(r->source, "maildir:/srv/bounces");
	ck_assert_int_eq(r->smtp_code, 550);
	counts[0]++;
	return 0;
}

static int
count_suppression(const struct store_suppression *s, void *arg)
{
	int *counts = arg;

	ck_assert_str_eq(s->cause, "policy");
	ck_assert_str_eq(s->rule, "rules.tsv:7");
	ck_assert_int_ne(s->event_id, 0);
	counts[1]++;
	return 0;
}

START_TEST(why_gives_evidence)
{
	int counts[2] = { 0, 0 };
	struct err e;

	bounce("a@example.com", "soft", "mailboxfull", "rules.tsv:6", 0, T0);
	bounce("a@example.com", "hard", "userunknown", "rules.tsv:7", 0, T0 + DAY);
	ck_assert_int_eq(store_why(st, "A@example.com", count_event, count_suppression,
	    counts, &e), 0);
	ck_assert_int_eq(counts[0], 2);
	ck_assert_int_eq(counts[1], 1);
}
END_TEST

static int
sum_stat(const struct store_stat *s, void *arg)
{
	int64_t *total = arg;

	*total += s->count;
	/* By reason, the key is the reason; by blocked domain, the domain. */
	if (s->reason != NULL && strcmp(s->reason, "blocked") == 0 &&
	    strcmp(s->key, "blocked") != 0)
		ck_assert_str_eq(s->key, "example.net");
	return 0;
}

START_TEST(stats_and_progress)
{
	enum store_stats_by by[] = { STORE_BY_CLASS, STORE_BY_REASON, STORE_BY_DOMAIN,
	    STORE_BY_DAY };
	int64_t total;
	struct err e;
	char *value;
	size_t i;

	bounce("a@example.com", "hard", "userunknown", NULL, 0, T0);
	bounce("b@example.net", "block", "blocked", NULL, 0, T0);
	bounce("c@example.net", "block", "blocked", NULL, 0, T0 + DAY);
	for (i = 0; i < sizeof by / sizeof by[0]; i++) {
		total = 0;
		ck_assert_int_eq(store_stats(st, by[i], 0, sum_stat, &total, &e), 0);
		ck_assert_int_eq(total, 3);
	}
	total = 0;
	ck_assert_int_eq(store_stats(st, STORE_BY_BLOCKED_DOMAIN, T0 + 1, sum_stat,
	    &total, &e), 0);
	ck_assert_int_eq(total, 1);

	ck_assert_int_eq(store_progress_get(st, "imap", "uidvalidity", &value, &e), 0);
	ck_assert_int_eq(store_progress_set(st, "imap", "uidvalidity", "42", &e), 0);
	ck_assert_int_eq(store_progress_set(st, "imap", "uidvalidity", "43", &e), 0);
	ck_assert_int_eq(store_progress_get(st, "imap", "uidvalidity", &value, &e), 1);
	ck_assert_str_eq(value, "43");
	free(value);
	ck_assert_int_eq(store_progress_delete(st, "imap", NULL, &e), 0);
	ck_assert_int_eq(store_progress_get(st, "imap", "uidvalidity", &value, &e), 0);
}
END_TEST

START_TEST(readonly_database)
{
	struct store_message m = { .hash = "ro", .bounce_time = T0 };
	struct store_event ev = { .recipient = "a@example.com", .class = "hard" };
	struct store *ro;
	struct err e;
	int retry = 1;

	bounce("b@example.com", "hard", "userunknown", NULL, 0, T0);
	store_close(st);
	st = NULL;
	ck_assert_int_eq(chmod(path, 0444), 0);
	if (geteuid() != 0) {
		/* root writes anyway; everyone else must get a clear refusal. */
		ck_assert_ptr_null(store_open(path, &e, &retry));
		ck_assert_ptr_nonnull(strstr(e.msg, path));
		ck_assert_ptr_nonnull(strstr(e.msg, "read-only"));
		ck_assert_int_eq(retry, 0);
	}
	ro = store_open_readonly(path, &e, &retry);
	ck_assert_msg(ro != NULL, "%s", e.msg);
	ck_assert_int_eq(store_ingest_message(ro, &m, &ev, 1, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	ck_assert_ptr_nonnull(strstr(e.msg, "read-only"));
	ck_assert_int_eq(store_retry(ro), 0);
	store_close(ro);
	ck_assert_int_eq(chmod(path, 0644), 0);
	st = store_open(path, &e, NULL);
}
END_TEST

START_TEST(locked_database_is_temporary)
{
	struct store_message m = { .hash = "locked", .bounce_time = T0 };
	struct store_event ev = { .recipient = "a@example.com", .class = "hard" };
	struct store *other;
	struct err e;

	other = store_open(path, &e, NULL);
	ck_assert_msg(other != NULL, "%s", e.msg);
	ck_assert_int_eq(store_begin(st, &e), 0);
	store_set_busy_timeout(other, 50);
	ck_assert_int_eq(store_ingest_message(other, &m, &ev, 1, NULL, &e), -1);
	ck_assert_int_eq(store_retry(other), 1);
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	ck_assert_ptr_nonnull(strstr(e.msg, "try again"));
	store_rollback(st);
	ck_assert_int_eq(store_ingest_message(other, &m, &ev, 1, NULL, &e), 0);
	ck_assert_int_eq(store_retry(other), 0);
	store_close(other);
}
END_TEST

START_TEST(corrupt_database)
{
	struct err e;
	char bad[160];
	int retry = 1;

	write_file("corrupt.db", "this is not an SQLite database, just some text that is"
	    " long enough to look like a header of one............................\n",
	    bad, sizeof bad);
	ck_assert_ptr_null(store_open(bad, &e, &retry));
	ck_assert_ptr_nonnull(strstr(e.msg, bad));
	ck_assert_ptr_nonnull(strstr(e.msg, "corrupt"));
	ck_assert_int_eq(retry, 0);
}
END_TEST

START_TEST(batch_rollback_keeps_committed)
{
	struct store_message m = { .hash = "batch1", .bounce_time = T0 };
	struct store_event ev = { .recipient = "a@example.com", .class = "hard" };
	struct err e;

	ck_assert_int_eq(store_begin(st, &e), 0);
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	ck_assert_int_eq(store_begin(st, &e), 0);
	m.hash = "batch2";
	ev.recipient = "b@example.com";
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), 0);
	store_rollback(st);
	ck_assert_int_eq(state_of("a@example.com"), STORE_SUPPRESSED);
	ck_assert_int_eq(state_of("b@example.com"), STORE_UNKNOWN);
	ck_assert_int_eq(store_message_seen(st, "batch2", &e), 0);
}
END_TEST

/*
 * One of lookahead_same_as_asking's batches into s: 60 messages over 12
 * addresses, some messages twice in the batch or from the batch before, some
 * with a second result; with expect, told to the store beforehand.
 */
static void
lookahead_batch(struct store *s, int batch, int expect)
{
	static const char *const classes[] = { "hard", "soft", "soft", "block",
	    "complaint", "delayed" };
	char hashes[60][32], addresses[60][2][64];
	const char *hp[60], *ap[120];
	struct store_message m = { 0 };
	struct store_event ev[2];
	struct store_ingest out;
	struct err e;
	size_t na = 0;
	int i, k, n;

	for (i = 0; i < 60; i++) {
		if (i % 10 == 9)	/* the one before, again */
			snprintf(hashes[i], sizeof hashes[i], "b%d-m%d", batch, i - 1);
		else if (i % 15 == 0 && batch > 0)	/* from the batch before */
			snprintf(hashes[i], sizeof hashes[i], "b%d-m%d", batch - 1, i + 1);
		else
			snprintf(hashes[i], sizeof hashes[i], "b%d-m%d", batch, i);
		for (k = 0; k < 2; k++) {
			n = (i * 7 + batch * 3 + k * 5) % 12;
			snprintf(addresses[i][k], sizeof addresses[i][k],
			    "r%d@d%d.example.org", n, n % 4);
		}
		hp[i] = hashes[i];
		ap[na++] = addresses[i][0];
		if (i % 8 == 0)
			ap[na++] = addresses[i][1];
	}
	ck_assert_msg(store_begin(s, &e) == 0, "%s", e.msg);
	if (expect)
		ck_assert_msg(store_ingest_expect(s, hp, 60, ap, na, &e) == 0, "%s",
		    e.msg);
	for (i = 0; i < 60; i++) {
		/* The same hash always carries the same results. */
		sscanf(hashes[i], "b%d-m%d", &k, &n);
		memset(ev, 0, sizeof ev);
		for (k = 0; k < 2; k++) {
			ev[k].recipient = addresses[n % 10 == 9 ? i - 1 : i][k];
			ev[k].class = classes[(n + batch + k) % 6];
			ev[k].reason = "userunknown";
			ev[k].rule = "rules.tsv:1";
			ev[k].bounce_time = T0 - (time_t)((n * 13 + k) % 20) * DAY;
		}
		m.hash = hashes[i];
		m.source = "maildir:/srv/bounces";
		m.bounce_time = T0;
		ck_assert_msg(store_ingest_message(s, &m, ev, n % 8 == 0 ? 2 : 1, &out,
		    &e) == 0, "%s", e.msg);
	}
	ck_assert_msg(store_commit(s, &e) == 0, "%s", e.msg);
}

/* An event read back names the message it came in, as a scan stored it. */
static int
event_has_message(const struct store_event_row *row, void *arg)
{
	(*(int *)arg)++;
	ck_assert_ptr_nonnull(row->message_hash);
	ck_assert_int_eq(row->message_hash[0], 'b');
	ck_assert_ptr_nonnull(row->source);
	return 0;
}

static int
count_in_force(const struct store_suppression *sup, void *arg)
{
	(void)sup;
	(*(int *)arg)++;
	return 0;
}

/*
 * A batch told to the store beforehand (store_ingest_expect; on a server its
 * messages and recipients are then asked about at once, and ingest keeps what
 * it learnt up to date) is stored as one asked about message by message: the
 * same states, counts and suppressions, and nothing that a reapply would
 * change. With every threshold at 2 (counts carried through the batch) and at
 * 1, and across an unsuppress.
 */
START_TEST(lookahead_same_as_asking)
{
	struct store *other = open_store("other.db");
	struct store_unsuppress u = { .address = "r3@d1.example.org" };
	struct store_policy p;
	struct store_status a, b;
	char address[64];
	struct err e;
	size_t changed, lifted;
	int batch, i, differ = 0, asked = 0, told = 0, events = 0;

	store_get_policy(st, &p);
	p.hard_threshold = p.soft_threshold = p.complaint_threshold = _i == 0 ? 2 : 1;
	store_set_policy(st, &p);
	store_set_policy(other, &p);
	for (batch = 0; batch < 4; batch++) {
		lookahead_batch(st, batch, 0);
		lookahead_batch(other, batch, 1);
		if (batch == 1) {
			ck_assert_int_eq(store_unsuppress(st, &u, &lifted, &e), 0);
			ck_assert_int_eq(store_unsuppress(other, &u, &lifted, &e), 0);
		}
	}
	for (i = 0; i < 12; i++) {
		snprintf(address, sizeof address, "r%d@d%d.example.org", i, i % 4);
		ck_assert_msg(store_status(st, address, &a, &e) == 0, "%s", e.msg);
		ck_assert_msg(store_status(other, address, &b, &e) == 0, "%s", e.msg);
		differ += a.state != b.state || a.hard_bounces != b.hard_bounces ||
		    a.soft_days != b.soft_days || a.complaints != b.complaints ||
		    a.events != b.events || a.suppressed_since != b.suppressed_since ||
		    (a.cause == NULL) != (b.cause == NULL);
		store_status_free(&a);
		store_status_free(&b);
		ck_assert_msg(store_why(other, address, event_has_message, NULL, &events,
		    &e) == 0, "%s", e.msg);
	}
	ck_assert_int_gt(events, 0);
	ck_assert_int_eq(differ, 0);
	/* One suppression in force per address, in both. */
	ck_assert_int_eq(store_export(st, NULL, count_in_force, &asked, &e), 0);
	ck_assert_int_eq(store_export(other, NULL, count_in_force, &told, &e), 0);
	ck_assert_int_gt(asked, 0);
	ck_assert_int_eq(asked, told);
	ck_assert_msg(store_reapply(other, &changed, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(changed, 0);
	ck_assert_msg(store_reapply(st, &changed, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(changed, 0);
	store_close(other);
}
END_TEST

/*
 * No savepoint per message inside a batch: a write that fails half-way through a
 * message spoils the batch, so its first half is never committed.
 */
START_TEST(failed_write_spoils_batch)
{
	struct store_message m = { .hash = "spoil1", .bounce_time = T0 };
	struct store_event ev = { .recipient = "a@example.com", .class = "hard" };
	struct err e;

	store_close(st);
	raw_sql(path, "CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW.reason = 'boom'"
	    " BEGIN SELECT RAISE(ABORT, 'boom'); END");
	st = store_open(path, &e, NULL);
	ck_assert_msg(st != NULL, "%s", e.msg);
	store_set_now(st, T0);

	/* On its own, the failed message leaves nothing behind. */
	m.hash = "alone";
	ev.reason = "boom";
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), -1);
	ck_assert_int_eq(store_message_seen(st, "alone", &e), 0);
	ck_assert_int_eq(state_of("a@example.com"), STORE_UNKNOWN);

	ck_assert_int_eq(store_begin(st, &e), 0);
	m.hash = "spoil1";
	ev.reason = "userunknown";
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), 0);
	m.hash = "spoil2";
	ev.recipient = "b@example.com";
	ev.reason = "boom";
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), -1);
	m.hash = "spoil3";
	ev.reason = NULL;
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), -1);
	ck_assert_int_eq(store_commit(st, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "nothing of it was committed"));
	ck_assert_int_eq(store_message_seen(st, "spoil1", &e), 0);
	ck_assert_int_eq(store_message_seen(st, "spoil2", &e), 0);
	ck_assert_int_eq(state_of("a@example.com"), STORE_UNKNOWN);

	/* The next batch starts clean. */
	ck_assert_int_eq(store_begin(st, &e), 0);
	ck_assert_int_eq(store_ingest_message(st, &m, &ev, 1, NULL, &e), 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	ck_assert_int_eq(state_of("b@example.com"), STORE_SUPPRESSED);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, addresses_normalised);
	tcase_add_test(tc, international_addresses_match);
	tcase_add_test(tc, invalid_address_rejected);
	tcase_add_test(tc, import_idempotent);
	tcase_add_test(tc, export_filters);
	tcase_add_test(tc, lists_recorded_and_filtered);
	tcase_add_test(tc, unsuppress_by_cause);
	tcase_add_test(tc, unsuppress_by_time);
	tcase_add_test(tc, why_gives_evidence);
	tcase_add_test(tc, stats_and_progress);
	tcase_add_test(tc, locked_database_is_temporary);
	tcase_add_test(tc, batch_rollback_keeps_committed);
	tcase_add_loop_test(tc, lookahead_same_as_asking, 0, 2);
	tcase_add_test(tc, empty_scan_forgotten);
	/* Inside a SQLite file: its versions, pragmas, plans, permissions. */
	if (store_sqlite_only()) {
		tcase_add_test(tc, schema_version_and_reopen);
		tcase_add_test(tc, history_index_covers_policy_walk);
		tcase_add_test(tc, address_keys_upgrade_from_version_6);
		tcase_add_test(tc, readonly_database);
		tcase_add_test(tc, corrupt_database);
		tcase_add_test(tc, hash_upgrade_from_version_1);
		tcase_add_test(tc, failed_write_spoils_batch);
		tcase_add_test(tc, scan_rows_indexed);
		tcase_add_test(tc, single_address_queries_indexed);
		tcase_add_test(tc, lists_upgrade_from_version_8);
	}
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(store_suite());
}
