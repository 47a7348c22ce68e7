/*
 * internal.h: what the files of db/ share and nobody else sees: the store itself,
 * its prepared statements, and the error helpers. The engine is behind sql.h.
 */
#ifndef BOUNCESCAN_DB_INTERNAL_H
#define BOUNCESCAN_DB_INTERNAL_H

#include <sys/types.h>

#include "db.h"
#include "sql.h"

/* The statements used once per event are prepared once per store. */
enum store_statement {
	STMT_MESSAGE_INSERT,
	STMT_MESSAGE_ADD,
	STMT_MESSAGE_SEEN,
	STMT_RECIPIENT_FIND,
	STMT_RECIPIENT_INSERT,
	STMT_RECIPIENT_ADD,
	STMT_RECIPIENT_COUNT,
	STMT_EVENT_INSERT,
	STMT_EVENTS_OF,
	STMT_SOFT_SAME_DAY,
	STMT_RECIPIENT_UPDATE,
	STMT_SUPPRESSION_ACTIVE,
	STMT_SUPPRESSION_INSERT,
	STMT_SUPPRESSION_LIFT,
	STMT_SUPPRESSION_OF_EVENT,
	STMT_SUPPRESSION_OF_LAST_EVENT,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_COUNT
};

/* Statements of the queries (query.c), prepared on first use: see query_statement. */
#define STORE_QUERIES_MAX	16

struct store {
	struct sql		*sql;
	char			*path;
	struct sql_stmt		*statements[STMT_COUNT];
	struct {
		const char	*sql;		/* compared by address: fixed strings */
		struct sql_stmt	*stmt;
	}			 queries[STORE_QUERIES_MAX];
	struct stats_memo	*stats;		/* stats.c: the last counts made */
	struct lookahead	*lookahead;	/* lookahead.c: the batch's answers */
	struct store_policy	 policy;
	struct store_policy	 saved_policy;	/* as recorded in the policy table */
	time_t			 now;		/* 0: the real clock */
	int			 in_transaction;
	int			 spoiled;	/* a write in it failed half-way */
	int			 retry;		/* the last failure was temporary */
	int			 watched;	/* the server checks the client (store.c) */
};

/* A recipient's derived state, computed from its events by policy.c. */
struct recipient_counts {
	int		hard_bounces;
	int		soft_days;		/* within the window ending now */
	int		complaints;
	int		blocks;
	int		events;
	time_t		last_bounce;
	int64_t		last_event;		/* id of the newest event */
	int64_t		deciding_event;		/* the event that reached a threshold, or 0 */
};

/* A recipient as an incoming event left it (ingest.c). */
struct recipient_row {
	int64_t		id;
	int		suppressed;		/* before this event */
	time_t		reset_time;
	int		hard_bounces;
	int		complaints;
	int		judged;			/* the event is judged by the policy */
	int		reached;		/* ... and reaches a threshold */
	int		soft_days;		/* known without the history, or -1 */
};

/* lookahead.c: what ingest knows of a batch before it asks (store_ingest_expect). */
void	lookahead_forget(struct store *);
int	lookahead_message_new(struct store *, const char *hash);
void	lookahead_message_stored(struct store *, const char *hash);
int	lookahead_recipient(struct store *, const char *key, struct recipient_row *);
void	lookahead_recipient_set(struct store *, const char *key,
	    const struct recipient_row *);

/* The page cache: 16 MiB while ingesting, 2 MiB for the sort at a scan's end. */
#define STORE_CACHE_KIB		16384
#define STORE_SORT_CACHE_KIB	2048

/* store.c */
int	store_cache_size(struct store *, int kib, struct err *e);
int	store_fail(struct store *, struct err *e, const char *what);
struct sql_stmt *store_statement(struct store *, enum store_statement, struct err *e);
int	store_prepare(struct store *, const char *sql, struct sql_stmt **out,
	    struct err *e);
int	store_step_done(struct store *, struct sql_stmt *, struct err *e,
	    const char *what);
int	store_step_later(struct store *, struct sql_stmt *, struct err *e,
	    const char *what);
int	store_exec(struct store *, const char *sql, struct err *e);
int	store_write_begin(struct store *, int *own, struct err *e);
int	store_write_end(struct store *, int own, int rc, struct err *e);
int	store_ingest_begin(struct store *, int *own, struct err *e);
int	store_ingest_end(struct store *, int own, int rc, struct err *e);
int	store_save_policy(struct store *, struct err *e);
/* The strings as a PostgreSQL text[] literal, each quoted: free() it. */
char	*text_array(const char *const *items, size_t n);
void	bind_text(struct sql_stmt *, int column, const char *s);
#define HASH_DIGEST_SIZE	32
int	hash_digest(const char *hash, unsigned char digest[HASH_DIGEST_SIZE]);
/* A digest in lower-case hex, as PostgreSQL's messages.hash keeps it. */
#define HASH_HEX_SIZE	(2 * HASH_DIGEST_SIZE + 1)
void	hash_hex(const unsigned char digest[HASH_DIGEST_SIZE], char out[HASH_HEX_SIZE]);
void	bind_hash(struct sql *, struct sql_stmt *, int column, const char *hash);
const char *column_text(struct sql_stmt *, int column);
int	store_is_class(const char *class);

/* address-key.c: the comparison forms of an address's parts; -1: too long. */
ssize_t	address_key_local(const char *s, size_t n, char *out, size_t size);
ssize_t	address_key_domain(const char *s, size_t n, char *out, size_t size, int *ascii);
ssize_t	address_display_domain(const char *s, size_t n, char *out, size_t size);

/* query.c */
struct sql_stmt *query_statement(struct store *, const char *sql, struct err *e);

/* stats.c */
void	stats_forget(struct store *);

/* schema.c */
int	schema_migrate(struct store *, struct err *e);
int	schema_check(struct store *, struct err *e);
int	schema_version_usable(struct store *, int version, struct err *e);
int	schema_read_version(struct store *, const char *sql, int *version,
	    struct err *e);
int	schema_too_new(struct store *, int version, struct err *e);

/* schema-pg.c */
int	schema_pg_migrate(struct store *, struct err *e);
int	schema_pg_check(struct store *, struct err *e);

/* policy.c */
int	policy_evaluate(struct store *, int64_t recipient_id, time_t reset_time,
	    struct recipient_counts *out, struct err *e);
int	policy_evaluate_list(struct store *, int64_t recipient_id, time_t reset_time,
	    const char *list, struct recipient_counts *out, struct err *e);
/* One recipient's counters from its events fed in bounce-time order. */
struct policy_counter;
struct policy_counter *policy_counter_new(struct store *, struct recipient_counts *);
void	policy_counter_add(struct policy_counter *, int64_t id, const char *class,
	    time_t when, time_t recorded);
void	policy_counter_end(struct policy_counter *);
int	policy_apply(struct store *, int64_t recipient_id, time_t reset_time,
	    int *newly_suppressed, struct err *e);
int	policy_reached(const struct store_policy *, const struct recipient_row *,
	    const char *class);
int	policy_first_soft_days(const struct store *, time_t when);
int	policy_on_soft(struct store *, const struct recipient_row *, time_t when,
	    int64_t event_id, int *newly_suppressed, struct err *e);
int	incidents_record(struct store *, int64_t scan_id, struct err *e);

/* suppress.c */
int	suppression_active(struct store *, int64_t recipient_id, int64_t *id,
	    char **cause, struct err *e);
int	suppression_insert(struct store *, int64_t recipient_id, const char *cause,
	    const char *note, int64_t event_id, struct err *e);
/*
 * The suppression that the event just recorded (ingest.c) decided; ids 0: not
 * known (nothing waited for them).
 */
int	suppression_of_event(struct store *, int64_t recipient_id, int64_t event_id,
	    const struct store_event *, int64_t scan_id, struct err *e);
int	suppress_recipient(struct store *, const char *address, const char *cause,
	    const char *note, struct err *e);
int	suppression_lift(struct store *, int64_t suppression_id, const char *by,
	    struct err *e);

/* ingest.c */
int	recipient_get(struct store *, const char *address, int create,
	    int64_t *id, time_t *reset_time, struct err *e);

#endif
