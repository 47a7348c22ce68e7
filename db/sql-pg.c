/*
 * sql-pg.c: the PostgreSQL driver of the SQL layer (sql.h), through libpq.
 *
 * The store's SQL is written once, with numbered parameters (?1 .. ?N); this
 * driver rewrites them to $1 .. $N once per statement, outside string
 * literals. Values travel as text (blobs in binary), and the server infers
 * each parameter's type from where it is used; a parameter the statement does
 * not mention (the callers bind a fixed set, as SQLite lets them) is sent as
 * an unused text NULL. Results come back whole (a statement's rows are read
 * at its first step), so a caller may run other statements while it walks
 * them, as it does on SQLite.
 *
 * A statement is run the first time with PQexecParams (one round trip: most
 * statements run once) and prepared on the server the second time, so the
 * hot path of an ingest is parsed and planned once per connection.
 *
 * sql_send and sql_step_later (sql.h) queue statements in libpq's pipeline
 * mode; the next call that needs an answer sends a sync and reads every
 * queued result in order (pg_drain), keeping the rows of those sent by
 * sql_send for their steps. The first failure in the queue is the one
 * reported; the server skips the rest, and the transaction it was in can
 * only be rolled back. A failure found where nobody can be told (a reset,
 * a finalize) is held for the next step or exec, and a COMMIT that the server
 * answers with ROLLBACK (its transaction had failed) is a failure, so that a
 * failed write never passes for a committed one.
 *
 * Failures are sorted by SQLSTATE: serialization failures and deadlocks
 * (class 40), lock timeouts (55P03), lost connections (class 08, or a
 * connection whose status went bad) and a full disk (53100) can succeed when
 * tried again; the caller decides (an MTA pipe exits 75).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "xalloc.h"

#define PG_PARAMS_MAX	32

/* Statements waiting in the pipeline: the maximum before a drain. */
#define PG_QUEUE_MAX	1024

struct pg_stmt;

struct pg_conn {
	struct sql	 base;
	PGconn		*conn;
	int64_t		 changes;
	int64_t		 insert_id;
	enum sql_failure failure;
	char		*message;
	unsigned	 names;		/* prepared statements so far */
	int		 held;		/* a queued failure not reported yet */
	/* In pipeline mode: each queued result's statement, NULL if unwanted. */
	struct pg_stmt	*queue[PG_QUEUE_MAX];
	size_t		 queued;
	size_t		 queue_max;	/* PG_QUEUE_MAX, less for the tests */
};

struct pg_stmt {
	struct sql_stmt	 base;
	struct pg_conn	*c;
	char		*text;		/* with $n */
	int		 nparams;	/* the highest $n */
	int		 used[PG_PARAMS_MAX + 1];	/* $n appears in text */
	int		 returning;	/* ends in SQL_RETURNING_ID */
	int		 runs;
	char		 name[24];	/* prepared on the server, or "" */
	char		*values[PG_PARAMS_MAX + 1];	/* owned copies */
	int		 lengths[PG_PARAMS_MAX + 1];
	int		 formats[PG_PARAMS_MAX + 1];
	PGresult	*res;
	int		 row, nrows;
	int		 sent;		/* queued by pg_send, not read yet */
	int		 failed;	/* its queued run failed */
	int64_t		 changes, insert_id;	/* of its queued run */
};

#define CONN(c)	((struct pg_conn *)(c))
#define STMT(s)	((struct pg_stmt *)(s))

static const struct sql_driver pg_driver;
static int	pg_drain(struct pg_conn *);
static void	pg_drain_or_hold(struct pg_conn *);

static void
pg_set_failure(struct pg_conn *c, enum sql_failure failure, const char *message)
{
	size_t n;

	free(c->message);
	c->message = xstrdup(message != NULL ? message : "");
	/* libpq's messages end in a newline (or several lines): keep the first. */
	n = strcspn(c->message, "\n");
	c->message[n] = '\0';
	c->failure = failure;
}

static enum sql_failure
pg_classify(struct pg_conn *c, const PGresult *res)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(c->conn) != CONNECTION_OK)
		return SQL_FAIL_CONNECTION;
	if (state == NULL)
		return SQL_FAIL_OTHER;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0)
		return SQL_FAIL_CONNECTION;
	if (strncmp(state, "40", 2) == 0)
		return SQL_FAIL_RETRY;
	if (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return SQL_FAIL_BUSY;
	if (strcmp(state, "53100") == 0)
		return SQL_FAIL_FULL;
	if (strcmp(state, "25006") == 0)
		return SQL_FAIL_READONLY;
	if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
		return SQL_FAIL_PERM;
	return SQL_FAIL_OTHER;
}

/* res failed (or is NULL): remember why. */
static void
pg_fail(struct pg_conn *c, const PGresult *res)
{
	const char *message = res != NULL ? PQresultErrorMessage(res) : NULL;

	if (message == NULL || *message == '\0')
		message = PQerrorMessage(c->conn);
	pg_set_failure(c, pg_classify(c, res), message);
}

static void
pg_close(struct sql *sc)
{
	struct pg_conn *c = CONN(sc);

	pg_drain(c);
	PQfinish(c->conn);
	free(c->message);
	free(c);
}

/*
 * ?N becomes $N, a lone ? the next number; string literals, quoted names and
 * comments are copied as they are. -1 for a parameter number out of range.
 */
static int
rewrite(const char *in, struct pg_stmt *s)
{
	size_t n = strlen(in);
	char *out = xmalloc(2 * n + 1), *o = out;
	const char *p = in;
	int next = 1, number;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			char quote = *p;

			*o++ = *p++;
			while (*p != '\0' && *p != quote)
				*o++ = *p++;
			if (*p != '\0')
				*o++ = *p++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			while (*p != '\0' && *p != '\n')
				*o++ = *p++;
			continue;
		}
		if (*p != '?') {
			*o++ = *p++;
			continue;
		}
		p++;
		if (*p >= '0' && *p <= '9') {
			number = 0;
			while (*p >= '0' && *p <= '9' && number <= PG_PARAMS_MAX)
				number = number * 10 + (*p++ - '0');
		} else
			number = next;
		if (number < 1 || number > PG_PARAMS_MAX) {
			free(out);
			return -1;
		}
		next = number + 1;
		s->used[number] = 1;
		if (number > s->nparams)
			s->nparams = number;
		o += sprintf(o, "$%d", number);
	}
	*o = '\0';
	s->text = out;
	return 0;
}

static int
pg_prepare(struct sql *sc, const char *text, struct sql_stmt **out)
{
	struct pg_conn *c = CONN(sc);
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	size_t n = strlen(text), r = strlen(SQL_RETURNING_ID);

	*out = NULL;
	s->base.driver = &pg_driver;
	s->c = c;
	s->row = -1;
	s->returning = n > r && strcmp(text + n - r, SQL_RETURNING_ID) == 0;
	if (rewrite(text, s) == -1) {
		free(s);
		pg_set_failure(c, SQL_FAIL_OTHER, "too many parameters in a statement");
		return -1;
	}
	*out = &s->base;
	return 0;
}

static void
pg_clear_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->failed = 0;
}

static void
pg_clear_bindings(struct sql_stmt *ss)
{
	struct pg_stmt *s = STMT(ss);
	int i;

	for (i = 0; i <= PG_PARAMS_MAX; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
}

static void
pg_finalize(struct sql_stmt *ss)
{
	struct pg_stmt *s = STMT(ss);
	char deallocate[64];
	PGresult *res;

	/* The queue may name it: read what waits there first. */
	pg_drain_or_hold(s->c);
	pg_clear_result(s);
	pg_clear_bindings(ss);
	if (s->name[0] != '\0' && PQstatus(s->c->conn) == CONNECTION_OK) {
		snprintf(deallocate, sizeof deallocate, "DEALLOCATE %s", s->name);
		res = PQexec(s->c->conn, deallocate);
		PQclear(res);
	}
	free(s->text);
	free(s);
}

static void
pg_reset(struct sql_stmt *ss)
{
	struct pg_stmt *s = STMT(ss);

	if (s->sent)
		pg_drain_or_hold(s->c);
	pg_clear_result(s);
}

static void
pg_bind(struct pg_stmt *s, int i, char *value, int length, int format)
{
	if (i < 1 || i > PG_PARAMS_MAX)
		return;
	free(s->values[i]);
	s->values[i] = value;
	s->lengths[i] = length;
	s->formats[i] = format;
}

static void
pg_bind_int64(struct sql_stmt *ss, int i, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	pg_bind(STMT(ss), i, xstrdup(buf), 0, 0);
}

static void
pg_bind_text(struct sql_stmt *ss, int i, const char *v)
{
	pg_bind(STMT(ss), i, v != NULL ? xstrdup(v) : NULL, 0, 0);
}

static void
pg_bind_blob(struct sql_stmt *ss, int i, const void *v, size_t n)
{
	char *copy = xmalloc(n > 0 ? n : 1);

	memcpy(copy, v, n);
	pg_bind(STMT(ss), i, copy, (int)n, 1);
}

static void
pg_bind_null(struct sql_stmt *ss, int i)
{
	pg_bind(STMT(ss), i, NULL, 0, 0);
}

/* The bound values as libpq takes them. */
static void
pg_params(const struct pg_stmt *s, const char **values, Oid *types)
{
	int i;

	for (i = 1; i <= s->nparams; i++) {
		values[i - 1] = s->values[i];
		/* Not in the text: PostgreSQL needs a type for it all the same. */
		types[i - 1] = s->used[i] ? 0 : 25;	/* text */
	}
}

/* A run's result becomes the statement's rows and counts. */
static void
pg_keep(struct pg_stmt *s, PGresult *res)
{
	s->res = res;
	s->nrows = PQntuples(res);
	s->row = -1;
	s->changes = strtoll(PQcmdTuples(res), NULL, 10);
	s->insert_id = s->returning && s->nrows > 0 ?
	    strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
}

/* The connection's counts are those of the statement stepped last. */
static void
pg_counts(struct pg_stmt *s)
{
	s->c->changes = s->changes;
	if (s->returning && s->nrows > 0)
		s->c->insert_id = s->insert_id;
	s->c->failure = SQL_FAIL_NONE;
}

/* A failure drained where nobody could be told: report it now. */
static int
pg_report_held(struct pg_conn *c)
{
	c->held = 0;
	return -1;
}

/* Run the statement with its bindings; its rows are kept for the steps. */
static int
pg_run(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	const char *values[PG_PARAMS_MAX];
	Oid types[PG_PARAMS_MAX];
	PGresult *res;
	ExecStatusType status;
	int n = s->nparams;

	pg_params(s, values, types);
	if (s->runs++ == 1 && s->name[0] == '\0') {
		/* A second run: worth preparing on the server. */
		snprintf(s->name, sizeof s->name, "bs%u", ++c->names);
		res = PQprepare(c->conn, s->name, s->text, n, types);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_fail(c, res);
			PQclear(res);
			s->name[0] = '\0';
			return -1;
		}
		PQclear(res);
	}
	if (s->name[0] != '\0')
		res = PQexecPrepared(c->conn, s->name, n, values, s->lengths + 1,
		    s->formats + 1, 0);
	else
		res = PQexecParams(c->conn, s->text, n, types, values, s->lengths + 1,
		    s->formats + 1, 0);
	status = PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		pg_fail(c, res);
		PQclear(res);
		return -1;
	}
	pg_keep(s, res);
	return 0;
}

/*
 * Read every queued result, up to the sync that ends them: 0, or -1 with the
 * first failure among them (the server skipped what followed it).
 */
static int
pg_drain(struct pg_conn *c)
{
	struct pg_stmt *s;
	PGresult *res;
	ExecStatusType status;
	size_t i;
	int ok = 1;

	if (c->queued == 0)
		return 0;
	if (PQpipelineSync(c->conn) != 1) {
		pg_fail(c, NULL);
		ok = 0;
	}
	for (i = 0; ok && i < c->queued; i++) {
		s = c->queue[i];
		if ((res = PQgetResult(c->conn)) == NULL) {
			pg_fail(c, NULL);	/* the connection went */
			ok = 0;
			break;
		}
		status = PQresultStatus(res);
		if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
			if (s != NULL)
				pg_keep(s, res);
			else
				PQclear(res);
		} else {
			pg_fail(c, res);
			PQclear(res);
			ok = 0;
		}
		/* Each query's results end with a NULL. */
		while ((res = PQgetResult(c->conn)) != NULL)
			PQclear(res);
	}
	/* After a failure: the server's aborted results, then the sync. */
	while (PQstatus(c->conn) == CONNECTION_OK &&
	    (res = PQgetResult(c->conn)) != NULL) {
		status = PQresultStatus(res);
		PQclear(res);
		if (status == PGRES_PIPELINE_SYNC)
			break;
	}
	for (i = 0; i < c->queued; i++)
		if ((s = c->queue[i]) != NULL) {
			s->failed = s->res == NULL;
			s->sent = 0;
		}
	c->queued = 0;
	if (PQexitPipelineMode(c->conn) != 1 && ok) {
		pg_fail(c, NULL);
		ok = 0;
	}
	return ok ? 0 : -1;
}

/* pg_drain where the failure cannot be reported: held for the next call. */
static void
pg_drain_or_hold(struct pg_conn *c)
{
	if (pg_drain(c) == -1)
		c->held = 1;
}

/* Queue a run of the statement (wanted: its rows are kept for its steps). */
static int
pg_queue(struct pg_stmt *s, int wanted)
{
	struct pg_conn *c = s->c;
	const char *values[PG_PARAMS_MAX];
	Oid types[PG_PARAMS_MAX];
	int n = s->nparams, ok;

	if (c->queued + 2 > c->queue_max && pg_drain(c) == -1)
		return -1;
	if (c->queued == 0 && PQpipelineStatus(c->conn) == PQ_PIPELINE_OFF &&
	    PQenterPipelineMode(c->conn) != 1) {
		pg_fail(c, NULL);
		return -1;
	}
	pg_params(s, values, types);
	if (s->runs++ == 1 && s->name[0] == '\0') {
		snprintf(s->name, sizeof s->name, "bs%u", ++c->names);
		if (PQsendPrepare(c->conn, s->name, s->text, n, types) != 1) {
			s->name[0] = '\0';
			pg_fail(c, NULL);
			return -1;
		}
		c->queue[c->queued++] = NULL;
	}
	if (s->name[0] != '\0')
		ok = PQsendQueryPrepared(c->conn, s->name, n, values, s->lengths + 1,
		    s->formats + 1, 0);
	else
		ok = PQsendQueryParams(c->conn, s->text, n, types, values,
		    s->lengths + 1, s->formats + 1, 0);
	if (ok != 1) {
		pg_fail(c, NULL);
		return -1;
	}
	c->queue[c->queued++] = wanted ? s : NULL;
	if (wanted) {
		pg_clear_result(s);
		s->sent = 1;
		s->failed = 0;
	}
	return 0;
}

/* sql_send (wanted: its rows are read by its step) and sql_step_later. */
static int
pg_enqueue(struct pg_stmt *s, int wanted)
{
	if (s->c->held)
		return pg_report_held(s->c);
	if (s->sent && pg_drain(s->c) == -1)
		return -1;
	return pg_queue(s, wanted);
}

static int
pg_send(struct sql_stmt *ss)
{
	return pg_enqueue(STMT(ss), 1);
}

static int
pg_step_later(struct sql_stmt *ss)
{
	return pg_enqueue(STMT(ss), 0);
}

static int
pg_step(struct sql_stmt *ss)
{
	struct pg_stmt *s = STMT(ss);
	struct pg_conn *c = s->c;

	if (s->failed) {	/* its queued run failed: the failure was told */
		s->failed = 0;
		return -1;
	}
	if (s->res == NULL) {
		if (c->held)
			return pg_report_held(c);
		if (s->sent || c->queued > 0) {
			/* With what waits in the pipeline: one round trip for all. */
			if ((!s->sent && pg_queue(s, 1) == -1) || pg_drain(c) == -1)
				return -1;
		} else if (pg_run(s) == -1)
			return -1;
	}
	/* Its first step, perhaps after another's drain read its result. */
	if (s->row == -1)
		pg_counts(s);
	if (s->row + 1 >= s->nrows) {
		s->row = s->nrows;
		return SQL_DONE;
	}
	s->row++;
	return SQL_ROW;
}

/* The current row's value, or NULL (no row, a NULL, a column out of range). */
static const char *
pg_value(struct pg_stmt *s, int i)
{
	if (s->res == NULL || s->row < 0 || s->row >= s->nrows || i < 0 ||
	    i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

/* Booleans read as SQLite gives them, 1 and 0. */
static int64_t
pg_column_int64(struct sql_stmt *ss, int i)
{
	const char *v = pg_value(STMT(ss), i);

	if (v == NULL)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *
pg_column_text(struct sql_stmt *ss, int i)
{
	return pg_value(STMT(ss), i);
}

static int
pg_column_null(struct sql_stmt *ss, int i)
{
	return pg_value(STMT(ss), i) == NULL;
}

static int
pg_exec(struct sql *sc, const char *text)
{
	struct pg_conn *c = CONN(sc);
	int rollback = strcmp(text, "ROLLBACK") == 0;
	PGresult *res;
	ExecStatusType status;

	/* A ROLLBACK is what any failure held or queued calls for anyway. */
	if (c->held && !rollback)
		return pg_report_held(c);
	c->held = 0;
	if (pg_drain(c) == -1 && !rollback)
		return -1;
	res = PQexec(c->conn, text);
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		pg_fail(c, res);
		PQclear(res);
		return -1;
	}
	if (strcmp(text, "COMMIT") == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		/* The server ends a failed transaction so, without an error. */
		pg_set_failure(c, SQL_FAIL_OTHER, "the server rolled the transaction"
		    " back: a statement in it had failed");
		PQclear(res);
		return -1;
	}
	c->changes = strtoll(PQcmdTuples(res), NULL, 10);
	c->failure = SQL_FAIL_NONE;
	PQclear(res);
	return 0;
}

static int64_t
pg_changes(struct sql *sc)
{
	return CONN(sc)->changes;
}

static int64_t
pg_insert_id(struct sql *sc)
{
	return CONN(sc)->insert_id;
}

static enum sql_failure
pg_failure(struct sql *sc)
{
	return CONN(sc)->failure;
}

static const char *
pg_message(struct sql *sc)
{
	struct pg_conn *c = CONN(sc);

	return c->message != NULL ? c->message : "no error";
}

static int
pg_in_transaction(struct sql *sc)
{
	PGTransactionStatusType t;

	pg_drain_or_hold(CONN(sc));
	t = PQtransactionStatus(CONN(sc)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* The wait for another's row or table lock (lock_timeout), in this session. */
static void
pg_busy_timeout(struct sql *sc, int milliseconds)
{
	char set[64];
	PGresult *res;

	pg_drain_or_hold(CONN(sc));
	snprintf(set, sizeof set, "SET lock_timeout = %d", milliseconds);
	res = PQexec(CONN(sc)->conn, set);
	PQclear(res);
}

static const struct sql_driver pg_driver = {
	.name = "postgresql",
	.dialect = SQL_POSTGRESQL,
	.begin = "BEGIN",
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.send = pg_send,
	.step_later = pg_step_later,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_null = pg_column_null,
	.exec = pg_exec,
	.changes = pg_changes,
	.insert_id = pg_insert_id,
	.failure = pg_failure,
	.message = pg_message,
	.in_transaction = pg_in_transaction,
	.busy_timeout = pg_busy_timeout,
};

int
sql_pg_server_version(struct sql *sc)
{
	return sc->driver == &pg_driver ? PQserverVersion(CONN(sc)->conn) : 0;
}

/* Notices (a table that already exists, ...) are not the user's business. */
static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Read the URL: 1 when it carries a password (user:password@, ?password=), 0
 * when not, -1 when it is unreadable (*why). *options gets its "options"
 * (server settings), or NULL.
 */
static int
url_read(const char *url, char **options, char **why)
{
	PQconninfoOption *all, *o;
	int found = 0;

	*options = NULL;
	if ((all = PQconninfoParse(url, why)) == NULL)
		return -1;
	for (o = all; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0)
			found = 1;
		else if (strcmp(o->keyword, "options") == 0)
			*options = xstrdup(o->val);
	}
	PQconninfoFree(all);
	return found;
}

/*
 * Settings for the session, sent with the connection request rather than
 * as statements after it (two round trips fewer for each status call): the
 * user's own (the URL's options, else PGOPTIONS) and ours after them. The
 * keepalives make the server notice within two minutes a client whose host
 * went away, and free its locks (over TCP; a Unix socket needs none).
 */
static char *
session_options(char *user, int readonly, int lock_timeout_ms)
{
	const char *env = getenv("PGOPTIONS");
	char *options;

	options = xasprintf("%s%s-c lock_timeout=%d -c tcp_keepalives_idle=60"
	    " -c tcp_keepalives_interval=10 -c tcp_keepalives_count=6%s",
	    user != NULL ? user : env != NULL ? env : "",
	    user != NULL || (env != NULL && env[0] != '\0') ? " " : "",
	    lock_timeout_ms, readonly ? " -c default_transaction_read_only=on" : "");
	free(user);
	return options;
}

/*
 * Connect to url (a libpq connection URI: postgresql://user@host/db?sslmode=...).
 * A password comes from libpq's own sources (~/.pgpass, PGPASSFILE, a service
 * file) or from password_file (may be NULL), never from the URL's caller.
 * *out is set even on failure, for its message.
 */
int
sql_pg_open(const char *url, const char *password_file, int readonly,
    int lock_timeout_ms, struct sql **out)
{
	struct pg_conn *c = xcalloc(1, sizeof *c);
	const char *keys[5], *values[5];
	char *why = NULL, *user_options, *options;
	const char *depth;
	int n = 0;

	c->base.driver = &pg_driver;
	c->queue_max = PG_QUEUE_MAX;
	/*
	 * The tests run the store's tests again with a pipeline drained at every
	 * third statement, so that drains fall between every send and its read.
	 */
	if ((depth = getenv("BOUNCESCAN_TEST_PIPELINE_DEPTH")) != NULL &&
	    atoi(depth) >= 3 && atoi(depth) <= PG_QUEUE_MAX)
		c->queue_max = (size_t)atoi(depth);
	*out = &c->base;
	switch (url_read(url, &user_options, &why)) {
	case -1:
		pg_set_failure(c, SQL_FAIL_OTHER, why != NULL ? why : "not a URL");
		PQfreemem(why);
		return -1;
	case 1:
		free(user_options);
		pg_set_failure(c, SQL_FAIL_OTHER, "a password in the URL is refused:"
		    " put it in ~/.pgpass, PGPASSFILE or [database] password_file");
		return -1;
	}
	options = session_options(user_options, readonly, lock_timeout_ms);
	keys[n] = "dbname";
	values[n++] = url;
	if (password_file != NULL) {
		keys[n] = "passfile";
		values[n++] = password_file;
	}
	keys[n] = "application_name";
	values[n++] = "bouncescan";
	keys[n] = "options";
	values[n++] = options;
	keys[n] = NULL;
	values[n] = NULL;
	c->conn = PQconnectdbParams(keys, values, 1);
	free(options);
	if (c->conn == NULL || PQstatus(c->conn) != CONNECTION_OK) {
		pg_set_failure(c, SQL_FAIL_CONNECTION, c->conn != NULL ?
		    PQerrorMessage(c->conn) : "out of memory");
		return -1;
	}
	PQsetNoticeProcessor(c->conn, pg_quiet, NULL);
	return 0;
}
