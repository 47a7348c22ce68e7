/*
 * sql.h: the thin SQL layer between the store and its database engine.
 *
 * The files of db/ keep their SQL (fixed strings, never built from input) and
 * run it through these functions; a driver (sql-sqlite.c, sql-pg.c) turns them
 * into the engine's calls. What the layer offers is what the store needs and
 * no more: prepared statements with numbered parameters (?1 .. ?N, which the
 * PostgreSQL driver rewrites to $1 .. $N once, at prepare time), binding of
 * 64-bit integers, text, blobs and NULL, stepping through rows, reading
 * columns, plain execution of fixed SQL, the rows a statement changed, the id
 * of the last row inserted, and failures sorted into kinds that say whether
 * trying again later can help.
 *
 * The id of an inserted row: a statement that wants it ends with " RETURNING id"
 * (SQL_RETURNING_ID). SQLite's driver strips that at prepare time and asks
 * sqlite3_last_insert_rowid (RETURNING costs SQLite a temporary table per call);
 * PostgreSQL's keeps it and remembers the value. Either way sql_insert_id gives
 * it after the step, the one place where the two differ.
 *
 * Strings returned by sql_column_text are borrowed until the statement is
 * stepped again, reset or finalized; strings bound with sql_bind_text are
 * borrowed until the statement is stepped (the caller keeps them alive).
 *
 * Round trips: a server is a round trip away for every statement, SQLite a
 * function call. Two calls let the hot path of an ingest (ingest.c) send
 * statements without waiting for each answer, and do nothing on SQLite:
 * sql_send starts a statement whose rows the caller reads later with
 * sql_step, and sql_step_later runs one whose rows nobody reads (an INSERT or
 * UPDATE). The PostgreSQL driver queues both in libpq's pipeline mode and
 * waits for all of them at the next call that needs an answer from the
 * server, so several statements cost one round trip. A failure of a statement
 * run by sql_step_later is reported by that next call (a step, sql_exec, or
 * COMMIT at the latest), and sql_changes and sql_insert_id say nothing about
 * it.
 */
#ifndef BOUNCESCAN_DB_SQL_H
#define BOUNCESCAN_DB_SQL_H

#include <stddef.h>
#include <stdint.h>

struct sql;
struct sql_stmt;

enum sql_dialect {
	SQL_SQLITE,
	SQL_POSTGRESQL
};

/* Kinds of failure, each with its hint in store.c. */
enum sql_failure {
	SQL_FAIL_NONE,
	SQL_FAIL_BUSY,		/* locked by another process: retry */
	SQL_FAIL_FULL,		/* disk or database full: retry */
	SQL_FAIL_RETRY,		/* serialization failure, deadlock: retry */
	SQL_FAIL_CONNECTION,	/* the connection to the server is lost: retry */
	SQL_FAIL_READONLY,
	SQL_FAIL_CORRUPT,
	SQL_FAIL_CANTOPEN,
	SQL_FAIL_PERM,
	SQL_FAIL_IOERR,
	SQL_FAIL_OTHER
};

/* sql_step */
#define SQL_ROW		1
#define SQL_DONE	0

#define SQL_RETURNING_ID	" RETURNING id"

/* Every driver fills one of these; the functions below dispatch through it. */
struct sql_driver {
	const char	*name;
	enum sql_dialect dialect;
	const char	*begin;		/* a write transaction, its locks taken now */
	void	(*close)(struct sql *);
	int	(*prepare)(struct sql *, const char *, struct sql_stmt **);
	void	(*finalize)(struct sql_stmt *);
	void	(*reset)(struct sql_stmt *);
	void	(*clear_bindings)(struct sql_stmt *);
	void	(*bind_int64)(struct sql_stmt *, int, int64_t);
	void	(*bind_text)(struct sql_stmt *, int, const char *);
	void	(*bind_blob)(struct sql_stmt *, int, const void *, size_t);
	void	(*bind_null)(struct sql_stmt *, int);
	int	(*step)(struct sql_stmt *);
	int	(*send)(struct sql_stmt *);		/* NULL: step does it */
	int	(*step_later)(struct sql_stmt *);	/* NULL: step now */
	int64_t	(*column_int64)(struct sql_stmt *, int);
	const char *(*column_text)(struct sql_stmt *, int);
	int	(*column_null)(struct sql_stmt *, int);
	int	(*exec)(struct sql *, const char *);
	int64_t	(*changes)(struct sql *);
	int64_t	(*insert_id)(struct sql *);
	enum sql_failure (*failure)(struct sql *);
	const char *(*message)(struct sql *);
	int	(*in_transaction)(struct sql *);
	void	(*busy_timeout)(struct sql *, int);
};

/* The first member of every driver's connection and statement. */
struct sql {
	const struct sql_driver	*driver;
};

struct sql_stmt {
	const struct sql_driver	*driver;
};

/* sql-sqlite.c: opening a file. *out is set even on failure, for its message. */
int	sql_sqlite_open(const char *path, int readonly, struct sql **out);
/*
 * sql-pg.c: connecting to a PostgreSQL server (url: a libpq URI). A password in
 * the URL is refused; password_file (may be NULL) is libpq's passfile. The
 * session waits lock_timeout_ms for another's lock (sql_busy_timeout), and
 * with readonly its transactions can write nothing. *out is set even on
 * failure, for its message.
 */
int	sql_pg_open(const char *url, const char *password_file, int readonly,
	    int lock_timeout_ms, struct sql **out);

/* sql-pg.c: the server's version as PQserverVersion gives it (150004), or 0. */
int	sql_pg_server_version(struct sql *);

/*
 * The SQLite handle, for the few places that are SQLite's alone and say so:
 * pragmas and the WAL (store.c), SQL functions for old migrations (schema.c),
 * the change counters that keep the statistics memo (stats.c), the outbox's
 * temporary triggers (outbox.c).
 */
struct sqlite3	*sql_sqlite_handle(struct sql *);

static inline enum sql_dialect
sql_dialect(const struct sql *c)
{
	return c->driver->dialect;
}

static inline void
sql_close(struct sql *c)
{
	if (c != NULL)
		c->driver->close(c);
}

/* 0, or -1 (sql_failure, sql_message). */
static inline int
sql_prepare(struct sql *c, const char *text, struct sql_stmt **out)
{
	return c->driver->prepare(c, text, out);
}

static inline void
sql_finalize(struct sql_stmt *s)
{
	if (s != NULL)
		s->driver->finalize(s);
}

/* Ready to run again; the bindings stay. */
static inline void
sql_reset(struct sql_stmt *s)
{
	s->driver->reset(s);
}

static inline void
sql_clear_bindings(struct sql_stmt *s)
{
	s->driver->clear_bindings(s);
}

static inline void
sql_bind_int64(struct sql_stmt *s, int i, int64_t v)
{
	s->driver->bind_int64(s, i, v);
}

/* NULL binds NULL. */
static inline void
sql_bind_text(struct sql_stmt *s, int i, const char *v)
{
	s->driver->bind_text(s, i, v);
}

static inline void
sql_bind_blob(struct sql_stmt *s, int i, const void *v, size_t n)
{
	s->driver->bind_blob(s, i, v, n);
}

static inline void
sql_bind_null(struct sql_stmt *s, int i)
{
	s->driver->bind_null(s, i);
}

/* SQL_ROW, SQL_DONE, or -1. */
static inline int
sql_step(struct sql_stmt *s)
{
	return s->driver->step(s);
}

/* Start the statement now; sql_step reads its rows later. 0 or -1. */
static inline int
sql_send(struct sql_stmt *s)
{
	return s->driver->send != NULL ? s->driver->send(s) : 0;
}

/*
 * Run a statement whose rows nobody reads, perhaps later (see the top): 1 when
 * it ran now (sql_changes and sql_insert_id tell of it), 0 when it will run
 * later, -1 for a failure known now.
 */
static inline int
sql_step_later(struct sql_stmt *s)
{
	if (s->driver->step_later != NULL)
		return s->driver->step_later(s);
	return s->driver->step(s) == -1 ? -1 : 1;
}

static inline int64_t
sql_column_int64(struct sql_stmt *s, int i)
{
	return s->driver->column_int64(s, i);
}

static inline int
sql_column_int(struct sql_stmt *s, int i)
{
	return (int)s->driver->column_int64(s, i);
}

/* NULL for NULL. */
static inline const char *
sql_column_text(struct sql_stmt *s, int i)
{
	return s->driver->column_text(s, i);
}

static inline int
sql_column_null(struct sql_stmt *s, int i)
{
	return s->driver->column_null(s, i);
}

/* Fixed SQL, one or more statements, no rows wanted. 0 or -1. */
static inline int
sql_exec(struct sql *c, const char *text)
{
	return c->driver->exec(c, text);
}

/* Rows changed by the last INSERT, UPDATE or DELETE. */
static inline int64_t
sql_changes(struct sql *c)
{
	return c->driver->changes(c);
}

/* The id of the row the last statement ending in SQL_RETURNING_ID inserted. */
static inline int64_t
sql_insert_id(struct sql *c)
{
	return c->driver->insert_id(c);
}

static inline enum sql_failure
sql_failure(struct sql *c)
{
	return c->driver->failure(c);
}

static inline const char *
sql_message(struct sql *c)
{
	return c->driver->message(c);
}

/* Open a write transaction: SQLite takes the write lock at once (IMMEDIATE). */
static inline int
sql_begin(struct sql *c)
{
	return c->driver->exec(c, c->driver->begin);
}

/* 1 while a transaction is open on the connection. */
static inline int
sql_in_transaction(struct sql *c)
{
	return c->driver->in_transaction(c);
}

/* How long to wait for another's lock before failing with SQL_FAIL_BUSY. */
static inline void
sql_busy_timeout(struct sql *c, int milliseconds)
{
	c->driver->busy_timeout(c, milliseconds);
}

#endif
