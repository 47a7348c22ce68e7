/*
 * source.c: choosing a driver from a source spec, and what every driver shares
 * (the configuration, bounded reading, the origin hash). See source.h. The
 * drivers themselves live in source-*.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifier.h"
#include "mutf7.h"
#include "source.h"
#include "url.h"
#include "xalloc.h"

/* Drivers by scheme; a spec without a known scheme is a plain file. */
static const struct {
	const char		*scheme;
	const struct source_ops	*ops;
	int			 url;	/* the driver parses the whole spec as a URL */
} source_drivers[] = {
	{ "maildir", &source_maildir, 0 },
	{ "mbox", &source_mbox, 0 },
	{ "file", &source_file, 0 },
	{ "imaps", &source_imap, 1 },
	{ "imap", &source_imap, 1 },
	{ "pop3s", &source_pop3, 1 },
	{ "pop3", &source_pop3, 1 },
};

void
source_conf_init(struct source_conf *c)
{
	memset(c, 0, sizeof *c);
	c->processed.kind = SOURCE_ACTION_MOVE;
	strcpy(c->processed.folder, "Processed");
	c->unrecognized.kind = SOURCE_ACTION_MOVE;
	strcpy(c->unrecognized.folder, "Unrecognized");
	c->max_bytes = CLASSIFIER_MAX_BYTES;
	c->tls_verify = 1;
	c->timeout = 60;
	c->poll_interval = 60;
}

/* A folder name that cannot escape the mailbox or name a hidden file. */
static int
folder_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n >= SOURCE_FOLDER_MAX || name[0] == '.' || name[0] == '/' ||
	    name[n - 1] == '/' || strstr(name, "..") != NULL ||
	    strstr(name, "//") != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

int
source_action_parse(const char *text, int allow_delete, struct source_action *a,
    struct err *e)
{
	char wire[MUTF7_MAX(SOURCE_FOLDER_MAX)];

	memset(a, 0, sizeof *a);
	if (strcmp(text, "keep") == 0)
		a->kind = SOURCE_ACTION_KEEP;
	else if (strncmp(text, "move:", 5) == 0) {
		if (!folder_valid(text + 5))
			return err_set(e, "\"%s\": not a usable folder name", text + 5);
		/*
		 * IMAP sends names in modified UTF-7, and Maildir++ stores them
		 * so by default: the name must fit once encoded.
		 */
		if (mutf7_encode(text + 5, wire, sizeof wire, e) == -1)
			return -1;
		a->kind = SOURCE_ACTION_MOVE;
		strcpy(a->folder, text + 5);
	} else if (allow_delete && strcmp(text, "seen") == 0)
		a->kind = SOURCE_ACTION_SEEN;
	else if (allow_delete && strcmp(text, "delete") == 0)
		a->kind = SOURCE_ACTION_DELETE;
	else
		return err_set(e, "\"%s\": want %s", text, allow_delete ?
		    "keep, move:FOLDER, seen or delete" : "keep or move:FOLDER");
	return 0;
}

/* The length of spec's "SCHEME:" prefix (letters, digits, + - .), or 0. */
static size_t
scheme_length(const char *spec)
{
	size_t i;

	for (i = 0; i < 16 && spec[i] != '\0'; i++) {
		if (spec[i] == ':')
			return i;
		if (!(spec[i] >= 'a' && spec[i] <= 'z') &&
		    !(i > 0 && ((spec[i] >= '0' && spec[i] <= '9') ||
		    spec[i] == '+' || spec[i] == '-' || spec[i] == '.')))
			return 0;
	}
	return 0;
}

/* Pick the driver for spec and the path it should open; -1 with e if none. */
static int
spec_driver(const char *spec, const struct source_ops **ops, const char **path,
    struct err *e)
{
	size_t n = scheme_length(spec), i;

	*path = spec;
	*ops = &source_file;
	if (strcmp(spec, "-") == 0) {
		*ops = &source_stdin;
		return 0;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < sizeof source_drivers / sizeof source_drivers[0]; i++) {
		if (strlen(source_drivers[i].scheme) != n ||
		    strncmp(spec, source_drivers[i].scheme, n) != 0)
			continue;
		*ops = source_drivers[i].ops;
		if (source_drivers[i].url)
			return 0;
		*path = spec + n + 1;
		if (strncmp(*path, "///", 3) == 0)	/* maildir:///var/mail/x */
			*path += 2;
		return 0;
	}
	if (strncmp(spec + n, "://", 3) == 0)
		return err_set(e, "%s: unknown source type \"%.*s\"", spec, (int)n, spec);
	return 0;	/* a plain file whose name holds a colon */
}

char *
source_lock_key(const char *spec)
{
	const struct source_ops *ops;
	const char *path;
	struct err e;
	struct stat st;
	struct url u;
	char *p;

	if (spec_driver(spec, &ops, &path, &e) == -1 || ops == &source_stdin)
		return xstrdup(spec);
	if (ops == &source_imap || ops == &source_pop3) {
		if (url_parse(spec, &u, &e) == -1)
			return xstrdup(spec);
		for (p = u.host; *p != '\0'; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		/* RFC 3501: INBOX is INBOX in any case; other names are as written. */
		if (strcasecmp(u.mailbox, "INBOX") == 0)
			memcpy(u.mailbox, "INBOX", sizeof "INBOX");
		return xasprintf("%s %s@%s:%d/%s", u.imap ? "imap" : "pop3", u.user,
		    u.host, u.port, u.imap ? u.mailbox : "");
	}
	/* stat, not lstat: a symbolic link is the mailbox it points to. */
	if (*path == '\0' || stat(path, &st) == -1)
		return xstrdup(spec);
	return xasprintf("local %llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
}

int
source_open_spec(const char *spec, const struct source_conf *conf,
    struct source **out, struct err *e)
{
	const struct source_ops *ops;
	const char *path;
	struct source *s;

	*out = NULL;
	if (spec_driver(spec, &ops, &path, e) == -1)
		return -1;
	if (*path == '\0')
		return err_set(e, "%s: no path given", spec);
	s = xcalloc(1, sizeof *s);
	s->ops = ops;
	s->spec = xstrdup(spec);
	s->path = xstrdup(path);
	if (conf != NULL)
		s->conf = *conf;
	else
		source_conf_init(&s->conf);
	if (s->conf.max_bytes == 0)
		s->conf.max_bytes = CLASSIFIER_MAX_BYTES;
	if (s->conf.unrecognized.kind != SOURCE_ACTION_KEEP &&
	    s->conf.unrecognized.kind != SOURCE_ACTION_MOVE) {
		source_close(s);
		return err_set(e, "%s: unrecognized mail may only be kept or moved", spec);
	}
	if (ops->open(s, e) == -1) {
		source_close(s);
		return err_prefix(e, "%s: ", spec);
	}
	*out = s;
	return 0;
}

int
source_next(struct source *s, struct message *m, struct err *e)
{
	int rc;

	memset(m, 0, sizeof *m);
	rc = s->ops->next(s, m, e);
	if (rc == SOURCE_SKIPPED || rc == SOURCE_ERROR)
		err_prefix(e, "%s: ", s->spec);
	if (rc == SOURCE_DONE || rc == SOURCE_ERROR)
		message_free(m);
	return rc;
}

int
source_begin(struct source *s, const struct source_memory *memory, struct err *e)
{
	if (s->ops->begin != NULL && s->ops->begin(s, memory, e) == -1)
		return err_prefix(e, "%s: ", s->spec);
	return 0;
}

int
source_flush(struct source *s, size_t *failed, struct err *e)
{
	*failed = 0;
	if (s->ops->flush != NULL && s->ops->flush(s, failed, e) == -1)
		return err_prefix(e, "%s: ", s->spec);
	return 0;
}

int
source_checkpoint(struct source *s, const struct source_memory *memory,
    struct err *e)
{
	if (s->ops->checkpoint != NULL && s->ops->checkpoint(s, memory, e) == -1)
		return err_prefix(e, "%s: ", s->spec);
	return 0;
}

int
source_idle_start(struct source *s, int *fd, struct err *e)
{
	int rc;

	*fd = -1;
	if (s->ops->idle_start == NULL)
		return 0;
	if ((rc = s->ops->idle_start(s, fd, e)) == -1)
		return err_prefix(e, "%s: ", s->spec);
	return rc;
}

int
source_idle_done(struct source *s, struct err *e)
{
	if (s->ops->idle_done != NULL && s->ops->idle_done(s, e) == -1)
		return err_prefix(e, "%s: ", s->spec);
	return 0;
}

int
source_persistent(const struct source *s)
{
	return s->ops->begin != NULL && s->ops->idle_start != NULL;
}

int
source_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	if (s->ops->dispose(s, m, d, e) == -1)
		return err_prefix(e, "%s: ", s->spec);
	return 0;
}

void
source_close(struct source *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL && s->state != NULL)
		s->ops->close(s);
	free(s->spec);
	free(s->path);
	free(s);
}

void
message_drop_data(struct message *m)
{
	free(m->data);
	m->data = NULL;
	m->length = 0;
}

void
message_free(struct message *m)
{
	free(m->data);
	free(m->origin);
	free(m->location);
	memset(m, 0, sizeof *m);
}

/*
 * Read fd to its end (see source_read_fd). size is what fstat(2) said of a
 * regular file, or -1: a read that returns exactly the rest of such a file,
 * having asked for more, is taken as its end without one more read(2) to see
 * 0. Linux returns less than asked from a regular file only at its end, and a
 * Maildir message does not change once delivered; a file that grew is read on.
 */
static int
read_to_end(int fd, off_t size, size_t max, char **data, size_t *length,
    struct err *e)
{
	size_t cap = size >= 0 && (size_t)size < max ? (size_t)size + 2 : 65536, n = 0;
	ssize_t got;
	char *b = xmalloc(cap);

	for (;;) {
		if (n == cap - 1) {
			if (n > max)
				break;
			cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			b = xreallocarray(b, cap, 1);
		}
		got = read(fd, b + n, cap - 1 - n);
		if (got == 0)
			break;
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			free(b);
			return err_set(e, "%s", strerror(errno));
		}
		n += (size_t)got;
		if (size >= 0 && n == (size_t)size && n < cap - 1)
			break;
	}
	if (n > max) {
		free(b);
		return 1;
	}
	b[n] = '\0';
	*data = b;
	*length = n;
	return 0;
}

int
source_read_fd(int fd, size_t max, char **data, size_t *length, struct err *e)
{
	struct stat st;

	/* A regular file says how big it is: one allocation of the right size. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
		return read_to_end(fd, st.st_size, max, data, length, e);
	return read_to_end(fd, -1, max, data, length, e);
}

int
source_read_regular(int fd, off_t size, size_t max, char **data, size_t *length,
    struct err *e)
{
	return read_to_end(fd, size, max, data, length, e);
}

unsigned long long
source_hash(unsigned long long hash, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		hash ^= s[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}
