/*
 * copy.c: moving a store between backends (store_copy, "bouncescan
 * copy-store"): every table, row by row, ids kept, into an empty store, in one
 * transaction on the target, and the rows counted on both sides afterwards.
 *
 * Values travel as text through the SQL layer (an INTEGER column of SQLite
 * and a BIGINT of PostgreSQL both take the digits back as a number), NULL as
 * NULL. The one column that differs is a message's hash: SQLite keeps a
 * SHA-256 as its 32 bytes, PostgreSQL as hex; it is read as hex and written
 * through bind_hash, which stores it as the target keeps it. The tables and
 * columns are those of the current schema (both backends open a store at
 * this build's version before it is copied).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct copy_table {
	const char	*name;
	const char	*columns;	/* as read and written */
	int		 ncolumns;
	int		 hash;		/* column index of messages.hash, or -1 */
	const char	*conflict;	/* an upsert for rows the target makes itself */
	int		 identity;	/* PostgreSQL: an id sequence to move on */
};

static const struct copy_table tables[] = {
	{ "policy", "key, value", 2, -1,
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value", 0 },
	{ "scans", "id, description, started, finished", 4, -1, "", 1 },
	{ "messages", "id, hash, source, origin, scan_id, bounce_time, ingested, events",
	    8, 1, "", 1 },
	{ "recipients", "id, address_key, address, domain, state, reset_time,"
	    " hard_bounces, soft_days, complaints, blocks, events, last_bounce,"
	    " first_seen, updated", 14, -1, "", 1 },
	{ "events", "id, recipient_id, message_id, class, reason, status, smtp_code,"
	    " diagnostic, remote_mta, rule, scan_id, domain, bounce_time, ingested,"
	    " list", 15, -1, "", 1 },
	{ "suppressions", "id, recipient_id, cause, class, reason, rule, event_id,"
	    " scan_id, created, lifted, lifted_by", 11, -1, "", 1 },
	{ "incidents", "id, scan_id, kind, domain, reason, blocks, failures, created",
	    8, -1, "", 1 },
	{ "source_progress", "source, key, value, updated", 4, -1, "", 0 },
	{ "outbox", "id, webhook, kind, payload, created, attempts, next_attempt,"
	    " delivered, last_error", 9, -1, "", 1 },
	{ "outbox_leases", "id, owner", 2, -1, "", 0 },
};

#define TABLES	(sizeof tables / sizeof tables[0])
#define SQL_MAX	1024

/* The hash as hex text, whichever way the source keeps it. */
static const char *
hash_column(const struct store *st)
{
	return sql_dialect(st->sql) == SQL_SQLITE ?
	    "CASE typeof(hash) WHEN 'blob' THEN lower(hex(hash)) ELSE hash END" : "hash";
}

static int
count_rows(struct store *st, const char *table, int64_t *n, struct err *e)
{
	char sql[128];
	struct sql_stmt *stmt;
	int rc;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	if ((rc = sql_step(stmt)) == SQL_ROW)
		*n = sql_column_int64(stmt, 0);
	sql_finalize(stmt);
	if (rc != SQL_ROW)
		return store_fail(st, e, "counting rows");
	return 0;
}

static int
copy_table(struct store *from, struct store *to, const struct copy_table *t,
    int64_t *rows, struct err *e)
{
	char select[SQL_MAX], insert[SQL_MAX], *p;
	struct sql_stmt *in, *out;
	size_t n;
	int i, rc;

	/* messages: "id, hash, ..." read as "id, <hex of hash>, ...". */
	if (t->hash >= 0)
		snprintf(select, sizeof select, "SELECT id, %s, %s FROM %s ORDER BY 1",
		    hash_column(from), strstr(t->columns, "hash,") + 6, t->name);
	else
		snprintf(select, sizeof select, "SELECT %s FROM %s ORDER BY 1",
		    t->columns, t->name);
	n = (size_t)snprintf(insert, sizeof insert, "INSERT INTO %s (%s) VALUES (",
	    t->name, t->columns);
	for (i = 1, p = insert + n; i <= t->ncolumns; i++)
		p += sprintf(p, "%s?%d", i > 1 ? ", " : "", i);
	snprintf(p, sizeof insert - (size_t)(p - insert), ")%s", t->conflict);
	if (store_prepare(from, select, &in, e) == -1)
		return -1;
	if (store_prepare(to, insert, &out, e) == -1) {
		sql_finalize(in);
		return -1;
	}
	*rows = 0;
	while ((rc = sql_step(in)) == SQL_ROW) {
		sql_reset(out);
		for (i = 0; i < t->ncolumns; i++)
			if (i == t->hash)
				bind_hash(to->sql, out, i + 1, sql_column_text(in, i));
			else
				sql_bind_text(out, i + 1, sql_column_text(in, i));
		if (store_step_done(to, out, e, t->name) == -1)
			break;
		(*rows)++;
	}
	sql_finalize(out);
	if (rc == -1)
		store_fail(from, e, "reading");
	sql_finalize(in);
	return rc == SQL_DONE ? 0 : -1;
}

/* PostgreSQL: the next id of each identity after the highest copied. */
static int
identities_move_on(struct store *to, struct err *e)
{
	char sql[256];
	size_t i;

	if (sql_dialect(to->sql) != SQL_POSTGRESQL)
		return 0;
	for (i = 0; i < TABLES; i++) {
		if (!tables[i].identity)
			continue;
		snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s',"
		    " 'id'), coalesce(max(id), 0) + 1, false) FROM %s", tables[i].name,
		    tables[i].name);
		if (store_exec(to, sql, e) == -1)
			return -1;
	}
	return 0;
}

int
store_copy(struct store *from, struct store *to,
    int (*cb)(const char *table, int64_t rows, void *), void *arg, struct err *e)
{
	int64_t rows[TABLES], n, m;
	size_t i;

	for (i = 0; i < TABLES; i++) {
		if (strcmp(tables[i].name, "policy") == 0)
			continue;
		if (count_rows(to, tables[i].name, &n, e) == -1)
			return -1;
		if (n != 0)
			return err_set(e, "%s: not empty (%s has %lld rows): copy into a"
			    " new store", to->path, tables[i].name, (long long)n);
	}
	if (store_begin(to, e) == -1)
		return -1;
	for (i = 0; i < TABLES; i++)
		if (copy_table(from, to, &tables[i], &rows[i], e) == -1) {
			err_prefix(e, "copying %s: ", tables[i].name);
			store_rollback(to);
			return -1;
		}
	if (identities_move_on(to, e) == -1) {
		store_rollback(to);
		return -1;
	}
	if (store_commit(to, e) == -1)
		return -1;
	/* Counted again on both sides, after the commit. */
	for (i = 0; i < TABLES; i++) {
		if (count_rows(from, tables[i].name, &n, e) == -1 ||
		    count_rows(to, tables[i].name, &m, e) == -1)
			return -1;
		/* The policy: what the target recorded of its own, then the source's. */
		if (strcmp(tables[i].name, "policy") != 0 && (n != m || n != rows[i]))
			return err_set(e, "%s: %lld rows in %s, %lld copied, %lld in %s",
			    tables[i].name, (long long)n, from->path, (long long)rows[i],
			    (long long)m, to->path);
		if (cb != NULL && cb(tables[i].name, n, arg) != 0)
			return -1;
	}
	return 0;
}
