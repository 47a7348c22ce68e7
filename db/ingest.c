/*
 * ingest.c: recording what the classifier found, scans, and per-source progress.
 *
 * A message is known by the hash of its raw bytes (computed by the caller): the
 * second time the same message arrives nothing changes, so re-reading a mailbox or
 * an MTA retrying a pipe never counts a bounce twice. Each result becomes one event.
 * This is the hot path (a scan ingests tens of thousands of results a second), so
 * the recipient's counters are kept up as events arrive and a hard bounce or
 * complaint is judged on them; a soft bounce needs the recipient's history, which
 * policy.c reads. Either way the result is what policy.c would derive from the
 * events (store_reapply).
 *
 * On a database server each statement is a round trip, so the hot path asks
 * for no answer it does not need at once (sql.h): a message's row and its
 * first recipient's are looked up together, and the writes whose ids nothing
 * needs (counters, most events, a suppression) are sent without waiting.
 * SQLite runs each at once, as before.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xalloc.h"

/*
 * The recipient id for a normalised address (key, display form). With create, an
 * unknown address is added; without, *id is 0 for it.
 */
static int
recipient_lookup(struct store *st, const char *key, const char *display, int create,
    int64_t *id, time_t *reset_time, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	*id = 0;
	*reset_time = 0;
	if ((stmt = store_statement(st, STMT_RECIPIENT_FIND, e)) == NULL)
		return -1;
	bind_text(stmt, 1, key);
	if ((rc = sql_step(stmt)) == SQL_ROW) {
		*id = sql_column_int64(stmt, 0);
		*reset_time = (time_t)sql_column_int64(stmt, 1);
	}
	sql_reset(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "looking up a recipient");
	if (*id != 0 || !create)
		return 0;
	if ((stmt = store_statement(st, STMT_RECIPIENT_INSERT, e)) == NULL)
		return -1;
	bind_text(stmt, 1, key);
	bind_text(stmt, 2, display);
	bind_text(stmt, 3, strrchr(key, '@') + 1);
	sql_bind_int64(stmt, 4, store_now(st));
	if (store_step_done(st, stmt, e, "adding a recipient") == -1)
		return -1;
	/* PostgreSQL: another session added it meanwhile (store.c). */
	if (sql_changes(st->sql) == 0)
		return recipient_lookup(st, key, display, 0, id, reset_time, e);
	*id = sql_insert_id(st->sql);
	return 0;
}

/* Validate and look up an address; e says what is wrong with an invalid one. */
int
recipient_get(struct store *st, const char *address, int create, int64_t *id,
    time_t *reset_time, struct err *e)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];

	if (store_address_normalise(address, display, key, e) == -1)
		return -1;
	return recipient_lookup(st, key, display, create, id, reset_time, e);
}

/* STMT_MESSAGE_INSERT or _ADD with the message's values. */
static struct sql_stmt *
message_statement(struct store *st, enum store_statement which,
    const struct store_message *m, time_t bounce_time, size_t events, struct err *e)
{
	struct sql_stmt *stmt;

	if ((stmt = store_statement(st, which, e)) == NULL)
		return NULL;
	bind_hash(st->sql, stmt, 1, m->hash);
	bind_text(stmt, 2, m->source);
	bind_text(stmt, 3, m->origin);
	if (m->scan_id != 0)
		sql_bind_int64(stmt, 4, m->scan_id);
	sql_bind_int64(stmt, 5, bounce_time);
	sql_bind_int64(stmt, 6, store_now(st));
	sql_bind_int64(stmt, 7, (int64_t)events);
	return stmt;
}

/* Start recording a message (message_read tells whether it was new). */
static struct sql_stmt *
message_send(struct store *st, const struct store_message *m, time_t bounce_time,
    size_t events, struct err *e)
{
	struct sql_stmt *stmt;

	stmt = message_statement(st, STMT_MESSAGE_INSERT, m, bounce_time, events, e);
	if (stmt == NULL)
		return NULL;
	if (sql_send(stmt) == -1) {
		store_fail(st, e, "recording a message");
		return NULL;
	}
	return stmt;
}

/*
 * Record a message the look-ahead knows to be new, without waiting: *id gets
 * its id if it ran at once, else 0 (the events find it themselves).
 */
static int
message_add(struct store *st, const struct store_message *m, time_t bounce_time,
    size_t events, int64_t *id, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	*id = 0;
	stmt = message_statement(st, STMT_MESSAGE_ADD, m, bounce_time, events, e);
	if (stmt == NULL ||
	    (rc = store_step_later(st, stmt, e, "recording a message")) == -1)
		return -1;
	if (rc == 1)
		*id = sql_insert_id(st->sql);
	return 0;
}

/* 1 when new, 0 when the hash is known already. */
static int
message_read(struct store *st, struct sql_stmt *stmt, int64_t *message_id,
    struct err *e)
{
	if (store_step_done(st, stmt, e, "recording a message") == -1)
		return -1;
	if (sql_changes(st->sql) == 0)
		return 0;
	*message_id = sql_insert_id(st->sql);
	return 1;
}

/*
 * recipient_id 0: the one just added for ev->recipient (a key); message_id 0:
 * the message just added. *id gets the event's id, or 0 when it was not
 * waited for (need_id: always waited for).
 */
static int
event_insert(struct store *st, const struct store_event *ev, int64_t recipient_id,
    int64_t message_id, const struct store_message *m, time_t bounce_time,
    int need_id, int64_t *id, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if ((stmt = store_statement(st, STMT_EVENT_INSERT, e)) == NULL)
		return -1;
	if (recipient_id != 0)
		sql_bind_int64(stmt, 1, recipient_id);
	if (message_id != 0)
		sql_bind_int64(stmt, 2, message_id);
	bind_text(stmt, 3, ev->class);
	bind_text(stmt, 4, ev->reason);
	bind_text(stmt, 5, ev->status != NULL && ev->status[0] != '\0' ? ev->status : NULL);
	if (ev->smtp_code != 0)
		sql_bind_int64(stmt, 6, ev->smtp_code);
	bind_text(stmt, 7, ev->diagnostic);
	bind_text(stmt, 8, ev->remote_mta);
	bind_text(stmt, 9, ev->rule);
	if (m->scan_id != 0)
		sql_bind_int64(stmt, 10, m->scan_id);
	bind_text(stmt, 11, strrchr(ev->recipient, '@') + 1);
	sql_bind_int64(stmt, 12, bounce_time);
	sql_bind_int64(stmt, 13, store_now(st));
	bind_text(stmt, 14, m->list);
	bind_text(stmt, 15, ev->recipient);
	*id = 0;
	if (need_id)
		rc = store_step_done(st, stmt, e, "recording an event") == -1 ? -1 : 1;
	else
		rc = store_step_later(st, stmt, e, "recording an event");
	if (rc == 1)
		*id = sql_insert_id(st->sql);
	return rc == -1 ? -1 : 0;
}

static void
reject(struct store_ingest *out, const char *why)
{
	size_t n = strlen(why);

	if (out->rejected++ != 0)
		return;
	if (n >= sizeof out->first_rejected)
		n = sizeof out->first_rejected - 1;
	memcpy(out->first_rejected, why, n);
	out->first_rejected[n] = '\0';
}

/* Start looking up a recipient as it stands (recipient_read gives it). */
static struct sql_stmt *
recipient_send(struct store *st, const char *key, struct err *e)
{
	struct sql_stmt *stmt;

	if ((stmt = store_statement(st, STMT_RECIPIENT_FIND, e)) == NULL)
		return NULL;
	bind_text(stmt, 1, key);
	if (sql_send(stmt) == -1) {
		store_fail(st, e, "looking up a recipient");
		return NULL;
	}
	return stmt;
}

/* The recipient recipient_send asked for, or r->id 0 when it is new. */
static int
recipient_read(struct store *st, struct sql_stmt *stmt, struct recipient_row *r,
    struct err *e)
{
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = sql_step(stmt)) == SQL_ROW) {
		r->id = sql_column_int64(stmt, 0);
		r->reset_time = (time_t)sql_column_int64(stmt, 1);
		r->suppressed = sql_column_int(stmt, 2);
		r->hard_bounces = sql_column_int(stmt, 3);
		r->complaints = sql_column_int(stmt, 4);
		rc = SQL_DONE;
	}
	sql_reset(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "looking up a recipient");
	return 0;
}

/*
 * What the event does to the recipient's counters and, for hard bounces and
 * complaints, to its state: decided here, before the write, so that one statement
 * records both. A new recipient has r->id 0.
 */
static void
recipient_judge(const struct store *st, const char *class, time_t bounce_time,
    struct recipient_row *r)
{
	/* A new recipient counts everything; events before a reset time never count. */
	int counted = r->id == 0 || bounce_time > r->reset_time;

	r->hard_bounces += counted && strcmp(class, "hard") == 0;
	r->complaints += counted && strcmp(class, "complaint") == 0;
	/* Once suppressed, more evidence changes nothing until someone unsuppresses. */
	r->judged = !r->suppressed && bounce_time > r->reset_time;
	r->reached = r->judged && policy_reached(&st->policy, r, class);
	/* Most soft bounces are a recipient's first event: no history to read. */
	r->soft_days = r->id == 0 && r->judged && strcmp(class, "soft") == 0 ?
	    policy_first_soft_days(st, bounce_time) : -1;
}

/*
 * Create or update the recipient with what this event adds; r gets the result
 * (r->id stays 0 for a new one on a server: nothing waits for its id). found:
 * its look-up, already sent (recipient_send), or NULL.
 */
static int
recipient_count(struct store *st, const char *key, const char *display,
    const char *class, time_t bounce_time, struct sql_stmt *found,
    struct recipient_row *r, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (found != NULL || !lookahead_recipient(st, key, r)) {
		if ((found == NULL && (found = recipient_send(st, key, e)) == NULL) ||
		    recipient_read(st, found, r, e) == -1)
			return -1;
	}
	recipient_judge(st, class, bounce_time, r);
	stmt = store_statement(st, r->id == 0 ? STMT_RECIPIENT_ADD : STMT_RECIPIENT_COUNT,
	    e);
	if (stmt == NULL)
		return -1;
	if (r->id == 0) {
		bind_text(stmt, 1, key);
		bind_text(stmt, 2, display);
		bind_text(stmt, 3, strrchr(key, '@') + 1);
		sql_bind_int64(stmt, 8, r->soft_days > 0 ? r->soft_days : 0);
	} else
		sql_bind_int64(stmt, 1, r->id);
	sql_bind_int64(stmt, 4, store_now(st));
	bind_text(stmt, 5, class);
	sql_bind_int64(stmt, 6, bounce_time);
	bind_text(stmt, 7, r->reached ? "suppressed" : NULL);
	if ((rc = store_step_later(st, stmt, e, "counting for a recipient")) == 1 &&
	    r->id == 0)
		r->id = sql_insert_id(st->sql);	/* it ran at once (SQLite) */
	if (rc == -1)
		return -1;
	lookahead_recipient_set(st, key, r);
	return 0;
}

/* 0 with the recipient's forms when a result can be recorded, else -1 and why. */
static int
event_check(const struct store_event *ev, char *display, char *key, struct err *why)
{
	if (!store_is_class(ev->class))
		return err_set(why, "result with an unknown class");
	return store_address_normalise(ev->recipient, display, key, why);
}

/*
 * The results that will be recorded, counted before the message row is written so
 * that it is written once. Skipped ones are reported in out.
 */
static size_t
events_valid(const struct store_event *events, size_t nevents,
    struct store_ingest *out)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct err why;
	size_t i, valid = 0;

	for (i = 0; i < nevents; i++) {
		if (event_check(&events[i], display, key, &why) == 0)
			valid++;
		else
			reject(out, why.msg);
	}
	return valid;
}

/*
 * One result (skipped if invalid: events_valid said why): record, count, judge.
 * found: the look-up of its recipient, already sent, or NULL.
 */
static int
ingest_event(struct store *st, const struct store_message *m, int64_t message_id,
    const struct store_event *ev, struct sql_stmt *found, struct store_ingest *out,
    struct err *e)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct store_event copy = *ev;
	struct recipient_row r, added;
	struct err why;
	int64_t event_id;
	time_t bounce_time;
	int newly = 0, soft_history;

	if (event_check(ev, display, key, &why) == -1)
		return 0;
	copy.recipient = key;
	bounce_time = ev->bounce_time != 0 ? ev->bounce_time :
	    m->bounce_time != 0 ? m->bounce_time : store_now(st);
	if (recipient_count(st, key, display, ev->class, bounce_time, found, &r,
	    e) == -1)
		return -1;
	/* Only a soft bounce's history needs the event's id, and the recipient's. */
	soft_history = !r.reached && r.judged && strcmp(ev->class, "soft") == 0 &&
	    r.soft_days == -1;
	if (soft_history && r.id == 0) {	/* just added (soft_threshold 1) */
		if ((found = recipient_send(st, key, e)) == NULL ||
		    recipient_read(st, found, &added, e) == -1)
			return -1;
		r.id = added.id;
	}
	if (event_insert(st, &copy, r.id, message_id, m, bounce_time, soft_history,
	    &event_id, e) == -1)
		return -1;
	if (r.reached) {
		if (suppression_of_event(st, r.id, event_id, ev, m->scan_id, e) == -1)
			return -1;
		newly = 1;
	} else if (soft_history) {
		if (policy_on_soft(st, &r, bounce_time, event_id, &newly, e) == -1)
			return -1;
		lookahead_recipient_set(st, key, NULL);	/* perhaps rewritten */
	}
	out->events++;
	out->suppressed += newly > 0;
	return 0;
}

/* The first result that will be recorded, or nevents. */
static size_t
first_valid(const struct store_event *events, size_t nevents, char *key)
{
	char display[STORE_ADDRESS_MAX];
	struct err why;
	size_t i;

	for (i = 0; i < nevents; i++)
		if (event_check(&events[i], display, key, &why) == 0)
			break;
	return i;
}

int
store_ingest_message(struct store *st, const struct store_message *m,
    const struct store_event *events, size_t nevents, struct store_ingest *out,
    struct err *e)
{
	char key[STORE_ADDRESS_MAX];
	struct sql_stmt *message, *found = NULL;
	struct recipient_row known;
	struct store_ingest ignored;
	int64_t message_id = 0;
	size_t i, valid, first = nevents;
	time_t when;
	int own, rc = -1, fresh = 1;

	if (out == NULL)
		out = &ignored;
	memset(out, 0, sizeof *out);
	if (m->hash == NULL || m->hash[0] == '\0')
		return err_set(e, "%s: message without a hash", st->path);
	if (store_ingest_begin(st, &own, e) == -1)
		return -1;
	valid = events_valid(events, nevents, out);
	when = m->bounce_time != 0 ? m->bounce_time : store_now(st);
	if (lookahead_message_new(st, m->hash)) {
		if (message_add(st, m, when, valid, &message_id, e) == -1)
			goto out;
	} else {
		if ((message = message_send(st, m, when, valid, e)) == NULL)
			goto out;
		/* The first recipient is looked up in the same round trip. */
		if ((first = first_valid(events, nevents, key)) < nevents &&
		    !lookahead_recipient(st, key, &known) &&
		    (found = recipient_send(st, key, e)) == NULL)
			goto out;
		if ((fresh = message_read(st, message, &message_id, e)) == -1)
			goto out;
	}
	lookahead_message_stored(st, m->hash);
	if (!fresh) {	/* nothing of it is looked at again */
		memset(out, 0, sizeof *out);
		if (found != NULL)
			sql_reset(found);
	}
	out->duplicate = !fresh;
	for (i = 0; fresh && i < nevents; i++)
		if (ingest_event(st, m, message_id, &events[i],
		    i == first ? found : NULL, out, e) == -1)
			goto out;
	rc = 0;
out:
	return store_ingest_end(st, own, rc, e);
}

int
store_message_seen(struct store *st, const char *hash, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if ((stmt = store_statement(st, STMT_MESSAGE_SEEN, e)) == NULL)
		return -1;
	bind_hash(st->sql, stmt, 1, hash);
	rc = sql_step(stmt);
	sql_reset(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "looking up a message");
	return rc == SQL_ROW;
}

/*
 * Run one fixed statement with up to three text parameters and a number (?4); no
 * rows expected. Binding a parameter the statement lacks is a harmless no-op.
 */
static int
run(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3,
    int64_t number, const char *what, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, p1);
	bind_text(stmt, 2, p2);
	bind_text(stmt, 3, p3);
	sql_bind_int64(stmt, 4, number);
	rc = store_step_done(st, stmt, e, what);
	sql_finalize(stmt);
	return rc;
}

int
store_scan_begin(struct store *st, const char *description, int64_t *scan_id,
    struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = run(st, "INSERT INTO scans (description, started) VALUES (?1, ?4)"
	    SQL_RETURNING_ID,
	    description, NULL, NULL, store_now(st), "starting a scan", e);
	*scan_id = sql_insert_id(st->sql);
	return store_write_end(st, own, rc, e);
}

int
store_scan_forget(struct store *st, int64_t scan_id, struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = run(st, "DELETE FROM scans WHERE id = ?4"
	    " AND NOT EXISTS (SELECT 1 FROM messages WHERE scan_id = ?4)"
	    " AND NOT EXISTS (SELECT 1 FROM events WHERE scan_id = ?4)"
	    " AND NOT EXISTS (SELECT 1 FROM incidents WHERE scan_id = ?4)"
	    " AND NOT EXISTS (SELECT 1 FROM suppressions WHERE scan_id = ?4)",
	    NULL, NULL, NULL, scan_id, "forgetting an empty scan", e);
	return store_write_end(st, own, rc, e);
}

int
store_progress_get(struct store *st, const char *source, const char *key, char **value,
    struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	*value = NULL;
	if (store_prepare(st, "SELECT value FROM source_progress"
	    " WHERE source = ?1 AND key = ?2", &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, source);
	bind_text(stmt, 2, key);
	rc = sql_step(stmt);
	if (rc == SQL_ROW && column_text(stmt, 0) != NULL)
		*value = xstrdup(column_text(stmt, 0));
	sql_finalize(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "reading a source's progress");
	return rc == SQL_ROW;
}

int
store_progress_set(struct store *st, const char *source, const char *key,
    const char *value, struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = run(st, "INSERT INTO source_progress (source, key, value, updated)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source, key) DO UPDATE"
	    " SET value = excluded.value, updated = excluded.updated", source, key,
	    value, store_now(st),
	    "recording a source's progress", e);
	return store_write_end(st, own, rc, e);
}

int
store_progress_delete(struct store *st, const char *source, const char *key,
    struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = run(st, "DELETE FROM source_progress WHERE source = ?1"
	    " AND (CAST(?2 AS TEXT) IS NULL OR key = ?2)", source, key, NULL, 0,
	    "forgetting a source's progress", e);
	return store_write_end(st, own, rc, e);
}

static int
scan_mark_finished(struct store *st, int64_t scan_id, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, "UPDATE scans SET finished = ?2 WHERE id = ?1", &stmt,
	    e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, scan_id);
	sql_bind_int64(stmt, 2, store_now(st));
	rc = store_step_done(st, stmt, e, "finishing a scan");
	sql_finalize(stmt);
	if (rc == 0 && sql_changes(st->sql) == 0)
		return err_set(e, "%s: no scan %lld", st->path, (long long)scan_id);
	return rc;
}

static int
scan_count(struct store *st, const char *sql, int64_t scan_id, int64_t *out,
    struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, scan_id);
	if ((rc = sql_step(stmt)) == SQL_ROW)
		*out = sql_column_int64(stmt, 0);
	sql_finalize(stmt);
	if (rc != SQL_ROW)
		return store_fail(st, e, "summing up a scan");
	return 0;
}

static int
scan_by_class(struct store *st, int64_t scan_id, struct store_scan_summary *s,
    struct err *e)
{
	const char *const *names = store_class_names();
	struct sql_stmt *stmt;
	size_t i;
	int rc;

	if (store_prepare(st, "SELECT class, count(*) FROM events WHERE scan_id = ?1"
	    " GROUP BY class", &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, scan_id);
	while ((rc = sql_step(stmt)) == SQL_ROW) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], column_text(stmt, 0)) == 0)
				s->by_class[i] = sql_column_int64(stmt, 1);
		s->events += sql_column_int64(stmt, 1);
	}
	sql_finalize(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "summing up a scan");
	return 0;
}

static int
scan_summarise(struct store *st, int64_t scan_id, struct store_scan_summary *s,
    struct err *e)
{
	memset(s, 0, sizeof *s);
	if (scan_count(st, "SELECT count(*) FROM messages WHERE scan_id = ?1", scan_id,
	    &s->messages, e) == -1 ||
	    scan_count(st, "SELECT count(*) FROM suppressions WHERE scan_id = ?1"
	    " AND cause = 'policy'", scan_id, &s->suppressed, e) == -1 ||
	    scan_count(st, "SELECT count(*) FROM incidents WHERE scan_id = ?1", scan_id,
	    &s->incidents, e) == -1)
		return -1;
	return scan_by_class(st, scan_id, s, e);
}

int
store_scan_finish(struct store *st, int64_t scan_id, struct store_scan_summary *summary,
    struct err *e)
{
	struct store_scan_summary ignored;
	int own, rc = -1;

	if (summary == NULL)
		summary = &ignored;
	if (store_write_begin(st, &own, e) == -1)
		return -1;
	/*
	 * Grouping a scan's events by domain sorts them all, and SQLite's sorter
	 * holds up to the page cache's size in memory before it spills to a
	 * temporary file: with a small cache meanwhile the scan's peak memory does
	 * not grow with the number of messages at its end either.
	 */
	store_cache_size(st, STORE_SORT_CACHE_KIB, NULL);
	if (incidents_record(st, scan_id, e) == -1 ||
	    scan_mark_finished(st, scan_id, e) == -1)
		goto out;
	rc = scan_summarise(st, scan_id, summary, e);
out:
	store_cache_size(st, STORE_CACHE_KIB, NULL);
	return store_write_end(st, own, rc, e);
}

int
store_progress_forget(struct store *st, const char *source, const char *prefix,
    struct err *e)
{
	int own, rc;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	rc = run(st, "DELETE FROM source_progress WHERE source = ?1"
	    " AND substr(key, 1, length(?2)) = ?2", source, prefix, NULL, 0,
	    "forgetting a source's progress", e);
	return store_write_end(st, own, rc, e);
}

int
store_progress_each(struct store *st, const char *source, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg,
    struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, "SELECT key, value FROM source_progress"
	    " WHERE source = ?1 AND substr(key, 1, length(?2)) = ?2", &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, source);
	bind_text(stmt, 2, prefix);
	while ((rc = sql_step(stmt)) == SQL_ROW)
		if (fn(arg, column_text(stmt, 0), column_text(stmt, 1)) != 0)
			break;
	sql_finalize(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "reading a source's progress");
	return 0;
}
