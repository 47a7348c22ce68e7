/*
 * stats.c: the events counted by class, reason, receiving domain and day
 * (store_stats), for "bouncescan stats".
 *
 * The five groupings are made in one pass over the events since the given time,
 * read in bounce-time order from the covering index events_time (schema 7), and
 * kept until the store changes: the stats command asks for each grouping in turn,
 * and five GROUP BY statements read and sorted the same rows five times (13 times
 * the cost of one GROUP BY over 400,000 messages; tests/bench_queries.c). Counting
 * in a hash table also spares the sort SQLite does for every GROUP BY. With a
 * list (stats --list), the same over that list's events, from events_list.
 *
 * The rows of each grouping come out in the order the statements gave before:
 * by count (largest first) and then by name, or by day.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "internal.h"
#include "xalloc.h"

#define DAY		86400
#define SECTIONS	(STORE_BY_BLOCKED_DOMAIN + 1)

/* One line of a grouping; the strings are the memo's own. */
struct stats_line {
	char		*key;
	char		*class;
	char		*reason;	/* NULL when the grouping has none */
	int64_t		 count;
	uint64_t	 hash;		/* line_hash of the three */
};

struct stats_section {
	struct stats_line	*lines;
	size_t			 n, cap;
	size_t			*slots;		/* hash of (key, class, reason): line + 1 */
	size_t			 nslots;
};

struct stats_memo {
	time_t			since;
	char			*list;		/* the list counted, or NULL: all */
	int64_t			data_version;	/* another connection's commits */
	int64_t			changes;	/* this one's */
	struct stats_section	sections[SECTIONS];
};

/* FNV-1a of one string; NULL has a value of its own. */
static uint64_t
text_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	if (s == NULL)
		return 0x9e3779b97f4a7c15ULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/*
 * A line's hash from its parts' hashes, which each event computes once for all
 * the groupings it counts in.
 */
static uint64_t
line_hash(uint64_t key, uint64_t class, uint64_t reason)
{
	return (key * 31 + class) * 1099511628211ULL ^ reason * 0xc2b2ae3d27d4eb4fULL;
}

static int
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void
section_grow(struct stats_section *s)
{
	size_t i, slot;

	free(s->slots);
	s->nslots = s->nslots == 0 ? 256 : s->nslots * 2;
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	for (i = 0; i < s->n; i++) {
		slot = s->lines[i].hash & (s->nslots - 1);
		while (s->slots[slot] != 0)
			slot = (slot + 1) & (s->nslots - 1);
		s->slots[slot] = i + 1;
	}
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Count one event under (key, class, reason), whose line_hash is hash. */
static void
section_add(struct stats_section *s, uint64_t hash, const char *key,
    const char *class, const char *reason)
{
	struct stats_line *line;
	size_t slot;

	if (2 * (s->n + 1) > s->nslots)
		section_grow(s);
	slot = hash & (s->nslots - 1);
	for (; s->slots[slot] != 0; slot = (slot + 1) & (s->nslots - 1)) {
		line = &s->lines[s->slots[slot] - 1];
		if (line->hash == hash && same_text(line->key, key) &&
		    same_text(line->class, class) && same_text(line->reason, reason)) {
			line->count++;
			return;
		}
	}
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : 2 * s->cap;
		s->lines = xreallocarray(s->lines, s->cap, sizeof *s->lines);
	}
	line = &s->lines[s->n];
	line->key = dup_or_null(key);
	line->class = dup_or_null(class);
	line->reason = dup_or_null(reason);
	line->count = 1;
	line->hash = hash;
	s->slots[slot] = ++s->n;
}

static void
memo_free(struct stats_memo *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < SECTIONS; i++) {
		for (j = 0; j < m->sections[i].n; j++) {
			free(m->sections[i].lines[j].key);
			free(m->sections[i].lines[j].class);
			free(m->sections[i].lines[j].reason);
		}
		free(m->sections[i].lines);
		free(m->sections[i].slots);
	}
	free(m->list);
	free(m);
}

void
stats_forget(struct store *st)
{
	memo_free(st->stats);
	st->stats = NULL;
}

static int
compare_text(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

/* Largest count first, then key, class, reason: the statements' ORDER BY. */
static int
by_count(const void *x, const void *y)
{
	const struct stats_line *a = x, *b = y;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if ((c = compare_text(a->key, b->key)) != 0 ||
	    (c = compare_text(a->class, b->class)) != 0)
		return c;
	return compare_text(a->reason, b->reason);
}

static int
by_key(const void *x, const void *y)
{
	const struct stats_line *a = x, *b = y;
	int c;

	if ((c = compare_text(a->key, b->key)) != 0)
		return c;
	return compare_text(a->class, b->class);
}

/* The UTC day of the events being read, "YYYY-MM-DD", and its hash. */
struct stats_day {
	int64_t		number;
	char		text[16];
	uint64_t	hash;
};

/* One event into every grouping: each string is hashed once. */
static void
memo_add(struct stats_memo *m, const char *class, const char *reason,
    const char *domain, time_t when, struct stats_day *day)
{
	uint64_t hclass = text_hash(class), hreason = text_hash(reason);
	uint64_t hdomain = text_hash(domain), none = text_hash(NULL);
	struct tm tm;

	if ((int64_t)when / DAY != day->number || day->text[0] == '\0') {
		day->number = (int64_t)when / DAY;
		if (gmtime_r(&when, &tm) == NULL ||
		    strftime(day->text, sizeof day->text, "%Y-%m-%d", &tm) == 0)
			strcpy(day->text, "?");
		day->hash = text_hash(day->text);
	}
	section_add(&m->sections[STORE_BY_CLASS], line_hash(hclass, hclass, none), class,
	    class, NULL);
	section_add(&m->sections[STORE_BY_REASON], line_hash(reason != NULL ? hreason :
	    text_hash(""), hclass, hreason), reason != NULL ? reason : "", class, reason);
	section_add(&m->sections[STORE_BY_DOMAIN], line_hash(hdomain, hclass, none),
	    domain, class, NULL);
	section_add(&m->sections[STORE_BY_DAY], line_hash(day->hash, hclass, none),
	    day->text, class, NULL);
	if (strcmp(class, "block") == 0)
		section_add(&m->sections[STORE_BY_BLOCKED_DOMAIN], line_hash(hdomain,
		    hclass, hreason), domain, class, reason);
}

static const char stats_sql[] =
	"SELECT class, reason, domain, bounce_time FROM events"
	" WHERE bounce_time >= ?1 ORDER BY bounce_time";
/* One list's events, from its covering index events_list (schema 9). */
static const char stats_list_sql[] =
	"SELECT class, reason, domain, bounce_time FROM events"
	" WHERE list = ?2 AND bounce_time >= ?1 ORDER BY bounce_time";

static int
memo_fill(struct store *st, struct stats_memo *m, struct err *e)
{
	struct stats_day day = { INT64_MIN, "", 0 };
	struct sql_stmt *stmt;
	size_t i;
	int rc;

	if ((stmt = query_statement(st, m->list != NULL ? stats_list_sql : stats_sql,
	    e)) == NULL)
		return -1;
	sql_bind_int64(stmt, 1, m->since);
	if (m->list != NULL)
		bind_text(stmt, 2, m->list);
	while ((rc = sql_step(stmt)) == SQL_ROW)
		memo_add(m, column_text(stmt, 0), column_text(stmt, 1),
		    column_text(stmt, 2), (time_t)sql_column_int64(stmt, 3), &day);
	sql_reset(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "counting events");
	for (i = 0; i < SECTIONS; i++)
		if (m->sections[i].n > 0)	/* lines is NULL then: not for qsort */
			qsort(m->sections[i].lines, m->sections[i].n,
			    sizeof (struct stats_line), i == STORE_BY_DAY ? by_key :
			    by_count);
	return 0;
}

/*
 * The store's change counters: the memo holds while neither moves. SQLite
 * only (its data_version and change count): 0 when they are known, 1 when the
 * engine has none, so the memo must not be trusted, -1 on failure.
 */
static int
store_version(struct store *st, int64_t *data_version, int64_t *changes, struct err *e)
{
	sqlite3 *db = sql_sqlite_handle(st->sql);
	struct sql_stmt *stmt;
	int rc;

	if (db == NULL)
		return 1;
	if ((stmt = query_statement(st, "PRAGMA data_version", e)) == NULL)
		return -1;
	if ((rc = sql_step(stmt)) == SQL_ROW)
		*data_version = sql_column_int64(stmt, 0);
	sql_reset(stmt);
	if (rc != SQL_ROW)
		return store_fail(st, e, "reading the database's version");
	*changes = sqlite3_total_changes64(db);
	return 0;
}

int
store_stats(struct store *st, enum store_stats_by by, time_t since,
    int (*cb)(const struct store_stat *, void *), void *arg, struct err *e)
{
	return store_stats_list(st, by, since, NULL, cb, arg, e);
}

int
store_stats_list(struct store *st, enum store_stats_by by, time_t since,
    const char *list, int (*cb)(const struct store_stat *, void *), void *arg,
    struct err *e)
{
	const struct stats_section *section;
	struct store_stat line;
	int64_t data_version = 0, changes = 0;
	size_t i;
	int known;

	st->retry = 0;
	if ((unsigned)by >= SECTIONS)
		return err_set(e, "%s: unknown statistics", st->path);
	if ((known = store_version(st, &data_version, &changes, e)) == -1)
		return -1;
	if (st->stats == NULL || known == 1 || st->stats->since != since ||
	    !same_text(st->stats->list, list) ||
	    st->stats->data_version != data_version || st->stats->changes != changes) {
		stats_forget(st);
		st->stats = xcalloc(1, sizeof *st->stats);
		st->stats->since = since;
		st->stats->list = list != NULL ? xstrdup(list) : NULL;
		st->stats->data_version = data_version;
		st->stats->changes = changes;
		if (memo_fill(st, st->stats, e) == -1) {
			stats_forget(st);
			return -1;
		}
	}
	section = &st->stats->sections[by];
	for (i = 0; i < section->n; i++) {
		line.key = section->lines[i].key;
		line.class = section->lines[i].class;
		line.reason = section->lines[i].reason;
		line.count = section->lines[i].count;
		if (cb(&line, arg) != 0)
			return -1;
	}
	return 0;
}
