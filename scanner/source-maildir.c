/*
 * source-maildir.c: a Maildir as a source (maildir:PATH).
 *
 * At open, the names in new/ and cur/ are listed once (a snapshot, sorted, so a
 * message moved from new/ to cur/ during the scan is not met twice); each message
 * is read when next() reaches it. Disposal renames within the mailbox: into a
 * Maildir++ subfolder (".Processed", created with cur/ new/ tmp/ and the
 * maildirfolder marker when missing), or to cur/NAME:2,S for "seen". rename(2)
 * within one file system never loses a message; RENAME_NOREPLACE (or link(2)
 * where that is not available) keeps it from overwriting another one. Subfolders
 * are not read: they hold what was already disposed of.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "xalloc.h"

/* A Maildir message name is short; anything longer is not one of ours. */
#define MAILDIR_NAME_MAX	255

/* A folder already made, so each disposal costs one rename and no mkdir. */
struct ready_folder {
	char	*name;
	char	*path;
};

struct maildir {
	char			**names;	/* "new/NAME", "cur/NAME", sorted within each */
	size_t			  count;
	size_t			  cap;
	size_t			  next;
	struct ready_folder	  ready[2];	/* processed and unrecognized */
};

static void
add_name(struct maildir *md, const char *sub, const char *name)
{
	if (md->count == md->cap) {
		md->cap = md->cap == 0 ? 256 : md->cap * 2;
		md->names = xreallocarray(md->names, md->cap, sizeof *md->names);
	}
	md->names[md->count++] = xasprintf("%s/%s", sub, name);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the messages of root/sub to md's list. */
static int
list_subdir(struct source *s, struct maildir *md, const char *sub, struct err *e)
{
	char *dir = xasprintf("%s/%s", s->path, sub);
	size_t first = md->count;
	struct dirent *d;
	DIR *dp;

	dp = opendir(dir);
	free(dir);
	if (dp == NULL)
		return err_set(e, "%s: %s (not a Maildir?)", sub, strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || strlen(d->d_name) > MAILDIR_NAME_MAX)
			continue;
		if (d->d_type != DT_REG && d->d_type != DT_UNKNOWN)
			continue;
		add_name(md, sub, d->d_name);
	}
	closedir(dp);
	if (md->count > first)
		qsort(md->names + first, md->count - first, sizeof *md->names,
		    compare_names);
	return 0;
}

static void
maildir_close(struct source *s)
{
	struct maildir *md = s->state;
	size_t i;

	for (i = 0; i < md->count; i++)
		free(md->names[i]);
	free(md->names);
	for (i = 0; i < 2; i++) {
		free(md->ready[i].name);
		free(md->ready[i].path);
	}
	free(md);
	s->state = NULL;
}

static int
maildir_open(struct source *s, struct err *e)
{
	struct maildir *md = xcalloc(1, sizeof *md);

	s->state = md;
	if (list_subdir(s, md, "new", e) == -1 || list_subdir(s, md, "cur", e) == -1)
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

/* Read the file named by m->location into m; SOURCE_MESSAGE or SOURCE_SKIPPED. */
static int
read_message(struct source *s, struct message *m, struct err *e)
{
	char *path = xasprintf("%s/%s", s->path, m->location);
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
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
	rc = source_read_fd(fd, s->conf.max_bytes, &m->data, &m->length, e);
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
	int rc;

	if (md->next == md->count)
		return SOURCE_DONE;
	m->location = md->names[md->next];
	md->names[md->next++] = NULL;	/* m owns it now */
	m->origin = unique_part(m->location);
	rc = read_message(s, m, e);
	return rc == -1 ? SOURCE_SKIPPED : rc;
}

/*
 * Rename from to to without ever replacing an existing file. Linux gives
 * RENAME_NOREPLACE; file systems that lack it get link(2) + unlink(2), the
 * Maildir spec's own way of delivering.
 */
static int
rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(from, to) == -1)
		return -1;
	return unlink(from);
}

static int
move_file(struct source *s, const char *from, const char *to, struct err *e)
{
	char *full_from = xasprintf("%s/%s", s->path, from);
	int rc = rename_noreplace(full_from, to);
	int saved = errno;

	free(full_from);
	if (rc == 0)
		return 0;
	if (saved == ENOENT)
		return err_set(e, "%s: vanished before it could be moved", from);
	if (saved == EEXIST)
		return err_set(e, "%s: cannot move to %s: a file of that name is "
		    "already there; left in place", from, to);
	return err_set(e, "%s: cannot move to %s: %s; left in place", from, to,
	    strerror(saved));
}

static int
make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return err_set(e, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

/*
 * The directory of Maildir++ folder name: ROOT/.NAME, with "/" in name written
 * as "."; when the source is itself a subfolder (it holds the maildirfolder
 * marker), the new folder is its sibling ROOT/.SOURCE.NAME, as Maildir++ wants.
 */
static char *
folder_path(struct source *s, const char *name)
{
	char *marker = xasprintf("%s/maildirfolder", s->path);
	char *dotted = xstrdup(name), *p, *path;
	int subfolder = access(marker, F_OK) == 0;

	free(marker);
	for (p = dotted; *p != '\0'; p++)
		if (*p == '/')
			*p = '.';
	if (subfolder)
		path = xasprintf("%s.%s", s->path, dotted);
	else
		path = xasprintf("%s/.%s", s->path, dotted);
	free(dotted);
	return path;
}

/* Create folder (a Maildir++ subfolder) unless it is there. */
static int
make_folder(const char *folder, struct err *e)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char *path;
	size_t i;
	int fd;

	if (make_dir(folder, e) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		path = xasprintf("%s/%s", folder, subs[i]);
		if (make_dir(path, e) == -1) {
			free(path);
			return -1;
		}
		free(path);
	}
	path = xasprintf("%s/maildirfolder", folder);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd != -1)
		close(fd);
	return 0;
}

/* The directory of folder name, created on first use; NULL with e on failure. */
static const char *
ready_folder(struct source *s, const char *name, struct err *e)
{
	struct maildir *md = s->state;
	struct ready_folder *slot = &md->ready[1];
	char *path;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (md->ready[i].name != NULL && strcmp(md->ready[i].name, name) == 0)
			return md->ready[i].path;
		if (md->ready[i].name == NULL && slot == &md->ready[1])
			slot = &md->ready[i];
	}
	path = folder_path(s, name);
	if (make_folder(path, e) == -1) {
		free(path);
		return NULL;
	}
	free(slot->name);
	free(slot->path);
	slot->name = xstrdup(name);
	slot->path = path;
	return path;
}

/* Move the message into folder name, keeping its subdirectory and flags. */
static int
move_to_folder(struct source *s, const struct message *m, const char *name,
    struct err *e)
{
	const char *folder = ready_folder(s, name, e);
	char *to;
	int rc;

	if (folder == NULL)
		return -1;
	to = xasprintf("%s/%s", folder, m->location);
	rc = move_file(s, m->location, to, e);
	free(to);
	return rc;
}

static int
compare_chars(const void *a, const void *b)
{
	return *(const unsigned char *)a - *(const unsigned char *)b;
}

/*
 * The name of m with the S flag added to its info ("cur/NAME:2,FLAGS", flags in
 * ASCII order as the Maildir spec asks), or NULL when it is already there.
 */
static char *
seen_name(const struct message *m)
{
	const char *name = m->location + 4, *info = strstr(name, ":2,");
	char *flags, *seen;
	size_t n;

	if (info == NULL)
		return xasprintf("cur/%s:2,S", name);
	if (strchr(info + 3, 'S') != NULL)
		return NULL;
	n = strlen(info + 3);
	flags = xmalloc(n + 2);
	memcpy(flags, info + 3, n);
	flags[n] = 'S';
	flags[n + 1] = '\0';
	qsort(flags, n + 1, 1, compare_chars);
	seen = xasprintf("cur/%.*s:2,%s", (int)(info - name), name, flags);
	free(flags);
	return seen;
}

/* "seen": new/NAME becomes cur/NAME:2,S; cur/NAME:2,FL becomes cur/NAME:2,FLS. */
static int
mark_seen(struct source *s, const struct message *m, struct err *e)
{
	char *name = seen_name(m), *to;
	int rc;

	if (name == NULL) {
		if (strncmp(m->location, "cur/", 4) == 0)
			return 0;
		name = xasprintf("cur/%s", m->location + 4);
	}
	to = xasprintf("%s/%s", s->path, name);
	rc = move_file(s, m->location, to, e);
	free(to);
	free(name);
	return rc;
}

static int
remove_file(struct source *s, const struct message *m, struct err *e)
{
	char *path = xasprintf("%s/%s", s->path, m->location);
	int rc = unlink(path);

	free(path);
	if (rc == -1 && errno != ENOENT)
		return err_set(e, "%s: cannot delete: %s", m->location, strerror(errno));
	return 0;
}

static int
apply_action(struct source *s, const struct message *m,
    const struct source_action *a, struct err *e)
{
	switch (a->kind) {
	case SOURCE_ACTION_KEEP:
		return 0;
	case SOURCE_ACTION_MOVE:
		return move_to_folder(s, m, a->folder, e);
	case SOURCE_ACTION_SEEN:
		return mark_seen(s, m, e);
	case SOURCE_ACTION_DELETE:
		return remove_file(s, m, e);
	}
	return err_set(e, "unknown action %d", (int)a->kind);
}

static int
maildir_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	static const struct source_action delete = { SOURCE_ACTION_DELETE, "" };

	if (m->location == NULL || (strncmp(m->location, "new/", 4) != 0 &&
	    strncmp(m->location, "cur/", 4) != 0) || m->location[4] == '.' ||
	    m->location[4] == '\0' || strchr(m->location + 4, '/') != NULL)
		return err_set(e, "not a message of this Maildir");
	switch (d) {
	case DISPOSE_KEEP:
		return 0;
	case DISPOSE_PROCESSED:
		return apply_action(s, m, &s->conf.processed, e);
	case DISPOSE_UNRECOGNIZED:
		return apply_action(s, m, &s->conf.unrecognized, e);
	case DISPOSE_DELETE:
		return apply_action(s, m, &delete, e);
	}
	return err_set(e, "unknown disposal %d", (int)d);
}

const struct source_ops source_maildir = {
	.scheme = "maildir",
	.open = maildir_open,
	.next = maildir_next,
	.dispose = maildir_dispose,
	.close = maildir_close,
};
