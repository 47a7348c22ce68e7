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
progress_start(struct progress *p, const char *label, int enabled)
{
	memset(p, 0, sizeof *p);
	p->label = label;
	p->enabled = enabled;
	if (enabled) {
		clock_gettime(CLOCK_MONOTONIC, &p->start);
		p->last = p->start;
	}
}

void
progress_update(struct progress *p, size_t count)
{
	char total[PROGRESS_NUMBER_MAX], rate[PROGRESS_NUMBER_MAX];
	struct timespec now;
	double elapsed;

	if (!p->enabled || count % PROGRESS_EVERY != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_between(&p->last, &now) < 1.0)
		return;
	p->last = now;
	elapsed = seconds_between(&p->start, &now);
	fprintf(stderr, "\r%s: %s messages, %s/s\033[K", p->label,
	    progress_number(total, count),
	    progress_number(rate, (unsigned long long)(count / elapsed)));
	fflush(stderr);
	p->shown = 1;
}

void
progress_done(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
