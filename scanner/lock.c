/* lock.c: one scan of a source at a time; see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "lock.h"
#include "source.h"
#include "xalloc.h"

int
lock_open(struct lock_file *l, const char *database_path, struct store *st,
    struct err *e)
{
	l->held = NULL;
	l->nheld = 0;
	l->store = NULL;
	if (store_is_url(database_path)) {
		l->store = st;
		l->path = xstrdup(database_path);
		l->fd = INT_MAX;	/* open, but no file */
		return 0;
	}
	l->path = xasprintf("%s.lock", database_path);
	/* As root, the directory's owner's, as the database is (store_create_file). */
	l->fd = store_create_file(l->path, 0);
	if (l->fd == -1 && errno == EEXIST)
		l->fd = open(l->path, O_RDWR | O_CLOEXEC);
	if (l->fd == -1) {
		err_set(e, "%s: %s", l->path, strerror(errno));
		free(l->path);
		l->path = NULL;
		return -1;
	}
	return 0;
}

/* The byte that stands for a mailbox: spread over 2^40, so no two collide. */
static off_t
lock_offset(const char *spec)
{
	char *key = source_lock_key(spec);
	off_t offset;

	offset = (off_t)(source_hash(SOURCE_HASH_INIT, key, strlen(key)) >> 24);
	free(key);
	return offset;
}

static int
set_lock(struct lock_file *l, off_t offset, short type)
{
	struct flock fl;
	struct err e;
	int rc;

	if (l->store != NULL) {
		if (type == F_UNLCK)
			return store_unlock(l->store, (int64_t)offset, &e);
		if ((rc = store_lock(l->store, (int64_t)offset, &e)) == 1)
			errno = EAGAIN;
		else if (rc == -1)
			errno = EIO;
		return rc == 0 ? 0 : -1;
	}

	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = offset;
	fl.l_len = 1;
	return fcntl(l->fd, F_OFD_SETLK, &fl);
}

int
lock_source(struct lock_file *l, const char *spec, struct err *e)
{
	off_t offset;
	size_t i;

	if (l->fd == -1)
		return 0;
	offset = lock_offset(spec);
	/* The lock is the process's own: a second spelling would take it again. */
	for (i = 0; i < l->nheld; i++)
		if (l->held[i].offset == offset)
			return 1;
	if (set_lock(l, offset, F_WRLCK) == -1) {
		if (errno == EAGAIN || errno == EACCES)
			return 1;
		return err_set(e, "%s: cannot lock: %s", l->path, strerror(errno));
	}
	l->held = xreallocarray(l->held, l->nheld + 1, sizeof *l->held);
	l->held[l->nheld].spec = xstrdup(spec);
	l->held[l->nheld].offset = offset;
	l->nheld++;
	return 0;
}

void
unlock_source(struct lock_file *l, const char *spec)
{
	size_t i;

	if (l->fd == -1)
		return;
	for (i = 0; i < l->nheld; i++) {
		if (strcmp(l->held[i].spec, spec) != 0)
			continue;
		set_lock(l, l->held[i].offset, F_UNLCK);
		free(l->held[i].spec);
		l->held[i] = l->held[--l->nheld];
		return;
	}
}

void
lock_close(struct lock_file *l)
{
	size_t i;

	if (l->fd == -1)
		return;
	if (l->store == NULL)
		close(l->fd);
	l->fd = -1;
	l->store = NULL;
	for (i = 0; i < l->nheld; i++)
		free(l->held[i].spec);
	free(l->held);
	l->held = NULL;
	l->nheld = 0;
	free(l->path);
	l->path = NULL;
}
