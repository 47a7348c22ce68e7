/*
 * bench.c: how fast parse+classify runs, on one core ("make bench").
 *
 * Loads every *.eml file under a directory into memory first, so that only the
 * classifier is timed: one classifier_new(), then classify() and report_free() for
 * each message, round after round, until the CPU time asked for has passed. Prints
 * messages/s and MB/s per CPU second. The project's target is 50,000 messages/s over the corpus.
 *
 *     bench [DIRECTORY [SECONDS]]
 */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "classifier.h"
#include "xalloc.h"

#define BENCH_MAX_FILES	100000
#define BENCH_MAX_DEPTH	8

struct message {
	char	*bytes;
	size_t	 len;
};

struct corpus {
	struct message	*messages;
	size_t		 count;
	size_t		 cap;
	size_t		 bytes;
};

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Read one file whole; 0, or -1 when it cannot be read or is over the cap. */
static int
load_file(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	struct message *msg;

	if (f == NULL)
		return -1;
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0 ||
	    (size_t)st.st_size > CLASSIFIER_MAX_BYTES || c->count >= BENCH_MAX_FILES) {
		fclose(f);
		return -1;
	}
	if (c->count == c->cap) {
		c->cap = c->cap == 0 ? 256 : c->cap * 2;
		c->messages = xreallocarray(c->messages, c->cap, sizeof *c->messages);
	}
	msg = &c->messages[c->count];
	msg->bytes = xmalloc((size_t)st.st_size + 1);
	msg->len = fread(msg->bytes, 1, (size_t)st.st_size, f);
	fclose(f);
	c->bytes += msg->len;
	c->count++;
	return 0;
}

static void
load_dir(struct corpus *c, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char path[4096];

	if (depth > BENCH_MAX_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >=
		    sizeof path || stat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode))
			load_dir(c, path, depth + 1);
		else if (S_ISREG(st.st_mode) && has_suffix(de->d_name, ".eml"))
			load_file(c, path);
	}
	closedir(d);
}

static double
now(void)
{
	struct timespec ts;

	/* CPU time of this process: other jobs on the machine do not count. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over every message; returns how many results were found. */
static size_t
round_once(const struct classifier *cl, const struct corpus *c)
{
	size_t i, results = 0;

	for (i = 0; i < c->count; i++) {
		struct report r;

		memset(&r, 0, sizeof r);
		if (classify(cl, c->messages[i].bytes, c->messages[i].len, &r) > 0)
			results += r.nresults;
		report_free(&r);
	}
	return results;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	double seconds = argc > 2 ? atof(argv[2]) : 5.0, start, elapsed;
	struct corpus c = { NULL, 0, 0, 0 };
	struct classifier *cl;
	size_t rounds = 0, results, i;

	/* The same heap settings as bouncescan itself (scanner/main.c). */
	mallopt(M_TOP_PAD, 16 << 20);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	load_dir(&c, dir, 0);
	if (c.count == 0) {
		fprintf(stderr, "bench: no *.eml files under %s\n", dir);
		return 1;
	}
	cl = classifier_new();
	results = round_once(cl, &c);	/* warm up caches and the rule matcher */
	start = now();
	do {
		round_once(cl, &c);
		rounds++;
	} while ((elapsed = now() - start) < seconds);
	printf("bench: %s: %zu messages, %.1f MB, %zu results per round\n", dir, c.count,
	    (double)c.bytes / 1e6, results);
	printf("bench: %zu rounds in %.2f CPU s on one core: %.0f messages/s, %.1f MB/s,"
	    " %.3f ms per message\n", rounds, elapsed,
	    (double)(rounds * c.count) / elapsed,
	    (double)rounds * (double)c.bytes / 1e6 / elapsed,
	    elapsed * 1e3 / (double)(rounds * c.count));
	classifier_free(cl);
	for (i = 0; i < c.count; i++)
		free(c.messages[i].bytes);
	free(c.messages);
	return 0;
}
