/*
 * query.c: reading the store: the state of an address, the evidence behind it,
 * exports of the suppression list and incidents (statistics: stats.c).
 *
 * Rows are handed to a callback one at a time with borrowed strings, so exporting a
 * million addresses takes no more memory than exporting one. SQL is fixed text,
 * never assembled from input.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xalloc.h"

static char *
dup_column(struct sql_stmt *stmt, int column)
{
	const char *s = column_text(stmt, column);

	return s != NULL ? xstrdup(s) : NULL;
}

static int64_t
column_int64(struct sql_stmt *stmt, int column)
{
	return sql_column_int64(stmt, column);
}

/* The caller's callback (one of them is set) and its argument. */
struct walker {
	int	(*on_event)(const struct store_event_row *, void *);
	int	(*on_suppression)(const struct store_suppression *, void *);
	int	(*on_incident)(const struct store_incident *, void *);
	void	*arg;
};

/*
 * The statement for a query of one address (or one time range), prepared once per
 * store and kept: preparing a join cost more than running it on an index. sql
 * must be a fixed string: it is known by its address. Reset and unbound, so a
 * callback walking its rows must not run the same query again.
 */
struct sql_stmt *
query_statement(struct store *st, const char *sql, struct err *e)
{
	size_t i;

	for (i = 0; i < STORE_QUERIES_MAX && st->queries[i].sql != NULL; i++)
		if (st->queries[i].sql == sql) {
			sql_reset(st->queries[i].stmt);
			sql_clear_bindings(st->queries[i].stmt);
			return st->queries[i].stmt;
		}
	if (i == STORE_QUERIES_MAX) {
		err_set(e, "%s: too many kinds of query", st->path);
		return NULL;
	}
	if (store_prepare(st, sql, &st->queries[i].stmt, e) == -1)
		return NULL;
	st->queries[i].sql = sql;
	return st->queries[i].stmt;
}

/*
 * Step stmt to the end, calling row(stmt, w) on each row; finalizes stmt, or
 * resets it when it is one of query_statement's.
 */
static int
walk(struct store *st, struct sql_stmt *stmt,
    int (*row)(struct sql_stmt *, const struct walker *), const struct walker *w,
    const char *what, struct err *e)
{
	size_t i;
	int rc, kept = 0;

	for (i = 0; i < STORE_QUERIES_MAX; i++)
		kept |= st->queries[i].stmt == stmt;
	while ((rc = sql_step(stmt)) == SQL_ROW)
		if (row(stmt, w) != 0)
			break;
	if (kept)
		sql_reset(stmt);
	else
		sql_finalize(stmt);
	if (rc == SQL_ROW)
		return -1;
	if (rc != SQL_DONE)
		return store_fail(st, e, what);
	return 0;
}

static const char last_event_sql[] = "SELECT class, reason FROM events WHERE id = ?1";

static int
status_last_event(struct store *st, int64_t event_id, struct store_status *out,
    struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (event_id == 0)
		return 0;
	if ((stmt = query_statement(st, last_event_sql, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, event_id);
	if ((rc = sql_step(stmt)) == SQL_ROW) {
		out->last_class = dup_column(stmt, 0);
		out->last_reason = dup_column(stmt, 1);
	}
	sql_reset(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "reading an event");
	return 0;
}

/*
 * The recipient, the spelling the store first saw (what the user knows it by) and
 * its suppression in force, in one look-up (suppressions_in_force).
 */
static const char status_sql[] =
	"SELECT r.id, r.reset_time, r.address, s.cause, s.reason, s.rule, s.created,"
	" e.list"
	" FROM recipients r LEFT JOIN suppressions s"
	"  ON s.recipient_id = r.id AND s.lifted IS NULL"
	" LEFT JOIN events e ON e.id = s.event_id"
	" WHERE r.address_key = ?1";

static int
status_recipient(struct store *st, const char *key, int64_t *recipient_id,
    time_t *reset_time, struct store_status *out, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	*recipient_id = 0;
	if ((stmt = query_statement(st, status_sql, e)) == NULL)
		return -1;
	bind_text(stmt, 1, key);
	if ((rc = sql_step(stmt)) == SQL_ROW) {
		*recipient_id = column_int64(stmt, 0);
		*reset_time = (time_t)column_int64(stmt, 1);
		free(out->address);
		out->address = dup_column(stmt, 2);
		out->state = STORE_ACTIVE;
		if (!sql_column_null(stmt, 3)) {
			out->state = STORE_SUPPRESSED;
			out->cause = dup_column(stmt, 3);
			out->reason = dup_column(stmt, 4);
			out->rule = dup_column(stmt, 5);
			out->suppressed_since = (time_t)column_int64(stmt, 6);
			out->list = dup_column(stmt, 7);
		}
	}
	sql_reset(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "reading a recipient");
	return 0;
}

/* Counters are derived afresh, so the soft window ends now, not at the last event. */
int
store_status(struct store *st, const char *address, struct store_status *out,
    struct err *e)
{
	return store_status_list(st, address, NULL, out, e);
}

int
store_status_list(struct store *st, const char *address, const char *list,
    struct store_status *out, struct err *e)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct recipient_counts c;
	int64_t recipient_id;
	time_t reset_time = 0;

	memset(out, 0, sizeof *out);
	st->retry = 0;
	if (store_address_normalise(address, display, key, e) == -1)
		return -1;
	out->address = xstrdup(display);
	if (status_recipient(st, key, &recipient_id, &reset_time, out, e) == -1)
		return -1;
	if (recipient_id == 0)
		return 0;
	if ((list == NULL ? policy_evaluate(st, recipient_id, reset_time, &c, e) :
	    policy_evaluate_list(st, recipient_id, reset_time, list, &c, e)) == -1)
		return -1;
	out->hard_bounces = c.hard_bounces;
	out->soft_days = c.soft_days;
	out->complaints = c.complaints;
	out->blocks = c.blocks;
	out->events = c.events;
	out->last_bounce = c.last_bounce;
	return status_last_event(st, c.last_event, out, e);
}

/*
 * PostgreSQL: the addresses' recipients, suppressions in force and counted
 * events in one statement, one round trip for a whole batch where
 * store_status_list takes three per address (a list server checks thousands
 * before each send, over the network). The events come in the order
 * STMT_EVENTS_OF gives them (with a list, policy_evaluate_list's: that list's
 * events only), and are counted by the same policy code. SQLite, in the same
 * process, gains nothing from it and keeps the simple path.
 */
#define STATUS_MANY(events) \
	"SELECT k.n, r.address, s.cause, s.reason, s.rule, s.created, se.list," \
	" e.id, e.class, e.bounce_time, e.ingested, e.reason" \
	" FROM unnest(?1::text[]) WITH ORDINALITY AS k(key, n)" \
	" JOIN recipients r ON r.address_key = k.key" \
	" LEFT JOIN suppressions s ON s.recipient_id = r.id AND s.lifted IS NULL" \
	" LEFT JOIN events se ON se.id = s.event_id" \
	" LEFT JOIN events e ON e.recipient_id = r.id AND e.bounce_time > r.reset_time" \
	events " ORDER BY k.n, e.bounce_time, e.id"

static const char status_many_sql[] = STATUS_MANY("");
static const char status_many_list_sql[] = STATUS_MANY(" AND e.list = ?2");

static void
status_many_counts(struct store_status *out, const struct recipient_counts *c)
{
	out->hard_bounces = c->hard_bounces;
	out->soft_days = c->soft_days;
	out->complaints = c->complaints;
	out->blocks = c->blocks;
	out->events = c->events;
	out->last_bounce = c->last_bounce;
}

int
store_status_many(struct store *st, const char *const *addresses, size_t n,
    const char *list, struct store_status *out, struct err *e)
{
	char display[STORE_ADDRESS_MAX], (*keys)[STORE_ADDRESS_MAX], *array;
	const char **key_list;
	struct policy_counter *pc = NULL;
	struct recipient_counts c;
	struct sql_stmt *stmt;
	struct store_status *o = NULL;
	size_t i;
	int64_t k;
	int rc;

	memset(out, 0, n * sizeof *out);
	if (sql_dialect(st->sql) != SQL_POSTGRESQL) {
		for (i = 0; i < n; i++)
			if (store_status_list(st, addresses[i], list, &out[i], e) == -1)
				return -1;
		return 0;
	}
	st->retry = 0;
	keys = xreallocarray(NULL, n > 0 ? n : 1, sizeof *keys);
	for (i = 0; i < n; i++) {
		if (store_address_normalise(addresses[i], display, keys[i], e) == -1) {
			free(keys);
			return -1;
		}
		out[i].address = xstrdup(display);
	}
	key_list = xreallocarray(NULL, n > 0 ? n : 1, sizeof *key_list);
	for (i = 0; i < n; i++)
		key_list[i] = keys[i];
	array = text_array(key_list, n);
	free(key_list);
	free(keys);
	if ((stmt = query_statement(st, list == NULL ? status_many_sql :
	    status_many_list_sql, e)) == NULL) {
		free(array);
		return -1;
	}
	bind_text(stmt, 1, array);
	if (list != NULL)
		bind_text(stmt, 2, list);
	while ((rc = sql_step(stmt)) == SQL_ROW) {
		k = column_int64(stmt, 0);
		if (k < 1 || (uint64_t)k > n)
			continue;
		if (o != &out[k - 1]) {
			if (pc != NULL) {
				policy_counter_end(pc);
				status_many_counts(o, &c);
			}
			o = &out[k - 1];
			free(o->address);
			o->address = dup_column(stmt, 1);
			o->state = STORE_ACTIVE;
			if (!sql_column_null(stmt, 2)) {
				o->state = STORE_SUPPRESSED;
				o->cause = dup_column(stmt, 2);
				o->reason = dup_column(stmt, 3);
				o->rule = dup_column(stmt, 4);
				o->suppressed_since = (time_t)column_int64(stmt, 5);
				o->list = dup_column(stmt, 6);
			}
			pc = policy_counter_new(st, &c);
		}
		if (sql_column_null(stmt, 7))
			continue;	/* no event counted */
		policy_counter_add(pc, column_int64(stmt, 7), column_text(stmt, 8),
		    (time_t)column_int64(stmt, 9), (time_t)column_int64(stmt, 10));
		free(o->last_class);
		free(o->last_reason);
		o->last_class = dup_column(stmt, 8);
		o->last_reason = dup_column(stmt, 11);
	}
	if (pc != NULL) {
		policy_counter_end(pc);
		status_many_counts(o, &c);
	}
	sql_reset(stmt);
	free(array);
	if (rc != SQL_DONE)
		return store_fail(st, e, "reading recipients");
	return 0;
}

void
store_status_free(struct store_status *s)
{
	free(s->address);
	free(s->last_class);
	free(s->last_reason);
	free(s->cause);
	free(s->reason);
	free(s->rule);
	free(s->list);
	memset(s, 0, sizeof *s);
}

static int
event_row(struct sql_stmt *stmt, const struct walker *w)
{
	struct store_event_row r;

	r.id = column_int64(stmt, 0);
	r.address = column_text(stmt, 1);
	r.class = column_text(stmt, 2);
	r.reason = column_text(stmt, 3);
	r.status = column_text(stmt, 4);
	r.smtp_code = sql_column_int(stmt, 5);
	r.diagnostic = column_text(stmt, 6);
	r.remote_mta = column_text(stmt, 7);
	r.rule = column_text(stmt, 8);
	r.source = column_text(stmt, 9);
	r.origin = column_text(stmt, 10);
	r.message_hash = column_text(stmt, 11);
	r.scan_id = column_int64(stmt, 12);
	r.bounce_time = (time_t)column_int64(stmt, 13);
	r.ingested = (time_t)column_int64(stmt, 14);
	r.list = column_text(stmt, 15);
	return w->on_event(&r, w->arg);
}

static int
suppression_row(struct sql_stmt *stmt, const struct walker *w)
{
	struct store_suppression s;

	s.id = column_int64(stmt, 0);
	s.address = column_text(stmt, 1);
	s.domain = column_text(stmt, 2);
	s.cause = column_text(stmt, 3);
	s.class = column_text(stmt, 4);
	s.reason = column_text(stmt, 5);
	s.rule = column_text(stmt, 6);
	s.event_id = column_int64(stmt, 7);
	s.scan_id = column_int64(stmt, 8);
	s.created = (time_t)column_int64(stmt, 9);
	s.lifted = (time_t)column_int64(stmt, 10);
	s.lifted_by = column_text(stmt, 11);
	s.list = column_text(stmt, 12);
	return w->on_suppression(&s, w->arg);
}

#define SUPPRESSION_COLUMNS \
	"SELECT s.id, r.address, r.domain, s.cause, s.class, s.reason, s.rule," \
	" s.event_id, s.scan_id, s.created, s.lifted, s.lifted_by, le.list" \
	" FROM suppressions s JOIN recipients r ON r.id = s.recipient_id" \
	" LEFT JOIN events le ON le.id = s.event_id"

/* A SHA-256 is kept as its bytes by SQLite, as text by PostgreSQL (bind_hash). */
#define WHY_EVENTS(hash) \
	"SELECT e.id, r.address, e.class, e.reason, e.status, e.smtp_code, e.diagnostic," \
	" e.remote_mta, e.rule, m.source, m.origin, " hash ", e.scan_id, e.bounce_time," \
	" e.ingested, e.list FROM events e JOIN recipients r ON r.id = e.recipient_id" \
	" JOIN messages m ON m.id = e.message_id" \
	" WHERE r.address_key = ?1 ORDER BY e.bounce_time, e.id"

static const char why_events_sql[] =
	WHY_EVENTS("CASE typeof(m.hash) WHEN 'blob' THEN lower(hex(m.hash)) ELSE m.hash END");
static const char why_events_pg_sql[] = WHY_EVENTS("m.hash");

/* Every suppression of the address, in force or lifted (suppressions_recipient). */
static const char why_suppressions_sql[] =
	SUPPRESSION_COLUMNS " WHERE r.address_key = ?1 ORDER BY s.id";

static int
why_walk(struct store *st, const char *sql, const char *key,
    int (*row)(struct sql_stmt *, const struct walker *), const struct walker *w,
    struct err *e)
{
	struct sql_stmt *stmt;

	if ((stmt = query_statement(st, sql, e)) == NULL)
		return -1;
	bind_text(stmt, 1, key);
	return walk(st, stmt, row, w, "reading the evidence", e);
}

int
store_why(struct store *st, const char *address,
    int (*on_event)(const struct store_event_row *, void *),
    int (*on_suppression)(const struct store_suppression *, void *),
    void *arg, struct err *e)
{
	struct walker w = { .on_event = on_event, .on_suppression = on_suppression,
	    .arg = arg };
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];

	st->retry = 0;
	if (store_address_normalise(address, display, key, e) == -1)
		return -1;
	if (on_event != NULL && why_walk(st, sql_dialect(st->sql) == SQL_SQLITE ?
	    why_events_sql : why_events_pg_sql, key, event_row, &w, e) == -1)
		return -1;
	if (on_suppression == NULL)
		return 0;
	return why_walk(st, why_suppressions_sql, key, suppression_row, &w, e);
}

static const char export_sql[] =
	SUPPRESSION_COLUMNS
	" WHERE s.lifted IS NULL"
	" AND (CAST(?1 AS TEXT) IS NULL OR s.cause = ?1)"
	" AND (CAST(?2 AS TEXT) IS NULL OR s.class = ?2)"
	" AND (CAST(?3 AS TEXT) IS NULL OR s.reason = ?3)"
	" AND (CAST(?4 AS TEXT) IS NULL OR r.domain = ?4)"
	" AND (CAST(?5 AS BIGINT) IS NULL OR s.created >= ?5)"
	" AND (CAST(?6 AS TEXT) IS NULL OR le.list = ?6)"
	" ORDER BY r.address_key";

int
store_export(struct store *st, const struct store_filter *f,
    int (*cb)(const struct store_suppression *, void *), void *arg, struct err *e)
{
	struct walker w = { .on_suppression = cb, .arg = arg };
	char domain[STORE_ADDRESS_MAX];
	struct sql_stmt *stmt;
	int ascii;

	st->retry = 0;
	/* The domain as the recipients table has it: any spelling finds it. */
	if (f != NULL && f->domain != NULL && (strlen(f->domain) >= sizeof domain ||
	    address_key_domain(f->domain, strlen(f->domain), domain, sizeof domain,
	    &ascii) == -1))
		return err_set(e, "\"%.60s\": domain too long", f->domain);
	if (store_prepare(st, export_sql, &stmt, e) == -1)
		return -1;
	if (f != NULL) {
		bind_text(stmt, 1, f->cause);
		bind_text(stmt, 2, f->class);
		bind_text(stmt, 3, f->reason);
		bind_text(stmt, 4, f->domain != NULL ? domain : NULL);
		if (f->since != 0)
			sql_bind_int64(stmt, 5, f->since);
		bind_text(stmt, 6, f->list);
	}
	return walk(st, stmt, suppression_row, &w, "exporting", e);
}

static int
incident_row(struct sql_stmt *stmt, const struct walker *w)
{
	struct store_incident i;

	i.id = column_int64(stmt, 0);
	i.scan_id = column_int64(stmt, 1);
	i.kind = column_text(stmt, 2);
	i.domain = column_text(stmt, 3);
	i.reason = column_text(stmt, 4);
	i.blocks = column_int64(stmt, 5);
	i.failures = column_int64(stmt, 6);
	i.created = (time_t)column_int64(stmt, 7);
	return w->on_incident(&i, w->arg);
}

int
store_incidents(struct store *st, time_t since,
    int (*cb)(const struct store_incident *, void *), void *arg, struct err *e)
{
	struct walker w = { .on_incident = cb, .arg = arg };
	struct sql_stmt *stmt;

	st->retry = 0;
	if (store_prepare(st, "SELECT id, scan_id, kind, domain, reason, blocks, failures,"
	    " created FROM incidents WHERE created >= ?1 ORDER BY id", &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, since);
	return walk(st, stmt, incident_row, &w, "reading incidents", e);
}
