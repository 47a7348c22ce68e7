/*
 * lock.h: one scan of a source at a time. A one-shot scan from cron and a
 * "scan --watch" daemon (or two overlapping cron runs) must never read and move
 * the same mailbox at once. Each source is one byte of a lock file beside the
 * database, locked with an open file description lock: the kernel drops it when
 * the process dies, so a killed scan never leaves a stale lock behind.
 */
#ifndef BOUNCESCAN_LOCK_H
#define BOUNCESCAN_LOCK_H

#include "err.h"

struct lock_file {
	int	fd;		/* -1 when not open */
	char	*path;
};

/* Open (creating) DATABASE.lock. 0, or -1 with e set. */
int	lock_open(struct lock_file *l, const char *database_path, struct err *e);

/* Lock spec's byte: 0 taken, 1 held by another process, -1 with e on error. */
int	lock_source(struct lock_file *l, const char *spec, struct err *e);
void	unlock_source(struct lock_file *l, const char *spec);

void	lock_close(struct lock_file *l);

#endif
