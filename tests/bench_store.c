/*
 * bench_store.c: ingest rate of the store, in results per second, batched in
 * transactions the way the scan loop does. Not part of "make check".
 *
 * usage: bench_store [RESULTS [BATCH [RECIPIENTS [KEEP]]]]
 * (defaults 500000 10000 200000); with KEEP, the database is moved there rather
 * than removed (bench_queries reads it).
 * The default batch is the scan's (SCAN_BATCH in scanner/scan.h). A realistic mix:
 * half hard, a third soft, the rest block, complaints and others, one result per
 * message, RECIPIENTS addresses on 997 domains (so most of them bounce more than
 * once), bounce times spread over 60 days. Messages are known by a 64-digit hex
 * hash, like the SHA-256 the scan command computes, and belongs to one scan.
 *
 * BENCH_STORE_URL in the environment names a store on PostgreSQL to use
 * instead of a new file (tests/bench-store-pg.sh), and BENCH_STORE_PART=K
 * makes the hashes those of part K, so that several processes at once ingest
 * different messages for the same recipients.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"

static const char *
pick_class(unsigned r)
{
	r %= 100;
	if (r < 50)
		return "hard";
	if (r < 80)
		return "soft";
	if (r < 95)
		return "block";
	if (r < 97)
		return "complaint";
	return r < 99 ? "autoreply" : "delayed";
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long part;	/* BENCH_STORE_PART */

/* The i-th message (random number r): its hash and its one result's address. */
static void
message_of(long i, unsigned r, long recipients, char *hash, char *address)
{
	snprintf(hash, 65, "%016lx%016lx%016lx%016lx",
	    (unsigned long)i * 2654435761UL, (unsigned long)i, (unsigned long)r,
	    (unsigned long)(i ^ 0x5bd1e995L) + part);
	snprintf(address, 64, "user%ld@d%ld.example.com",
	    (long)(r % (unsigned)recipients), (long)(r % (unsigned)recipients % 997));
}

/*
 * One batch, as the scan loop stores it: its messages and addresses told to
 * the store first (store_ingest_expect), then ingested one by one.
 */
static int
ingest_batch(struct store *st, long first, long n, long recipients,
    struct store_message *m, struct err *e)
{
	char (*hashes)[65] = calloc((size_t)n, sizeof *hashes);
	char (*addresses)[64] = calloc((size_t)n, sizeof *addresses);
	const char **hp = calloc((size_t)n, sizeof *hp);
	const char **ap = calloc((size_t)n, sizeof *ap);
	unsigned *rs = calloc((size_t)n, sizeof *rs);
	struct store_event ev = { .rule = "rules.tsv:1",
	    .status = "5.1.1", .smtp_code = 550, .reason = "userunknown",
	    .diagnostic = "550 5.1.1 <someone@example.com>: Recipient address rejected" };
	long i;
	int rc = -1;

	if (hashes == NULL || addresses == NULL || hp == NULL || ap == NULL ||
	    rs == NULL) {
		err_set(e, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		rs[i] = (unsigned)rand();
		message_of(first + i, rs[i], recipients, hashes[i], addresses[i]);
		hp[i] = hashes[i];
		ap[i] = addresses[i];
	}
	if (store_begin(st, e) == -1 ||
	    store_ingest_expect(st, hp, (size_t)n, ap, (size_t)n, e) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		m->hash = hashes[i];
		m->bounce_time = 1700000000 + (time_t)(rs[i] % (60 * 86400));
		ev.recipient = addresses[i];
		ev.class = pick_class(rs[i] >> 8);
		if (store_ingest_message(st, m, &ev, 1, NULL, e) == -1)
			goto out;
	}
	rc = store_commit(st, e);
out:
	free(hashes);
	free(addresses);
	free(hp);
	free(ap);
	free(rs);
	return rc;
}

static int
ingest(struct store *st, long results, long batch, long recipients, struct err *e)
{
	struct store_message m = { .source = "bench" };
	long i;

	/* As in a scan, every message and event carries the scan's id. */
	if (store_scan_begin(st, "bench", &m.scan_id, e) == -1)
		return -1;
	srand(1 + (unsigned)(part >> 40));
	for (i = 0; i < results; i += batch)
		if (ingest_batch(st, i, results - i < batch ? results - i : batch,
		    recipients, &m, e) == -1)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	long results = argc > 1 ? atol(argv[1]) : 500000;
	long batch = argc > 2 ? atol(argv[2]) : 10000;
	long recipients = argc > 3 ? atol(argv[3]) : 200000;
	char dir[] = "/tmp/bench_store.XXXXXX", path[64], command[96];
	struct store *st;
	struct err e;
	double start, elapsed;

	if (results <= 0 || batch <= 0 || recipients <= 0 || mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof path, "%s/bench.db", dir);
	if (getenv("BENCH_STORE_PART") != NULL)
		part = strtoul(getenv("BENCH_STORE_PART"), NULL, 10) << 40;
	if ((st = store_open(getenv("BENCH_STORE_URL") != NULL ?
	    getenv("BENCH_STORE_URL") : path, &e, NULL)) == NULL) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	start = seconds();
	if (ingest(st, results, batch, recipients, &e) == -1) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	elapsed = seconds() - start;
	store_close(st);
	printf("%ld results in %.2f s, batches of %ld: %.0f results/s\n", results, elapsed,
	    batch, (double)results / elapsed);
	if (argc > 4 && rename(path, argv[4]) == -1) {
		perror(argv[4]);
		return 1;
	}
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	return system(command) == 0 ? 0 : 1;
}
