/*
 * source-file.c: one plain file holding one message (a PATH argument, or
 * file:PATH). Read-only: a file named on the command line belongs to the user,
 * so nothing here moves or deletes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "xalloc.h"

struct file_state {
	int	done;
};

static int
file_open(struct source *s, struct err *e)
{
	struct stat st;

	s->state = xcalloc(1, sizeof(struct file_state));
	if (stat(s->path, &st) == -1)
		return err_set(e, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(e, "is a directory (a Maildir? use maildir:PATH)");
	return 0;
}

/* The origin id: the absolute path, so that it is the same from any directory. */
static char *
file_origin(const char *path)
{
	char resolved[PATH_MAX];

	if (realpath(path, resolved) != NULL)
		return xstrdup(resolved);
	return xstrdup(path);
}

static int
file_next(struct source *s, struct message *m, struct err *e)
{
	struct file_state *fs = s->state;
	struct stat st;
	int fd, rc;

	if (fs->done)
		return SOURCE_DONE;
	fs->done = 1;
	m->origin = file_origin(s->path);
	m->location = xstrdup(s->path);
	if ((fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
		err_set(e, "%s; skipped", strerror(errno));
		if (fd != -1)
			close(fd);
		return SOURCE_SKIPPED;
	}
	m->size = (size_t)st.st_size;
	if (S_ISREG(st.st_mode) && m->size > s->conf.max_bytes) {
		close(fd);
		err_set(e, "%zu bytes, over the %zu-byte cap; skipped", m->size,
		    s->conf.max_bytes);
		return SOURCE_SKIPPED;
	}
	rc = source_read_fd(fd, s->conf.max_bytes, &m->data, &m->length, e);
	close(fd);
	if (rc == 1)
		err_set(e, "over the %zu-byte cap; skipped", s->conf.max_bytes);
	if (rc != 0)
		return SOURCE_SKIPPED;
	m->size = m->length;
	return SOURCE_MESSAGE;
}

static int
file_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	(void)s;
	(void)m;
	if (d == DISPOSE_DELETE)
		return err_set(e, "a plain file is never deleted by bouncescan");
	return 0;
}

static void
file_close(struct source *s)
{
	free(s->state);
	s->state = NULL;
}

const struct source_ops source_file = {
	.scheme = "file",
	.read_only = 1,
	.open = file_open,
	.next = file_next,
	.dispose = file_dispose,
	.close = file_close,
};
