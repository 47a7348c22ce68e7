/*
 * db.h: the suppression store. The one public header of db/.
 *
 * The store keeps an event log (one row per message and recipient) and derives
 * everything else from it: per-recipient counters, suppressions with their cause,
 * sender-side incidents. It knows nothing of mail formats: the caller hands it
 * addresses, class and reason names, and the hash of each message's raw bytes.
 * All SQL lives in db/, behind these functions.
 *
 * Two backends: a SQLite file (the embedded default) and a PostgreSQL database
 * shared by scanners and readers on several hosts (a postgresql:// URL). They
 * share everything but the driver: one policy (policy.c), one set of SQL
 * strings written in the subset both speak, run through a thin SQL layer
 * (sql.h; sql-sqlite.c, sql-pg.c). What differs is kept small and visible in
 * one place each: the schema (schema.c's migrations, schema-pg.c's current
 * schema), the row locks and SKIP LOCKED that concurrent writers need
 * (statement_pg_sql in store.c, select_due in outbox.c), the form of a
 * message hash (bind_hash), the outbox's triggers (outbox.c, schema-pg.c),
 * and SQLite's pragmas, WAL and statistics memo, marked where they are. A
 * server is a round trip away where SQLite is a function call, so ingest
 * sends what needs no answer without waiting (sql_send, sql_step_later) and
 * asks about a whole batch at once (store_ingest_expect, lookahead.c); on
 * SQLite both run each statement at once, through the same code.
 *
 * Errors: functions return 0 (or a count) on success and -1 on failure, with e
 * naming the database file and what failed. After a failure, store_retry() says
 * whether it was temporary (database busy or locked, disk full): the caller may
 * retry later (an MTA pipe exits 75). Anything else is permanent.
 *
 * Times are Unix seconds, UTC. A soft-bounce "day" is a UTC calendar day.
 */
#ifndef BOUNCESCAN_DB_H
#define BOUNCESCAN_DB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct store;

/* The policy. 0 as a threshold means "never suppress for this class". */
struct store_policy {
	int	hard_threshold;		/* hard bounces that suppress (1) */
	int	soft_threshold;		/* distinct soft-bounce days that suppress (5) */
	int	soft_window_days;	/* ... within this many days (30) */
	int	complaint_threshold;	/* complaints that suppress (1) */
	int	incident_domain_blocks;	/* block results for one domain (5) */
	int	incident_min_failures;	/* failures before the share counts (20) */
	int	incident_block_percent;	/* block share of those failures, percent (50) */
	int	incident_window_minutes; /* ... in a scan or within this many minutes (60) */
};

/* One message, as the caller saw it. */
struct store_message {
	const char	*hash;		/* digest of the raw bytes (hex), computed by the caller */
	time_t		 bounce_time;	/* the report's date; 0: the time of ingest */
	const char	*source;	/* "maildir:/srv/bounces", or NULL */
	const char	*origin;	/* the message's id within the source, or NULL */
	int64_t		 scan_id;	/* from store_scan_begin, or 0 */
	const char	*list;		/* the list it came from ([list NAME]), or NULL */
};

/* One result of a message: what happened to one recipient. */
struct store_event {
	const char	*recipient;	/* address as written; validated by the store */
	const char	*class;		/* hard soft block complaint autoreply delayed delivered */
	const char	*reason;	/* "userunknown", ... or NULL */
	const char	*status;	/* "5.1.1" or NULL */
	int		 smtp_code;	/* 550, or 0 */
	const char	*diagnostic;	/* the remote server's words, or NULL */
	const char	*remote_mta;	/* or NULL */
	const char	*rule;		/* what decided the reason, or NULL */
	time_t		 bounce_time;	/* this result's own time, 0: the message's */
};

/* What one store_ingest_message did. */
struct store_ingest {
	int	duplicate;		/* the message was ingested before: nothing changed */
	size_t	events;			/* events recorded */
	size_t	suppressed;		/* recipients newly suppressed */
	size_t	rejected;		/* results skipped: no or invalid recipient */
	char	first_rejected[256];	/* why the first one was skipped, or "" */
};

/* An event read back (store_why). Strings are borrowed for the callback's duration. */
struct store_event_row {
	int64_t		 id;
	const char	*address;
	const char	*class;
	const char	*reason;
	const char	*status;
	int		 smtp_code;
	const char	*diagnostic;
	const char	*remote_mta;
	const char	*rule;
	const char	*source;
	const char	*origin;
	const char	*message_hash;
	int64_t		 scan_id;
	time_t		 bounce_time;
	time_t		 ingested;
	const char	*list;		/* the list its bounce came from, or NULL */
};

/* A suppression, current or lifted (store_why, store_export). Strings borrowed. */
struct store_suppression {
	int64_t		 id;
	const char	*address;	/* as first written, domain lower-cased */
	const char	*domain;
	const char	*cause;		/* "policy", "manual" or "import" */
	const char	*class;		/* the deciding event's class, or NULL */
	const char	*reason;	/* the deciding event's reason, or the manual reason */
	const char	*rule;		/* the deciding event's rule, or NULL */
	int64_t		 event_id;	/* the event that tipped the count, or 0 */
	int64_t		 scan_id;	/* that event's scan, or 0 */
	time_t		 created;	/* when the store suppressed the address */
	time_t		 lifted;	/* when it was undone, or 0 while in force */
	const char	*lifted_by;	/* "manual", "reapply", or NULL */
	const char	*list;		/* the deciding event's list, or NULL */
};

enum store_state {
	STORE_UNKNOWN,			/* the store has never heard of the address */
	STORE_ACTIVE,
	STORE_SUPPRESSED
};

/* The state of one address (store_status). Strings are owned: store_status_free. */
struct store_status {
	enum store_state state;
	char		*address;	/* normalised display form */
	int		 hard_bounces;	/* counted (after the last manual unsuppress) */
	int		 soft_days;	/* distinct soft days within the window ending now */
	int		 complaints;
	int		 blocks;	/* never suppress; shown so the sender can see them */
	int		 events;	/* all events, counted or not */
	time_t		 last_bounce;	/* newest event, or 0 */
	char		*last_class;
	char		*last_reason;
	/* While suppressed: the suppression in force. */
	char		*cause;
	char		*reason;
	char		*rule;
	time_t		 suppressed_since;
	char		*list;		/* the list of the deciding event, or NULL */
};

/* Filters for store_export; NULL / 0 fields match everything. */
struct store_filter {
	const char	*cause;		/* policy, manual, import */
	const char	*class;
	const char	*reason;
	const char	*domain;	/* receiving domain, exact, case-insensitive */
	time_t		 since;		/* suppressed at or after */
	const char	*list;		/* decided by a bounce of this list */
};

/* What store_unsuppress lifts. At least one field must be set. */
struct store_unsuppress {
	const char	*address;
	const char	*reason;	/* the suppression's reason */
	const char	*rule;		/* the rule of the deciding event */
	int64_t		 scan_id;	/* the scan of the deciding event */
	time_t		 since;		/* suppressed at or after ... */
	time_t		 until;		/* ... and before (0: no bound) */
};

enum store_stats_by {
	STORE_BY_CLASS,
	STORE_BY_REASON,
	STORE_BY_DOMAIN,		/* receiving domain */
	STORE_BY_DAY,			/* "YYYY-MM-DD" of the bounce time, UTC */
	STORE_BY_BLOCKED_DOMAIN		/* block results: receiving domain and reason */
};

/* One line of store_stats: events of one class (and reason) under one key. */
struct store_stat {
	const char	*key;		/* class, reason, domain or day */
	const char	*class;
	const char	*reason;	/* STORE_BY_REASON, STORE_BY_BLOCKED_DOMAIN; or NULL */
	int64_t		 count;
};

/* A sender-side incident (store_incidents). Strings borrowed. */
struct store_incident {
	int64_t		 id;
	int64_t		 scan_id;
	const char	*kind;		/* "domain" (burst for one domain) or "share" */
	const char	*domain;	/* kind "domain": the receiving domain */
	const char	*reason;	/* the most frequent block reason */
	int64_t		 blocks;
	int64_t		 failures;	/* hard + soft + block results in the scan */
	time_t		 created;
};

/* What a scan did (store_scan_finish). */
struct store_scan_summary {
	int64_t		 messages;
	int64_t		 events;
	int64_t		 by_class[8];	/* indexed like store_class_names() */
	int64_t		 suppressed;	/* new suppressions decided by this scan */
	int64_t		 incidents;
};

/* store.c: opening, the clock, transactions, errors. */
void	store_policy_defaults(struct store_policy *);
/*
 * Open (creating or migrating) the database at path. Returns NULL on failure, with e
 * naming the file; *retry (may be NULL) is set to 1 when the failure is temporary.
 */
struct store *store_open(const char *path, struct err *e, int *retry);
/* The same without writing anything: for queries by users who cannot write. */
struct store *store_open_readonly(const char *path, struct err *e, int *retry);
/*
 * A path that is a URL, postgresql://[user@]host[:port]/dbname[?param=value...]
 * (or postgres://), opens a store on a PostgreSQL server through libpq, whose
 * environment (PGHOST, ...) and service files apply. A password is never taken
 * from the URL: libpq reads it from ~/.pgpass or PGPASSFILE, or from the file
 * set here (the configuration's [database] password_file; NULL: none).
 */
int	store_is_url(const char *path);
void	store_set_password_file(const char *path);
/*
 * A lock on the database server named by a number, held by this connection
 * until store_unlock or its end (a process that dies loses it at once, from
 * whatever host it ran): 0 taken, 1 held by another, -1 on error (and on SQLite,
 * which has none: the caller locks a file beside it).
 */
int	store_lock(struct store *, int64_t key, struct err *e);
int	store_unlock(struct store *, int64_t key, struct err *e);
/* 1 when some session holds the lock key, 0 when none does, -1 on error. */
int	store_lock_held(struct store *, int64_t key, struct err *e);
/*
 * Create path, a new file of the store (the database, a lock file beside it), as
 * the user who owns its directory when run as root; shared: with the group's
 * access its directory gives, else 0600. Returns a descriptor open for reading
 * and writing, or -1 with errno (EEXIST: it exists; nothing was changed).
 */
int	store_create_file(const char *path, int shared);
void	store_close(struct store *);
/* 1 when the last failure was temporary (busy, locked, full), else 0. */
int	store_retry(const struct store *);
/* Use now as the current time (tests, replay); 0 returns to the real clock. */
void	store_set_now(struct store *, time_t now);
time_t	store_now(const struct store *);
/* How long to wait for another process's lock (default 10 s). */
void	store_set_busy_timeout(struct store *, int milliseconds);
void	store_set_policy(struct store *, const struct store_policy *);
void	store_get_policy(const struct store *, struct store_policy *);
const char *store_path(const struct store *);
/* One write transaction around a batch of messages. */
int	store_begin(struct store *, struct err *e);
int	store_commit(struct store *, struct err *e);
void	store_rollback(struct store *);
/* The schema version of this build, and the names of the classes. */
int	store_schema_version(void);
const char *const *store_class_names(void);	/* NULL-terminated, 7 names */

/* address.c: normalise an address. */
/*
 * Writes the display form (surrounding space and <> removed, domain lower-cased)
 * to display and the comparison key to key, each of size STORE_ADDRESS_MAX: the
 * domain in its IDNA ASCII form (UTS #46), the local part NFC-normalised and
 * case-folded, so that every spelling of one mailbox has the same key. Returns 0,
 * or -1 with e saying what is wrong with it.
 */
#define STORE_ADDRESS_MAX	320
/*
 * The longest address accepted, in bytes as written (surrounding space and <>
 * aside): RFC 5321 4.5.3.1.3's path of 256 octets less its angle brackets. The
 * classifier reports no longer recipient (CLASSIFIER_MAX_ADDRESS), and status,
 * import and suppress refuse one, so what is stored can always be looked up.
 */
#define STORE_ADDRESS_LONGEST	254
int	store_address_normalise(const char *address, char *display, char *key,
	    struct err *e);

/* ingest.c */
/*
 * Record one message and its results. Returns 0 (out says what happened; a second
 * ingest of the same hash changes nothing), or -1. Without store_begin it runs in a
 * transaction of its own. Inside one, a failure spoils the whole transaction: later
 * writes fail and store_commit rolls it back, so nothing half-recorded is committed.
 * A hash of 64 hex digits (SHA-256) is compared without regard to case.
 */
int	store_ingest_message(struct store *, const struct store_message *,
	    const struct store_event *events, size_t nevents, struct store_ingest *out,
	    struct err *e);
/*
 * Before a batch's store_ingest_message calls, inside store_begin's transaction:
 * the hashes of its messages and the addresses of its results. A database
 * server is then asked about all of them in two round trips rather than
 * about each message as it comes (lookahead.c). A hint only: SQLite ignores
 * it, and a message or address not named here is looked up as before. It
 * holds until the transaction ends or another kind of write begins.
 */
int	store_ingest_expect(struct store *, const char *const *hashes, size_t nhashes,
	    const char *const *addresses, size_t naddresses, struct err *e);
/* 1 when a message with this hash has been ingested, 0 if not, -1 on error. */
int	store_message_seen(struct store *, const char *hash, struct err *e);

/* scans and per-source progress (ingest.c) */
int	store_scan_begin(struct store *, const char *description, int64_t *scan_id,
	    struct err *e);
/* Close a scan: records its incidents and fills summary (may be NULL). */
int	store_scan_finish(struct store *, int64_t scan_id, struct store_scan_summary *,
	    struct err *e);
/*
 * Delete the record of a scan that stored nothing (nothing refers to it), so
 * that a daemon polling every minute does not fill the scans table. 0, or -1.
 */
int	store_scan_forget(struct store *, int64_t scan_id, struct err *e);
/* Key/value progress per source (UIDVALIDITY, last UID, UIDLs). */
int	store_progress_get(struct store *, const char *source, const char *key,
	    char **value, struct err *e);	/* 1 found (*value: free()), 0 not, -1 */
int	store_progress_set(struct store *, const char *source, const char *key,
	    const char *value, struct err *e);
int	store_progress_delete(struct store *, const char *source, const char *key,
	    struct err *e);	/* key NULL: all of the source's keys */
/* Call fn for each of the source's keys that begin with prefix (fn != 0 stops). */
int	store_progress_each(struct store *, const char *source, const char *prefix,
	    int (*fn)(void *arg, const char *key, const char *value), void *arg,
	    struct err *e);
/* Forget the source's keys that begin with prefix. */
int	store_progress_forget(struct store *, const char *source, const char *prefix,
	    struct err *e);

/* policy.c */
/* Recompute every recipient from the event log under the current policy. */
int	store_reapply(struct store *, size_t *changed, struct err *e);

/*
 * query.c. Callbacks return 0 to go on; anything else stops the walk and the
 * function returns -1, leaving e as the callback left it.
 */
int	store_status(struct store *, const char *address, struct store_status *out,
	    struct err *e);
/*
 * Lists ([list NAME]): a suppression holds for every list (a dead address is
 * dead for every list, and a complaint about one list's mail counts against the
 * host's name with the mailbox provider), so the state stays the address's;
 * with list set, the counters (and last bounce) are those of that list's
 * bounces only. list NULL is store_status.
 */
int	store_status_list(struct store *, const char *address, const char *list,
	    struct store_status *out, struct err *e);
/*
 * The state of n addresses at once, out[i] for addresses[i], as
 * store_status_list gives them (list NULL: store_status): a list checked
 * before a send, in one round trip on PostgreSQL. Each out[i] is to be freed,
 * even after a failure; an address that is not one fails them all (the caller
 * checks them first).
 */
int	store_status_many(struct store *, const char *const *addresses, size_t n,
	    const char *list, struct store_status *out, struct err *e);
void	store_status_free(struct store_status *);
/* The events (oldest first) and suppressions (oldest first) of one address. */
int	store_why(struct store *, const char *address,
	    int (*on_event)(const struct store_event_row *, void *),
	    int (*on_suppression)(const struct store_suppression *, void *),
	    void *arg, struct err *e);
/* Suppressions in force matching f (may be NULL), by address. */
int	store_export(struct store *, const struct store_filter *f,
	    int (*cb)(const struct store_suppression *, void *), void *arg, struct err *e);
/* Event counts since a time (0: all), grouped by key and class. */
int	store_stats(struct store *, enum store_stats_by, time_t since,
	    int (*cb)(const struct store_stat *, void *), void *arg, struct err *e);
/* The same for the events of one list (list NULL: all events). */
int	store_stats_list(struct store *, enum store_stats_by, time_t since,
	    const char *list, int (*cb)(const struct store_stat *, void *), void *arg,
	    struct err *e);
int	store_incidents(struct store *, time_t since,
	    int (*cb)(const struct store_incident *, void *), void *arg, struct err *e);

/* suppress.c */
/* Suppress by hand. Returns 1 if newly suppressed, 0 if it already was, or -1. */
int	store_suppress(struct store *, const char *address, const char *reason,
	    struct err *e);
/* Lift the suppressions matching u. *count gets the number lifted. */
int	store_unsuppress(struct store *, const struct store_unsuppress *u,
	    size_t *count, struct err *e);

/* import.c */
struct store_import_result {
	size_t	added;
	size_t	already;		/* already suppressed: unchanged */
	size_t	invalid;		/* lines skipped */
	char	first_invalid[256];	/* "line 7: ...", or "" */
};
/*
 * Load a suppression list: one address per line ('#' comments), or CSV with a
 * header naming an "email" or "address" column and optionally "reason". Importing
 * the same list twice changes nothing the second time.
 */
int	store_import(struct store *, const char *path, struct store_import_result *,
	    struct err *e);

/* copy.c */
/*
 * Copy every row of from into to, a new store (no rows but its policy), ids
 * kept, in one transaction on to; then count each table on both sides and
 * call cb (may be NULL) with each table's name and rows. The two may be of
 * different backends. 0, or -1 with e (a difference in the counts included).
 */
int	store_copy(struct store *from, struct store *to,
	    int (*cb)(const char *table, int64_t rows, void *), void *arg,
	    struct err *e);

/* BEGIN webhook: outbox.c */
/*
 * The webhook outbox. Which kinds of event each webhook wants is given once after
 * opening (store_set_webhooks); from then on every write that records such an
 * event (an ingested result, a suppression made by the policy, by hand or by
 * import, a suppression lifted, an incident) adds one outbox row per interested
 * webhook in the same transaction, so a committed event is never without its row
 * and a rolled-back one leaves none. Without store_set_webhooks nothing is added.
 * Delivery is the caller's (scanner/webhook.c): it takes due rows, sends them and
 * reports each outcome.
 */
#define STORE_WEBHOOK_SUPPRESSED	0x1
#define STORE_WEBHOOK_UNSUPPRESSED	0x2
#define STORE_WEBHOOK_BOUNCE		0x4
#define STORE_WEBHOOK_INCIDENT		0x8

struct store_webhook {
	const char	*name;
	unsigned	 events;	/* STORE_WEBHOOK_* bits */
};

/* One outbox row. Strings are owned by the array (store_outbox_rows_free). */
struct store_outbox_row {
	int64_t		 id;
	char		*webhook;
	char		*kind;		/* suppressed unsuppressed bounce incident */
	char		*payload;	/* the generic JSON document */
	time_t		 created;
	int		 attempts;
	time_t		 next_attempt;
	time_t		 delivered;	/* 0: not yet */
	char		*last_error;	/* or NULL */
};

/* Per webhook name found in the outbox (store_outbox_summary). */
struct store_outbox_count {
	const char	*webhook;
	int64_t		 pending;	/* not delivered */
	int64_t		 failing;	/* ... of which tried at least once */
	int64_t		 delivered;
	time_t		 oldest_pending;	/* created, or 0 */
	const char	*last_error;	/* of the newest failing row, or NULL */
};

/* Replace the subscriptions (n 0: none). Call outside a transaction. */
int	store_set_webhooks(struct store *, const struct store_webhook *, size_t n,
	    struct err *e);
/*
 * Take up to limit undelivered rows of webhook with an id above after that are
 * due (all of them with force), oldest first, and lease them to owner: their next
 * attempt moves seconds ahead, so another run does not send them meanwhile, and
 * owner (a token the caller can later test for life; 0: none) is recorded for
 * store_outbox_reclaim. Reporting a row's outcome (delivered, failed, defer) ends
 * its lease. *rows: free with store_outbox_rows_free.
 */
int	store_outbox_take(struct store *, const char *webhook, int64_t after,
	    size_t limit, int seconds, int64_t owner, int force,
	    struct store_outbox_row **rows, size_t *n, struct err *e);
/*
 * Hand back at once the rows leased by owners that are gone: for each owner of a
 * lease, alive(owner, arg) is asked; the undelivered rows of one that is not
 * (0) become due now and its leases are forgotten. *count: rows released.
 */
int	store_outbox_reclaim(struct store *, int (*alive)(int64_t owner, void *),
	    void *arg, size_t *count, struct err *e);
/*
 * *when: the earliest next attempt of an undelivered row of a subscribed webhook
 * (past or future), or 0 when none waits. After store_set_webhooks only.
 */
int	store_outbox_next_due(struct store *, time_t *when, struct err *e);
void	store_outbox_rows_free(struct store_outbox_row *, size_t n);
/* The endpoint took row id (note: why it was not sent at all, or NULL). */
int	store_outbox_delivered(struct store *, int64_t id, const char *note,
	    struct err *e);
/* An attempt failed: count it, keep error, try again at retry (Unix time). */
int	store_outbox_failed(struct store *, int64_t id, const char *error, time_t retry,
	    struct err *e);
/* Not attempted in this run after all: due again at retry. */
int	store_outbox_defer(struct store *, int64_t id, time_t retry, struct err *e);
int	store_outbox_summary(struct store *,
	    int (*cb)(const struct store_outbox_count *, void *), void *arg,
	    struct err *e);
/* Undelivered rows (all rows with delivered_too), oldest first. */
int	store_outbox_list(struct store *, int delivered_too,
	    int (*cb)(const struct store_outbox_row *, void *), void *arg,
	    struct err *e);
/* Forget rows delivered before a time; *count gets how many. */
int	store_outbox_purge(struct store *, time_t before, size_t *count, struct err *e);
/* END webhook */

#endif
