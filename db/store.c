/*
 * store.c: opening and closing the store, its pragmas, the clock, transactions, and
 * turning the engine's failures (sql.h) into messages that name the file and say
 * whether trying again later can help. The pragmas and the WAL are SQLite's
 * alone: they go through sql_sqlite_handle and say so.
 *
 * Durability: WAL with synchronous=FULL, so a batch the caller saw committed is on
 * disk before the caller disposes of the mail at its source. (NORMAL would be
 * faster but loses the last commits on a power failure, after their mail is gone.)
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "internal.h"
#include "xalloc.h"

#define BUSY_TIMEOUT_MS	10000

static const char *const statement_sql[STMT_COUNT] = {
	[STMT_MESSAGE_INSERT] =
	    "INSERT INTO messages (hash, source, origin, scan_id, bounce_time, ingested,"
	    " events) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO NOTHING"
	    SQL_RETURNING_ID,
	/* A message the look-ahead knows to be new (lookahead.c): no answer wanted. */
	[STMT_MESSAGE_ADD] =
	    "INSERT INTO messages (hash, source, origin, scan_id, bounce_time, ingested,"
	    " events) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_MESSAGE_SEEN] =
	    "SELECT 1 FROM messages WHERE hash = ?1",
	[STMT_RECIPIENT_FIND] =
	    "SELECT id, reset_time, CAST(state = 'suppressed' AS INTEGER), hard_bounces,"
	    " complaints"
	    " FROM recipients WHERE address_key = ?1",
	[STMT_RECIPIENT_INSERT] =
	    "INSERT INTO recipients (address_key, address, domain, first_seen, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?4)" SQL_RETURNING_ID,
	/*
	 * The counters a single event can only increase, kept up as it arrives. Two
	 * statements (after STMT_RECIPIENT_FIND) rather than an upsert: RETURNING
	 * builds a temporary table on every call, which cost more than the look-up.
	 * A comparison is a boolean to PostgreSQL, an integer to SQLite: CAST to
	 * INTEGER suits both, and max() of two values is a CASE for the same reason.
	 * Nothing waits for a new recipient's id (ingest.c): the event that follows
	 * finds it by its key.
	 */
	[STMT_RECIPIENT_ADD] =
	    "INSERT INTO recipients (address_key, address, domain, first_seen, updated,"
	    " hard_bounces, complaints, blocks, events, last_bounce, state, soft_days)"
	    " VALUES (?1, ?2, ?3, ?4, ?4, CAST(?5 = 'hard' AS INTEGER),"
	    " CAST(?5 = 'complaint' AS INTEGER), CAST(?5 = 'block' AS INTEGER), 1, ?6,"
	    " coalesce(?7, 'active'), ?8)",
	[STMT_RECIPIENT_COUNT] =
	    "UPDATE recipients SET"
	    " hard_bounces = hard_bounces + CAST(?5 = 'hard' AND ?6 > reset_time AS INTEGER),"
	    " complaints = complaints"
	    "  + CAST(?5 = 'complaint' AND ?6 > reset_time AS INTEGER),"
	    " blocks = blocks + CAST(?5 = 'block' AND ?6 > reset_time AS INTEGER),"
	    " events = events + CAST(?6 > reset_time AS INTEGER),"
	    " last_bounce = CASE WHEN ?6 <= reset_time THEN last_bounce"
	    "  WHEN coalesce(last_bounce, 0) > ?6 THEN coalesce(last_bounce, 0)"
	    "  ELSE ?6 END,"
	    " state = coalesce(?7, state), updated = ?4 WHERE id = ?1",
	/* ?1 NULL: the recipient just added, found by its key ?15. */
	[STMT_EVENT_INSERT] =
	    "INSERT INTO events (recipient_id, message_id, class, reason, status,"
	    " smtp_code, diagnostic, remote_mta, rule, scan_id, domain, bounce_time,"
	    " ingested, list) VALUES (coalesce(?1,"
	    " (SELECT id FROM recipients WHERE address_key = ?15)), ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)" SQL_RETURNING_ID,
	[STMT_EVENTS_OF] =
	    "SELECT id, class, bounce_time, ingested FROM events"
	    " WHERE recipient_id = ?1 AND bounce_time > ?2 ORDER BY bounce_time, id",
	/* policy_on_soft: a counted soft bounce on the same UTC day, other than ?4. */
	[STMT_SOFT_SAME_DAY] =
	    "SELECT 1 FROM events WHERE recipient_id = ?1 AND bounce_time >= ?2"
	    " AND bounce_time < ?3 AND class = 'soft' AND id <> ?4 LIMIT 1",
	[STMT_RECIPIENT_UPDATE] =
	    "UPDATE recipients SET state = ?2, hard_bounces = ?3, soft_days = ?4,"
	    " complaints = ?5, blocks = ?6, events = ?7, last_bounce = ?8,"
	    " updated = ?9 WHERE id = ?1",
	[STMT_SUPPRESSION_ACTIVE] =
	    "SELECT id, cause FROM suppressions WHERE recipient_id = ?1 AND lifted IS NULL",
	[STMT_SUPPRESSION_INSERT] =
	    "INSERT INTO suppressions (recipient_id, cause, class, reason, rule, event_id,"
	    " scan_id, created) SELECT ?1, ?2, e.class, coalesce(?3, e.reason), e.rule,"
	    " e.id, e.scan_id, ?5 FROM (SELECT 1) AS one LEFT JOIN events e ON e.id = ?4",
	[STMT_SUPPRESSION_LIFT] =
	    "UPDATE suppressions SET lifted = ?2, lifted_by = ?3 WHERE id = ?1",
	/* A policy suppression decided by an event still in hand: no reading it back. */
	[STMT_SUPPRESSION_OF_EVENT] =
	    "INSERT INTO suppressions (recipient_id, cause, class, reason, rule, event_id,"
	    " scan_id, created) VALUES (?1, 'policy', ?2, ?3, ?4, ?5, ?6, ?7)",
	/* The same when nothing waited for the event's ids (ingest.c): the last one. */
	[STMT_SUPPRESSION_OF_LAST_EVENT] =
	    "INSERT INTO suppressions (recipient_id, cause, class, reason, rule, event_id,"
	    " scan_id, created) SELECT recipient_id, 'policy', ?2, ?3, ?4, id, ?6, ?7"
	    " FROM events WHERE id = last_insert_rowid()",
	[STMT_SAVEPOINT] = "SAVEPOINT write",
	[STMT_RELEASE] = "RELEASE write",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO write",
};

/*
 * The same statements where PostgreSQL needs more, because several processes
 * on several hosts write at once there (SQLite lets one writer in at a time).
 *
 * Counters stay exact under locks rather than SERIALIZABLE, where a second
 * host ingesting for the same address would fail at commit and do its whole
 * batch (up to SCAN_BATCH messages) again. A result reads its recipient FOR
 * UPDATE, so a second host ingesting for the same address waits at that read
 * until the first commits, then sees its counts, judges on them and adds its
 * own. A new address is looked up and then added without waiting for either
 * (ingest.c): the write lock below keeps another writer from adding it in
 * between, and should that ever happen the unique key fails the batch rather
 * than lose a count.
 *
 * Row locks alone are not enough: a batch holds the locks of every address it
 * touched until it commits, and two batches that meet on two addresses in
 * opposite orders deadlock (make bench-store-pg, four writers on 200,000
 * addresses: three of four batches were chosen as deadlock victims). So a
 * write transaction also takes one advisory lock, WRITE_LOCK (store_begin):
 * writers on all hosts take turns per transaction, as SQLite's writers do,
 * and readers never wait. The look-ahead (lookahead.c) leans on the turns:
 * what it learnt at the start of a batch stays true until the commit. Turns
 * cost little here: a batch keeps the server busy on its own (four scanners
 * at once store as fast as one, bench-store-pg.sh). Finer locking would lock
 * the batch's known addresses in key order (the look-ahead already reads them
 * so) and would also have to claim new addresses and message hashes in one
 * order, and let a batch that lost such a race go on.
 */
#define WRITE_LOCK	"7237121048238761335"	/* any number of our own */

static const char *const statement_pg_sql[STMT_COUNT] = {
	/* ?1, ?2 NULL: the recipient, the message just added (not waited for). */
	[STMT_EVENT_INSERT] =
	    "INSERT INTO events (recipient_id, message_id, class, reason, status,"
	    " smtp_code, diagnostic, remote_mta, rule, scan_id, domain, bounce_time,"
	    " ingested, list) VALUES (coalesce(?1,"
	    " (SELECT id FROM recipients WHERE address_key = ?15)), coalesce(?2,"
	    " (SELECT currval(pg_get_serial_sequence('messages', 'id')))), ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)" SQL_RETURNING_ID,
	[STMT_RECIPIENT_FIND] =
	    "SELECT id, reset_time, CAST(state = 'suppressed' AS INTEGER), hard_bounces,"
	    " complaints FROM recipients WHERE address_key = ?1 FOR UPDATE",
	[STMT_RECIPIENT_INSERT] =
	    "INSERT INTO recipients (address_key, address, domain, first_seen, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (address_key) DO NOTHING"
	    SQL_RETURNING_ID,
	[STMT_SUPPRESSION_OF_LAST_EVENT] =
	    "INSERT INTO suppressions (recipient_id, cause, class, reason, rule, event_id,"
	    " scan_id, created) SELECT recipient_id, 'policy', ?2, ?3, ?4, id, ?6, ?7"
	    " FROM events WHERE id ="
	    "  (SELECT currval(pg_get_serial_sequence('events', 'id')))",
};

static const char *const class_names[] = {
	"hard", "soft", "block", "complaint", "autoreply", "delayed", "delivered", NULL
};

const char *const *
store_class_names(void)
{
	return class_names;
}

int
store_is_class(const char *class)
{
	size_t i;

	for (i = 0; class != NULL && class_names[i] != NULL; i++)
		if (strcmp(class, class_names[i]) == 0)
			return 1;
	return 0;
}

void
store_policy_defaults(struct store_policy *p)
{
	p->hard_threshold = 1;
	p->soft_threshold = 5;
	p->soft_window_days = 30;
	p->complaint_threshold = 1;
	p->incident_domain_blocks = 5;
	p->incident_min_failures = 20;
	p->incident_block_percent = 50;
	p->incident_window_minutes = 60;
}

/* What the user can do about each kind of failure, and whether waiting helps. */
static const char *
failure_hint(enum sql_failure kind, int *retry)
{
	*retry = 0;
	switch (kind) {
	case SQL_FAIL_BUSY:
		*retry = 1;
		return "database is locked by another process; try again later";
	case SQL_FAIL_FULL:
		*retry = 1;
		return "disk or database full; try again when there is space";
	case SQL_FAIL_RETRY:
		*retry = 1;
		return "conflict with another writer; try again";
	case SQL_FAIL_CONNECTION:
		*retry = 1;
		return "connection to the database server lost; try again later";
	case SQL_FAIL_READONLY:
		return "database is read-only (check the permissions of the file and"
		    " its directory)";
	case SQL_FAIL_CORRUPT:
		return "file is corrupt or not a bouncescan database";
	case SQL_FAIL_CANTOPEN:
		return "cannot open the file";
	case SQL_FAIL_PERM:
		return "permission denied";
	case SQL_FAIL_IOERR:
		return "input/output error";
	case SQL_FAIL_NONE:
	case SQL_FAIL_OTHER:
		break;
	}
	return NULL;
}

/*
 * Report the current engine error of st: "PATH: WHAT: HINT (engine message)".
 * Sets st->retry. Always returns -1.
 */
int
store_fail(struct store *st, struct err *e, const char *what)
{
	const char *hint = failure_hint(sql_failure(st->sql), &st->retry);

	if (hint == NULL)
		return err_set(e, "%s: %s: %s", st->path, what, sql_message(st->sql));
	return err_set(e, "%s: %s: %s (%s)", st->path, what, hint,
	    sql_message(st->sql));
}

int
store_prepare(struct store *st, const char *sql, struct sql_stmt **out, struct err *e)
{
	if (sql_prepare(st->sql, sql, out) == -1)
		return store_fail(st, e, "preparing a statement");
	return 0;
}

/* The prepared statement for one of the hot paths, reset and unbound. */
struct sql_stmt *
store_statement(struct store *st, enum store_statement which, struct err *e)
{
	struct sql_stmt **stmt = &st->statements[which];

	if (*stmt == NULL) {
		if (store_prepare(st, sql_dialect(st->sql) == SQL_POSTGRESQL &&
		    statement_pg_sql[which] != NULL ? statement_pg_sql[which] :
		    statement_sql[which], stmt, e) == -1)
			return NULL;
	} else {
		sql_reset(*stmt);
		sql_clear_bindings(*stmt);
	}
	return *stmt;
}

/* Run a statement that returns no rows; leaves it reset. */
int
store_step_done(struct store *st, struct sql_stmt *stmt, struct err *e,
    const char *what)
{
	if (sql_step(stmt) == -1) {
		sql_reset(stmt);
		return store_fail(st, e, what);
	}
	sql_reset(stmt);
	return 0;
}

/*
 * Run a write whose rows nobody reads; on a server it may run later, and a
 * failure then comes from a later call (sql.h). Leaves it reset. 1 when it
 * ran now (sql_insert_id tells its id), 0 when later, or -1.
 */
int
store_step_later(struct store *st, struct sql_stmt *stmt, struct err *e,
    const char *what)
{
	int rc = sql_step_later(stmt);

	sql_reset(stmt);
	return rc == -1 ? store_fail(st, e, what) : rc;
}

/* Fixed SQL only: never anything built from input. */
int
store_exec(struct store *st, const char *sql, struct err *e)
{
	if (sql_exec(st->sql, sql) == -1)
		return store_fail(st, e, "executing SQL");
	return 0;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * 1 when hash is a SHA-256 in hex (what the scan command computes), with its 32
 * bytes in digest: stored that way, the unique index on messages is half the size
 * and each ingest compares and writes half the bytes. Any other string is kept as
 * text, so a caller's own kind of hash still works.
 */
int
hash_digest(const char *hash, unsigned char digest[HASH_DIGEST_SIZE])
{
	int high, low;
	size_t i;

	if (hash == NULL || strlen(hash) != 2 * HASH_DIGEST_SIZE)
		return 0;
	for (i = 0; i < HASH_DIGEST_SIZE; i++) {
		if ((high = hex_value(hash[2 * i])) == -1 ||
		    (low = hex_value(hash[2 * i + 1])) == -1)
			return 0;
		digest[i] = (unsigned char)(high << 4 | low);
	}
	return 1;
}

/*
 * A message hash as the messages table keeps it: see hash_digest. On
 * PostgreSQL a SHA-256 stays text, in lower case (schema-pg.c).
 */
void
hash_hex(const unsigned char digest[HASH_DIGEST_SIZE], char out[HASH_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < HASH_DIGEST_SIZE; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[2 * HASH_DIGEST_SIZE] = '\0';
}

void
bind_hash(struct sql *c, struct sql_stmt *stmt, int column, const char *hash)
{
	unsigned char digest[HASH_DIGEST_SIZE];
	char lower[HASH_HEX_SIZE];

	if (!hash_digest(hash, digest))
		bind_text(stmt, column, hash);
	else if (sql_dialect(c) == SQL_SQLITE)
		sql_bind_blob(stmt, column, digest, sizeof digest);
	else {
		hash_hex(digest, lower);
		sql_bind_text(stmt, column, lower);
	}
}

/* The strings as a PostgreSQL array literal, each quoted. */
char *
text_array(const char *const *items, size_t n)
{
	size_t i, length = 3;
	const char *k;
	char *array, *p;

	for (i = 0; i < n; i++)
		length += 2 * strlen(items[i]) + 3;
	p = array = xmalloc(length);
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (k = items[i]; *k != '\0'; k++) {
			if (*k == '"' || *k == '\\')
				*p++ = '\\';
			*p++ = *k;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return array;
}

void
bind_text(struct sql_stmt *stmt, int column, const char *s)
{
	sql_bind_text(stmt, column, s);
}

const char *
column_text(struct sql_stmt *stmt, int column)
{
	return sql_column_text(stmt, column);
}

static const char *const policy_keys[] = {
	"hard_threshold", "soft_threshold", "soft_window_days", "complaint_threshold",
	"incident_domain_blocks", "incident_min_failures", "incident_block_percent",
	"incident_window_minutes"
};

static int *
policy_field(struct store_policy *p, size_t i)
{
	int *fields[] = {
		&p->hard_threshold, &p->soft_threshold, &p->soft_window_days,
		&p->complaint_threshold, &p->incident_domain_blocks,
		&p->incident_min_failures, &p->incident_block_percent,
		&p->incident_window_minutes
	};

	return fields[i];
}

#define POLICY_KEYS	(sizeof policy_keys / sizeof policy_keys[0])

/* The policy table lets readers of the views know what the counts were judged by. */
static int
load_policy(struct store *st, struct err *e)
{
	struct sql_stmt *stmt;
	size_t i;
	int rc;

	memset(&st->saved_policy, 0, sizeof st->saved_policy);
	if (store_prepare(st, "SELECT key, value FROM policy", &stmt, e) == -1)
		return -1;
	while ((rc = sql_step(stmt)) == SQL_ROW)
		for (i = 0; i < POLICY_KEYS; i++)
			if (strcmp(column_text(stmt, 0), policy_keys[i]) == 0)
				*policy_field(&st->saved_policy, i) =
				    sql_column_int(stmt, 1);
	sql_finalize(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "reading the policy");
	return 0;
}

/* Record the policy in use; called inside a write transaction when it changed. */
int
store_save_policy(struct store *st, struct err *e)
{
	struct sql_stmt *stmt;
	size_t i;

	if (memcmp(&st->policy, &st->saved_policy, sizeof st->policy) == 0)
		return 0;
	if (store_prepare(st, "INSERT INTO policy (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &stmt, e) == -1)
		return -1;
	for (i = 0; i < POLICY_KEYS; i++) {
		sql_bind_text(stmt, 1, policy_keys[i]);
		sql_bind_int64(stmt, 2, *policy_field(&st->policy, i));
		if (store_step_done(st, stmt, e, "recording the policy") == -1) {
			sql_finalize(stmt);
			return -1;
		}
	}
	sql_finalize(stmt);
	st->saved_policy = st->policy;
	return 0;
}

/* Set the page cache to kib KiB (SQLite's sorter may use as much again). */
int
store_cache_size(struct store *st, int kib, struct err *e)
{
	char pragma[48];

	if (sql_sqlite_handle(st->sql) == NULL)
		return 0;	/* SQLite only */

	snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", kib);
	return store_exec(st, pragma, e);
}

/*
 * When the WAL is checkpointed: once it holds a quarter as many pages as the
 * database, but at least 1024 (4 MiB, SQLite's default) and at most 16384 (64
 * MiB). A batch dirties pages all over the indexes, and a high threshold lets a
 * page rewritten by several batches be copied back to the file once: at 16384,
 * about 15% less CPU time in tests/bench_store than at 1000. But a fixed 16384
 * let a scan of 20,000 messages in batches of 100 grow a 67.6 MB WAL beside a
 * 10.5 MB database (issue 11): the WAL was bounded, by 64 MiB, whatever the
 * size of the database. Set again after every commit, as the database grows.
 */
#define WAL_MIN_PAGES	1024
#define WAL_MAX_PAGES	16384
#define WAL_LIMIT_BYTES	"67108864"	/* journal_size_limit: WAL_MAX_PAGES of 4 KiB */

static void
wal_bound_update(struct store *st)
{
	sqlite3 *db = sql_sqlite_handle(st->sql);
	sqlite3_stmt *stmt;
	int pages = 0;

	if (db == NULL)
		return;		/* SQLite only */
	if (sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &stmt, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		pages = sqlite3_column_int(stmt, 0) / 4;
	sqlite3_finalize(stmt);
	if (pages < WAL_MIN_PAGES)
		pages = WAL_MIN_PAGES;
	if (pages > WAL_MAX_PAGES)
		pages = WAL_MAX_PAGES;
	sqlite3_wal_autocheckpoint(db, pages);
}

/* SQLite only. */
static int
set_pragmas(struct store *st, int readonly, struct err *e)
{
	int persist;

	sql_busy_timeout(st->sql, BUSY_TIMEOUT_MS);
	/*
	 * Foreign keys document the schema; db/ alone writes it, and checking them
	 * cost 5% of the ingest rate. A 16 MiB page cache (it was 64): the kernel's
	 * file cache serves the misses, tests/bench_store ran as fast with 16 as with
	 * 64 (500,000 results, batches of 1000 and 5000; 8 MiB spilled at 5000), and
	 * a scan's peak memory grows less with the mailbox (tests/bench-scan.py:
	 * 41 MB rather than 79 MB for 100,000 messages, 19 MB for 10,000).
	 * Temporary tables and sorts go to files (SQLite's default), not memory:
	 * in memory, the sort that groups a scan's events by domain for its
	 * incidents grew with the scan, 12 MB more at its end for each 100,000
	 * messages; a file-backed sorter keeps at most a page cache's worth.
	 */
	if (store_exec(st, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = FULL",
	    e) == -1 || store_cache_size(st, STORE_CACHE_KIB, e) == -1)
		return -1;
	if (readonly)
		return 0;
	/*
	 * Keep the -wal and -shm files when the last connection closes (SQLite
	 * deletes them by default, after a checkpoint that leaves everything in the
	 * database file). Without them, a reader that may not create files in the
	 * directory (another Unix user: sqlite3 -readonly, bouncescan status) cannot
	 * open a WAL database at all; with them, read access to the three files is
	 * enough. The WAL is truncated to nothing on that last close.
	 */
	persist = 1;
	sqlite3_file_control(sql_sqlite_handle(st->sql), "main", SQLITE_FCNTL_PERSIST_WAL,
	    &persist);
	/* A WAL that grew past the bound (one huge batch) is cut back to it. */
	if (store_exec(st, "PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = "
	    WAL_LIMIT_BYTES, e) == -1)
		return -1;
	wal_bound_update(st);
	return 0;
}

/*
 * Whoever writes first, the files of the store must suit the user the MTA's
 * pipe runs as, who owns the state directory (contrib/mta-pipe.md). Created by
 * root (an administrator's first "import" or "suppress"), they were root's, and
 * every later delivery failed "read-only": as root, a file is given the owner
 * and group of its directory. The database's mode: read and write for the
 * owner; for the group, the read and write its directory gives the group (so a
 * setgid state directory shared with readers works though Postfix runs its
 * pipes with umask 077); for others at most read, as the umask allows. SQLite
 * gives the -wal and -shm files it creates the owner and mode of the database.
 * A lock file (shared = 0) is 0600: only writers open it.
 */
int
store_create_file(const char *path, int shared)
{
	struct stat sb, dir_sb;
	char *dir, *slash;
	mode_t mode = 0600;
	int fd, saved;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    shared ? 0644 : 0600);
	if (fd == -1)
		return -1;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';		/* "/bouncescan.db": the root */
	else
		*slash = '\0';
	/* Read the umask from the file: umask() is process-wide, and threads run. */
	if (fstat(fd, &sb) == -1 || stat(dir, &dir_sb) == -1)
		goto fail;
	if (shared)
		mode |= (dir_sb.st_mode & 0060) | (sb.st_mode & 0004);
	if (geteuid() == 0 && (sb.st_uid != dir_sb.st_uid ||
	    sb.st_gid != dir_sb.st_gid) &&
	    fchown(fd, dir_sb.st_uid, dir_sb.st_gid) == -1)
		goto fail;
	if (fchmod(fd, mode) == -1)
		goto fail;
	free(dir);
	return fd;
fail:
	saved = errno;
	close(fd);
	unlink(path);
	free(dir);
	errno = saved;
	return -1;
}

static char *password_file;

void
store_set_password_file(const char *path)
{
	free(password_file);
	password_file = path != NULL ? xstrdup(path) : NULL;
}

/*
 * A store on a PostgreSQL server. Read-only is the session's default for its
 * transactions, so a query can write nothing even by mistake.
 */
static struct store *
open_server(const char *url, int readonly, struct err *e, int *retry)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->path = xstrdup(url);
	store_policy_defaults(&st->policy);
#ifdef HAVE_LIBPQ
	if (sql_pg_open(url, password_file, readonly, BUSY_TIMEOUT_MS,
	    &st->sql) == -1) {
		/*
		 * Never connected: "connection lost" would mislead. Still worth
		 * a retry (exit 75 in pipe mode) since the server may be down;
		 * libpq's message tells that from a refused certificate or
		 * password, which waiting does not mend.
		 */
		if (sql_failure(st->sql) == SQL_FAIL_CONNECTION) {
			st->retry = 1;
			err_set(e, "%s: cannot connect to the database server: %s",
			    url, sql_message(st->sql));
		} else
			store_fail(st, e, "connecting");
		goto fail;
	}
#else
	err_set(e, "%s: this bouncescan was built without PostgreSQL (libpq)", url);
	goto fail;
#endif
	if ((readonly ? schema_pg_check(st, e) : schema_pg_migrate(st, e)) == -1)
		goto fail;
	if (load_policy(st, e) == -1)
		goto fail;
	return st;
fail:
	if (retry != NULL)
		*retry = st->retry;
	store_close(st);
	return NULL;
}

static struct store *
open_file(const char *path, int readonly, struct err *e, int *retry)
{
	struct store *st;
	int fd;

	if (store_is_url(path))
		return open_server(path, readonly, e, retry);
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	store_policy_defaults(&st->policy);
	/* An empty file is an empty database to SQLite. */
	if (!readonly && (fd = store_create_file(path, 1)) != -1)
		close(fd);
	else if (!readonly && errno != EEXIST) {
		err_set(e, "%s: cannot create the database: %s", path, strerror(errno));
		goto fail;
	}
	if (sql_sqlite_open(path, readonly, &st->sql) == -1) {
		store_fail(st, e, "opening");
		goto fail;
	}
	/* SQLite only: a file we may not write. */
	if (!readonly &&
	    sqlite3_db_readonly(sql_sqlite_handle(st->sql), "main") == 1) {
		st->retry = 0;
		err_set(e, "%s: opening for writing: database is read-only (check the"
		    " permissions of the file and its directory)", path);
		goto fail;
	}
	if (set_pragmas(st, readonly, e) == -1)
		goto fail;
	if ((readonly ? schema_check(st, e) : schema_migrate(st, e)) == -1)
		goto fail;
	if (load_policy(st, e) == -1)
		goto fail;
	return st;
fail:
	if (retry != NULL)
		*retry = st->retry;
	store_close(st);
	return NULL;
}

struct store *
store_open(const char *path, struct err *e, int *retry)
{
	if (retry != NULL)
		*retry = 0;
	return open_file(path, 0, e, retry);
}

struct store *
store_open_readonly(const char *path, struct err *e, int *retry)
{
	if (retry != NULL)
		*retry = 0;
	return open_file(path, 1, e, retry);
}

/* pg_try_advisory_lock: the session's, so a dead process's lock goes with it. */
static int
server_lock(struct store *st, const char *sql, int64_t key, int *got, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (sql_dialect(st->sql) != SQL_POSTGRESQL)
		return err_set(e, "%s: no locks on the server of a file", st->path);
	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, key);
	if ((rc = sql_step(stmt)) == SQL_ROW)
		*got = sql_column_int(stmt, 0);
	sql_finalize(stmt);
	if (rc != SQL_ROW)
		return store_fail(st, e, "taking a lock");
	return 0;
}

/*
 * A session that holds a lock for as long as it runs (a source's scan, the
 * webhook deliverer): the server ends it within a second of its client's
 * death, even while it waits for a lock, rather than when its statement
 * ends, so that a daemon restarted at once finds its source free. The check
 * came with PostgreSQL 14; older servers end the session later.
 */
static int
watch_client(struct store *st, struct err *e)
{
#ifdef HAVE_LIBPQ
	if (st->watched || sql_dialect(st->sql) != SQL_POSTGRESQL ||
	    sql_pg_server_version(st->sql) < 140000)
		return 0;
	if (store_exec(st, "SET client_connection_check_interval = 1000", e) == -1)
		return -1;
	st->watched = 1;
#else
	(void)st;
	(void)e;
#endif
	return 0;
}

int
store_lock(struct store *st, int64_t key, struct err *e)
{
	int got = 0;

	if (watch_client(st, e) == -1)
		return -1;
	if (server_lock(st, "SELECT pg_try_advisory_lock(CAST(?1 AS BIGINT))", key,
	    &got, e) == -1)
		return -1;
	return got ? 0 : 1;
}

int
store_unlock(struct store *st, int64_t key, struct err *e)
{
	int got = 0;

	return server_lock(st, "SELECT pg_advisory_unlock(CAST(?1 AS BIGINT))", key,
	    &got, e);
}

/* pg_locks shows a bigint key as its high (classid) and low (objid) halves. */
int
store_lock_held(struct store *st, int64_t key, struct err *e)
{
	int got = 0;

	if (server_lock(st, "SELECT CAST(EXISTS (SELECT 1 FROM pg_locks"
	    " WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
	    " AND database = (SELECT oid FROM pg_database"
	    "  WHERE datname = current_database())"
	    " AND CAST(classid AS BIGINT) = CAST(?1 AS BIGINT) >> 32"
	    " AND CAST(objid AS BIGINT) = CAST(?1 AS BIGINT) & 4294967295) AS INTEGER)",
	    key, &got, e) == -1)
		return -1;
	return got;
}

int
store_is_url(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	    strncmp(path, "postgres://", 11) == 0;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->in_transaction)
		store_rollback(st);
	for (i = 0; i < STMT_COUNT; i++)
		sql_finalize(st->statements[i]);
	for (i = 0; i < STORE_QUERIES_MAX; i++)
		sql_finalize(st->queries[i].stmt);
	stats_forget(st);
	lookahead_forget(st);
	sql_close(st->sql);
	free(st->path);
	free(st);
}

int
store_retry(const struct store *st)
{
	return st->retry;
}

void
store_set_now(struct store *st, time_t now)
{
	st->now = now;
}

time_t
store_now(const struct store *st)
{
	return st->now != 0 ? st->now : time(NULL);
}

void
store_set_busy_timeout(struct store *st, int milliseconds)
{
	sql_busy_timeout(st->sql, milliseconds);
}

void
store_set_policy(struct store *st, const struct store_policy *p)
{
	st->policy = *p;
}

void
store_get_policy(const struct store *st, struct store_policy *p)
{
	*p = st->policy;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

/* IMMEDIATE: take the write lock now, so a busy database fails here, not mid-batch. */
int
store_begin(struct store *st, struct err *e)
{
	if (st->in_transaction)
		return err_set(e, "%s: a transaction is already open", st->path);
	st->retry = 0;
	if (sql_begin(st->sql) == -1)
		return store_fail(st, e, "starting a transaction");
	st->in_transaction = 1;
	if (sql_dialect(st->sql) == SQL_POSTGRESQL &&
	    store_exec(st, "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", e) == -1) {
		store_rollback(st);
		return -1;
	}
	if (store_save_policy(st, e) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
store_commit(struct store *st, struct err *e)
{
	if (!st->in_transaction)
		return err_set(e, "%s: commit without a transaction", st->path);
	if (st->spoiled) {
		store_rollback(st);
		return err_set(e, "%s: a write in this transaction failed: nothing of it"
		    " was committed", st->path);
	}
	lookahead_forget(st);
	if (sql_exec(st->sql, "COMMIT") == -1) {
		store_fail(st, e, "committing");
		store_rollback(st);
		return -1;
	}
	st->in_transaction = 0;
	wal_bound_update(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	lookahead_forget(st);
	if (sql_in_transaction(st->sql))
		sql_exec(st->sql, "ROLLBACK");
	st->in_transaction = 0;
	st->spoiled = 0;
	/* What we thought was recorded may have been undone. */
	memset(&st->saved_policy, 0, sizeof st->saved_policy);
}

/* Savepoint statements run once per message inside a batch: prepared once. */
static int
savepoint(struct store *st, enum store_statement which, struct err *e)
{
	struct sql_stmt *stmt = store_statement(st, which, e);

	if (stmt == NULL)
		return -1;
	return store_step_done(st, stmt, e, "handling a savepoint");
}

static int
refuse_spoiled(struct store *st, struct err *e)
{
	return err_set(e, "%s: a write earlier in this transaction failed: roll it back",
	    st->path);
}

/*
 * For functions that write: join the caller's transaction, or open one of our own
 * (*own = 1) that store_write_end commits or rolls back according to rc.
 */
int
store_write_begin(struct store *st, int *own, struct err *e)
{
	*own = !st->in_transaction;
	st->retry = 0;
	/* Another kind of write: what the batch's look-ahead knew may change. */
	lookahead_forget(st);
	if (*own)
		return store_begin(st, e);
	if (st->spoiled)
		return refuse_spoiled(st, e);
	/* A savepoint, so a failed call leaves the rest of the caller's batch intact. */
	return savepoint(st, STMT_SAVEPOINT, e);
}

int
store_write_end(struct store *st, int own, int rc, struct err *e)
{
	if (own) {
		if (rc == -1) {
			store_rollback(st);
			return -1;
		}
		return store_commit(st, e);
	}
	if (rc == -1)
		savepoint(st, STMT_ROLLBACK_TO, NULL);
	if (savepoint(st, STMT_RELEASE, e) == -1)
		return -1;
	return rc;
}

/*
 * store_write_begin and _end for store_ingest_message alone. Inside the caller's
 * transaction they take no savepoint: SQLite copies every page a message touches
 * into the savepoint's journal, which cost a quarter of the ingest rate. A failure
 * half-way through a message instead spoils the transaction: later writes and
 * store_commit refuse it (store_commit rolls it back), so nothing half-recorded is
 * ever committed. The scan loop rolls a batch back on any error anyway.
 */
int
store_ingest_begin(struct store *st, int *own, struct err *e)
{
	if (!st->in_transaction)
		return store_write_begin(st, own, e);
	*own = 0;
	st->retry = 0;
	return st->spoiled ? refuse_spoiled(st, e) : 0;
}

int
store_ingest_end(struct store *st, int own, int rc, struct err *e)
{
	if (own)
		return store_write_end(st, own, rc, e);
	if (rc == -1)
		st->spoiled = 1;
	return rc;
}
