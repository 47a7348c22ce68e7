/*
 * watch.c: the daemon mode, "scan --watch"; see scan.h.
 *
 * One process, one thread: every source is scanned in turn; then the process
 * sleeps in poll() on the IDLE connections of the IMAP sources and on a pipe
 * that the signal handlers write to, until new mail arrives, a poll interval
 * comes round, or a signal asks to stop or reload. IDLE is re-issued every
 * WATCH_IDLE_SECONDS, under the 29 minutes after which servers may drop an idle
 * client (RFC 2177), and every poll_interval too (see watch_wait). Sources
 * without IDLE (POP3, Maildir, mbox) are reopened and scanned every
 * poll_interval. A source that fails (the server went away,
 * a password was refused) is retried after 1, 2, 4 ... up to 300 seconds; the
 * others go on meanwhile.
 *
 * The webhook outbox is a reason to wake as well: an event put off by a backoff,
 * or left by a process that died while sending it, comes due with no new mail,
 * and a quiet list may bring none for hours. After each delivery round the
 * daemon asks for the earliest due time of a waiting event, sleeps no longer
 * than that (nor sooner than WATCH_OUTBOX_PAUSE after the round, so that an
 * event that cannot be sent at all is not retried in a loop), and then delivers
 * (sc->after_scan) without scanning.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "scan.h"
#include "webhook.h"
#include "xalloc.h"

#define WATCH_IDLE_SECONDS	(25 * 60)
#define WATCH_BACKOFF_MAX	300
#define WATCH_OUTBOX_PAUSE	30	/* the first webhook backoff */

struct watched {
	const struct scan_target	*target;
	struct source			*source;	/* NULL while closed */
	time_t				 due;		/* scan at or after this time */
	int				 backoff;	/* seconds; 0 after a success */
	int				 fd;		/* IDLE's, or -1 */
};

static volatile sig_atomic_t watch_stop, watch_reload;
static int wake_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		watch_reload = 1;
	else
		watch_stop = 1;
	if (wake_pipe[1] != -1)
		(void)write(wake_pipe[1], "x", 1);
	errno = saved;
}

static int
signals_install(void)
{
	struct sigaction sa;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}

static void
signals_remove(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
}

static int
poll_interval(const struct watched *w)
{
	const struct source_conf *c = w->target->settings;

	return c != NULL && c->poll_interval > 0 ? c->poll_interval : 60;
}

/* Close a failed source and try again later, each time waiting longer. */
static void
retry_later(struct watched *w, time_t now)
{
	source_close(w->source);
	w->source = NULL;
	w->fd = -1;
	w->backoff = w->backoff == 0 ? 1 : w->backoff * 2;
	if (w->backoff > WATCH_BACKOFF_MAX)
		w->backoff = WATCH_BACKOFF_MAX;
	w->due = now + w->backoff;
	fprintf(stderr, "bouncescan: %s: trying again in %d s\n", w->target->label,
	    w->backoff);
}

/* Scan one source; -1 when the store failed (the daemon stops). */
static int
watch_scan(struct scan *sc, struct watched *w, time_t now)
{
	struct scan_totals totals;
	struct err e;

	if (w->source == NULL && source_open_spec(w->target->spec, w->target->settings,
	    &w->source, &e) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		retry_later(w, now);
		return 0;
	}
	scan_source(sc, w->source, w->target->label, &totals);
	if (!sc->options.quiet && (totals.messages > 0 || totals.source_failed))
		scan_summary_print(sc, w->source, w->target->label, &totals);
	/* A poll that found nothing leaves no record: one a minute would pile up. */
	if (totals.messages == 0 && totals.scan_id != 0 && !totals.store_failed &&
	    store_scan_forget(sc->store, totals.scan_id, &e) == -1)
		fprintf(stderr, "bouncescan: %s\n", e.msg);
	fflush(stdout);
	if (totals.store_failed)
		return -1;
	if (sc->after_scan != NULL)
		sc->after_scan(sc);
	if (totals.source_failed) {
		retry_later(w, now);
		return 0;
	}
	w->backoff = 0;
	w->due = now + poll_interval(w);
	if (!source_persistent(w->source)) {
		source_close(w->source);
		w->source = NULL;
	}
	return 0;
}

/* Start IDLE where offered; a source whose IDLE fails is reopened later. */
static void
idle_start(struct watched *w, time_t now)
{
	struct err e;
	int rc;

	w->fd = -1;
	if (w->source == NULL)
		return;
	if ((rc = source_idle_start(w->source, &w->fd, &e)) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		retry_later(w, now);
	} else if (rc == 1)
		w->due = now;	/* mail is already waiting */
}

static void
idle_done(struct watched *w, int woken, time_t now)
{
	struct err e;

	if (w->source == NULL || w->fd == -1)
		return;
	w->fd = -1;
	if (source_idle_done(w->source, &e) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		retry_later(w, now);
		return;
	}
	if (woken)
		w->due = now;
}

/*
 * When to deliver webhooks again without new mail, after a round that ended at
 * now: 0 for never (nothing waits, or the daemon delivers none).
 */
static time_t
outbox_wake(struct scan *sc, time_t now)
{
	time_t when;

	if (sc->after_scan == NULL ||
	    webhooks_next_due(sc->store, sc->conf, &when) == -1 || when == 0)
		return 0;
	return when > now + WATCH_OUTBOX_PAUSE ? when : now + WATCH_OUTBOX_PAUSE;
}

/* Sleep until new mail, the next due scan, the outbox's wake, or a signal. */
static void
watch_wait(struct watched *w, size_t n, time_t outbox)
{
	struct pollfd fds[n + 1];
	time_t now = time(NULL), until = now + WATCH_IDLE_SECONDS;
	char drain[64];
	size_t i;

	if (outbox != 0 && outbox < until)
		until = outbox;

	/*
	 * A source in IDLE is still due every poll_interval: some servers only
	 * look for new mail now and then and announce it late (Debian's Courier
	 * without gamin: after 60 s), or never, so IDLE alone cannot bound how
	 * long a bounce waits. The scan it brings costs one empty search.
	 */
	for (i = 0; i < n; i++) {
		idle_start(&w[i], now);
		if (w[i].due < until)
			until = w[i].due;
		fds[i].fd = w[i].fd;
		fds[i].events = POLLIN;
		fds[i].revents = 0;
	}
	fds[n].fd = wake_pipe[0];
	fds[n].events = POLLIN;
	fds[n].revents = 0;
	if (!watch_stop && !watch_reload)
		poll(fds, n + 1, until > now ? (int)(until - now) * 1000 : 0);
	while (read(wake_pipe[0], drain, sizeof drain) > 0)
		;
	now = time(NULL);
	for (i = 0; i < n; i++)
		idle_done(&w[i], fds[i].fd != -1 && fds[i].revents != 0, now);
}

/* Take every source's lock for as long as the daemon runs. */
static int
lock_all(struct lock_file *locks, const struct scan_target *t, size_t n)
{
	struct err e;
	size_t i;
	int rc;

	for (i = 0; locks != NULL && i < n; i++) {
		if ((rc = lock_source(locks, t[i].spec, &e)) == -1) {
			fprintf(stderr, "bouncescan: %s\n", e.msg);
			return -1;
		}
		if (rc == 1) {
			fprintf(stderr, "bouncescan: %s: another bouncescan is scanning"
			    " this source; stop it first\n", t[i].label);
			return -1;
		}
	}
	return 0;
}

int
watch_sources(struct scan *sc, struct lock_file *locks,
    const struct scan_target *targets, size_t count, int *reload)
{
	struct watched *w = xcalloc(count, sizeof *w);
	time_t outbox = 0;	/* deliver webhooks at this time; 0: when mail comes */
	size_t i;
	int status = 0;

	*reload = 0;
	if (lock_all(locks, targets, count) == -1 || signals_install() == -1) {
		free(w);
		return 1;
	}
	watch_stop = watch_reload = 0;
	sc->options.stop = &watch_stop;
	for (i = 0; i < count; i++) {
		w[i].target = &targets[i];
		w[i].fd = -1;
	}
	while (!watch_stop && !watch_reload && status == 0) {
		time_t now = time(NULL);
		int delivered = 0;

		for (i = 0; i < count && !watch_stop && status == 0; i++)
			if (w[i].due <= now) {
				delivered = 1;	/* watch_scan ends with after_scan */
				if (watch_scan(sc, &w[i], now) == -1)
					status = 1;
			}
		/* No mail, but the outbox has an event due: deliver it. */
		if (!delivered && outbox != 0 && outbox <= now && !watch_stop &&
		    status == 0) {
			sc->after_scan(sc);
			delivered = 1;
		}
		if (delivered)
			outbox = outbox_wake(sc, time(NULL));
		if (status == 0 && !watch_stop)
			watch_wait(w, count, outbox);
	}
	for (i = 0; i < count; i++) {
		source_close(w[i].source);
		unlock_source(locks, targets[i].spec);
	}
	free(w);
	*reload = watch_reload && !watch_stop && status == 0;
	sc->options.stop = NULL;
	signals_remove();
	return status;
}
