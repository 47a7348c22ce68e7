/* lock.c: one scan of a source at a time; see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"
#include "source.h"
#include "xalloc.h"

int
lock_open(struct lock_file *l, const char *database_path, struct err *e)
{
	l->path = xasprintf("%s.lock", database_path);
	l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd == -1) {
		err_set(e, "%s: %s", l->path, strerror(errno));
		free(l->path);
		l->path = NULL;
		return -1;
	}
	return 0;
}

/* The byte that stands for spec: spread over 2^40 so collisions do not happen. */
static off_t
lock_offset(const char *spec)
{
	return (off_t)(source_hash(SOURCE_HASH_INIT, spec, strlen(spec)) >> 24);
}

static int
set_lock(struct lock_file *l, const char *spec, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = lock_offset(spec);
	fl.l_len = 1;
	return fcntl(l->fd, F_OFD_SETLK, &fl);
}

int
lock_source(struct lock_file *l, const char *spec, struct err *e)
{
	if (set_lock(l, spec, F_WRLCK) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return 1;
	return err_set(e, "%s: cannot lock: %s", l->path, strerror(errno));
}

void
unlock_source(struct lock_file *l, const char *spec)
{
	if (l->fd != -1)
		set_lock(l, spec, F_UNLCK);
}

void
lock_close(struct lock_file *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
