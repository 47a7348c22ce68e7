/*
 * schema.c: the database schema, its version (PRAGMA user_version) and the forward
 * migrations that bring an older file up to date.
 *
 * migrations[i] takes a database from version i to i + 1; version 0 is an empty
 * file. Never edit a migration that has shipped: add one. A file newer than this
 * build is refused rather than guessed at.
 *
 * The event log (events) is the truth; recipients' counters and states and the
 * suppressions are derived from it by policy.c and can be recomputed.
 *
 * Documented read-only views, a stable interface for list managers that read the
 * file directly (columns are only ever added, at the end):
 *
 *   suppressed         one row per address suppressed now
 *     address          as first seen, domain lower-cased
 *     domain           receiving domain, lower-case; an international one in its
 *                      IDNA ASCII form (xn--...)
 *     cause            'policy' (thresholds), 'manual' or 'import'
 *     class            class of the event that reached the threshold, or NULL
 *     reason           that event's reason, or the text given by hand / in the import
 *     rule             the classifier rule behind that event's reason, or NULL
 *     scan_id          the scan that brought that event, or NULL
 *     suppressed_at    when the store suppressed it, Unix seconds UTC
 *     list             the list ([list NAME]) the bounce of that event came from,
 *                      or NULL (schema 9): a suppression holds for every list
 *
 *   recipient_status   one row per address the store has seen
 *     address, domain  as above
 *     state            'active' or 'suppressed'
 *     hard_bounces     hard bounces counted (since the last manual unsuppress)
 *     soft_days        distinct UTC days with a soft bounce within the soft window,
 *                      as of the address's last evaluation
 *     complaints       complaints counted
 *     blocks           sender-side rejections (never held against the address)
 *     events           events since the last manual unsuppress (all of them when
 *                      there was none), counted or not; why shows the whole history
 *     last_bounce      time of the newest of those events, Unix seconds UTC, or NULL
 *     last_class       class of the newest event, or NULL
 *     last_reason      reason of the newest event, or NULL
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE policy ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE scans ("
	"  id INTEGER PRIMARY KEY,"
	"  description TEXT,"
	"  started INTEGER NOT NULL,"
	"  finished INTEGER"
	");"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"	/* of the raw bytes: see 1 -> 2 */
	"  source TEXT,"
	"  origin TEXT,"
	"  scan_id INTEGER REFERENCES scans(id),"
	"  bounce_time INTEGER NOT NULL,"
	"  ingested INTEGER NOT NULL,"
	"  events INTEGER NOT NULL"
	");"
	"CREATE TABLE recipients ("
	"  id INTEGER PRIMARY KEY,"
	"  address_key TEXT NOT NULL UNIQUE,"	/* what we compare: see 6 -> 7 */
	"  address TEXT NOT NULL,"		/* as first written: what we show */
	"  domain TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'active'"
	"    CHECK (state IN ('active', 'suppressed')),"
	"  reset_time INTEGER NOT NULL DEFAULT 0,"	/* events up to here no longer count */
	"  hard_bounces INTEGER NOT NULL DEFAULT 0,"
	"  soft_days INTEGER NOT NULL DEFAULT 0,"
	"  complaints INTEGER NOT NULL DEFAULT 0,"
	"  blocks INTEGER NOT NULL DEFAULT 0,"
	"  events INTEGER NOT NULL DEFAULT 0,"
	"  last_bounce INTEGER,"
	"  first_seen INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient_id INTEGER NOT NULL REFERENCES recipients(id),"
	"  message_id INTEGER NOT NULL REFERENCES messages(id),"
	"  class TEXT NOT NULL,"
	"  reason TEXT,"
	"  status TEXT,"
	"  smtp_code INTEGER,"
	"  diagnostic TEXT,"
	"  remote_mta TEXT,"
	"  rule TEXT,"
	"  scan_id INTEGER,"
	"  domain TEXT NOT NULL,"		/* receiving domain, for stats and incidents */
	"  bounce_time INTEGER NOT NULL,"
	"  ingested INTEGER NOT NULL"
	");"
	"CREATE INDEX events_recipient ON events(recipient_id, bounce_time);"
	"CREATE INDEX events_scan ON events(scan_id) WHERE scan_id IS NOT NULL;"
	"CREATE TABLE suppressions ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient_id INTEGER NOT NULL REFERENCES recipients(id),"
	"  cause TEXT NOT NULL CHECK (cause IN ('policy', 'manual', 'import')),"
	"  class TEXT,"
	"  reason TEXT,"
	"  rule TEXT,"
	"  event_id INTEGER REFERENCES events(id),"
	"  scan_id INTEGER,"
	"  created INTEGER NOT NULL,"
	"  lifted INTEGER,"
	"  lifted_by TEXT"
	");"
	"CREATE UNIQUE INDEX suppressions_in_force ON suppressions(recipient_id)"
	"  WHERE lifted IS NULL;"
	"CREATE INDEX suppressions_created ON suppressions(created);"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  scan_id INTEGER REFERENCES scans(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('domain', 'share')),"
	"  domain TEXT,"
	"  reason TEXT,"
	"  blocks INTEGER NOT NULL,"
	"  failures INTEGER NOT NULL,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE source_progress ("
	"  source TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  value TEXT,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (source, key)"
	") WITHOUT ROWID;"
	"CREATE VIEW suppressed AS"
	"  SELECT r.address, r.domain, s.cause, s.class, s.reason, s.rule, s.scan_id,"
	"         s.created AS suppressed_at"
	"  FROM suppressions s JOIN recipients r ON r.id = s.recipient_id"
	"  WHERE s.lifted IS NULL;"
	"CREATE VIEW recipient_status AS"
	"  SELECT r.address, r.domain, r.state, r.hard_bounces, r.soft_days,"
	"         r.complaints, r.blocks, r.events, r.last_bounce,"
	"         e.class AS last_class, e.reason AS last_reason"
	"  FROM recipients r LEFT JOIN events e ON e.id ="
	"    (SELECT id FROM events WHERE recipient_id = r.id"
	"     ORDER BY bounce_time DESC, id DESC LIMIT 1);",
	/*
	 * 1 -> 2: SHA-256 hashes in hex become their 32 bytes (see hash_digest in
	 * store.c). Two spellings of one hash (upper and lower case) are one message:
	 * the second keeps its text and is still found by the first's digest.
	 */
	"UPDATE OR IGNORE messages SET hash = bouncescan_hash_digest(hash)"
	"  WHERE typeof(hash) = 'text' AND length(hash) = 64;",
	/*
	 * 2 -> 3: the webhook outbox (outbox.c). A row per event and webhook, written
	 * in the transaction that recorded the event; delivered is set once the
	 * endpoint took it. payload is the generic JSON document. (IF NOT EXISTS: a
	 * test fakes an older file by lowering user_version on a current one.)
	 */
	"CREATE TABLE IF NOT EXISTS outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  webhook TEXT NOT NULL,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('suppressed', 'unsuppressed', 'bounce', 'incident')),"
	"  payload TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  delivered INTEGER,"
	"  last_error TEXT"
	");"
	"CREATE INDEX IF NOT EXISTS outbox_due ON outbox(webhook, next_attempt, id)"
	"  WHERE delivered IS NULL;",
	/*
	 * 3 -> 4: the same tables, with "x IN (three or more names)" checks spelled
	 * as comparisons. SQLite builds a temporary b-tree for such a list every
	 * time a row is written: that was a quarter of the ingest's CPU time (one
	 * suppression per hard bounce) and likewise an outbox row per event. The
	 * tables are rebuilt (SQLite cannot alter a check) with the same columns,
	 * ids and indexes; the view on suppressions is dropped and made again
	 * around it, unchanged. Running it twice (a test lowers user_version) is
	 * harmless.
	 */
	"DROP VIEW IF EXISTS suppressed;"
	"CREATE TABLE suppressions_new ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient_id INTEGER NOT NULL REFERENCES recipients(id),"
	"  cause TEXT NOT NULL"
	"    CHECK (cause = 'policy' OR cause = 'manual' OR cause = 'import'),"
	"  class TEXT,"
	"  reason TEXT,"
	"  rule TEXT,"
	"  event_id INTEGER REFERENCES events(id),"
	"  scan_id INTEGER,"
	"  created INTEGER NOT NULL,"
	"  lifted INTEGER,"
	"  lifted_by TEXT"
	");"
	"INSERT INTO suppressions_new (id, recipient_id, cause, class, reason, rule,"
	"  event_id, scan_id, created, lifted, lifted_by)"
	"  SELECT id, recipient_id, cause, class, reason, rule, event_id, scan_id,"
	"  created, lifted, lifted_by FROM suppressions;"
	"DROP TABLE suppressions;"
	"ALTER TABLE suppressions_new RENAME TO suppressions;"
	"CREATE UNIQUE INDEX suppressions_in_force ON suppressions(recipient_id)"
	"  WHERE lifted IS NULL;"
	"CREATE INDEX suppressions_created ON suppressions(created);"
	"CREATE VIEW suppressed AS"
	"  SELECT r.address, r.domain, s.cause, s.class, s.reason, s.rule, s.scan_id,"
	"         s.created AS suppressed_at"
	"  FROM suppressions s JOIN recipients r ON r.id = s.recipient_id"
	"  WHERE s.lifted IS NULL;"
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  webhook TEXT NOT NULL,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind = 'suppressed' OR kind = 'unsuppressed' OR kind = 'bounce'"
	"      OR kind = 'incident'),"
	"  payload TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  delivered INTEGER,"
	"  last_error TEXT"
	");"
	"INSERT INTO outbox_new (id, webhook, kind, payload, created, attempts,"
	"  next_attempt, delivered, last_error)"
	"  SELECT id, webhook, kind, payload, created, attempts, next_attempt,"
	"  delivered, last_error FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(webhook, next_attempt, id)"
	"  WHERE delivered IS NULL;",
	/*
	 * 4 -> 5: events_recipient also holds each event's class, so the policy's
	 * walk over a recipient's history (policy_evaluate, a soft bounce's
	 * same-day check) reads the index alone: no event row, each on a page of
	 * its own, is fetched. That was most of the time spent ingesting a soft
	 * bounce of a recipient seen before. id is spelled out before class so the
	 * index keeps the walk's order (bounce_time, id) without a sort.
	 */
	"DROP INDEX IF EXISTS events_recipient;"
	"CREATE INDEX events_recipient ON events(recipient_id, bounce_time, id, class);",
	/*
	 * 5 -> 6: a scan's messages and suppressions are found by its id instead of
	 * by reading the whole table, which took a tenth of a second per million
	 * messages: the summary at the end of every scan counts them, the daemon
	 * forgets each poll that found nothing, and unsuppress --scan undoes one.
	 * Scan ids only grow, so both indexes are written at their end.
	 */
	"CREATE INDEX IF NOT EXISTS messages_scan ON messages(scan_id)"
	"  WHERE scan_id IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS suppressions_scan ON suppressions(scan_id)"
	"  WHERE scan_id IS NOT NULL;",
	/*
	 * 6 -> 7: one key per mailbox (address-key.c): the domain in its IDNA ASCII
	 * form, the local part NFC-normalised and case-folded. Keys were lower-cased
	 * ASCII before, so only addresses with other characters change; two rows
	 * whose addresses now share a key are one recipient, the first seen (lowest
	 * id), which keeps its spelling. Its events and suppressions are moved to it;
	 * of the suppressions in force in a group, the oldest stays and the others
	 * are lifted ("merged"); its counters are counted again from its events (the
	 * soft days are the largest of the group's until the next evaluation: run
	 * reapply). A row whose address no longer passes keeps its key. Then the
	 * indexes that make the queries of a single address or domain, and stats
	 * --since, read only their rows: events_recipient with each event's
	 * recording time (the soft window ends there, policy.c), every suppression
	 * of a recipient (why, unsuppress), events by time (stats, covering its
	 * groupings), recipients by address and by domain (the views).
	 */
	"CREATE TEMP TABLE rekey AS"
	"  SELECT id, bouncescan_address(address, 'key') AS key,"
	"    bouncescan_address(address, 'display') AS display,"
	"    bouncescan_address(address, 'domain') AS domain"
	"  FROM recipients WHERE bouncescan_address(address, 'key') <> address_key"
	"    OR bouncescan_address(address, 'display') <> address;"
	"CREATE TEMP TABLE keyed AS"
	"  SELECT id, key FROM rekey UNION ALL"
	"  SELECT id, address_key FROM recipients"
	"    WHERE address_key IN (SELECT key FROM rekey)"
	"    AND id NOT IN (SELECT id FROM rekey);"
	"CREATE TEMP TABLE member AS"
	"  SELECT k.id, g.into_id FROM keyed k JOIN"
	"    (SELECT key, min(id) AS into_id FROM keyed GROUP BY key"
	"     HAVING count(*) > 1) g ON g.key = k.key;"
	"UPDATE suppressions SET lifted = CAST(strftime('%s', 'now') AS INTEGER),"
	"  lifted_by = 'merged'"
	"  WHERE lifted IS NULL AND recipient_id IN (SELECT id FROM member)"
	"  AND EXISTS (SELECT 1 FROM suppressions o JOIN member m ON m.id = o.recipient_id"
	"    WHERE o.lifted IS NULL AND o.id < suppressions.id AND m.into_id ="
	"    (SELECT into_id FROM member WHERE id = suppressions.recipient_id));"
	"UPDATE events SET recipient_id ="
	"  (SELECT into_id FROM member WHERE id = events.recipient_id)"
	"  WHERE recipient_id IN (SELECT id FROM member WHERE id <> into_id);"
	"UPDATE suppressions SET recipient_id ="
	"  (SELECT into_id FROM member WHERE id = suppressions.recipient_id)"
	"  WHERE recipient_id IN (SELECT id FROM member WHERE id <> into_id);"
	"UPDATE recipients SET"
	"  reset_time = (SELECT max(r.reset_time) FROM recipients r JOIN member m"
	"    ON m.id = r.id WHERE m.into_id = recipients.id),"
	"  soft_days = (SELECT max(r.soft_days) FROM recipients r JOIN member m"
	"    ON m.id = r.id WHERE m.into_id = recipients.id),"
	"  first_seen = (SELECT min(r.first_seen) FROM recipients r JOIN member m"
	"    ON m.id = r.id WHERE m.into_id = recipients.id),"
	"  updated = CAST(strftime('%s', 'now') AS INTEGER)"
	"  WHERE id IN (SELECT into_id FROM member);"
	"DELETE FROM recipients"
	"  WHERE id IN (SELECT id FROM member WHERE id <> into_id);"
	"UPDATE recipients SET"
	"  hard_bounces = (SELECT count(*) FROM events WHERE recipient_id = recipients.id"
	"    AND bounce_time > recipients.reset_time AND class = 'hard'),"
	"  complaints = (SELECT count(*) FROM events WHERE recipient_id = recipients.id"
	"    AND bounce_time > recipients.reset_time AND class = 'complaint'),"
	"  blocks = (SELECT count(*) FROM events WHERE recipient_id = recipients.id"
	"    AND bounce_time > recipients.reset_time AND class = 'block'),"
	"  events = (SELECT count(*) FROM events WHERE recipient_id = recipients.id"
	"    AND bounce_time > recipients.reset_time),"
	"  last_bounce = (SELECT max(bounce_time) FROM events"
	"    WHERE recipient_id = recipients.id AND bounce_time > recipients.reset_time),"
	"  state = CASE WHEN EXISTS (SELECT 1 FROM suppressions"
	"    WHERE recipient_id = recipients.id AND lifted IS NULL)"
	"    THEN 'suppressed' ELSE 'active' END"
	"  WHERE id IN (SELECT into_id FROM member);"
	/* Through a key no row has, so that no two rows ever share one on the way. */
	"UPDATE recipients SET address_key = char(1) || id"
	"  WHERE id IN (SELECT id FROM rekey);"
	"UPDATE recipients SET"
	"  address_key = (SELECT key FROM rekey WHERE id = recipients.id),"
	"  address = (SELECT display FROM rekey WHERE id = recipients.id),"
	"  domain = (SELECT domain FROM rekey WHERE id = recipients.id)"
	"  WHERE id IN (SELECT id FROM rekey);"
	"UPDATE events SET domain ="
	"  (SELECT domain FROM recipients WHERE id = events.recipient_id)"
	"  WHERE recipient_id IN (SELECT id FROM rekey UNION SELECT into_id FROM member);"
	"DROP TABLE temp.rekey; DROP TABLE temp.keyed; DROP TABLE temp.member;"
	"DROP INDEX IF EXISTS events_recipient;"
	"CREATE INDEX events_recipient"
	"  ON events(recipient_id, bounce_time, id, class, ingested);"
	"CREATE INDEX IF NOT EXISTS suppressions_recipient ON suppressions(recipient_id);"
	"CREATE INDEX IF NOT EXISTS events_time ON events(bounce_time, class, domain, reason);"
	"CREATE INDEX IF NOT EXISTS recipients_address ON recipients(address);"
	"CREATE INDEX IF NOT EXISTS recipients_domain ON recipients(domain);",
	/*
	 * 7 -> 8: who holds each webhook outbox lease (outbox.c). A delivering
	 * process writes its owner token beside each row it takes; when that owner
	 * is found dead (its lock is gone), the next process releases the rows at
	 * once instead of waiting for the lease to run out. A table of its own, not
	 * a column, so that running this again (a test lowers user_version) and the
	 * rebuild of outbox in 3 -> 4 are both harmless.
	 */
	"CREATE TABLE IF NOT EXISTS outbox_leases ("
	"  id INTEGER PRIMARY KEY,"
	"  owner INTEGER NOT NULL"
	");"
	"CREATE INDEX IF NOT EXISTS outbox_leases_owner ON outbox_leases(owner);",
	/*
	 * 8 -> 9: several lists on one host ([list NAME] sections). Each event
	 * records the list its bounce came from, in the column events.list added
	 * just before this runs (added_columns below): the name of the [list NAME]
	 * section whose VERP pattern, bounce address or List-Id matched, or NULL
	 * (no list told, or the unnamed [verp] list; all events before schema 9).
	 * A name, not a reference to a table of lists: lists live in the
	 * configuration, and an event keeps the name it was recorded under after
	 * its section is renamed or removed. Suppressions stay per address, so
	 * they get no column: the list one came from is its deciding event's
	 * (suppressions.event_id), and the view suppressed shows it at its end.
	 * The index serves stats --list: one list's events in bounce-time order
	 * with the columns stats groups by, as events_time does for all events;
	 * partial, so events of no list (every event of a host without [list]
	 * sections) cost nothing.
	 */
	"CREATE INDEX IF NOT EXISTS events_list"
	"  ON events(list, bounce_time, class, domain, reason) WHERE list IS NOT NULL;"
	"DROP VIEW IF EXISTS suppressed;"
	"CREATE VIEW suppressed AS"
	"  SELECT r.address, r.domain, s.cause, s.class, s.reason, s.rule, s.scan_id,"
	"         s.created AS suppressed_at, e.list"
	"  FROM suppressions s JOIN recipients r ON r.id = s.recipient_id"
	"  LEFT JOIN events e ON e.id = s.event_id"
	"  WHERE s.lifted IS NULL;",
};

/*
 * Columns a migration adds, each before migrations[from] runs. SQLite has no
 * ADD COLUMN IF NOT EXISTS (PostgreSQL has), and a test fakes an older file by
 * lowering user_version on a current one: the column is added only when the
 * table lacks it, so running the step again is harmless, as every step is.
 */
static const struct {
	int		 from;
	const char	*table;
	const char	*column;
	const char	*sql;
} added_columns[] = {
	{ 8, "events", "list", "ALTER TABLE events ADD COLUMN list TEXT" },
};

#define SCHEMA_VERSION	((int)(sizeof migrations / sizeof migrations[0]))

int
store_schema_version(void)
{
	return SCHEMA_VERSION;
}

/* The schema version as a query of one integer gives it, on either backend. */
int
schema_read_version(struct store *st, const char *sql, int *version, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	rc = sql_step(stmt);
	if (rc == SQL_ROW)
		*version = sql_column_int(stmt, 0);
	sql_finalize(stmt);
	if (rc != SQL_ROW)
		return store_fail(st, e, "reading the schema version");
	return 0;
}

static int
schema_version(struct store *st, int *version, struct err *e)
{
	return schema_read_version(st, "PRAGMA user_version", version, e);
}

int
schema_too_new(struct store *st, int version, struct err *e)
{
	return err_set(e, "%s: schema version %d is newer than this program's (%d)",
	    st->path, version, SCHEMA_VERSION);
}

/* 1 when table has column, 0 if not, -1 on error. */
static int
has_column(struct store *st, const char *table, const char *column, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
	    &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, table);
	bind_text(stmt, 2, column);
	rc = sql_step(stmt);
	sql_finalize(stmt);
	if (rc == -1)
		return store_fail(st, e, "reading the schema");
	return rc == SQL_ROW;
}

static int
schema_step(struct store *st, int from, struct err *e)
{
	char pragma[64];
	size_t i;
	int has;

	for (i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
		if (added_columns[i].from != from)
			continue;
		if ((has = has_column(st, added_columns[i].table,
		    added_columns[i].column, e)) == -1 ||
		    (has == 0 && store_exec(st, added_columns[i].sql, e) == -1))
			return err_prefix(e, "migrating schema %d to %d: ", from,
			    from + 1);
	}
	if (store_exec(st, migrations[from], e) == -1)
		return err_prefix(e, "migrating schema %d to %d: ", from, from + 1);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", from + 1);
	return store_exec(st, pragma, e);
}

/* The SQL face of hash_digest, for migration 1 -> 2: other values pass unchanged. */
static void
fn_hash_digest(sqlite3_context *context, int argc, sqlite3_value **argv)
{
	unsigned char digest[HASH_DIGEST_SIZE];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
	    hash_digest((const char *)sqlite3_value_text(argv[0]), digest))
		sqlite3_result_blob(context, digest, sizeof digest, SQLITE_TRANSIENT);
	else
		sqlite3_result_value(context, argv[0]);
}

/*
 * The SQL face of store_address_normalise, for migration 6 -> 7:
 * bouncescan_address(address, 'key' | 'display' | 'domain'); NULL for an address
 * it refuses.
 */
static void
fn_address(sqlite3_context *context, int argc, sqlite3_value **argv)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	const char *address = (const char *)sqlite3_value_text(argv[0]);
	const char *part = (const char *)sqlite3_value_text(argv[1]);
	struct err e;

	(void)argc;
	if (address == NULL || part == NULL ||
	    store_address_normalise(address, display, key, &e) == -1)
		sqlite3_result_null(context);
	else if (strcmp(part, "display") == 0)
		sqlite3_result_text(context, display, -1, SQLITE_TRANSIENT);
	else if (strcmp(part, "domain") == 0)
		sqlite3_result_text(context, strrchr(key, '@') + 1, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_text(context, key, -1, SQLITE_TRANSIENT);
}

/* SQLite only: the functions of the old migrations. */
static int
schema_functions(struct store *st, struct err *e)
{
	sqlite3 *db = sql_sqlite_handle(st->sql);

	if (sqlite3_create_function_v2(db, "bouncescan_hash_digest", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_hash_digest, NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "bouncescan_address", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_address, NULL, NULL,
	    NULL) != SQLITE_OK)
		return store_fail(st, e, "setting up the schema migration");
	return 0;
}

/*
 * Bring the file to SCHEMA_VERSION in one transaction: a migration that fails
 * halfway leaves the file as it was.
 */
int
schema_migrate(struct store *st, struct err *e)
{
	int version;

	if (schema_version(st, &version, e) == -1)
		return -1;
	if (version == SCHEMA_VERSION)
		return 0;
	if (version > SCHEMA_VERSION)
		return schema_too_new(st, version, e);
	if (schema_functions(st, e) == -1)
		return -1;
	if (sql_begin(st->sql) == -1)
		return store_fail(st, e, "locking the database to set up its schema");
	/* Another process may have migrated while we waited for the lock. */
	if (schema_version(st, &version, e) == -1)
		goto fail;
	for (; version < SCHEMA_VERSION; version++)
		if (schema_step(st, version, e) == -1)
			goto fail;
	if (sql_exec(st->sql, "COMMIT") == -1) {
		store_fail(st, e, "committing the schema");
		goto fail;
	}
	return 0;
fail:
	sql_exec(st->sql, "ROLLBACK");
	return -1;
}

/*
 * Opening read-only, on either backend: a store at `version` must already have
 * this build's schema.
 */
int
schema_version_usable(struct store *st, int version, struct err *e)
{
	if (version > SCHEMA_VERSION)
		return schema_too_new(st, version, e);
	if (version < SCHEMA_VERSION)
		return err_set(e, "%s: schema version %d needs upgrading to %d: open it"
		    " once for writing", st->path, version, SCHEMA_VERSION);
	return 0;
}

int
schema_check(struct store *st, struct err *e)
{
	int version;

	if (schema_version(st, &version, e) == -1)
		return -1;
	return schema_version_usable(st, version, e);
}
