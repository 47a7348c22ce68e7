/*
 * imap-dispose.h: carrying out an IMAP source's disposals (MOVE, \Seen,
 * \Deleted + EXPUNGE) on a second connection, in a thread, while the first
 * connection fetches the next batch. A MOVE costs the server about as much as
 * the fetch of the same messages, so doing both at once nearly halves a scan.
 * One job at a time: a job is started only after the previous one has been
 * waited for, so its outcome is always known before the next checkpoint.
 */
#ifndef BOUNCESCAN_IMAP_DISPOSE_H
#define BOUNCESCAN_IMAP_DISPOSE_H

#include <pthread.h>
#include <stdint.h>

#include "imap-session.h"
#include "source.h"

struct uid_list {
	uint32_t	*uid;
	uint32_t	*size;		/* RFC822.SIZE; unused for disposals */
	size_t		 count;
	size_t		 cap;
};

void	uid_list_add(struct uid_list *, uint32_t uid, uint32_t size);
void	uid_list_free(struct uid_list *);
/* A set of the UIDs, runs of consecutive ones as intervals. */
struct mailimap_set *uid_set(const uint32_t *uid, size_t count);

/* Messages waiting for one disposal: move to a folder, flag, delete. */
struct pending_action {
	struct source_action	action;
	struct uid_list		uids;
};

#define IMAP_ACTIONS	3	/* processed, unrecognized, delete */

struct imap_job {
	struct imap_session	*session;	/* the second connection */
	struct pending_action	 actions[IMAP_ACTIONS];
	uint32_t		 through;	/* every UID up to here is in the job */
	size_t			 count;		/* messages in the job */
	int			 running;
	int			 rc;
	struct err		 e;
	pthread_t		 thread;
};

/*
 * Start the job on its session: takes the UIDs of pending (which is left
 * empty, its actions kept). The job must not be running.
 */
void	imap_job_start(struct imap_job *, struct pending_action *pending,
	    uint32_t through);

/*
 * Wait for the job, if one is running. 0 when it succeeded (or there was
 * none), -1 with e set and *failed the number of messages left in place.
 */
int	imap_job_wait(struct imap_job *, size_t *failed, struct err *e);

/* Carry out one pending action now, on session. 0, or -1 with e. */
int	imap_carry_out(struct imap_session *, const struct pending_action *,
	    struct err *e);

#endif
