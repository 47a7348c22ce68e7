/*
 * progress.c: the progress line of a long scan; see progress.h. The clock is
 * read once every PROGRESS_EVERY messages and the line redrawn once a second,
 * so a scan of 100,000 messages pays for a few hundred clock reads.
 */
#include <stdio.h>
#include <string.h>

#include "progress.h"

#define PROGRESS_EVERY	256

static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

const char *
progress_number(char buf[PROGRESS_NUMBER_MAX], unsigned long long n)
{
	char digits[PROGRESS_NUMBER_MAX];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof digits, "%llu", n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

void
progress_start(struct progress *p, const char *label, int mode)
{
	memset(p, 0, sizeof *p);
	p->label = label;
	p->enabled = mode;
	if (mode != PROGRESS_OFF) {
		clock_gettime(CLOCK_MONOTONIC, &p->start);
		p->last = p->start;
	}
}

void
progress_total(struct progress *p, size_t total)
{
	p->total = total;
}

/* "12,000 of 40,000 messages, 3,100/s, 28,000 to go" */
static void
progress_print(const struct progress *p, size_t count, double elapsed)
{
	char done[PROGRESS_NUMBER_MAX], total[PROGRESS_NUMBER_MAX];
	char rate[PROGRESS_NUMBER_MAX], left[PROGRESS_NUMBER_MAX];

	fprintf(stderr, "%s%s: %s", p->enabled == PROGRESS_TERMINAL ? "\r" :
	    "bouncescan: ", p->label, progress_number(done, count));
	if (p->total >= count && p->total > 0)
		fprintf(stderr, " of %s", progress_number(total, p->total));
	fprintf(stderr, " messages, %s/s",
	    progress_number(rate, (unsigned long long)(count / elapsed)));
	if (p->total > count)
		fprintf(stderr, ", %s to go", progress_number(left, p->total - count));
	fputs(p->enabled == PROGRESS_TERMINAL ? "\033[K" : "\n", stderr);
	fflush(stderr);
}

void
progress_update(struct progress *p, size_t count)
{
	struct timespec now;

	if (!p->enabled || count % PROGRESS_EVERY != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_between(&p->last, &now) <
	    (p->enabled == PROGRESS_TERMINAL ? 1.0 : 30.0))
		return;
	p->last = now;
	progress_print(p, count, seconds_between(&p->start, &now));
	p->shown = p->enabled == PROGRESS_TERMINAL;
}

void
progress_done(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
