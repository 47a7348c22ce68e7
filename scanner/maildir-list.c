/*
 * maildir-list.c: listing a Maildir source's messages, in windows.
 *
 * The names in cur/ and then new/ are read MAILDIR_WINDOW at a time, each
 * window sorted for a stable order, with the directory kept open in between,
 * so that memory stays flat in the number of messages. A first pass only
 * counts the names, for progress ("N of M"). cur/ comes first because "seen"
 * turns new/NAME into cur/NAME:2,S: those renames happen after cur/ has been
 * read to its end, so the message is not met again. "seen" also renames
 * cur/NAME to cur/NAME:2,S while cur/ is still being read, and readdir(3) may
 * return the new name; the names made so are remembered (a 64-bit hash each,
 * only until cur/ is read to its end) and passed over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maildir.h"
#include "xalloc.h"

const char *const maildir_subdirs[] = { "cur", "new" };

void
maildir_names_add(struct name_list *l, const char *name, enum disposal d)
{
	size_t n = strlen(name) + 1;

	if (l->count == l->cap) {
		l->cap = l->cap == 0 ? 256 : l->cap * 2;
		l->offset = xreallocarray(l->offset, l->cap, sizeof *l->offset);
		l->disposal = xreallocarray(l->disposal, l->cap, sizeof *l->disposal);
	}
	while (l->size - l->used < n) {
		l->size = l->size == 0 ? 16384 : l->size * 2;
		l->bytes = xreallocarray(l->bytes, l->size, 1);
	}
	memcpy(l->bytes + l->used, name, n);
	l->offset[l->count] = l->used;
	l->disposal[l->count] = d;
	l->used += n;
	l->count++;
}

const char *
maildir_names_get(const struct name_list *l, size_t i)
{
	return l->bytes + l->offset[i];
}

void
maildir_names_free(struct name_list *l)
{
	free(l->bytes);
	free(l->offset);
	free(l->disposal);
	memset(l, 0, sizeof *l);
}

/* The slot of hash in r's table: where it is, or the empty one to put it in. */
static size_t
renamed_slot(const struct renamed *r, unsigned long long hash)
{
	size_t i = (size_t)hash & (r->size - 1);

	while (r->slot[i] != 0 && r->slot[i] != hash)
		i = (i + 1) & (r->size - 1);
	return i;
}

static unsigned long long
name_hash(const char *name)
{
	unsigned long long hash = source_hash(SOURCE_HASH_INIT, name, strlen(name));

	return hash != 0 ? hash : 1;
}

/*
 * Make room for n more names, in the main thread before a job starts, so that
 * the job's thread allocates nothing (see path_format()).
 */
void
maildir_renamed_reserve(struct renamed *r, size_t n)
{
	unsigned long long *old;
	size_t i, old_size;

	pthread_mutex_lock(&r->lock);
	old = r->slot;
	old_size = r->size;
	if (r->watching && 2 * (r->used + n) > r->size) {
		while (2 * (r->used + n) > r->size)
			r->size = r->size == 0 ? 1024 : r->size * 2;
		r->slot = xcalloc(r->size, sizeof *r->slot);
		for (i = 0; i < old_size; i++)
			if (old[i] != 0)
				r->slot[renamed_slot(r, old[i])] = old[i];
		free(old);
	}
	pthread_mutex_unlock(&r->lock);
}

/* Remember name (in cur/); r->lock is held and room was reserved. */
void
maildir_renamed_add(struct renamed *r, const char *name)
{
	size_t i = renamed_slot(r, name_hash(name));

	if (r->slot[i] == 0)
		r->used++;
	r->slot[i] = name_hash(name);
}

/* Whether the job gave a message in cur/ this name during the listing. */
static int
renamed_by_us(struct renamed *r, const char *name)
{
	int found = 0;

	pthread_mutex_lock(&r->lock);
	if (r->used > 0)
		found = r->slot[renamed_slot(r, name_hash(name))] != 0;
	pthread_mutex_unlock(&r->lock);
	return found;
}

/* cur/ has been read to its end: what is renamed there now is not met again. */
static void
renamed_stop(struct renamed *r)
{
	pthread_mutex_lock(&r->lock);
	r->watching = 0;
	free(r->slot);
	r->slot = NULL;
	r->used = r->size = 0;
	pthread_mutex_unlock(&r->lock);
}

/* Whether a directory entry may be a message. */
static int
is_message(const struct dirent *d)
{
	if (d->d_name[0] == '.' || strlen(d->d_name) > MAILDIR_NAME_MAX)
		return 0;
	return d->d_type == DT_REG || d->d_type == DT_UNKNOWN;
}

/* Open root/sub and count its messages (a pass that stores nothing). */
int
maildir_list_open(struct source *s, int i, struct err *e)
{
	struct maildir *md = s->state;
	char *dir = xasprintf("%s/%s", s->path, maildir_subdirs[i]);
	struct dirent *d;
	DIR *dp;

	dp = opendir(dir);
	free(dir);
	if (dp == NULL)
		return err_set(e, "%s: %s (not a Maildir?)", maildir_subdirs[i], strerror(errno));
	while ((d = readdir(dp)) != NULL)
		if (is_message(d))
			s->expected++;
	rewinddir(dp);
	md->listing.dir[i] = dp;
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read up to MAILDIR_WINDOW names of the directory being listed. */
static int
read_window(struct maildir *md, struct err *e)
{
	struct listing *l = &md->listing;
	int check = l->subdir == SUBDIR_CUR && md->renamed.watching;
	struct dirent *d = NULL;
	size_t i;

	errno = 0;
	while (l->names.count < MAILDIR_WINDOW) {
		errno = 0;
		if ((d = readdir(l->dir[l->subdir])) == NULL)
			break;
		if (is_message(d) && !(check && renamed_by_us(&md->renamed, d->d_name)))
			maildir_names_add(&l->names, d->d_name, DISPOSE_KEEP);
	}
	if (d == NULL && errno != 0)
		return err_set(e, "%s: %s", maildir_subdirs[l->subdir], strerror(errno));
	for (i = 0; i < l->names.count; i++)
		l->sorted[i] = l->names.bytes + l->names.offset[i];
	qsort(l->sorted, l->names.count, sizeof *l->sorted, compare_names);
	return 0;
}

/* The next window of names: 1, 0 when cur/ and new/ are both done, -1 with e. */
int
maildir_list_next(struct maildir *md, struct err *e)
{
	struct listing *l = &md->listing;

	l->names.count = l->names.used = 0;
	l->next = 0;
	while (l->subdir < SUBDIRS) {
		if (read_window(md, e) == -1)
			return -1;
		if (l->names.count > 0)
			return 1;
		closedir(l->dir[l->subdir]);
		l->dir[l->subdir] = NULL;
		if (l->subdir == SUBDIR_CUR)
			renamed_stop(&md->renamed);
		l->subdir++;
	}
	return 0;
}
