/*
 * source-maildir.c: a Maildir as a source (maildir:PATH).
 *
 * Messages are listed in windows, cur/ before new/ (maildir-list.c), read when
 * next() reaches them, and disposed of in a thread once their batch is
 * committed (maildir-dispose.c): renamed into a Maildir++ subfolder such as
 * ".Processed", flagged seen (cur/NAME:2,S) or deleted, as configured. A
 * message delivered or moved by another program during the scan may or may not
 * be read by it; the next scan reads it. Subfolders are not read: they hold
 * what was already disposed of.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "xalloc.h"

static int
maildir_open(struct source *s, struct err *e)
{
	struct maildir *md = xcalloc(1, sizeof *md);

	s->state = md;
	md->job.source = s;
	md->listing.sorted = xreallocarray(NULL, MAILDIR_WINDOW,
	    sizeof *md->listing.sorted);
	pthread_mutex_init(&md->renamed.lock, NULL);
	md->renamed.watching = s->conf.processed.kind == SOURCE_ACTION_SEEN;
	/* new/ first, so that a missing new/ is what an error names. */
	if (maildir_list_open(s, 1, e) == -1 || maildir_list_open(s, 0, e) == -1)
		return -1;
	return 0;
}

/* The unique part of a name: what comes before the ":2," info (Maildir spec). */
static char *
unique_part(const char *location)
{
	const char *name = strchr(location, '/') + 1;
	const char *info = strstr(name, ":2,");

	return info != NULL ? xstrndup(name, (size_t)(info - name)) : xstrdup(name);
}

/*
 * Read the file name in directory dir (m->location names both) into m;
 * SOURCE_MESSAGE or SOURCE_SKIPPED. Opened relative to the directory being
 * listed, which saves the kernel walking the mailbox's path for each message.
 */
static int
read_message(struct source *s, int dir, const char *name, struct message *m,
    struct err *e)
{
	struct stat st;
	int fd, rc;

	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return err_set(e, "%s: vanished before it could be read (moved or "
		    "deleted by another program); skipped", m->location);
	if (fd == -1 || fstat(fd, &st) == -1) {
		err_set(e, "%s: %s; skipped", m->location, strerror(errno));
		goto out;
	}
	m->size = (size_t)st.st_size;
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "%s: not a regular file; skipped", m->location);
		goto out;
	}
	if ((size_t)st.st_size > s->conf.max_bytes) {
		err_set(e, "%s: %zu bytes, over the %zu-byte cap; skipped, left in place",
		    m->location, m->size, s->conf.max_bytes);
		goto out;
	}
	rc = source_read_regular(fd, st.st_size, s->conf.max_bytes, &m->data,
	    &m->length, e);
	close(fd);
	if (rc == 1)
		return err_set(e, "%s: grew over the %zu-byte cap while read; skipped",
		    m->location, s->conf.max_bytes);
	if (rc == -1)
		return err_prefix(e, "%s: ", m->location);
	return SOURCE_MESSAGE;
out:
	if (fd != -1)
		close(fd);
	return SOURCE_SKIPPED;
}

static int
maildir_next(struct source *s, struct message *m, struct err *e)
{
	struct maildir *md = s->state;
	struct listing *l = &md->listing;
	const char *name;
	int rc;

	if (l->next == l->names.count && (rc = maildir_list_next(md, e)) != 1)
		return rc == 0 ? SOURCE_DONE : SOURCE_ERROR;
	name = l->sorted[l->next++];
	m->location = xasprintf("%s/%s", maildir_subdirs[l->subdir], name);
	m->origin = unique_part(m->location);
	rc = read_message(s, dirfd(l->dir[l->subdir]), name, m, e);
	return rc == -1 ? SOURCE_SKIPPED : rc;
}

static int
maildir_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	struct maildir *md = s->state;
	const struct source_action *a = maildir_disposal_action(s, d);

	if (m->location == NULL || (strncmp(m->location, "new/", 4) != 0 &&
	    strncmp(m->location, "cur/", 4) != 0) || m->location[4] == '.' ||
	    m->location[4] == '\0' || strchr(m->location + 4, '/') != NULL)
		return err_set(e, "not a message of this Maildir");
	if ((int)d < DISPOSE_KEEP || d > DISPOSE_DELETE)
		return err_set(e, "unknown disposal %d", (int)d);
	if (a == NULL || a->kind == SOURCE_ACTION_KEEP)
		return 0;
	/* Here, not in the job's thread, which allocates nothing. */
	if (a->kind == SOURCE_ACTION_MOVE)
		maildir_name_folder(s, md, d);
	maildir_names_add(&md->pending, m->location, d);
	return 0;
}

/* Wait for the last job, then start one with what dispose() queued since. */
static int
maildir_flush(struct source *s, size_t *failed, struct err *e)
{
	struct maildir *md = s->state;
	int rc = maildir_job_wait(md, failed, e);

	if (md->pending.count > 0)
		maildir_job_start(md);
	return rc;
}

/*
 * Carry out what was queued and wait for it: dispose() was promised. The scan
 * loop flushes twice before closing and reports failures there; these flushes
 * are only a safety net, with nothing left to report.
 */
static void
maildir_close(struct source *s)
{
	struct maildir *md = s->state;
	size_t i, failed;
	struct err e;

	maildir_flush(s, &failed, &e);
	maildir_flush(s, &failed, &e);
	for (i = 0; i < SUBDIRS; i++)
		if (md->listing.dir[i] != NULL)
			closedir(md->listing.dir[i]);
	maildir_names_free(&md->listing.names);
	free(md->listing.sorted);
	maildir_names_free(&md->pending);
	maildir_names_free(&md->job.queue);
	for (i = 0; i < 2; i++)
		free(md->job.folder[i].path);
	free(md->renamed.slot);
	pthread_mutex_destroy(&md->renamed.lock);
	free(md);
	s->state = NULL;
}

const struct source_ops source_maildir = {
	.scheme = "maildir",
	.open = maildir_open,
	.next = maildir_next,
	.dispose = maildir_dispose,
	.close = maildir_close,
	.flush = maildir_flush,
};
