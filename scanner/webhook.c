/*
 * webhook.c: delivering the webhook outbox (db/outbox.c). See webhook.h.
 *
 * Rows are taken a batch at a time and leased, so that a cron run of "webhooks
 * --deliver" and a scan delivering at the same moment do not both send them.
 * A 2xx answer marks a row delivered. A 429, 502, 503 or 504 is tried again at
 * once, twice, a second apart, so that a flaky endpoint does not delay an event
 * to the next run. Any other failure counts an attempt, keeps the error, and
 * puts the row off by a backoff (30 s, doubling, at most an hour); the rest of
 * that webhook's rows wait with it, since an endpoint that just failed will
 * most likely fail them too. Nothing is ever dropped: a row waits until it is
 * delivered (or "bouncescan webhooks" shows it stuck).
 *
 * Each run first hands back the rows leased by a process that died in the
 * middle of a batch (kill -9, a crash; webhook-owner.c tells), so they go now
 * rather than when the lease runs out. The one being sent when it died may
 * reach the endpoint twice, with the same delivery id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "webhook.h"
#include "xalloc.h"

#define BATCH		20
#define RETRIES		2	/* more tries within a run, for a busy endpoint */
#define RETRY_PAUSE	1	/* seconds between them */
#define BACKOFF_FIRST	30
#define BACKOFF_MAX	3600
#define PURGE_AFTER	(30 * 86400)	/* delivered rows kept this long */

int
webhooks_attach(struct store *st, const struct conf *conf, struct err *e)
{
	struct store_webhook list[CONF_MAX_WEBHOOKS];
	size_t i;

	if (conf_webhooks_check(conf, e) == -1)
		return -1;
	for (i = 0; i < conf->webhooks.count; i++) {
		list[i].name = conf->webhooks.list[i].name;
		list[i].events = conf->webhooks.list[i].events;
	}
	return store_set_webhooks(st, list, conf->webhooks.count, e);
}

int
webhooks_setup(struct store *st, const struct conf *conf)
{
	struct err e;

	if (st == NULL || conf->webhooks.count == 0)
		return 0;
	if (webhooks_attach(st, conf, &e) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* The wait before the next try after the attempts-th failure. */
static time_t
backoff(int attempts)
{
	time_t wait = BACKOFF_FIRST;

	while (--attempts > 0 && wait < BACKOFF_MAX)
		wait *= 2;
	return wait < BACKOFF_MAX ? wait : BACKOFF_MAX;
}

static int
busy(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

/* 0 when the endpoint took body (2xx), else -1 with e saying what it answered. */
static int
attempt(struct webhook_endpoint *ep, const struct store_outbox_row *r,
    const char *body, struct err *e)
{
	long status;
	int tries;

	for (tries = 0; tries <= RETRIES; tries++) {
		if (tries > 0)
			sleep(RETRY_PAUSE);
		if (webhook_post(ep, r->kind, r->id, body, &status, e) == -1)
			return -1;
		if (status >= 200 && status <= 299)
			return 0;
		if (!busy(status))
			break;
	}
	return err_set(e, "HTTP status %ld%s", status, status >= 300 && status <= 399 ?
	    " (redirects are not followed)" : "");
}

/* One delivery run for one webhook. */
struct run {
	struct store			*store;
	const struct conf_webhook	*webhook;
	struct webhook_endpoint		*endpoint;
	int64_t				 owner;		/* of the leases taken */
	struct webhook_totals		 totals;
	time_t				 stopped;	/* a row failed: retry time */
	char				 error[512];	/* its error */
};

/* 0 sent, skipped or put off; -1 when the database failed (e). */
static int
deliver_row(struct run *run, const struct store_outbox_row *r, struct err *e)
{
	const char *skip;
	struct err why;
	char *body;
	int rc;

	if (run->stopped != 0) {
		run->totals.waiting++;
		return store_outbox_defer(run->store, r->id, run->stopped, e);
	}
	if ((body = webhook_body(run->webhook, r, &skip, &why)) == NULL) {
		if (skip != NULL) {
			run->totals.skipped++;
			return store_outbox_delivered(run->store, r->id, skip, e);
		}
		run->totals.failed++;
		return store_outbox_failed(run->store, r->id, why.msg,
		    store_now(run->store) + BACKOFF_MAX, e);
	}
	rc = attempt(run->endpoint, r, body, &why);
	free(body);
	if (rc == 0) {
		run->totals.delivered++;
		return store_outbox_delivered(run->store, r->id, NULL, e);
	}
	run->totals.failed++;
	run->stopped = store_now(run->store) + backoff(r->attempts + 1);
	snprintf(run->error, sizeof run->error, "%s", why.msg);
	return store_outbox_failed(run->store, r->id, why.msg, run->stopped, e);
}

/* Every due row of run's webhook, a leased batch at a time. */
static int
deliver_all(struct run *run, int force, struct err *e)
{
	const struct conf_webhook *w = run->webhook;
	/* Long enough for a whole batch of slow, retried attempts. */
	int lease = BATCH * (w->timeout + RETRY_PAUSE) * (RETRIES + 1) + 60;
	struct store_outbox_row *rows;
	int64_t after = 0;
	size_t n, i;
	int rc = 0;

	do {
		if (store_outbox_take(run->store, w->name, after, BATCH, lease,
		    run->owner, force, &rows, &n, e) == -1)
			return -1;
		for (i = 0; i < n && rc == 0; i++) {
			rc = deliver_row(run, &rows[i], e);
			after = rows[i].id;
		}
		store_outbox_rows_free(rows, n);
	} while (rc == 0 && n == BATCH && run->stopped == 0);
	return rc;
}

static void
report(const struct run *run, int verbose)
{
	const struct webhook_totals *t = &run->totals;

	if (run->stopped != 0)
		fprintf(stderr, "bouncescan: webhook %s: %s: %s; %zu event(s) kept for"
		    " the next run\n", run->webhook->name, run->webhook->url, run->error,
		    t->failed + t->waiting);
	if (verbose)
		printf("%s: %zu delivered, %zu not for this format, %zu failed, %zu"
		    " waiting\n", run->webhook->name, t->delivered, t->skipped, t->failed,
		    t->waiting);
}

/* One webhook: 0 all sent, 1 something failed, -1 the database failed. */
static int
deliver_webhook(struct store *st, const struct conf_webhook *w, int64_t owner,
    int force, int verbose)
{
	struct run run;
	struct err e;
	int rc;

	memset(&run, 0, sizeof run);
	run.store = st;
	run.webhook = w;
	run.owner = owner;
	if ((run.endpoint = webhook_endpoint_new(w, &e)) == NULL) {
		fprintf(stderr, "bouncescan: webhook %s: %s; nothing was sent\n", w->name,
		    e.msg);
		return 1;
	}
	rc = deliver_all(&run, force, &e);
	webhook_endpoint_free(run.endpoint);
	if (rc == -1) {
		fprintf(stderr, "bouncescan: webhook %s: %s\n", w->name, e.msg);
		return -1;
	}
	report(&run, verbose);
	return run.totals.failed > 0 || run.totals.waiting > 0;
}

/*
 * This process's owner token, after handing back what dead owners leased: 0
 * when the store failed (e). *owner 0 (leases without an owner: they run out
 * as before) when there is no lock file to hold.
 */
static int
reclaim(struct store *st, int64_t *owner, struct err *e)
{
	size_t released;

	if (webhook_owner(st, owner, e) == -1) {
		fprintf(stderr, "bouncescan: webhooks: %s\n", e->msg);
		*owner = 0;
		return 0;
	}
	if (store_outbox_reclaim(st, webhook_owner_alive, st, &released, e) == -1)
		return -1;
	if (released > 0)
		fprintf(stderr, "bouncescan: webhooks: %zu event(s) taken by a process"
		    " that stopped are due again\n", released);
	return 0;
}

int
webhooks_deliver(struct store *st, const struct conf *conf, int force, int verbose)
{
	size_t i, purged;
	int64_t owner;
	struct err e;
	int rc, status = 0;

	if (conf->webhooks.count == 0)
		return 0;
	if (reclaim(st, &owner, &e) == -1) {
		fprintf(stderr, "bouncescan: webhooks: %s\n", e.msg);
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bouncescan: webhooks: cannot set up libcurl\n");
		return 1;
	}
	for (i = 0; i < conf->webhooks.count && status != -1; i++)
		if ((rc = deliver_webhook(st, &conf->webhooks.list[i], owner, force,
		    verbose)) != 0)
			status = rc;
	curl_global_cleanup();
	if (status != -1 && store_outbox_purge(st, store_now(st) - PURGE_AFTER, &purged,
	    &e) == -1) {
		fprintf(stderr, "bouncescan: webhooks: %s\n", e.msg);
		status = -1;
	}
	return status;
}

void
webhooks_run(struct store *st, const struct conf *conf)
{
	if (st != NULL)
		(void)webhooks_deliver(st, conf, 0, 0);
}

int
webhooks_next_due(struct store *st, const struct conf *conf, time_t *when)
{
	struct err e;

	*when = 0;
	if (st == NULL || conf == NULL || conf->webhooks.count == 0)
		return 0;
	if (store_outbox_next_due(st, when, &e) == -1) {
		fprintf(stderr, "bouncescan: webhooks: %s\n", e.msg);
		return -1;
	}
	return 0;
}
