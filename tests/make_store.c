/*
 * make_store.c: build a bouncescan database with chosen events, for the command
 * tests (commands.test), without mail or the scan command: each argument is one
 * bounce message with one result, ingested with the store's clock set to its date,
 * and all of them form one scan.
 *
 *     make_store DB DATE,CLASS,REASON,RULE,ADDRESS[,DIAGNOSTIC] ...
 *
 * DATE is YYYY-MM-DD or Nd (N days ago); "-" leaves REASON or RULE empty. The
 * argument itself is the message's hash, so giving the same one twice (even in two
 * runs) is the same message and counts once. Prints "scan ID: ..." and exits 0,
 * or names what failed and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "when.h"

#define FIELDS	6

/* Split spec in place at the first FIELDS - 1 commas; "-" becomes NULL. */
static int
split(char *spec, char **fields)
{
	char *p = spec;
	int n;

	for (n = 0; n < FIELDS; n++) {
		fields[n] = p;
		if (n < FIELDS - 1 && p != NULL && (p = strchr(p, ',')) != NULL)
			*p++ = '\0';
		else if (n < FIELDS - 1)
			p = NULL;
		if (fields[n] != NULL && strcmp(fields[n], "-") == 0)
			fields[n] = NULL;
	}
	return fields[4] != NULL ? 0 : -1;
}

static int
ingest(struct store *st, int64_t scan_id, const char *arg, struct err *e)
{
	char spec[1024], *f[FIELDS], diagnostic[1100];
	struct store_message m = { 0 };
	struct store_event ev = { 0 };
	struct store_ingest out;
	time_t when;

	snprintf(spec, sizeof spec, "%s", arg);
	if (split(spec, f) == -1 || f[0] == NULL || f[1] == NULL)
		return err_set(e, "\"%s\": want DATE,CLASS,REASON,RULE,ADDRESS", arg);
	if (when_parse(f[0], time(NULL), &when, e) == -1)
		return -1;
	snprintf(diagnostic, sizeof diagnostic, "%s", f[5] != NULL ? f[5] :
	    "550 synthetic bounce for the command tests");
	store_set_now(st, when);
	m.hash = arg;
	m.bounce_time = when;
	m.source = "make_store";
	m.origin = f[4];
	m.scan_id = scan_id;
	ev.recipient = f[4];
	ev.class = f[1];
	ev.reason = f[2];
	ev.rule = f[3];
	ev.diagnostic = diagnostic;
	ev.status = strcmp(f[1], "hard") == 0 ? "5.1.1" : NULL;
	ev.smtp_code = 550;
	if (store_ingest_message(st, &m, &ev, 1, &out, e) == -1)
		return -1;
	if (out.rejected > 0)
		return err_set(e, "\"%s\": rejected: %s", arg, out.first_rejected);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_scan_summary summary;
	struct store *st;
	struct err e;
	int64_t scan_id;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: make_store DB DATE,CLASS,REASON,RULE,ADDRESS...\n");
		return 2;
	}
	if ((st = store_open(argv[1], &e, NULL)) == NULL)
		goto fail;
	if (store_scan_begin(st, "make_store", &scan_id, &e) == -1)
		goto fail;
	for (i = 2; i < argc; i++)
		if (ingest(st, scan_id, argv[i], &e) == -1)
			goto fail;
	if (store_scan_finish(st, scan_id, &summary, &e) == -1)
		goto fail;
	printf("scan %lld: %lld events, %lld suppressed, %lld incidents\n",
	    (long long)scan_id, (long long)summary.events, (long long)summary.suppressed,
	    (long long)summary.incidents);
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "make_store: %s\n", e.msg);
	if (st != NULL)
		store_close(st);
	return 1;
}
