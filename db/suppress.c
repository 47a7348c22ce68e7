/*
 * suppress.c: suppressions made and undone by hand, and the helpers policy.c and
 * import.c use to record them.
 *
 * Undoing is by cause as much as by address: everything one bad rule, one scan, one
 * reason or one afternoon did can be lifted at once. A lifted suppression stays in
 * the table (why shows it); the recipient's reset time moves to now, so the events
 * that led to it no longer count, and only new evidence suppresses it again, even
 * after store_reapply.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xalloc.h"

/* 1 with *id and *cause (free) when a suppression is in force, 0 if none, -1. */
int
suppression_active(struct store *st, int64_t recipient_id, int64_t *id, char **cause,
    struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	*cause = NULL;
	if ((stmt = store_statement(st, STMT_SUPPRESSION_ACTIVE, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, recipient_id);
	if ((rc = sql_step(stmt)) == SQL_ROW) {
		*id = sql_column_int64(stmt, 0);
		*cause = xstrdup(column_text(stmt, 1));
	}
	sql_reset(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "reading a suppression");
	return rc == SQL_ROW;
}

/* The class, reason, rule and scan are copied from the deciding event, if any. */
int
suppression_insert(struct store *st, int64_t recipient_id, const char *cause,
    const char *note, int64_t event_id, struct err *e)
{
	struct sql_stmt *stmt;

	if ((stmt = store_statement(st, STMT_SUPPRESSION_INSERT, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, recipient_id);
	bind_text(stmt, 2, cause);
	bind_text(stmt, 3, note);
	if (event_id != 0)
		sql_bind_int64(stmt, 4, event_id);
	sql_bind_int64(stmt, 5, store_now(st));
	return store_step_done(st, stmt, e, "recording a suppression");
}

/*
 * The same for a policy suppression decided by the event just recorded on this
 * connection, from the event in hand: this runs for most hard bounces, and
 * waits for nothing. Ids not known (0: a server was not waited for) are the
 * last event's, found by the statement.
 */
int
suppression_of_event(struct store *st, int64_t recipient_id, int64_t event_id,
    const struct store_event *ev, int64_t scan_id, struct err *e)
{
	struct sql_stmt *stmt;
	int known = recipient_id != 0 && event_id != 0;

	if ((stmt = store_statement(st, known ? STMT_SUPPRESSION_OF_EVENT :
	    STMT_SUPPRESSION_OF_LAST_EVENT, e)) == NULL)
		return -1;
	if (known) {
		sql_bind_int64(stmt, 1, recipient_id);
		sql_bind_int64(stmt, 5, event_id);
	}
	bind_text(stmt, 2, ev->class);
	bind_text(stmt, 3, ev->reason);
	bind_text(stmt, 4, ev->rule);
	if (scan_id != 0)
		sql_bind_int64(stmt, 6, scan_id);
	sql_bind_int64(stmt, 7, store_now(st));
	return store_step_later(st, stmt, e, "recording a suppression") == -1 ? -1 : 0;
}

int
suppression_lift(struct store *st, int64_t suppression_id, const char *by,
    struct err *e)
{
	struct sql_stmt *stmt;

	if ((stmt = store_statement(st, STMT_SUPPRESSION_LIFT, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, suppression_id);
	sql_bind_int64(stmt, 2, store_now(st));
	bind_text(stmt, 3, by);
	return store_step_done(st, stmt, e, "lifting a suppression");
}

/* Suppress a recipient (created if new) unless it already is: 1, 0 or -1. */
int
suppress_recipient(struct store *st, const char *address, const char *cause,
    const char *note, struct err *e)
{
	int64_t recipient_id, suppression_id;
	time_t reset_time;
	char *current;
	int active, change;

	if (recipient_get(st, address, 1, &recipient_id, &reset_time, e) == -1)
		return -1;
	active = suppression_active(st, recipient_id, &suppression_id, &current, e);
	free(current);
	if (active != 0)
		return active == 1 ? 0 : -1;
	if (suppression_insert(st, recipient_id, cause, note, 0, e) == -1 ||
	    policy_apply(st, recipient_id, reset_time, &change, e) == -1)
		return -1;
	return 1;
}

int
store_suppress(struct store *st, const char *address, const char *reason,
    struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = suppress_recipient(st, address, "manual", reason, e);
	return store_write_end(st, own, rc == -1 ? -1 : 0, e) == -1 ? -1 : rc;
}

/*
 * The suppressions to lift: one statement per field that can lead, so that each
 * reads only its rows through an index ("?1 IS NULL OR x = ?1" would read the
 * whole table whatever was given). The other fields filter what it finds.
 */
#define MATCHING_FILTERS \
	" AND (CAST(?2 AS TEXT) IS NULL OR s.reason = ?2)" \
	" AND (CAST(?3 AS TEXT) IS NULL OR s.rule = ?3)" \
	" AND (CAST(?4 AS BIGINT) IS NULL OR s.scan_id = ?4)" \
	" AND (CAST(?5 AS BIGINT) IS NULL OR s.created >= ?5)" \
	" AND (CAST(?6 AS BIGINT) IS NULL OR s.created < ?6)" \
	" ORDER BY s.id"

enum matching_lead { LEAD_ADDRESS, LEAD_SCAN, LEAD_TIME, LEAD_OTHER };

static const char *const matching_sql[] = {
	/* ?1: the address's key (its recipient, then suppressions_in_force) */
	[LEAD_ADDRESS] = "SELECT s.id, s.recipient_id FROM suppressions s"
	    " WHERE s.recipient_id = (SELECT id FROM recipients WHERE address_key = ?1)"
	    " AND s.lifted IS NULL" MATCHING_FILTERS,
	[LEAD_SCAN] = "SELECT s.id, s.recipient_id FROM suppressions s"
	    " WHERE s.scan_id = ?4 AND s.lifted IS NULL" MATCHING_FILTERS,
	[LEAD_TIME] = "SELECT s.id, s.recipient_id FROM suppressions s"
	    " WHERE s.created >= coalesce(CAST(?5 AS BIGINT), 0)"
	    " AND s.created < coalesce(CAST(?6 AS BIGINT), 4611686018427387904)"
	    " AND s.lifted IS NULL" MATCHING_FILTERS,
	/* By reason or rule alone: every suppression in force is a candidate. */
	[LEAD_OTHER] = "SELECT s.id, s.recipient_id FROM suppressions s"
	    " WHERE s.lifted IS NULL" MATCHING_FILTERS,
};

static enum matching_lead
matching_lead(const struct store_unsuppress *u)
{
	if (u->address != NULL)
		return LEAD_ADDRESS;
	if (u->scan_id != 0)
		return LEAD_SCAN;
	if (u->since != 0 || u->until != 0)
		return LEAD_TIME;
	return LEAD_OTHER;
}

static void
bind_unsuppress(struct sql_stmt *stmt, const struct store_unsuppress *u,
    const char *key)
{
	bind_text(stmt, 1, key);
	bind_text(stmt, 2, u->reason);
	bind_text(stmt, 3, u->rule);
	if (u->scan_id != 0)
		sql_bind_int64(stmt, 4, u->scan_id);
	if (u->since != 0)
		sql_bind_int64(stmt, 5, u->since);
	if (u->until != 0)
		sql_bind_int64(stmt, 6, u->until);
}

/* The suppressions to lift, read in full before any is changed. */
static int
matching(struct store *st, const struct store_unsuppress *u, int64_t **pairs,
    size_t *n, struct err *e)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	enum matching_lead lead = matching_lead(u);
	struct sql_stmt *stmt;
	size_t cap = 0;
	int rc;

	*pairs = NULL;
	*n = 0;
	if (lead == LEAD_ADDRESS &&
	    store_address_normalise(u->address, display, key, e) == -1)
		return -1;
	if ((stmt = query_statement(st, matching_sql[lead], e)) == NULL)
		return -1;
	bind_unsuppress(stmt, u, lead == LEAD_ADDRESS ? key : NULL);
	while ((rc = sql_step(stmt)) == SQL_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			*pairs = xreallocarray(*pairs, cap, 2 * sizeof **pairs);
		}
		(*pairs)[2 * *n] = sql_column_int64(stmt, 0);
		(*pairs)[2 * (*n)++ + 1] = sql_column_int64(stmt, 1);
	}
	sql_reset(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "finding suppressions");
	return 0;
}

static int
reset_recipient(struct store *st, int64_t recipient_id, time_t now, struct err *e)
{
	struct sql_stmt *stmt;
	int rc, change;

	if (store_prepare(st, "UPDATE recipients SET reset_time = ?2 WHERE id = ?1",
	    &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, recipient_id);
	sql_bind_int64(stmt, 2, now);
	rc = store_step_done(st, stmt, e, "resetting a recipient");
	sql_finalize(stmt);
	if (rc == -1)
		return -1;
	return policy_apply(st, recipient_id, now, &change, e);
}

static int
unsuppress_matching(struct store *st, const struct store_unsuppress *u, size_t *count,
    struct err *e)
{
	int64_t *pairs;
	size_t n, i;
	int rc = 0;

	if (matching(st, u, &pairs, &n, e) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		if (suppression_lift(st, pairs[2 * i], "manual", e) == -1 ||
		    reset_recipient(st, pairs[2 * i + 1], store_now(st), e) == -1)
			rc = -1;
	free(pairs);
	*count = rc == 0 ? n : 0;
	return rc;
}

int
store_unsuppress(struct store *st, const struct store_unsuppress *u, size_t *count,
    struct err *e)
{
	size_t ignored;
	int own, rc;

	if (count == NULL)
		count = &ignored;
	*count = 0;
	if (u->address == NULL && u->reason == NULL && u->rule == NULL &&
	    u->scan_id == 0 && u->since == 0 && u->until == 0)
		return err_set(e, "unsuppress: give an address, reason, rule, scan or time");
	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = unsuppress_matching(st, u, count, e);
	if (rc == -1)
		*count = 0;
	return store_write_end(st, own, rc, e);
}
