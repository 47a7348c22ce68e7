/*
 * outbox.c: the webhook outbox. Events wait here until scanner/webhook.c has
 * delivered them, so an endpoint that is down loses nothing.
 *
 * The rows are written by temporary triggers that store_set_webhooks creates on
 * this connection only: on events (kind bounce), on suppressions (suppressed when
 * one is inserted, unsuppressed when one is lifted) and on incidents. A trigger
 * runs inside the statement that recorded the event, so the row shares its
 * transaction by construction (a rolled-back batch leaves no row), every path that
 * suppresses (ingest, reapply, by hand, import) is covered without code of its
 * own, and a process that configured no webhook pays nothing: no trigger exists.
 *
 * The payload, the generic JSON document, is built by SQLite's json_object() in
 * the trigger from the row just written and the rows it points to: it needs no C
 * on the ingest hot path and no second read of what the policy just decided.
 * Other formats (listmonk) are derived from it at delivery time.
 *
 * A delivering process leases the rows it takes (their next attempt moves past
 * the time a whole batch may take) and writes its owner token beside each in
 * outbox_leases. A process killed in the middle of a batch would otherwise hold
 * its rows until the lease ran out (minutes); store_outbox_reclaim hands them
 * back as soon as the caller finds their owner dead (scanner/webhook-owner.c:
 * the owner holds a lock while it lives). On SQLite that test works on one
 * host, with a lock file. On PostgreSQL the owner's lock is an advisory lock on
 * the server, which drops it with the owner's session, from whatever host it
 * ran, and the rows are taken FOR UPDATE SKIP LOCKED (select_due).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xalloc.h"

#define ISO_TIME(t)	"strftime('%Y-%m-%dT%H:%M:%SZ', " t ", 'unixepoch')"

static const char subscriptions_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS webhook_subscriptions ("
	"  name TEXT NOT NULL, kind TEXT NOT NULL);"
	"DELETE FROM temp.webhook_subscriptions;"
	"DROP TRIGGER IF EXISTS temp.outbox_bounce;"
	"DROP TRIGGER IF EXISTS temp.outbox_suppressed;"
	"DROP TRIGGER IF EXISTS temp.outbox_unsuppressed;"
	"DROP TRIGGER IF EXISTS temp.outbox_incident;";

/* Indexed like the STORE_WEBHOOK_* bits. */
static const char *const kinds[] = {
	"suppressed", "unsuppressed", "bounce", "incident"
};

static const char *const trigger_sql[] = {
	"CREATE TEMP TRIGGER outbox_suppressed AFTER INSERT ON suppressions BEGIN"
	" INSERT INTO outbox (webhook, kind, payload, created, next_attempt)"
	" SELECT w.name, 'suppressed', json_object('event', 'suppressed',"
	"  'address', r.address, 'domain', r.domain, 'state', 'suppressed',"
	"  'cause', NEW.cause, 'class', NEW.class, 'reason', NEW.reason,"
	"  'rule', NEW.rule, 'status', e.status, 'smtp_code', e.smtp_code,"
	"  'diagnostic', e.diagnostic, 'remote_mta', e.remote_mta,"
	"  'time', " ISO_TIME("NEW.created") ","
	"  'bounce_time', " ISO_TIME("e.bounce_time") ","
	"  'source', m.source, 'scan_id', NEW.scan_id, 'list', e.list),"
	"  NEW.created, NEW.created"
	" FROM webhook_subscriptions w JOIN recipients r ON r.id = NEW.recipient_id"
	" LEFT JOIN events e ON e.id = NEW.event_id"
	" LEFT JOIN messages m ON m.id = e.message_id"
	" WHERE w.kind = 'suppressed'; END",

	"CREATE TEMP TRIGGER outbox_unsuppressed AFTER UPDATE OF lifted ON suppressions"
	" WHEN OLD.lifted IS NULL AND NEW.lifted IS NOT NULL BEGIN"
	" INSERT INTO outbox (webhook, kind, payload, created, next_attempt)"
	" SELECT w.name, 'unsuppressed', json_object('event', 'unsuppressed',"
	"  'address', r.address, 'domain', r.domain, 'state', 'active',"
	"  'cause', NEW.cause, 'class', NEW.class, 'reason', NEW.reason,"
	"  'rule', NEW.rule, 'lifted_by', NEW.lifted_by,"
	"  'time', " ISO_TIME("NEW.lifted") ","
	"  'suppressed_at', " ISO_TIME("NEW.created") ","
	"  'scan_id', NEW.scan_id), NEW.lifted, NEW.lifted"
	" FROM webhook_subscriptions w JOIN recipients r ON r.id = NEW.recipient_id"
	" WHERE w.kind = 'unsuppressed'; END",

	"CREATE TEMP TRIGGER outbox_bounce AFTER INSERT ON events BEGIN"
	" INSERT INTO outbox (webhook, kind, payload, created, next_attempt)"
	" SELECT w.name, 'bounce', json_object('event', 'bounce',"
	"  'address', r.address, 'domain', r.domain, 'state', r.state,"
	"  'class', NEW.class, 'reason', NEW.reason, 'rule', NEW.rule,"
	"  'status', NEW.status, 'smtp_code', NEW.smtp_code,"
	"  'diagnostic', NEW.diagnostic, 'remote_mta', NEW.remote_mta,"
	"  'time', " ISO_TIME("NEW.bounce_time") ","
	"  'source', m.source, 'scan_id', NEW.scan_id, 'list', NEW.list),"
	"  NEW.ingested, NEW.ingested"
	" FROM webhook_subscriptions w JOIN recipients r ON r.id = NEW.recipient_id"
	" LEFT JOIN messages m ON m.id = NEW.message_id"
	" WHERE w.kind = 'bounce'; END",

	"CREATE TEMP TRIGGER outbox_incident AFTER INSERT ON incidents BEGIN"
	" INSERT INTO outbox (webhook, kind, payload, created, next_attempt)"
	" SELECT w.name, 'incident', json_object('event', 'incident',"
	"  'incident', NEW.kind, 'domain', NEW.domain, 'class', 'block',"
	"  'reason', NEW.reason, 'blocks', NEW.blocks, 'failures', NEW.failures,"
	"  'time', " ISO_TIME("NEW.created") ", 'scan_id', NEW.scan_id),"
	"  NEW.created, NEW.created"
	" FROM webhook_subscriptions w WHERE w.kind = 'incident'; END",
};

#define KINDS	(sizeof kinds / sizeof kinds[0])

static int
subscribe(struct store *st, const struct store_webhook *w, size_t n, unsigned *wanted,
    struct err *e)
{
	struct sql_stmt *stmt;
	size_t i, k;
	int rc = 0;

	*wanted = 0;
	if (store_prepare(st, "INSERT INTO webhook_subscriptions (name, kind)"
	    " VALUES (?1, ?2)", &stmt, e) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		for (k = 0; k < KINDS && rc == 0; k++) {
			if ((w[i].events & 1u << k) == 0)
				continue;
			*wanted |= 1u << k;
			bind_text(stmt, 1, w[i].name);
			bind_text(stmt, 2, kinds[k]);
			rc = store_step_done(st, stmt, e, "subscribing a webhook");
		}
	sql_finalize(stmt);
	return rc;
}

/*
 * PostgreSQL: the triggers are the schema's (schema-pg.c); the session says
 * which kinds they act on.
 */
static int
pg_webhooks(struct store *st, const struct store_webhook *w, size_t n,
    struct err *e)
{
	char setting[64] = ",";
	struct sql_stmt *stmt;
	unsigned wanted;
	size_t k, used = 1;
	int rc;

	if (store_exec(st, "CREATE TEMPORARY TABLE IF NOT EXISTS webhook_subscriptions"
	    " (name TEXT COLLATE \"C\" NOT NULL, kind TEXT NOT NULL);"
	    " DELETE FROM pg_temp.webhook_subscriptions", e) == -1 ||
	    subscribe(st, w, n, &wanted, e) == -1)
		return -1;
	for (k = 0; k < KINDS; k++)
		if ((wanted & 1u << k) != 0)
			used += (size_t)snprintf(setting + used, sizeof setting - used,
			    "%s,", kinds[k]);
	if (store_prepare(st, "SELECT set_config('bouncescan.webhooks', ?1, false)",
	    &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, setting);
	rc = store_step_done(st, stmt, e, "subscribing a webhook");
	sql_finalize(stmt);
	return rc;
}

int
store_set_webhooks(struct store *st, const struct store_webhook *w, size_t n,
    struct err *e)
{
	unsigned wanted;
	size_t k;

	if (st->in_transaction)
		return err_set(e, "%s: webhooks are set outside a transaction", st->path);
	if (sql_dialect(st->sql) == SQL_POSTGRESQL)
		return pg_webhooks(st, w, n, e) == -1 ?
		    err_prefix(e, "setting up webhooks: ") : 0;
	if (store_exec(st, subscriptions_sql, e) == -1 ||
	    subscribe(st, w, n, &wanted, e) == -1)
		return err_prefix(e, "setting up webhooks: ");
	/* Only the kinds someone wants get a trigger: the others cost nothing. */
	for (k = 0; k < KINDS; k++)
		if ((wanted & 1u << k) != 0 && store_exec(st, trigger_sql[k], e) == -1)
			return err_prefix(e, "setting up webhooks: ");
	return 0;
}

static void
row_read(struct sql_stmt *stmt, struct store_outbox_row *r)
{
	const char *error = column_text(stmt, 8);

	r->id = sql_column_int64(stmt, 0);
	r->webhook = xstrdup(column_text(stmt, 1));
	r->kind = xstrdup(column_text(stmt, 2));
	r->payload = xstrdup(column_text(stmt, 3));
	r->created = (time_t)sql_column_int64(stmt, 4);
	r->attempts = sql_column_int(stmt, 5);
	r->next_attempt = (time_t)sql_column_int64(stmt, 6);
	r->delivered = (time_t)sql_column_int64(stmt, 7);
	r->last_error = error != NULL ? xstrdup(error) : NULL;
}

static void
store_outbox_rows_free_one(struct store_outbox_row *r)
{
	free(r->webhook);
	free(r->kind);
	free(r->payload);
	free(r->last_error);
	memset(r, 0, sizeof *r);
}

void
store_outbox_rows_free(struct store_outbox_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows != NULL && i < n; i++)
		store_outbox_rows_free_one(&rows[i]);
	free(rows);
}

#define ROW_COLUMNS	"id, webhook, kind, payload, created, attempts, next_attempt," \
			" delivered, last_error"

/*
 * The rows due, appended to rows (room for limit) after the *n already there.
 * On PostgreSQL, processes on several hosts deliver at once: the rows one takes
 * are locked until its lease is written and committed, and the others skip them
 * (SKIP LOCKED) instead of leasing them too or waiting; once committed, their
 * next attempt lies ahead and they are no longer due. SQLite lets one writer in
 * at a time, which does the same. --force (?3) takes rows in their backoff too,
 * so a lease's next attempt does not keep it from a second deliverer: a row
 * another process holds (a lease row) is left to it, here and, for the race
 * this statement's snapshot cannot see, in claim().
 */
#define DUE_SQL \
	"SELECT " ROW_COLUMNS " FROM outbox WHERE webhook = ?1" \
	" AND id > ?5 AND delivered IS NULL AND (next_attempt <= ?2 OR (?3 <> 0" \
	"  AND NOT EXISTS (SELECT 1 FROM outbox_leases l WHERE l.id = outbox.id)))" \
	" ORDER BY id LIMIT ?4"

static int
select_due(struct store *st, const char *webhook, int64_t after, size_t limit,
    int force, struct store_outbox_row *rows, size_t *n, struct err *e)
{
	struct sql_stmt *stmt;
	int rc = SQL_DONE;

	if (store_prepare(st, sql_dialect(st->sql) == SQL_SQLITE ? DUE_SQL :
	    DUE_SQL " FOR UPDATE SKIP LOCKED", &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, webhook);
	sql_bind_int64(stmt, 2, store_now(st));
	sql_bind_int64(stmt, 3, force != 0);
	sql_bind_int64(stmt, 4, (int64_t)(limit - *n));
	sql_bind_int64(stmt, 5, after);
	while (*n < limit && (rc = sql_step(stmt)) == SQL_ROW)
		row_read(stmt, &rows[(*n)++]);
	sql_finalize(stmt);
	if (*n < limit && rc != SQL_DONE)
		return store_fail(st, e, "reading the webhook outbox");
	return 0;
}

/* Run sql with an id (?1), an integer (?2) and a text (?3); no transaction. */
static int
outbox_run(struct store *st, const char *sql, int64_t id, int64_t value,
    const char *text, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, id);
	sql_bind_int64(stmt, 2, value);
	bind_text(stmt, 3, text);
	rc = store_step_done(st, stmt, e, "updating the webhook outbox");
	sql_finalize(stmt);
	return rc;
}

/*
 * Run "UPDATE outbox ... WHERE id = ?1" with a time (?2) and a text (?3): the
 * row's outcome, which ends its lease.
 */
static int
outbox_update(struct store *st, const char *sql, int64_t id, time_t when,
    const char *text, struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = outbox_run(st, sql, id, when, text, e);
	if (rc == 0)
		rc = outbox_run(st, "DELETE FROM outbox_leases WHERE id = ?1", id, 0,
		    NULL, e);
	return store_write_end(st, own, rc, e);
}

/* Lease row id to owner until a time (owner 0: nobody to name). */
static int
lease(struct store *st, int64_t id, time_t until, int64_t owner, struct err *e)
{
	if (outbox_run(st, "UPDATE outbox SET next_attempt = ?2 WHERE id = ?1", id,
	    until, NULL, e) == -1)
		return -1;
	if (owner == 0)
		return outbox_run(st, "DELETE FROM outbox_leases WHERE id = ?1", id, 0,
		    NULL, e);
	return outbox_run(st, "INSERT INTO outbox_leases (id, owner) VALUES (?1, ?2)"
	    " ON CONFLICT (id) DO UPDATE SET owner = excluded.owner", id, owner, NULL,
	    e);
}

/*
 * --force only: claim row id for owner, *taken 0 when another process holds
 * it. The lease row is written first (ON CONFLICT DO NOTHING sees a lease
 * committed after the select's snapshot was taken, which the select cannot:
 * on PostgreSQL it may have got the row's lock just after the other
 * deliverer's lease committed).
 */
static int
claim(struct store *st, int64_t id, time_t until, int64_t owner, int *taken,
    struct err *e)
{
	*taken = 1;
	if (owner == 0)
		return lease(st, id, until, owner, e);
	if (outbox_run(st, "INSERT INTO outbox_leases (id, owner) VALUES (?1, ?2)"
	    " ON CONFLICT (id) DO NOTHING", id, owner, NULL, e) == -1)
		return -1;
	if (sql_changes(st->sql) == 0) {
		*taken = 0;
		return 0;
	}
	return outbox_run(st, "UPDATE outbox SET next_attempt = ?2 WHERE id = ?1", id,
	    until, NULL, e);
}

int
store_outbox_take(struct store *st, const char *webhook, int64_t after, size_t limit,
    int seconds, int64_t owner, int force, struct store_outbox_row **rows, size_t *n,
    struct err *e)
{
	time_t until = store_now(st) + seconds;
	size_t i, from, kept;
	int own, rc, taken;

	*rows = xcalloc(limit > 0 ? limit : 1, sizeof **rows);
	*n = 0;
	if (store_write_begin(st, &own, e) == -1) {
		free(*rows);
		*rows = NULL;
		return -1;
	}
	/*
	 * A row another deliverer holds is dropped (force only); select again
	 * past the last one seen so that a short batch still means the end.
	 */
	do {
		from = *n;
		if ((rc = select_due(st, webhook, after, limit, force, *rows, n,
		    e)) == -1 || *n == from)
			break;
		after = (*rows)[*n - 1].id;
		kept = from;
		for (i = from; rc == 0 && i < *n; i++) {
			if (!force)
				rc = lease(st, (*rows)[i].id, until, owner, e);
			else
				rc = claim(st, (*rows)[i].id, until, owner, &taken, e);
			if (rc == 0 && force && !taken) {
				store_outbox_rows_free_one(&(*rows)[i]);
				continue;
			}
			if (kept != i)
				(*rows)[kept] = (*rows)[i];
			kept++;
		}
		if (rc == 0 && kept == *n) {
			*n = kept;
			break;
		}
		for (; i < *n; i++)	/* after a failure */
			store_outbox_rows_free_one(&(*rows)[i]);
		*n = kept;
	} while (rc == 0);
	if (store_write_end(st, own, rc, e) == -1) {
		store_outbox_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_outbox_delivered(struct store *st, int64_t id, const char *note, struct err *e)
{
	return outbox_update(st, "UPDATE outbox SET delivered = ?2,"
	    " attempts = attempts"
	    "  + CASE WHEN CAST(?3 AS TEXT) IS NULL THEN 1 ELSE 0 END,"
	    " last_error = coalesce(?3, last_error)"
	    " WHERE id = ?1", id, store_now(st), note, e);
}

int
store_outbox_failed(struct store *st, int64_t id, const char *error, time_t retry,
    struct err *e)
{
	return outbox_update(st, "UPDATE outbox SET attempts = attempts + 1,"
	    " next_attempt = ?2, last_error = ?3 WHERE id = ?1", id, retry, error, e);
}

int
store_outbox_defer(struct store *st, int64_t id, time_t retry, struct err *e)
{
	return outbox_update(st, "UPDATE outbox SET next_attempt = ?2 WHERE id = ?1", id,
	    retry, NULL, e);
}

#define OWNERS_AT_ONCE	32

/* Up to OWNERS_AT_ONCE owners of leases above after, in order. */
static int
lease_owners(struct store *st, int64_t after, int64_t *owners, size_t *n,
    struct err *e)
{
	struct sql_stmt *stmt;
	int rc = SQL_DONE;

	*n = 0;
	if (store_prepare(st, "SELECT DISTINCT owner FROM outbox_leases WHERE owner > ?1"
	    " ORDER BY owner LIMIT ?2", &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, after);
	sql_bind_int64(stmt, 2, OWNERS_AT_ONCE);
	while (*n < OWNERS_AT_ONCE && (rc = sql_step(stmt)) == SQL_ROW)
		owners[(*n)++] = sql_column_int64(stmt, 0);
	sql_finalize(stmt);
	if (*n < OWNERS_AT_ONCE && rc != SQL_DONE)
		return store_fail(st, e, "reading the webhook outbox leases");
	return 0;
}

/* Make the rows owner leased due now, and forget its leases; *count += rows. */
static int
release_owner(struct store *st, int64_t owner, size_t *count, struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = outbox_run(st, "UPDATE outbox SET next_attempt ="
	    " CASE WHEN next_attempt < ?2 THEN next_attempt ELSE ?2 END"
	    " WHERE delivered IS NULL AND id IN"
	    " (SELECT id FROM outbox_leases WHERE owner = ?1)", owner, store_now(st),
	    NULL, e);
	if (rc == 0) {
		*count += (size_t)sql_changes(st->sql);
		rc = outbox_run(st, "DELETE FROM outbox_leases WHERE owner = ?1", owner,
		    0, NULL, e);
	}
	return store_write_end(st, own, rc, e);
}

int
store_outbox_reclaim(struct store *st, int (*alive)(int64_t owner, void *), void *arg,
    size_t *count, struct err *e)
{
	int64_t owners[OWNERS_AT_ONCE], after = INT64_MIN;
	size_t n, i;

	*count = 0;
	do {
		if (lease_owners(st, after, owners, &n, e) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			after = owners[i];
			if (!alive(owners[i], arg) &&
			    release_owner(st, owners[i], count, e) == -1)
				return -1;
		}
	} while (n == OWNERS_AT_ONCE);
	return 0;
}

int
store_outbox_next_due(struct store *st, time_t *when, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	*when = 0;
	if (store_prepare(st, "SELECT min(next_attempt) FROM outbox"
	    " WHERE delivered IS NULL"
	    " AND webhook IN (SELECT name FROM webhook_subscriptions)", &stmt,
	    e) == -1)
		return -1;
	if ((rc = sql_step(stmt)) == SQL_ROW)
		*when = (time_t)sql_column_int64(stmt, 0);
	sql_finalize(stmt);
	if (rc != SQL_ROW)
		return store_fail(st, e, "reading the webhook outbox");
	return 0;
}

static const char summary_sql[] =
	"SELECT webhook, sum(CASE WHEN delivered IS NULL THEN 1 ELSE 0 END),"
	" sum(CASE WHEN delivered IS NULL AND attempts > 0 THEN 1 ELSE 0 END),"
	" sum(CASE WHEN delivered IS NOT NULL THEN 1 ELSE 0 END),"
	" min(CASE WHEN delivered IS NULL THEN created END),"
	" (SELECT last_error FROM outbox f WHERE f.webhook = o.webhook"
	"  AND f.delivered IS NULL AND f.attempts > 0 ORDER BY f.id DESC LIMIT 1)"
	" FROM outbox o GROUP BY webhook ORDER BY webhook";

int
store_outbox_summary(struct store *st,
    int (*cb)(const struct store_outbox_count *, void *), void *arg, struct err *e)
{
	struct store_outbox_count c;
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, summary_sql, &stmt, e) == -1)
		return -1;
	while ((rc = sql_step(stmt)) == SQL_ROW) {
		c.webhook = column_text(stmt, 0);
		c.pending = sql_column_int64(stmt, 1);
		c.failing = sql_column_int64(stmt, 2);
		c.delivered = sql_column_int64(stmt, 3);
		c.oldest_pending = (time_t)sql_column_int64(stmt, 4);
		c.last_error = column_text(stmt, 5);
		if (cb(&c, arg) != 0)
			break;
	}
	sql_finalize(stmt);
	if (rc == SQL_ROW)
		return -1;	/* the callback stopped the walk */
	if (rc != SQL_DONE)
		return store_fail(st, e, "reading the webhook outbox");
	return 0;
}

int
store_outbox_list(struct store *st, int delivered_too,
    int (*cb)(const struct store_outbox_row *, void *), void *arg, struct err *e)
{
	struct store_outbox_row r;
	struct sql_stmt *stmt;
	int rc = SQL_DONE, stop = 0;

	if (store_prepare(st, "SELECT " ROW_COLUMNS " FROM outbox"
	    " WHERE ?1 <> 0 OR delivered IS NULL ORDER BY id", &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, delivered_too != 0);
	while (!stop && (rc = sql_step(stmt)) == SQL_ROW) {
		row_read(stmt, &r);
		stop = cb(&r, arg) != 0;
		free(r.webhook);
		free(r.kind);
		free(r.payload);
		free(r.last_error);
	}
	sql_finalize(stmt);
	if (stop)
		return -1;
	if (rc != SQL_DONE)
		return store_fail(st, e, "reading the webhook outbox");
	return 0;
}

int
store_outbox_purge(struct store *st, time_t before, size_t *count, struct err *e)
{
	struct sql_stmt *stmt;
	int own, rc;

	*count = 0;
	if (store_write_begin(st, &own, e) == -1)
		return -1;
	/*
	 * The newest row stays, delivered or not: SQLite numbers a new row one
	 * past the highest, and an id is the delivery id a receiver may have
	 * remembered (X-Bouncescan-Delivery), so ids must never come back.
	 */
	if ((rc = store_prepare(st, "DELETE FROM outbox WHERE delivered < ?1"
	    " AND id < (SELECT max(id) FROM outbox)", &stmt, e)) == 0) {
		sql_bind_int64(stmt, 1, before);
		rc = store_step_done(st, stmt, e, "purging the webhook outbox");
		*count = rc == 0 ? (size_t)sql_changes(st->sql) : 0;
		sql_finalize(stmt);
	}
	return store_write_end(st, own, rc, e);
}
