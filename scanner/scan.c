/*
 * scan.c: the scan loop; see scan.h.
 *
 * For each message: hash its bytes, classify it, and keep its report and name
 * (not its bytes) in the batch. When the batch is due, open the store's write
 * transaction, turn every report into store events and ingest them, commit, and
 * only then dispose of the messages. Classifying outside the transaction matters:
 * SQLite has one writer at a time, and `suppress`, `unsuppress` or an MTA pipe
 * must wait for one batch's ingest at most, never for a scan's parsing (a hostile
 * message that took 40 s to classify held them all up until they gave up, issue
 * 11). A read-only source (mbox, a file, stdin) cannot move what it has done, so
 * there a message the store already knows is recognised by its hash and skipped
 * before classifying.
 *
 * Not here: choosing sources and the exit status (cmd-scan.c), the summary
 * (scan-summary.c), progress output (progress.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "progress.h"
#include "scan.h"
#include "xalloc.h"

/* A message waiting for its batch's ingest and commit; its bytes are dropped. */
struct pending {
	struct message	message;
	enum disposal	disposal;
	struct report	report;		/* what classify() said; freed at the ingest */
	char		hash[65];
	int		classified;	/* classify() could read it */
};

struct batch {
	struct pending		*items;
	size_t			 count;
	size_t			 cap;
	size_t			 results;	/* in the reports of items */
	struct scan_totals	 counts;	/* added to the totals at the commit */
	int			 open;		/* a transaction is open */
	struct timespec		 started;	/* first message, CLOCK_MONOTONIC_COARSE */
	int64_t			 scan_id;
};

static int batch_ingest(struct scan *, const struct source *, const char *,
    struct batch *);

/* The store's name for a message: SHA-256 of its raw bytes, in hex. */
static int
message_hash(const struct message *m, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char digest[32];
	size_t i;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, m->data, m->length, digest) < 0)
		return -1;
	for (i = 0; i < sizeof digest; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* Sources whose dispose does nothing: what they hold stays there for good. */
static int
source_read_only(const struct source *s)
{
	return s->ops->read_only;
}

static void
totals_add(struct scan_totals *t, const struct scan_totals *b)
{
	size_t i;

	t->bounces += b->bounces;
	t->unidentified += b->unidentified;
	t->not_bounces += b->not_bounces;
	t->unreadable += b->unreadable;
	t->already += b->already;
	for (i = 0; i < sizeof t->results / sizeof t->results[0]; i++)
		t->results[i] += b->results[i];
	t->no_recipient += b->no_recipient;
	t->suppressed += b->suppressed;
}

/* The source's memory lives in the store, under the source's spec. */
static int
memory_get(void *context, const char *key, char **value, struct err *e)
{
	struct scan_memory *mc = context;

	*value = NULL;
	if (mc->store == NULL)
		return 0;
	return store_progress_get(mc->store, mc->source, key, value, e) == -1 ? -1 : 0;
}

static int
memory_set(void *context, const char *key, const char *value, struct err *e)
{
	struct scan_memory *mc = context;

	if (mc->store == NULL)
		return 0;
	if (value == NULL)
		return store_progress_delete(mc->store, mc->source, key, e);
	return store_progress_set(mc->store, mc->source, key, value, e);
}

static int
memory_forget(void *context, const char *prefix, struct err *e)
{
	struct scan_memory *mc = context;

	if (mc->store == NULL)
		return 0;
	return store_progress_forget(mc->store, mc->source, prefix, e);
}

static int
memory_each(void *context, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg,
    struct err *e)
{
	struct scan_memory *mc = context;

	if (mc->store == NULL)
		return 0;
	return store_progress_each(mc->store, mc->source, prefix, fn, arg, e);
}

static void
scan_memory(struct scan *sc, const struct source *s, struct source_memory *m)
{
	sc->memory.store = sc->options.dry_run ? NULL : sc->store;
	sc->memory.source = s->spec;
	m->context = &sc->memory;
	m->get = memory_get;
	m->set = memory_set;
	m->each = memory_each;
	m->forget = memory_forget;
}

/* Fill sc->events from r; returns how many. Results of class none are left out. */
static size_t
events_from_report(struct scan *sc, const struct report *r)
{
	size_t i, n = 0;

	if (r->nresults > sc->events_cap) {
		sc->events_cap = r->nresults;
		sc->events = xreallocarray(sc->events, sc->events_cap, sizeof *sc->events);
	}
	for (i = 0; i < r->nresults; i++) {
		const struct result *res = &r->results[i];
		struct store_event *ev = &sc->events[n];

		if (res->class == CLASS_NONE)
			continue;
		memset(ev, 0, sizeof *ev);
		ev->recipient = res->recipient;
		ev->class = class_name(res->class);
		ev->reason = res->reason;
		ev->status = res->status[0] != '\0' ? res->status : NULL;
		ev->smtp_code = res->smtp_code;
		ev->diagnostic = res->diagnostic;
		ev->remote_mta = res->remote_mta;
		ev->rule = res->rule;
		n++;
	}
	return n;
}

/* Processed when some result names a recipient; otherwise a person should look. */
static enum disposal
report_disposal(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (r->results[i].class != CLASS_NONE && r->results[i].recipient != NULL)
			return DISPOSE_PROCESSED;
	return DISPOSE_UNRECOGNIZED;
}

/* Which count a classified, not yet stored message falls under. */
static void
count_message(struct scan_totals *c, const struct report *r, int classified,
    enum disposal d)
{
	size_t i;

	if (!classified)
		c->unreadable++;
	else if (d == DISPOSE_PROCESSED)
		c->bounces++;
	else if (r->nresults > 0)
		c->unidentified++;
	else
		c->not_bounces++;
	for (i = 0; classified && i < r->nresults; i++)
		c->results[r->results[i].class]++;
}

/* The store's transaction for the batch, opened with its first message. */
static int
batch_open(struct scan *sc, struct batch *b, const char *name)
{
	struct err e;

	if (b->open || sc->store == NULL)
		return 0;
	if (store_begin(sc->store, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
		return -1;
	}
	b->open = 1;
	return 0;
}

/*
 * Time to ingest and commit: the batch is full (in messages, or in results, which
 * bound the memory its reports hold), or its first message was read
 * SCAN_BATCH_SECONDS ago.
 */
static int
batch_due(const struct batch *b, size_t batch)
{
	struct timespec now;

	if (b->count >= batch || b->results >= SCAN_BATCH_RESULTS)
		return 1;
	if (b->count == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return now.tv_sec - b->started.tv_sec >= SCAN_BATCH_SECONDS;
}

/* Queue m (its bytes dropped) with its report, which the batch now owns. */
static struct pending *
batch_add(struct batch *b, struct message *m, enum disposal d, struct report *r)
{
	struct pending *p;

	if (b->count == b->cap) {
		b->cap = b->cap == 0 ? 64 : b->cap * 2;
		b->items = xreallocarray(b->items, b->cap, sizeof *b->items);
	}
	if (b->count == 0)
		clock_gettime(CLOCK_MONOTONIC_COARSE, &b->started);
	message_drop_data(m);
	p = &b->items[b->count++];
	memset(p, 0, sizeof *p);
	p->message = *m;
	p->disposal = d;
	if (r != NULL) {
		p->report = *r;
		b->results += r->nresults;
		memset(r, 0, sizeof *r);
	}
	memset(m, 0, sizeof *m);
	return p;
}

/* Forget the batch: nothing of it was committed, so nothing of it is disposed. */
static void
batch_abort(struct scan *sc, struct batch *b)
{
	size_t i;

	if (b->open)
		store_rollback(sc->store);
	b->open = 0;
	for (i = 0; i < b->count; i++) {
		message_free(&b->items[i].message);
		report_free(&b->items[i].report);
	}
	b->count = 0;
	b->results = 0;
	memset(&b->counts, 0, sizeof b->counts);
}

static void
dispose_one(struct source *s, const char *name, struct pending *p,
    struct scan_totals *t)
{
	struct err e;

	if (p->disposal == DISPOSE_KEEP || source_read_only(s))
		return;
	if (source_dispose(s, &p->message, p->disposal, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: %s: stored, but could not be %s: %s"
		    " (left in place; the next scan will try again)\n", name,
		    p->message.location, scan_disposal_words(s, p->disposal), e.msg);
		t->dispose_failed++;
		return;
	}
	t->disposed++;
}

/*
 * Record in the open transaction how far the source got: what the last flush
 * disposed of. Riding on the next batch's commit saves a commit (an fsync) per
 * batch; the last flush of a scan gets a transaction of its own.
 */
static int
checkpoint(struct scan *sc, struct source *s, struct err *e)
{
	struct source_memory memory;

	scan_memory(sc, s, &memory);
	return source_checkpoint(s, &memory, e);
}

static void
checkpoint_failed(const char *name, const struct err *e)
{
	fprintf(stderr, "bouncescan: %s: %s (the next scan reads some messages"
	    " again and recognises them)\n", name, e->msg);
}

/*
 * The source's batched disposals (one IMAP MOVE, or a thread of Maildir
 * renames, for the batch): start them, and report those of the flush before
 * that failed. The last time round, a second flush waits for what the first
 * began.
 */
static void
flush_disposals(struct source *s, const char *name, struct scan_totals *t,
    int last)
{
	size_t failed;
	struct err e;
	int round;

	for (round = 0; round < 1 + last; round++) {
		if (source_flush(s, &failed, &e) == 0)
			continue;
		fprintf(stderr, "bouncescan: %s: %zu %s stored, but not disposed of as"
		    " configured: %s (left in place; the next scan will try again)\n",
		    name, failed, failed == 1 ? "message" : "messages", e.msg);
		t->disposed -= failed < t->disposed ? failed : t->disposed;
		t->dispose_failed += failed;
	}
}

/* Flush, and at the end of a pass record how far the source got. */
static void
finish_disposals(struct scan *sc, struct source *s, const char *name,
    struct scan_totals *t, int last)
{
	struct err e;

	flush_disposals(s, name, t, last);
	if (sc->store == NULL || !last)
		return;
	if (store_begin(sc->store, &e) == -1 || checkpoint(sc, s, &e) == -1 ||
	    store_commit(sc->store, &e) == -1) {
		store_rollback(sc->store);
		checkpoint_failed(name, &e);
	}
}

/* Ingest and commit the batch, then (and only then) dispose of its messages. */
static int
batch_commit(struct scan *sc, struct source *s, const char *name, struct batch *b,
    struct scan_totals *t, int last)
{
	struct err e;
	size_t i;

	if (!sc->options.dry_run && batch_ingest(sc, s, name, b) == -1) {
		batch_abort(sc, b);
		return -1;
	}
	if (b->open && !sc->options.dry_run && checkpoint(sc, s, &e) == -1) {
		checkpoint_failed(name, &e);
		batch_abort(sc, b);
		return -1;
	}
	if (b->open && store_commit(sc->store, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
		b->open = 0;	/* store_commit rolled back */
		batch_abort(sc, b);
		return -1;
	}
	b->open = 0;
	totals_add(t, &b->counts);
	memset(&b->counts, 0, sizeof b->counts);
	for (i = 0; i < b->count; i++) {
		if (!sc->options.dry_run)
			dispose_one(s, name, &b->items[i], t);
		message_free(&b->items[i].message);
	}
	b->count = 0;
	if (!sc->options.dry_run)
		finish_disposals(sc, s, name, t, last);
	return 0;
}

/*
 * One line per message for --dry-run (what a real scan would do with it) and
 * for --verbose (what it did).
 */
static void
message_print(const struct source *s, const struct message *m, const struct report *r,
    int classified, int already, enum disposal d, int dry_run)
{
	const char *would = dry_run ? "would be " : "";
	size_t i, shown = 0;

	if (already) {
		printf("%s: already stored; %s\n", m->location, source_read_only(s) ||
		    dry_run ? "nothing to do" : scan_disposal_words(s, d));
		return;
	}
	printf("%s: ", m->location);
	if (source_read_only(s))
		printf("%sstored", would);
	else
		printf("%s%s", would, scan_disposal_words(s, d));
	if (!classified)
		printf(": not a readable message (%s)", r->error);
	else if (r->nresults == 0)
		printf(": not a bounce");
	for (i = 0; classified && i < r->nresults && shown < 5; i++, shown++)
		printf("%s %s %s (%s)", i == 0 ? ":" : ",", class_name(r->results[i].class),
		    r->results[i].recipient != NULL ? r->results[i].recipient : "no address",
		    r->results[i].reason != NULL ? r->results[i].reason : "-");
	if (classified && r->nresults > shown)
		printf(", and %zu more", r->nresults - shown);
	putchar('\n');
}

/*
 * Tell the store the batch's messages and recipients before they are ingested,
 * so that a database server is asked about all of them at once.
 */
static int
batch_expect(struct scan *sc, const char *name, struct batch *b)
{
	const char **hashes, **addresses;
	size_t i, j, naddresses = 0;
	struct err e;
	int rc;

	if (b->count == 0)
		return 0;
	if (batch_open(sc, b, name) == -1)
		return -1;
	hashes = xreallocarray(NULL, b->count, sizeof *hashes);
	addresses = xreallocarray(NULL, b->results + 1, sizeof *addresses);
	for (i = 0; i < b->count; i++) {
		const struct report *r = &b->items[i].report;

		hashes[i] = b->items[i].hash;
		for (j = 0; j < r->nresults && naddresses < b->results; j++)
			if (r->results[j].class != CLASS_NONE &&
			    r->results[j].recipient != NULL)
				addresses[naddresses++] = r->results[j].recipient;
	}
	rc = store_ingest_expect(sc->store, hashes, b->count, addresses, naddresses,
	    &e);
	free(hashes);
	free(addresses);
	if (rc == -1)
		fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
	return rc;
}

/* Record the message inside the batch; may turn d into "unrecognized". */
static int
ingest(struct scan *sc, const char *name, const struct source *s,
    const struct message *m, const char *hash, const struct report *r,
    struct batch *b, enum disposal *d, int *already)
{
	struct store_message sm = { hash, r->date, s->spec, m->origin, 0, r->list };
	struct store_ingest out;
	struct err e;
	size_t n = events_from_report(sc, r);

	sm.scan_id = b->scan_id;
	if (batch_open(sc, b, name) == -1)
		return -1;
	if (store_ingest_message(sc->store, &sm, sc->events, n, &out, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: %s: %s\n", name, m->location, e.msg);
		return -1;
	}
	*already = out.duplicate;
	if (!out.duplicate && out.events == 0)
		*d = DISPOSE_UNRECOGNIZED;
	b->counts.no_recipient += out.rejected;
	b->counts.suppressed += out.suppressed;
	return 0;
}

/* A read-only source's message that an earlier scan stored: skip it cheaply. */
static int
known_before(struct scan *sc, const struct source *s, const char *name,
    const char *hash, int *known)
{
	struct err e;

	*known = 0;
	if (sc->store == NULL || !source_read_only(s))
		return 0;
	if ((*known = store_message_seen(sc->store, hash, &e)) == -1) {
		fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
		return -1;
	}
	return 0;
}

/*
 * Classify one message and queue it, with its report, for the batch's ingest and
 * then its disposal. No transaction is open here: classifying takes no lock. A
 * dry run prints and counts it at once, since nothing is stored.
 */
static int
scan_message(struct scan *sc, struct source *s, const char *name, struct message *m,
    struct batch *b)
{
	struct pending *p;
	struct report r;
	char hash[65];
	enum disposal d;
	int classified, already = 0;

	if (message_hash(m, hash) == -1) {
		fprintf(stderr, "bouncescan: %s: %s: cannot compute SHA-256\n", name,
		    m->location);
		message_free(m);
		return -1;
	}
	if (known_before(sc, s, name, hash, &already) == -1) {
		message_free(m);
		return -1;
	}
	memset(&r, 0, sizeof r);
	if (already && !sc->options.dry_run) {
		b->counts.already++;
		message_free(m);
		return 0;
	}
	classified = !already && classify(sc->classifier, m->data, m->length, &r) != -1;
	d = classified ? report_disposal(&r) : DISPOSE_UNRECOGNIZED;
	if (sc->options.dry_run) {
		message_print(s, m, &r, classified, already, d, 1);
		if (already)
			b->counts.already++;
		else
			count_message(&b->counts, &r, classified, d);
		report_free(&r);
		batch_add(b, m, d, NULL);
		return 0;
	}
	if (!classified)
		fprintf(stderr, "bouncescan: %s: %s: not a readable message: %s\n",
		    name, m->location, r.error);
	p = batch_add(b, m, d, &r);
	memcpy(p->hash, hash, sizeof p->hash);
	p->classified = classified;
	return 0;
}

/*
 * Open the batch's transaction and store every queued message's report; count
 * them, and print them for --verbose. The reports are freed as they go in.
 */
static int
batch_ingest(struct scan *sc, const struct source *s, const char *name,
    struct batch *b)
{
	struct pending *p;
	size_t i;
	int already;

	if (batch_expect(sc, name, b) == -1)
		return -1;
	for (i = 0; i < b->count; i++) {
		p = &b->items[i];
		already = 0;
		if (ingest(sc, name, s, &p->message, p->hash, &p->report, b,
		    &p->disposal, &already) == -1)
			return -1;
		if (sc->options.verbose)
			message_print(s, &p->message, &p->report, p->classified, already,
			    p->disposal, 0);
		if (already)
			b->counts.already++;
		else
			count_message(&b->counts, &p->report, p->classified, p->disposal);
		b->results -= p->report.nresults;
		report_free(&p->report);
	}
	return 0;
}

/* A message the source could not hand out: it stays where it is. */
static void
report_skipped(const char *name, const struct message *m, const struct err *e,
    struct scan_totals *t)
{
	fprintf(stderr, "bouncescan: %s: %s: skipped, left in place: %s\n", name,
	    m->location != NULL ? m->location : "a message", e->msg);
	t->skipped++;
}

/* Read, store and dispose of every message; -1 on a store error. */
static int
scan_loop(struct scan *sc, struct source *s, const char *name, struct batch *b,
    struct scan_totals *t)
{
	struct progress progress;
	struct message m;
	struct err e;
	size_t batch = s->conf.batch != 0 ? s->conf.batch :
	    sc->options.batch != 0 ? sc->options.batch : SCAN_BATCH;
	int rc, status = 0;

	progress_start(&progress, name, sc->options.progress);
	progress_total(&progress, s->expected);
	memset(&m, 0, sizeof m);
	while ((rc = source_next(s, &m, &e)) != SOURCE_DONE) {
		if (rc == SOURCE_ERROR) {
			fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
			t->source_failed = 1;
			break;
		}
		t->messages++;
		if (rc == SOURCE_SKIPPED)
			report_skipped(name, &m, &e, t);
		if (rc == SOURCE_SKIPPED)
			message_free(&m);
		else if (scan_message(sc, s, name, &m, b) == -1 ||
		    (batch_due(b, batch) && batch_commit(sc, s, name, b, t, 0) == -1)) {
			status = -1;
			break;
		}
		progress_update(&progress, t->messages);
		if (sc->options.stop != NULL && *sc->options.stop)
			break;
	}
	message_free(&m);
	if (status == 0 && batch_commit(sc, s, name, b, t, 1) == -1)
		status = -1;
	/* Stopped by a store error: what earlier batches began is still reported. */
	if (status == -1 && !sc->options.dry_run)
		flush_disposals(s, name, t, 1);
	progress_done(&progress);
	return status;
}

/* The store's record of the scan: begun before the first message, finished after. */
static int
scan_record(struct scan *sc, const struct source *s, const char *name, int begin,
    struct scan_totals *t)
{
	struct store_scan_summary summary;
	struct err e;
	int rc;

	if (sc->store == NULL || sc->options.dry_run)
		return 0;
	if (begin)
		rc = store_scan_begin(sc->store, s->spec, &t->scan_id, &e);
	else
		rc = store_scan_finish(sc->store, t->scan_id, &summary, &e);
	if (rc == -1) {
		fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
		return -1;
	}
	if (!begin)
		t->incidents = summary.incidents;
	return 0;
}

/* Tell the source where the last pass ended. A failure here is the source's. */
static int
pass_begin(struct scan *sc, struct source *s, const char *name, struct scan_totals *t)
{
	struct source_memory memory;
	struct err e;

	scan_memory(sc, s, &memory);
	sc->memory.store = sc->store;	/* a dry run reads where it would start */
	if (source_begin(s, &memory, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: %s\n", name, e.msg);
		t->source_failed = 1;
		return 1;
	}
	return 0;
}

int
scan_source(struct scan *sc, struct source *s, const char *name,
    struct scan_totals *t)
{
	struct batch b;
	int rc;

	memset(t, 0, sizeof *t);
	memset(&b, 0, sizeof b);
	t->started = sc->store != NULL ? store_now(sc->store) : time(NULL);
	if (scan_record(sc, s, name, 1, t) == -1) {
		t->store_failed = 1;
		return -1;
	}
	b.scan_id = t->scan_id;
	rc = pass_begin(sc, s, name, t) == 0 ? scan_loop(sc, s, name, &b, t) : 0;
	if (rc == -1) {
		batch_abort(sc, &b);
		t->store_failed = 1;
	} else if (scan_record(sc, s, name, 0, t) == -1) {
		t->store_failed = 1;
		rc = -1;
	}
	free(b.items);
	return rc;
}

void
scan_free(struct scan *sc)
{
	free(sc->events);
	sc->events = NULL;
	sc->events_cap = 0;
}
