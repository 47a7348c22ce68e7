/*
 * maildir.h: the parts of the Maildir source (source-maildir.c), shared by
 * its listing (maildir-list.c) and its disposals (maildir-dispose.c).
 */
#ifndef BOUNCESCAN_MAILDIR_H
#define BOUNCESCAN_MAILDIR_H

#include <dirent.h>
#include <pthread.h>

#include "source.h"

/* A Maildir message name is short; anything longer is not one of ours. */
#define MAILDIR_NAME_MAX	255

/* Paths built by the job's thread, on its stack; see path_format(). */
#define MAILDIR_PATH_MAX	4096

/* Names read from a directory at a time: about 300 KB, whatever the mailbox. */
#define MAILDIR_WINDOW		4096

/* Listed in this order ("cur", "new"); see maildir-list.c for why cur/ is first. */
extern const char *const maildir_subdirs[];
#define SUBDIR_CUR	0
#define SUBDIRS		2

/* Strings in one buffer: one allocation for many names, reused. */
struct name_list {
	char		*bytes;		/* each name NUL-terminated */
	size_t		 used;
	size_t		 size;
	size_t		*offset;	/* where each name begins in bytes */
	enum disposal	*disposal;	/* for the queue of disposals only */
	size_t		 count;
	size_t		 cap;
};

/* The window of names being handed out. */
struct listing {
	DIR		*dir[SUBDIRS];	/* open from open() to the end of each */
	int		 subdir;	/* index into maildir_subdirs; SUBDIRS at the end */
	struct name_list names;
	char		**sorted;	/* into names.bytes, MAILDIR_WINDOW of them */
	size_t		 next;
};

/*
 * The names the job has given messages in cur/ while cur/ is still listed, as
 * hashes in an open-addressing table (0: empty slot).
 */
struct renamed {
	pthread_mutex_t	  lock;
	int		  watching;	/* cur/ is being listed under "seen" */
	unsigned long long *slot;
	size_t		  used;
	size_t		  size;
};

/* A "move:" folder: made once, so each disposal costs one rename and no mkdir. */
struct folder {
	char	*path;		/* NULL when the action is not a move */
	int	 made;		/* by the job's thread */
};

/* The disposals being carried out in the background. */
struct dispose_job {
	struct source		*source;
	struct name_list	 queue;		/* locations, with their disposal */
	struct folder		 folder[2];	/* processed and unrecognized */
	size_t			 failed;
	struct err		 e;		/* the first failure */
	int			 running;
	pthread_t		 thread;
};

struct maildir {
	struct listing		listing;
	struct name_list	pending;	/* queued since the last flush */
	struct dispose_job	job;
	struct renamed		renamed;
};

/* maildir-list.c */
void	maildir_names_add(struct name_list *, const char *name, enum disposal);
const char *maildir_names_get(const struct name_list *, size_t i);
void	maildir_names_free(struct name_list *);
/* Room for n more names in the table, taken before a job starts (see there). */
void	maildir_renamed_reserve(struct renamed *, size_t n);
/* Remember a name the job gave a message in cur/; r->lock held, room reserved. */
void	maildir_renamed_add(struct renamed *, const char *name);
/* Open subdirectory i (of maildir_subdirs) and count its messages. */
int	maildir_list_open(struct source *, int i, struct err *e);
/* The next window of names: 1, 0 when cur/ and new/ are done, -1 with e. */
int	maildir_list_next(struct maildir *, struct err *e);

/* maildir-dispose.c */
/* What the configuration asks for d; NULL for nothing. */
const struct source_action *maildir_disposal_action(const struct source *,
	    enum disposal d);
/* Name the folder of d's "move:" action (made later, by the job). */
void	maildir_name_folder(struct source *, struct maildir *, enum disposal d);
/* Hand what is pending to the job; the job must have been waited for. */
void	maildir_job_start(struct maildir *);
/* Wait for the job, if one runs: 0, or -1 with *failed and e (the first failure). */
int	maildir_job_wait(struct maildir *, size_t *failed, struct err *e);

#endif
