/*
 * progress.h: progress on stderr during a long scan. On a terminal, one line
 * redrawn every second ("bounces: 12,000 of 40,000 messages, 3,100/s, 28,000 to
 * go"); in a log (stderr not a terminal), a plain line every 30 seconds, so a
 * short cron scan prints nothing and a long one shows it is alive. Nothing at
 * all with --quiet.
 */
#ifndef BOUNCESCAN_PROGRESS_H
#define BOUNCESCAN_PROGRESS_H

#include <stddef.h>
#include <time.h>

enum progress_mode {
	PROGRESS_OFF,
	PROGRESS_TERMINAL,	/* a line redrawn in place */
	PROGRESS_LOG		/* plain lines, now and then */
};

struct progress {
	const char	*label;		/* borrowed */
	int		 enabled;	/* enum progress_mode */
	size_t		 total;		/* messages expected, 0 when not known */
	int		 shown;		/* a line is on the screen */
	struct timespec	 start;
	struct timespec	 last;		/* when the line was last drawn */
};

void	progress_start(struct progress *, const char *label, int mode);
/* The number of messages expected, when the source knows it. */
void	progress_total(struct progress *, size_t total);
/* count messages so far; cheap enough to call once per message. */
void	progress_update(struct progress *, size_t count);
/* Clear the line, so what follows starts on a clean one. */
void	progress_done(struct progress *);

/* n with thousands separators ("12,000") in buf, which it returns. */
#define PROGRESS_NUMBER_MAX	32
const char *progress_number(char buf[PROGRESS_NUMBER_MAX], unsigned long long n);

#endif
