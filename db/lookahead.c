/*
 * lookahead.c: what a batch's ingest can know before it starts.
 *
 * A scan classifies a whole batch before it ingests it (scanner/scan.c), so
 * the hashes of its messages and the addresses of its results are known
 * when the transaction opens. On a database server the store then asks
 * about all of them at once: which messages it has already, and the rows of
 * the recipients it knows. Ingest (ingest.c) reads those answers instead of
 * asking per message, and sends its writes without waiting (sql.h), so a
 * batch costs a few round trips rather than one per message.
 *
 * What is known stays true for the transaction because writers take turns
 * (store.c, WRITE_LOCK), and ingest keeps it up as it writes: a message
 * stored becomes known, a recipient's counts move with each event. Whatever
 * it cannot keep exact (a recipient the policy rewrote, one whose new id was
 * not waited for) it forgets, and that one is looked up as before. Other
 * writes, and the end of the transaction, forget everything.
 *
 * SQLite answers each question in a function call: nothing is looked ahead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xalloc.h"

enum known {
	KNOWN_NOTHING,		/* not in the look-ahead: ask the database */
	KNOWN_ABSENT,		/* not in the database when the batch began */
	KNOWN_PRESENT		/* in the database; a recipient's row is known */
};

struct entry {
	char			*key;
	enum known		 known;
	struct recipient_row	 row;
};

/* An open-addressing table of strings: never more than half full. */
struct table {
	struct entry	*entries;
	size_t		 size;		/* a power of two */
	size_t		 used;
};

struct lookahead {
	struct table	messages;	/* by hash as stored (bind_hash) */
	struct table	recipients;	/* by address key */
};

static size_t
table_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
table_init(struct table *t, size_t expected)
{
	t->size = 16;
	while (t->size < 2 * expected + 2)
		t->size *= 2;
	t->entries = xcalloc(t->size, sizeof *t->entries);
	t->used = 0;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		free(t->entries[i].key);
	free(t->entries);
	memset(t, 0, sizeof *t);
}

/* The entry for key, added (KNOWN_NOTHING) when create; NULL if absent. */
static struct entry *
table_get(struct table *t, const char *key, int create)
{
	size_t i;

	if (t->size == 0)
		return NULL;
	for (i = table_hash(key) & (t->size - 1); t->entries[i].key != NULL;
	    i = (i + 1) & (t->size - 1))
		if (strcmp(t->entries[i].key, key) == 0)
			return &t->entries[i];
	/* Full enough: what is not in the table is simply not known. */
	if (!create || 2 * (t->used + 1) > t->size)
		return NULL;
	t->entries[i].key = xstrdup(key);
	t->entries[i].known = KNOWN_NOTHING;
	t->used++;
	return &t->entries[i];
}

/*
 * The stored form of a message hash, as bind_hash binds it on PostgreSQL; -1
 * for one too long to look ahead for (it is looked up as before).
 */
static int
hash_stored(const char *hash, char *out, size_t size)
{
	unsigned char digest[HASH_DIGEST_SIZE];

	if (!hash_digest(hash, digest))
		return snprintf(out, size, "%s", hash) < (int)size ? 0 : -1;
	if (size < HASH_HEX_SIZE)
		return -1;
	hash_hex(digest, out);
	return 0;
}

/*
 * Start asking which of the table's keys the database has (sql: one text[]
 * parameter, rows whose first column is a key). All become KNOWN_ABSENT until
 * table_read says otherwise.
 */
static struct sql_stmt *
table_send(struct store *st, struct table *t, const char *sql, struct err *e)
{
	struct sql_stmt *stmt;
	const char **keys = xreallocarray(NULL, t->used + 1, sizeof *keys);
	char *array;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < t->size; i++)
		if (t->entries[i].key != NULL) {
			t->entries[i].known = KNOWN_ABSENT;
			keys[n++] = t->entries[i].key;
		}
	array = text_array(keys, n);
	free(keys);
	if (store_prepare(st, sql, &stmt, e) == -1) {
		free(array);
		return NULL;
	}
	sql_bind_text(stmt, 1, array);
	rc = sql_send(stmt);
	free(array);	/* sent, or bound as a copy (sql-pg.c) */
	if (rc == -1) {
		sql_finalize(stmt);
		store_fail(st, e, "looking up a batch");
		return NULL;
	}
	return stmt;
}

/* Read table_send's answer (row: fills an entry from the other columns). */
static int
table_read(struct store *st, struct table *t, struct sql_stmt *stmt,
    void (*row)(struct sql_stmt *, struct entry *), struct err *e)
{
	struct entry *en;
	int rc;

	while ((rc = sql_step(stmt)) == SQL_ROW)
		if ((en = table_get(t, sql_column_text(stmt, 0), 0)) != NULL) {
			en->known = KNOWN_PRESENT;
			if (row != NULL)
				row(stmt, en);
		}
	sql_finalize(stmt);
	if (rc != SQL_DONE)
		return store_fail(st, e, "looking up a batch");
	return 0;
}

static void
recipient_columns(struct sql_stmt *stmt, struct entry *en)
{
	memset(&en->row, 0, sizeof en->row);
	en->row.id = sql_column_int64(stmt, 1);
	en->row.reset_time = (time_t)sql_column_int64(stmt, 2);
	en->row.suppressed = sql_column_int(stmt, 3);
	en->row.hard_bounces = sql_column_int(stmt, 4);
	en->row.complaints = sql_column_int(stmt, 5);
}

int
store_ingest_expect(struct store *st, const char *const *hashes, size_t nhashes,
    const char *const *addresses, size_t naddresses, struct err *e)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	char stored[STORE_ADDRESS_MAX];
	struct sql_stmt *messages, *recipients;
	struct lookahead *la;
	struct err why;
	size_t i;

	lookahead_forget(st);
	if (sql_dialect(st->sql) != SQL_POSTGRESQL)
		return 0;
	if (!st->in_transaction)
		return err_set(e, "%s: a batch is looked up inside its transaction",
		    st->path);
	la = st->lookahead = xcalloc(1, sizeof *la);
	table_init(&la->messages, nhashes);
	table_init(&la->recipients, naddresses);
	for (i = 0; i < nhashes; i++)
		if (hash_stored(hashes[i], stored, sizeof stored) == 0)
			table_get(&la->messages, stored, 1);
	for (i = 0; i < naddresses; i++)
		if (store_address_normalise(addresses[i], display, key, &why) == 0)
			table_get(&la->recipients, key, 1);
	/*
	 * Both questions in one round trip; the rows in key order, so that
	 * their locks are always taken in one order.
	 */
	if ((messages = table_send(st, &la->messages, "SELECT hash FROM messages"
	    " WHERE hash = ANY(CAST(?1 AS TEXT[]))", e)) == NULL)
		goto fail;
	if ((recipients = table_send(st, &la->recipients, "SELECT address_key, id,"
	    " reset_time, CAST(state = 'suppressed' AS INTEGER), hard_bounces,"
	    " complaints FROM recipients WHERE address_key = ANY(CAST(?1 AS TEXT[]))"
	    " ORDER BY address_key FOR UPDATE", e)) == NULL) {
		table_read(st, &la->messages, messages, NULL, NULL);
		goto fail;
	}
	if (table_read(st, &la->messages, messages, NULL, e) == -1) {
		table_read(st, &la->recipients, recipients, NULL, NULL);
		goto fail;
	}
	if (table_read(st, &la->recipients, recipients, recipient_columns, e) == -1)
		goto fail;
	return 0;
fail:
	lookahead_forget(st);
	return -1;
}

void
lookahead_forget(struct store *st)
{
	if (st->lookahead == NULL)
		return;
	table_free(&st->lookahead->messages);
	table_free(&st->lookahead->recipients);
	free(st->lookahead);
	st->lookahead = NULL;
}

/* 1: the message is new (not stored when the batch began, nor since); else 0. */
int
lookahead_message_new(struct store *st, const char *hash)
{
	char stored[STORE_ADDRESS_MAX];
	struct entry *en;

	if (st->lookahead == NULL || hash_stored(hash, stored, sizeof stored) == -1)
		return 0;
	en = table_get(&st->lookahead->messages, stored, 0);
	return en != NULL && en->known == KNOWN_ABSENT;
}

/* The message is stored now (or may be): never new again in this batch. */
void
lookahead_message_stored(struct store *st, const char *hash)
{
	char stored[STORE_ADDRESS_MAX];
	struct entry *en;

	if (st->lookahead == NULL || hash_stored(hash, stored, sizeof stored) == -1)
		return;
	if ((en = table_get(&st->lookahead->messages, stored, 0)) != NULL)
		en->known = KNOWN_PRESENT;
}

/*
 * What is known of a recipient: 1 with *r its row (r->id 0: a new one), or 0
 * when it must be looked up.
 */
int
lookahead_recipient(struct store *st, const char *key, struct recipient_row *r)
{
	struct entry *en;

	if (st->lookahead == NULL ||
	    (en = table_get(&st->lookahead->recipients, key, 0)) == NULL)
		return 0;
	switch (en->known) {
	case KNOWN_ABSENT:
		memset(r, 0, sizeof *r);
		return 1;
	case KNOWN_PRESENT:
		*r = en->row;
		return 1;
	default:
		return 0;
	}
}

/*
 * The recipient as an event left it (r after recipient_judge and its write),
 * or NULL: not known any more (a new one whose id nothing waited for, one the
 * policy rewrote).
 */
void
lookahead_recipient_set(struct store *st, const char *key,
    const struct recipient_row *r)
{
	struct entry *en;

	if (st->lookahead == NULL ||
	    (en = table_get(&st->lookahead->recipients, key, 0)) == NULL)
		return;
	if (r == NULL || r->id == 0) {
		en->known = KNOWN_NOTHING;
		return;
	}
	en->known = KNOWN_PRESENT;
	en->row = *r;
	en->row.suppressed = r->suppressed || r->reached;
}
