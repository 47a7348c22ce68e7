/*
 * lock.h: one scan of a source at a time. A one-shot scan from cron and a
 * "scan --watch" daemon (or two overlapping cron runs) must never read and move
 * the same mailbox at once. Each source is one byte of a lock file beside the
 * database, locked with an open file description lock: the kernel drops it when
 * the process dies, so a killed scan never leaves a stale lock behind. The byte
 * stands for the mailbox, not for how its spec is written (source_lock_key()):
 * "maildir:/x" and a symbolic link to /x take the same one.
 *
 * A store on a PostgreSQL server is shared by scanners on several hosts, where
 * a file lock reaches no further than one: there the mailbox's number is a
 * session-level advisory lock on the server (store_lock), which the server
 * drops with the session of a process that dies, wherever it ran.
 */
#ifndef BOUNCESCAN_LOCK_H
#define BOUNCESCAN_LOCK_H

#include <sys/types.h>

#include "err.h"

struct lock_held {
	char	*spec;		/* as the caller gave it, for unlock_source() */
	off_t	 offset;	/* the mailbox's byte */
};

struct store;

struct lock_file {
	int			 fd;	/* -1 when not open; nothing else is set then */
	struct store		*store;	/* locks on the database server, or NULL */
	char			*path;
	struct lock_held	*held;	/* what this process holds */
	size_t			 nheld;
};

/*
 * Open (creating) DATABASE.lock, or for a store on a server (store_is_url),
 * use its advisory locks. 0, or -1 with e set.
 */
int	lock_open(struct lock_file *l, const char *database_path, struct store *st,
	    struct err *e);

/*
 * Lock the byte of the mailbox spec names: 0 taken (or no lock file is open), 1
 * held by another process, or by this one under another spelling, -1 with e on
 * error.
 */
int	lock_source(struct lock_file *l, const char *spec, struct err *e);
void	unlock_source(struct lock_file *l, const char *spec);

void	lock_close(struct lock_file *l);

#endif
