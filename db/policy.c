/*
 * policy.c: from a recipient's events to its counters and state, and from a scan's
 * events to sender-side incidents.
 *
 * Everything here is computed from the event log, walked in bounce-time order, so
 * the answer does not depend on the order messages arrived in: replaying an old
 * mailbox, or changing a threshold and calling store_reapply, ends where live
 * processing under that policy would have.
 *
 * - hard, complaint: suppress when the count reaches the threshold.
 * - soft: a UTC day with any soft bounce counts once; suppress when soft_threshold
 *   such days fall within the last soft_window_days, measured back from the time
 *   the store judges them: the scan (or pipe) that records a soft bounce. Days
 *   older than that do not count, however close together they were: a first scan
 *   of a year of backlog does not suppress everybody who was once full for a
 *   week. The counter shown is the number of days in the window ending now.
 * - block: counted, never held against the recipient. A burst of them for one
 *   receiving domain (or a high share among all failures), in one scan or within
 *   the last incident_window_minutes whatever the scans, is a sender-side incident.
 * - autoreply, delayed, delivered: recorded, not counted.
 * A manual unsuppress sets the recipient's reset time: only events after it count.
 * Suppressions made by hand or by import are never lifted here.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xalloc.h"

#define DAY		86400
#define SOFT_STACK	64	/* soft bounces per recipient before the heap is used */

/*
 * A recipient's soft bounces, as the walk over its history found them. Each one
 * was judged when it was recorded (events.ingested), against the days recorded
 * by then: replaying them in that order is what live processing decided, so
 * store_reapply ends where a store that always had this policy would be.
 */
struct soft_event {
	int64_t		 day;		/* UTC day of the bounce */
	int64_t		 recorded;	/* when the store recorded it */
	int64_t		 id;
};

struct soft_days {
	struct soft_event	*events;
	struct soft_event	 stack[SOFT_STACK];
	size_t			 count, size;
	size_t			 distinct;	/* days, whenever recorded */
	int64_t			 last;		/* the walk's newest day */
	int			 in_window_now;
};

static void
soft_init(struct soft_days *s)
{
	s->events = s->stack;
	s->size = SOFT_STACK;
	s->count = s->distinct = 0;
	s->last = INT64_MIN;
	s->in_window_now = 0;
}

static void
soft_free(struct soft_days *s)
{
	if (s->events != s->stack)
		free(s->events);
}

/* One soft bounce of the walk, which goes in bounce-time order. */
static void
soft_add(struct soft_days *s, const struct store_policy *p, time_t when,
    time_t recorded, int64_t id, int64_t today)
{
	int64_t day = (int64_t)when / DAY;

	if (s->count == s->size) {
		s->size *= 2;
		if (s->events == s->stack) {
			s->events = xreallocarray(NULL, s->size, sizeof *s->events);
			memcpy(s->events, s->stack, sizeof s->stack);
		} else
			s->events = xreallocarray(s->events, s->size, sizeof *s->events);
	}
	s->events[s->count].day = day;
	s->events[s->count].recorded = (int64_t)recorded;
	s->events[s->count++].id = id;
	if (day == s->last)
		return;
	s->last = day;
	s->distinct++;
	if (day > today - p->soft_window_days)
		s->in_window_now++;
}

static int
by_recording(const void *a, const void *b)
{
	const struct soft_event *x = a, *y = b;

	if (x->recorded != y->recorded)
		return x->recorded < y->recorded ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Index of the first of days[0..n) (ascending) that is >= day. */
static size_t
lower_bound(const int64_t *days, size_t n, int64_t day)
{
	size_t low = 0, high = n;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (days[middle] < day)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

/*
 * The soft bounce whose recording brought soft_threshold days within the window
 * ending at that moment, or 0: *decided is its id, *at when it was recorded.
 */
static void
soft_decide(struct soft_days *s, const struct store_policy *p, int64_t *decided,
    int64_t *at)
{
	int64_t *days;
	size_t i, n = 0, where;

	*decided = 0;
	if (p->soft_threshold <= 0 || s->distinct < (size_t)p->soft_threshold)
		return;
	qsort(s->events, s->count, sizeof *s->events, by_recording);
	days = xreallocarray(NULL, s->distinct, sizeof *days);
	for (i = 0; i < s->count; i++) {
		const struct soft_event *ev = &s->events[i];

		where = lower_bound(days, n, ev->day);
		if (where < n && days[where] == ev->day)
			continue;	/* a day already counted changes nothing */
		memmove(days + where + 1, days + where, (n - where) * sizeof *days);
		days[where] = ev->day;
		n++;
		if (n - lower_bound(days, n, ev->recorded / DAY - p->soft_window_days + 1) >=
		    (size_t)p->soft_threshold) {
			*decided = ev->id;
			*at = ev->recorded;
			break;
		}
	}
	free(days);
}

/* Count one hard bounce, complaint or block; 1 when it reaches a threshold. */
static int
count_event(struct recipient_counts *c, const struct store_policy *p,
    const char *class)
{
	if (strcmp(class, "hard") == 0)
		return ++c->hard_bounces == p->hard_threshold;
	if (strcmp(class, "complaint") == 0)
		return ++c->complaints == p->complaint_threshold;
	if (strcmp(class, "block") == 0)
		c->blocks++;
	return 0;
}

/*
 * The counting of one recipient's events, fed one at a time in bounce-time
 * order: by policy_walk from a statement of its own, by status_many (query.c)
 * from rows of many recipients at once. The deciding event is the first, in
 * the order the store recorded them, to reach a threshold: a hard bounce or
 * complaint by count, a soft bounce by soft_decide.
 */
struct policy_counter {
	struct store		*st;
	struct recipient_counts	*c;
	struct soft_days	 soft;
	int64_t			 today, decided_at;
};

static void
counter_start(struct policy_counter *pc, struct store *st,
    struct recipient_counts *c)
{
	memset(c, 0, sizeof *c);
	pc->st = st;
	pc->c = c;
	pc->today = (int64_t)store_now(st) / DAY;
	pc->decided_at = 0;
	soft_init(&pc->soft);
}

static void
counter_add(struct policy_counter *pc, int64_t id, const char *class,
    time_t when, time_t recorded)
{
	struct recipient_counts *c = pc->c;

	c->events++;
	c->last_event = id;
	c->last_bounce = when;
	if (strcmp(class, "soft") == 0)
		soft_add(&pc->soft, &pc->st->policy, when, recorded, id, pc->today);
	else if (count_event(c, &pc->st->policy, class) && c->deciding_event == 0) {
		c->deciding_event = id;
		pc->decided_at = recorded;
	}
}

/* complete: every event was added (else only the memory is freed). */
static void
counter_end(struct policy_counter *pc, int complete)
{
	struct recipient_counts *c = pc->c;
	int64_t soft_id, soft_at;

	if (complete) {
		c->soft_days = pc->soft.in_window_now;
		soft_decide(&pc->soft, &pc->st->policy, &soft_id, &soft_at);
		if (soft_id != 0 && (c->deciding_event == 0 ||
		    soft_at < pc->decided_at ||
		    (soft_at == pc->decided_at && soft_id < c->deciding_event)))
			c->deciding_event = soft_id;
	}
	soft_free(&pc->soft);
}

struct policy_counter *
policy_counter_new(struct store *st, struct recipient_counts *c)
{
	struct policy_counter *pc = xcalloc(1, sizeof *pc);

	counter_start(pc, st, c);
	return pc;
}

void
policy_counter_add(struct policy_counter *pc, int64_t id, const char *class,
    time_t when, time_t recorded)
{
	counter_add(pc, id, class, when, recorded);
}

void
policy_counter_end(struct policy_counter *pc)
{
	counter_end(pc, 1);
	free(pc);
}

/*
 * Count the rows of stmt (id, class, bounce_time, ingested of events in
 * bounce-time order) into c. stmt is reset, not finalized.
 */
static int
policy_walk(struct store *st, struct sql_stmt *stmt, struct recipient_counts *c,
    struct err *e)
{
	struct policy_counter pc;
	int rc;

	counter_start(&pc, st, c);
	while ((rc = sql_step(stmt)) == SQL_ROW)
		counter_add(&pc, sql_column_int64(stmt, 0), column_text(stmt, 1),
		    (time_t)sql_column_int64(stmt, 2),
		    (time_t)sql_column_int64(stmt, 3));
	sql_reset(stmt);
	counter_end(&pc, rc == SQL_DONE);
	if (rc != SQL_DONE)
		return store_fail(st, e, "reading a recipient's events");
	return 0;
}

/* Derive a recipient's counters from its events after reset_time. */
int
policy_evaluate(struct store *st, int64_t recipient_id, time_t reset_time,
    struct recipient_counts *c, struct err *e)
{
	struct sql_stmt *stmt;

	memset(c, 0, sizeof *c);
	if ((stmt = store_statement(st, STMT_EVENTS_OF, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, recipient_id);
	sql_bind_int64(stmt, 2, reset_time);
	return policy_walk(st, stmt, c, e);
}

/*
 * The same counted over the events of one list only (status --list): what the
 * list's own bounces say. Its deciding event means nothing: suppressions are
 * decided over all of an address's events.
 */
static const char events_of_list_sql[] =
	"SELECT id, class, bounce_time, ingested FROM events"
	" WHERE recipient_id = ?1 AND bounce_time > ?2 AND list = ?3"
	" ORDER BY bounce_time, id";

int
policy_evaluate_list(struct store *st, int64_t recipient_id, time_t reset_time,
    const char *list, struct recipient_counts *c, struct err *e)
{
	struct sql_stmt *stmt;

	memset(c, 0, sizeof *c);
	if ((stmt = query_statement(st, events_of_list_sql, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, recipient_id);
	sql_bind_int64(stmt, 2, reset_time);
	bind_text(stmt, 3, list);
	if (policy_walk(st, stmt, c, e) == -1)
		return -1;
	c->deciding_event = 0;
	return 0;
}

static int
recipient_update(struct store *st, int64_t recipient_id, int suppressed,
    const struct recipient_counts *c, struct err *e)
{
	struct sql_stmt *stmt;

	if ((stmt = store_statement(st, STMT_RECIPIENT_UPDATE, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, recipient_id);
	bind_text(stmt, 2, suppressed ? "suppressed" : "active");
	sql_bind_int64(stmt, 3, c->hard_bounces);
	sql_bind_int64(stmt, 4, c->soft_days);
	sql_bind_int64(stmt, 5, c->complaints);
	sql_bind_int64(stmt, 6, c->blocks);
	sql_bind_int64(stmt, 7, c->events);
	if (c->events > 0)
		sql_bind_int64(stmt, 8, c->last_bounce);
	sql_bind_int64(stmt, 9, store_now(st));
	return store_step_done(st, stmt, e, "updating a recipient");
}

/*
 * Re-derive one recipient and bring its suppression in line: *change is 1 when it
 * became suppressed, -1 when a policy suppression no longer holds, else 0.
 */
int
policy_apply(struct store *st, int64_t recipient_id, time_t reset_time, int *change,
    struct err *e)
{
	struct recipient_counts c;
	int64_t suppression_id;
	char *cause = NULL;
	int active, rc = -1;

	*change = 0;
	if (policy_evaluate(st, recipient_id, reset_time, &c, e) == -1)
		return -1;
	active = suppression_active(st, recipient_id, &suppression_id, &cause, e);
	if (active == -1)
		return -1;
	if (c.deciding_event != 0 && !active) {
		if (suppression_insert(st, recipient_id, "policy", NULL, c.deciding_event,
		    e) == -1)
			goto out;
		active = *change = 1;
	} else if (c.deciding_event == 0 && active && strcmp(cause, "policy") == 0) {
		if (suppression_lift(st, suppression_id, "reapply", e) == -1)
			goto out;
		active = 0;
		*change = -1;
	}
	rc = recipient_update(st, recipient_id, active, &c, e);
out:
	free(cause);
	return rc;
}

/*
 * The quick path for one new event of an active recipient (r's counts already
 * include it): hard and complaint counts are kept up as events arrive, so whether
 * they reach a threshold needs no history. Soft bounces do: policy_on_soft.
 */
int
policy_reached(const struct store_policy *p, const struct recipient_row *r,
    const char *class)
{
	if (strcmp(class, "hard") == 0)
		return p->hard_threshold > 0 && r->hard_bounces >= p->hard_threshold;
	if (strcmp(class, "complaint") == 0)
		return p->complaint_threshold > 0 &&
		    r->complaints >= p->complaint_threshold;
	return 0;
}

/*
 * The soft days of a recipient whose only event is a soft bounce at when: what
 * policy_evaluate would count, without reading the event back. -1 when one soft
 * day may already suppress (a threshold of 1): policy_on_soft decides that.
 */
int
policy_first_soft_days(const struct store *st, time_t when)
{
	const struct store_policy *p = &st->policy;

	if (p->soft_threshold <= 0)
		return 0;	/* policy_on_soft does not count at all */
	if (p->soft_threshold == 1)
		return -1;
	return (int64_t)when / DAY > (int64_t)store_now(st) / DAY - p->soft_window_days;
}

/*
 * 1 when the recipient already has a counted soft bounce (other than event_id) on
 * when's UTC day, 0 if not, -1 on error. Only distinct days count, so such an
 * event adds no day: the suppression decision cannot change.
 */
static int
soft_day_known(struct store *st, const struct recipient_row *r, time_t when,
    int64_t event_id, struct err *e)
{
	int64_t start = (int64_t)when / DAY * DAY;
	struct sql_stmt *stmt;
	int rc;

	if (when < 0)
		return 0;	/* C's division rounds such days differently: no shortcut */
	if ((stmt = store_statement(st, STMT_SOFT_SAME_DAY, e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, r->id);
	/* policy_evaluate counts only events after the reset time. */
	sql_bind_int64(stmt, 2, start > (int64_t)r->reset_time ? start :
	    (int64_t)r->reset_time + 1);
	sql_bind_int64(stmt, 3, start + DAY);
	sql_bind_int64(stmt, 4, event_id);
	rc = sql_step(stmt);
	sql_reset(stmt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return store_fail(st, e, "reading a recipient's soft bounces");
	return rc == SQL_ROW;
}

/*
 * A soft bounce (event_id, at when) of an active recipient: its soft days over the
 * whole history. A recipient bouncing soft again and again on one day (one report
 * date, a retrying MTA) would otherwise have its whole history read for each
 * bounce, a cost growing with the history: quadratic over a scan. A day already
 * counted skips that; the soft_days column then stays as of the last evaluation
 * (what the recipient_status view promises), status recomputes it anyway.
 */
int
policy_on_soft(struct store *st, const struct recipient_row *r, time_t when,
    int64_t event_id, int *newly, struct err *e)
{
	int known;

	*newly = 0;
	if (st->policy.soft_threshold <= 0)
		return 0;
	if ((known = soft_day_known(st, r, when, event_id, e)) != 0)
		return known == 1 ? 0 : -1;
	return policy_apply(st, r->id, r->reset_time, newly, e);
}

/* Every recipient's id and reset time, read before any of them is rewritten. */
static int
all_recipients(struct store *st, int64_t **ids, time_t **resets, size_t *n,
    struct err *e)
{
	struct sql_stmt *stmt;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*resets = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT id, reset_time FROM recipients ORDER BY id", &stmt,
	    e) == -1)
		return -1;
	while ((rc = sql_step(stmt)) == SQL_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
			*resets = xreallocarray(*resets, cap, sizeof **resets);
		}
		(*ids)[*n] = sql_column_int64(stmt, 0);
		(*resets)[(*n)++] = (time_t)sql_column_int64(stmt, 1);
	}
	sql_finalize(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "listing recipients");
	return 0;
}

int
store_reapply(struct store *st, size_t *changed, struct err *e)
{
	int64_t *ids;
	time_t *resets;
	size_t n, i, count = 0;
	int own, change, rc = -1;

	if (store_write_begin(st, &own, e) == -1)
		return -1;
	if (store_save_policy(st, e) == -1 ||
	    all_recipients(st, &ids, &resets, &n, e) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (policy_apply(st, ids[i], resets[i], &change, e) == -1)
			break;
		count += change != 0;
	}
	rc = i == n ? 0 : -1;
	free(ids);
	free(resets);
out:
	if (changed != NULL)
		*changed = rc == 0 ? count : 0;
	return store_write_end(st, own, rc, e);
}

/*
 * The events an incident is judged on: the scan's own, and every failure that
 * bounced within the last incident_window_minutes whatever scan stored it. A
 * pipe stores one message per scan, so counting per scan alone never saw a
 * burst arriving as 350 pipes; a backlog scanned from a Maildir still counts
 * as a whole, however old its bounces. A bounce dated more than a window
 * ahead (a wrong clock, a forged Date) is left out, or it would join every
 * burst until that date. Both halves use an index (events_scan, events_time).
 */
#define INCIDENT_EVENTS \
	" WITH s AS MATERIALIZED (SELECT id, domain, class, reason FROM events" \
	"  WHERE scan_id = ?1 UNION SELECT id, domain, class, reason FROM events" \
	"  WHERE bounce_time BETWEEN ?2 AND ?5" \
	"  AND class IN ('hard', 'soft', 'block'))"

/*
 * Sums of conditions, spelled with CASE: a comparison is an integer to SQLite
 * but a boolean to PostgreSQL, which neither sums one nor lets HAVING name a
 * column of the SELECT.
 */
#define BLOCKS		"sum(CASE WHEN class = 'block' THEN 1 ELSE 0 END)"
#define FAILURES	"sum(CASE WHEN class IN ('hard', 'soft', 'block') THEN 1 ELSE 0 END)"

/* The block counts per receiving domain at or above the threshold. */
static const char domain_incidents_sql[] =
	INCIDENT_EVENTS ","
	" d AS (SELECT domain, " BLOCKS " AS blocks, " FAILURES " AS failures"
	"  FROM s GROUP BY domain HAVING " BLOCKS " >= ?3),"
	" r AS (SELECT domain, reason, row_number() OVER (PARTITION BY domain"
	"  ORDER BY count(*) DESC, reason) AS rank FROM s WHERE class = 'block'"
	"  GROUP BY domain, reason)"
	" SELECT d.domain, r.reason, d.blocks, d.failures"
	" FROM d JOIN r ON r.domain = d.domain AND r.rank = 1";

/* All domains together: a high share of block results among the failures. */
static const char share_incident_sql[] =
	INCIDENT_EVENTS
	" SELECT NULL, (SELECT reason FROM s WHERE class = 'block'"
	"   GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 1),"
	"  t.blocks, t.failures"
	" FROM (SELECT " BLOCKS " AS blocks, " FAILURES " AS failures FROM s) t"
	" WHERE t.failures >= ?3 AND t.blocks * 100 >= t.failures * ?4";

/*
 * One burst is one incident: when an incident of this kind and domain was
 * recorded within the window (by an earlier pipe, say), it takes the larger
 * counts instead of a new row, so 350 pipes make one incident of 350 block
 * results, and webhooks (a trigger on insert) announce it once.
 */
static int
incident_upsert(struct store *st, struct sql_stmt *found, int64_t scan_id, time_t since,
    const char *kind, struct err *e)
{
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, "UPDATE incidents SET reason = ?3,"
	    " blocks = CASE WHEN blocks > ?4 THEN blocks ELSE ?4 END,"
	    " failures = CASE WHEN failures > ?5 THEN failures ELSE ?5 END"
	    " WHERE id = (SELECT max(id) FROM incidents WHERE kind = ?1"
	    " AND domain IS NOT DISTINCT FROM ?2 AND created >= ?6)", &stmt, e) == -1)
		return -1;
	bind_text(stmt, 1, kind);
	bind_text(stmt, 2, column_text(found, 0));
	bind_text(stmt, 3, column_text(found, 1));
	sql_bind_int64(stmt, 4, sql_column_int64(found, 2));
	sql_bind_int64(stmt, 5, sql_column_int64(found, 3));
	sql_bind_int64(stmt, 6, since);
	rc = store_step_done(st, stmt, e, "recording an incident");
	sql_finalize(stmt);
	if (rc == -1 || sql_changes(st->sql) > 0)
		return rc;
	if (store_prepare(st, "INSERT INTO incidents (scan_id, kind, domain, reason,"
	    " blocks, failures, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, scan_id);
	bind_text(stmt, 2, kind);
	bind_text(stmt, 3, column_text(found, 0));
	bind_text(stmt, 4, column_text(found, 1));
	sql_bind_int64(stmt, 5, sql_column_int64(found, 2));
	sql_bind_int64(stmt, 6, sql_column_int64(found, 3));
	sql_bind_int64(stmt, 7, store_now(st));
	rc = store_step_done(st, stmt, e, "recording an incident");
	sql_finalize(stmt);
	return rc;
}

static int
incident_find(struct store *st, const char *sql, const char *kind, int64_t scan_id,
    int threshold, int percent, struct err *e)
{
	const struct store_policy *p = &st->policy;
	struct sql_stmt *stmt;
	time_t since, window;
	int rc;

	if (threshold <= 0)
		return 0;
	window = (time_t)(p->incident_window_minutes > 0 ?
	    p->incident_window_minutes : 60) * 60;
	since = store_now(st) - window;
	if (store_prepare(st, sql, &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, scan_id);
	sql_bind_int64(stmt, 2, since);
	sql_bind_int64(stmt, 3, threshold);
	sql_bind_int64(stmt, 4, percent);
	sql_bind_int64(stmt, 5, store_now(st) + window);
	while ((rc = sql_step(stmt)) == SQL_ROW)
		if (incident_upsert(st, stmt, scan_id, since, kind, e) == -1)
			break;
	sql_finalize(stmt);
	if (rc == SQL_ROW)
		return -1;
	if (rc != SQL_DONE)
		return store_fail(st, e, "finding incidents");
	return 0;
}

/* Finishing a scan twice records its incidents once. */
int
incidents_record(struct store *st, int64_t scan_id, struct err *e)
{
	const struct store_policy *p = &st->policy;
	struct sql_stmt *stmt;
	int rc;

	if (store_prepare(st, "DELETE FROM incidents WHERE scan_id = ?1", &stmt, e) == -1)
		return -1;
	sql_bind_int64(stmt, 1, scan_id);
	rc = store_step_done(st, stmt, e, "recording incidents");
	sql_finalize(stmt);
	if (rc == -1)
		return -1;
	if (incident_find(st, domain_incidents_sql, "domain", scan_id,
	    p->incident_domain_blocks, 0, e) == -1)
		return -1;
	if (p->incident_block_percent <= 0)
		return 0;
	return incident_find(st, share_incident_sql, "share", scan_id,
	    p->incident_min_failures > 0 ? p->incident_min_failures : 1,
	    p->incident_block_percent, e);
}
