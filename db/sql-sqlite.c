/*
 * sql-sqlite.c: the SQLite driver of the SQL layer (sql.h). Each function is a
 * direct call into SQLite: the store's hot path runs through here, so nothing
 * is copied or converted that SQLite does not need (text is bound SQLITE_STATIC:
 * the caller keeps it alive until the step, as sql.h says).
 *
 * The one rewrite: a statement ending in SQL_RETURNING_ID loses it at prepare
 * time, and sql_insert_id asks sqlite3_last_insert_rowid instead, which costs
 * nothing where RETURNING builds a temporary table on every call.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "xalloc.h"

struct sqlite_conn {
	struct sql	 base;
	sqlite3		*db;
};

struct sqlite_stmt {
	struct sql_stmt	 base;
	sqlite3_stmt	*stmt;
};

#define CONN(c)	((struct sqlite_conn *)(c))
#define STMT(s)	(((struct sqlite_stmt *)(s))->stmt)

static void
sqlite_close(struct sql *c)
{
	sqlite3_close(CONN(c)->db);
	free(c);
}

static const struct sql_driver sqlite_driver;

static int
sqlite_prepare(struct sql *c, const char *text, struct sql_stmt **out)
{
	struct sqlite_stmt *s;
	size_t n = strlen(text), r = strlen(SQL_RETURNING_ID);
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	if (n > r && strcmp(text + n - r, SQL_RETURNING_ID) == 0)
		n -= r;
	else
		n = (size_t)-1;
	rc = sqlite3_prepare_v2(CONN(c)->db, text, n == (size_t)-1 ? -1 : (int)n,
	    &stmt, NULL);
	if (rc != SQLITE_OK)
		return -1;
	s = xcalloc(1, sizeof *s);
	s->base.driver = &sqlite_driver;
	s->stmt = stmt;
	*out = &s->base;
	return 0;
}

static void
sqlite_finalize(struct sql_stmt *s)
{
	sqlite3_finalize(STMT(s));
	free(s);
}

static void
sqlite_reset(struct sql_stmt *s)
{
	sqlite3_reset(STMT(s));
}

static void
sqlite_clear_bindings(struct sql_stmt *s)
{
	sqlite3_clear_bindings(STMT(s));
}

static void
sqlite_bind_int64(struct sql_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(STMT(s), i, v);
}

static void
sqlite_bind_text(struct sql_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(STMT(s), i);
	else
		sqlite3_bind_text(STMT(s), i, v, -1, SQLITE_STATIC);
}

static void
sqlite_bind_blob(struct sql_stmt *s, int i, const void *v, size_t n)
{
	sqlite3_bind_blob(STMT(s), i, v, (int)n, SQLITE_TRANSIENT);
}

static void
sqlite_bind_null(struct sql_stmt *s, int i)
{
	sqlite3_bind_null(STMT(s), i);
}

static int
sqlite_step(struct sql_stmt *s)
{
	switch (sqlite3_step(STMT(s))) {
	case SQLITE_ROW:
		return SQL_ROW;
	case SQLITE_DONE:
		return SQL_DONE;
	}
	return -1;
}

static int64_t
sqlite_column_int64(struct sql_stmt *s, int i)
{
	return sqlite3_column_int64(STMT(s), i);
}

static const char *
sqlite_column_text(struct sql_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(STMT(s), i);
}

static int
sqlite_column_null(struct sql_stmt *s, int i)
{
	return sqlite3_column_type(STMT(s), i) == SQLITE_NULL;
}

static int
sqlite_exec(struct sql *c, const char *text)
{
	char *message = NULL;

	if (sqlite3_exec(CONN(c)->db, text, NULL, NULL, &message) != SQLITE_OK) {
		sqlite3_free(message);
		return -1;
	}
	return 0;
}

static int64_t
sqlite_changes(struct sql *c)
{
	return sqlite3_changes(CONN(c)->db);
}

static int64_t
sqlite_insert_id(struct sql *c)
{
	return sqlite3_last_insert_rowid(CONN(c)->db);
}

static enum sql_failure
sqlite_failure(struct sql *c)
{
	switch (sqlite3_extended_errcode(CONN(c)->db) & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return SQL_FAIL_NONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SQL_FAIL_BUSY;
	case SQLITE_FULL:
		return SQL_FAIL_FULL;
	case SQLITE_READONLY:
		return SQL_FAIL_READONLY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return SQL_FAIL_CORRUPT;
	case SQLITE_CANTOPEN:
		return SQL_FAIL_CANTOPEN;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return SQL_FAIL_PERM;
	case SQLITE_IOERR:
		return SQL_FAIL_IOERR;
	}
	return SQL_FAIL_OTHER;
}

static const char *
sqlite_message(struct sql *c)
{
	return sqlite3_errmsg(CONN(c)->db);
}

static int
sqlite_in_transaction(struct sql *c)
{
	return sqlite3_get_autocommit(CONN(c)->db) == 0;
}

static void
sqlite_busy_timeout(struct sql *c, int milliseconds)
{
	sqlite3_busy_timeout(CONN(c)->db, milliseconds);
}

static const struct sql_driver sqlite_driver = {
	.name = "sqlite",
	.dialect = SQL_SQLITE,
	.begin = "BEGIN IMMEDIATE",
	.close = sqlite_close,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.reset = sqlite_reset,
	.clear_bindings = sqlite_clear_bindings,
	.bind_int64 = sqlite_bind_int64,
	.bind_text = sqlite_bind_text,
	.bind_blob = sqlite_bind_blob,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.column_int64 = sqlite_column_int64,
	.column_text = sqlite_column_text,
	.column_null = sqlite_column_null,
	.exec = sqlite_exec,
	.changes = sqlite_changes,
	.insert_id = sqlite_insert_id,
	.failure = sqlite_failure,
	.message = sqlite_message,
	.in_transaction = sqlite_in_transaction,
	.busy_timeout = sqlite_busy_timeout,
};

int
sql_sqlite_open(const char *path, int readonly, struct sql **out)
{
	struct sqlite_conn *c = xcalloc(1, sizeof *c);

	c->base.driver = &sqlite_driver;
	*out = &c->base;
	if (sqlite3_open_v2(path, &c->db, readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

struct sqlite3 *
sql_sqlite_handle(struct sql *c)
{
	return c->driver == &sqlite_driver ? CONN(c)->db : NULL;
}
