/*
 * scan.h: the scan loop. Messages from one source are classified, stored in
 * batches (one transaction per batch), and only after the commit disposed of at
 * the source. The one place that sees source.h, classifier.h and db.h together.
 *
 * What the loop promises: a message is moved (or flagged, or deleted) only when
 * what was learnt from it is committed; a message that could not be read is left
 * where it is; on a store error the open batch is rolled back, its messages stay
 * in place, and the scan stops. Running it again over the same mail changes
 * nothing, because the store knows each message by the SHA-256 of its bytes.
 */
#ifndef BOUNCESCAN_SCAN_H
#define BOUNCESCAN_SCAN_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "classifier.h"
#include "db.h"
#include "progress.h"
#include "source.h"

/*
 * Messages stored in one transaction, at most, and the longest a batch collects
 * messages before it is stored. Every commit writes each page the batch touched
 * in the store's random-key indexes (message hashes, addresses) once, so large
 * batches cost far less per message (tests/bench_store; a 100,000-message
 * Maildir scanned 20% faster at 10000 than at 500). The time limit bounds what a
 * slow source leaves undisposed and what an interrupted scan has to do again.
 * The write transaction itself is open only while a batch is ingested, after
 * all of it was classified (scan.c).
 */
#define SCAN_BATCH		10000
#define SCAN_BATCH_SECONDS	2
/* A batch is also due at this many results: its reports wait in memory. */
#define SCAN_BATCH_RESULTS	20000

struct scan_options {
	int	dry_run;	/* classify and print; store nothing, move nothing */
	int	quiet;		/* no progress, no summary: only errors */
	int	verbose;	/* a line per message: what it said, where it went */
	int	progress;	/* enum progress_mode: on stderr, unless quiet */
	size_t	batch;		/* messages per transaction; 0 means SCAN_BATCH */
	int	watch;		/* scan --watch: see watch_sources() */
	/* When *stop becomes non-zero (SIGTERM), the batch is finished and the scan ends. */
	volatile sig_atomic_t	*stop;
};

/*
 * What one source's scan did. Every message read lands in exactly one of
 * bounces, unidentified, not_bounces, unreadable, already and skipped. Counts cover committed
 * batches only (or, in a dry run, everything classified).
 */
struct scan_totals {
	size_t	messages;	/* taken from the source, skipped ones included */
	size_t	bounces;	/* with a result worth keeping: to "processed" */
	size_t	unidentified;	/* a bounce naming no usable address: "unrecognized" */
	size_t	not_bounces;	/* class none: to "unrecognized" */
	size_t	unreadable;	/* not a message at all: to "unrecognized" */
	size_t	already;	/* stored by an earlier scan */
	size_t	skipped;	/* could not be taken: left in place */
	size_t	results[8];	/* results of new messages, by enum bounce_class */
	size_t	no_recipient;	/* results the store refused: no usable address */
	size_t	suppressed;	/* addresses newly suppressed */
	size_t	disposed;	/* moved, flagged or deleted at the source */
	size_t	dispose_failed;	/* committed, but could not be moved: still there */
	int64_t	incidents;	/* sender-side incidents the scan recorded */
	int64_t	scan_id;	/* the store's id of this scan, or 0 */
	time_t	started;
	int	source_failed;	/* the source stopped with an error */
	int	store_failed;	/* a store error stopped the scan */
};

struct conf;

/* What a source's memory (source.h) works on: the store's source_progress. */
struct scan_memory {
	struct store	*store;		/* NULL: remember nothing (dry run) */
	const char	*source;	/* the source's spec: its key in the store */
};

struct scan {
	const struct classifier	*classifier;
	struct store		*store;	/* NULL: dry run without a database */
	struct scan_options	 options;
	/* Reused from message to message, so memory stays flat. */
	struct store_event	*events;
	size_t			 events_cap;
	struct scan_memory	 memory;
	const struct conf	*conf;		/* for after_scan; may be NULL */
	/* Called by watch_sources() after each scan of a source; may be NULL. */
	void			(*after_scan)(void *scan);
};

/*
 * Scan one open source to its end (or to the first store error). name is how
 * the user knows the source ("bounces" or the spec). Errors about single
 * messages go to stderr as they happen; t says what happened. Returns 0, or -1
 * when a store error stopped the scan (then t->store_failed is set and
 * store_retry() says whether waiting would help).
 */
int	scan_source(struct scan *sc, struct source *s, const char *name,
	    struct scan_totals *t);

/* A source to scan, as the user named it (cmd-scan.c, watch.c). */
struct scan_target {
	char				*label;		/* for messages */
	const char			*spec;		/* borrowed from argv or conf */
	const struct source_conf	*settings;	/* NULL: the defaults */
};

/* Release what sc holds (not the classifier or the store). */
void	scan_free(struct scan *sc);

/*
 * watch.c: "scan --watch". Scan every target, then wait for new mail (IMAP
 * IDLE, else every poll_interval) and scan again, until SIGTERM or SIGINT
 * (the running batch is finished first). Dropped connections are reopened
 * with a growing pause. Returns the exit status; *reload is set when SIGHUP
 * asked for the configuration to be read again (the caller does, and calls
 * again).
 */
struct lock_file;
int	watch_sources(struct scan *sc, struct lock_file *locks,
	    const struct scan_target *targets, size_t count, int *reload);

/* scan-summary.c: the report for people at the end of a source's scan. */
void	scan_summary_print(const struct scan *sc, const struct source *s,
	    const char *name, const struct scan_totals *t);
/* What a disposal does at this source, in words: "moved to .Processed". */
const char *scan_disposal_words(const struct source *s, enum disposal d);

#endif
