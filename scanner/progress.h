/*
 * progress.h: a progress line on stderr during a long scan, for a person
 * watching a terminal ("maildir:/srv/bounces: 12,000 messages, 3,100/s").
 * Nothing is printed when disabled (stderr is not a terminal, or --quiet), so
 * logs from cron and MTA pipes stay clean.
 */
#ifndef BOUNCESCAN_PROGRESS_H
#define BOUNCESCAN_PROGRESS_H

#include <stddef.h>
#include <time.h>

struct progress {
	const char	*label;		/* borrowed */
	int		 enabled;
	int		 shown;		/* a line is on the screen */
	struct timespec	 start;
	struct timespec	 last;		/* when the line was last drawn */
};

void	progress_start(struct progress *, const char *label, int enabled);
/* count messages so far; cheap enough to call once per message. */
void	progress_update(struct progress *, size_t count);
/* Clear the line, so what follows starts on a clean one. */
void	progress_done(struct progress *);

/* n with thousands separators ("12,000") in buf, which it returns. */
#define PROGRESS_NUMBER_MAX	32
const char *progress_number(char buf[PROGRESS_NUMBER_MAX], unsigned long long n);

#endif
