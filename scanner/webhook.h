/*
 * webhook.h: telling a list manager about events over HTTP(S).
 *
 * The store writes an outbox row per event and webhook in the transaction that
 * recorded the event (db/outbox.c); these functions subscribe the store and
 * deliver the rows: webhook.c the loop (leases, retries, backoff),
 * webhook-owner.c whose leases are whose, webhook-payload.c the body each format wants, webhook-http.c the POST itself
 * (libcurl, TLS verified, signature, basic auth).
 */
#ifndef BOUNCESCAN_WEBHOOK_H
#define BOUNCESCAN_WEBHOOK_H

#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "db.h"

/* What one delivery run did for one webhook. */
struct webhook_totals {
	size_t	delivered;
	size_t	skipped;	/* not for this format (listmonk takes no incidents) */
	size_t	failed;		/* attempts that failed: rows kept for a later run */
	size_t	waiting;	/* rows not tried after a failure: kept as well */
};

/* webhook.c */
/*
 * Tell st which events conf's webhooks want, before anything is written: 0, or -1
 * with e (a webhook without a url, or the database).
 */
int	webhooks_attach(struct store *st, const struct conf *conf, struct err *e);
/* The same for a command: prints what failed on stderr. 0 or -1. */
int	webhooks_setup(struct store *st, const struct conf *conf);
/*
 * Deliver the outbox rows that are due (every undelivered one with force) to each
 * configured webhook. verbose: a line per webhook on stdout. Failures are printed
 * on stderr. Returns 0 when nothing failed, 1 when some rows wait for a later run,
 * -1 when the database failed.
 */
int	webhooks_deliver(struct store *st, const struct conf *conf, int force,
	    int verbose);
/*
 * The end of a command that may have added outbox rows (scan, suppress, ...):
 * deliver what is due. Never the command's failure: what was not delivered
 * stays in the outbox for the next run or "bouncescan webhooks --deliver".
 */
void	webhooks_run(struct store *st, const struct conf *conf);
/*
 * When the daemon should run webhooks_run again without new mail: *when gets
 * the earliest next attempt of a waiting event (a backoff or a lease running
 * out; possibly past), 0 when nothing waits or no webhook is configured. 0, or
 * -1 printed on stderr.
 */
int	webhooks_next_due(struct store *st, const struct conf *conf, time_t *when);

/* webhook-owner.c */
/*
 * This process's owner token for outbox leases (see db/outbox.c), a lock held
 * beside st's database (on its server: an advisory lock) until the process
 * exits. 0, or -1 with e.
 */
int	webhook_owner(struct store *st, int64_t *token, struct err *e);
/*
 * Whether the process that took token lives (1) or is gone (0), for
 * store_outbox_reclaim. Alive when it cannot tell. arg is the store (a store on
 * a server asks it).
 */
int	webhook_owner_alive(int64_t token, void *arg);

/* webhook-payload.c */
/*
 * The body to POST for row r to w: a new string. NULL with *skip saying why the
 * event is not sent in w's format at all, or NULL with *skip NULL and e set when
 * the stored payload cannot be read.
 */
char	*webhook_body(const struct conf_webhook *w, const struct store_outbox_row *r,
	    const char **skip, struct err *e);

/* webhook-http.c */
struct webhook_endpoint;
/*
 * Ready an endpoint: reads secret_file and auth_file, refused when others may
 * read them. NULL with e on failure. curl_global_init must have been called.
 */
struct webhook_endpoint *webhook_endpoint_new(const struct conf_webhook *w,
	    struct err *e);
void	webhook_endpoint_free(struct webhook_endpoint *);
/*
 * POST body (signed when there is a secret). 0 with *status the HTTP status of
 * the answer; -1 with e when there was none (refused, timed out, TLS failed).
 */
int	webhook_post(struct webhook_endpoint *, const char *kind, int64_t id,
	    const char *body, long *status, struct err *e);

#endif
