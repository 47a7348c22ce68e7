/*
 * source-mbox.c: an mbox file as a source (mbox:PATH), read-only.
 *
 * The file is read front to back through one fixed buffer, a line (or a 64 KB
 * piece of a longer one) at a time, so memory stays flat however many messages
 * it holds and however long a line is. A message starts at each "From " line at
 * the start of a line; the "From " line itself is the mbox envelope, not part of
 * the message. Lines that mboxrd and mboxo writers quoted (">From ", ">>From ",
 * ...) lose one '>'; the blank line a writer puts before the next "From " is
 * dropped. LF and CRLF files alike: line ends are kept as stored.
 *
 * Nothing is ever written to the file. Each message's origin id is the byte
 * offset of its "From " line and a hash of its bytes as stored, so the caller can
 * remember what it ingested and a rewritten mailbox is not mistaken for the old.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "xalloc.h"

#define MBOX_BUFFER	65536

struct mbox {
	int			 fd;
	char			 buffer[MBOX_BUFFER];
	size_t			 pos, end;
	unsigned long long	 offset;	/* of buffer[pos] in the file */
	int			 eof;
	int			 at_line_start;
	int			 open;		/* a message is being collected */
	/* The message being collected. */
	unsigned long long	 start;		/* offset of its "From " line */
	unsigned long long	 hash;
	size_t			 size;		/* bytes as stored, "From " line included */
	char			*data;
	size_t			 length, cap;
	int			 oversize;
	int			 in_from_line;	/* a "From " line longer than the buffer */
};

static int
mbox_open(struct source *s, struct err *e)
{
	struct mbox *mb = xcalloc(1, sizeof *mb);
	char head[5];
	struct stat st;
	ssize_t got;

	s->state = mb;
	mb->fd = -1;
	mb->at_line_start = 1;
	if ((mb->fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, "%s", strerror(errno));
	if (fstat(mb->fd, &st) == -1)
		return err_set(e, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, "not a regular file%s", S_ISDIR(st.st_mode) ?
		    " (a Maildir? use maildir:PATH)" : "");
	got = pread(mb->fd, head, sizeof head, 0);
	if (got == -1)
		return err_set(e, "%s", strerror(errno));
	if (got > 0 && (got < 5 || memcmp(head, "From ", 5) != 0))
		return err_set(e, "not an mbox file (it does not begin with \"From \")");
	return 0;
}

static void
mbox_close(struct source *s)
{
	struct mbox *mb = s->state;

	if (mb->fd != -1)
		close(mb->fd);
	free(mb->data);
	free(mb);
	s->state = NULL;
}

/*
 * The next piece of the file: a line with its '\n', or MBOX_BUFFER bytes of a
 * longer one, or the unterminated end. Returns its length, 0 at the end of the
 * file, -1 on a read error.
 */
static ssize_t
next_piece(struct mbox *mb, const char **piece, struct err *e)
{
	const char *newline;
	ssize_t got;
	size_t n;

	for (;;) {
		newline = memchr(mb->buffer + mb->pos, '\n', mb->end - mb->pos);
		if (newline != NULL || mb->eof ||
		    (mb->pos == 0 && mb->end == MBOX_BUFFER)) {
			n = newline != NULL ? (size_t)(newline + 1 - mb->buffer) - mb->pos :
			    mb->end - mb->pos;
			*piece = mb->buffer + mb->pos;
			mb->pos += n;
			mb->offset += n;
			return (ssize_t)n;
		}
		memmove(mb->buffer, mb->buffer + mb->pos, mb->end - mb->pos);
		mb->end -= mb->pos;
		mb->pos = 0;
		got = read(mb->fd, mb->buffer + mb->end, MBOX_BUFFER - mb->end);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return err_set(e, "read error at byte %llu: %s", mb->offset,
			    strerror(errno));
		if (got == 0)
			mb->eof = 1;
		mb->end += (size_t)got;
	}
}

static void
begin_message(struct mbox *mb, const char *piece, size_t n)
{
	mb->open = 1;
	mb->start = mb->offset - n;
	mb->hash = source_hash(SOURCE_HASH_INIT, piece, n);
	mb->size = n;
	mb->length = 0;
	mb->oversize = 0;
	mb->in_from_line = piece[n - 1] != '\n';
}

static void
append(struct mbox *mb, size_t max, const char *p, size_t n)
{
	if (mb->length + n > max) {
		mb->oversize = 1;
		free(mb->data);
		mb->data = NULL;
		mb->cap = 0;
		return;
	}
	if (mb->length + n + 1 > mb->cap) {
		mb->cap = mb->cap == 0 ? 16384 : mb->cap;
		while (mb->length + n + 1 > mb->cap)
			mb->cap *= 2;
		if (mb->cap > max + 1)
			mb->cap = max + 1;
		mb->data = xreallocarray(mb->data, mb->cap, 1);
	}
	memcpy(mb->data + mb->length, p, n);
	mb->length += n;
}

/* Add a piece of the current message, undoing mboxrd/mboxo ">From " quoting. */
static void
add_piece(struct mbox *mb, size_t max, const char *piece, size_t n, int line_start)
{
	size_t quotes = 0;

	mb->hash = source_hash(mb->hash, piece, n);
	mb->size += n;
	if (mb->in_from_line) {
		mb->in_from_line = piece[n - 1] != '\n';
		return;
	}
	if (mb->oversize)
		return;
	if (line_start) {
		while (quotes < n && piece[quotes] == '>')
			quotes++;
		if (quotes > 0 && n - quotes >= 5 && memcmp(piece + quotes, "From ", 5) == 0) {
			piece++;
			n--;
		}
	}
	append(mb, max, piece, n);
}

/* Hand the collected message to m; SOURCE_MESSAGE or SOURCE_SKIPPED. */
static int
finish_message(struct source *s, struct mbox *mb, struct message *m, struct err *e)
{
	mb->open = 0;
	m->size = mb->size;
	m->origin = xasprintf("%llu-%016llx", mb->start, mb->hash);
	m->location = xasprintf("byte %llu", mb->start);
	if (mb->oversize) {
		err_set(e, "message at byte %llu: over the %zu-byte cap; skipped",
		    mb->start, s->conf.max_bytes);
		return SOURCE_SKIPPED;
	}
	/* The blank line before the next "From " belongs to the mbox, not to us. */
	if (mb->length >= 4 && memcmp(mb->data + mb->length - 4, "\r\n\r\n", 4) == 0)
		mb->length -= 2;
	else if (mb->length >= 2 && memcmp(mb->data + mb->length - 2, "\n\n", 2) == 0)
		mb->length--;
	if (mb->data == NULL)
		mb->data = xmalloc(1);
	mb->data[mb->length] = '\0';
	m->data = mb->data;
	m->length = mb->length;
	mb->data = NULL;
	mb->cap = 0;
	return SOURCE_MESSAGE;
}

static int
mbox_next(struct source *s, struct message *m, struct err *e)
{
	struct mbox *mb = s->state;
	const char *piece = NULL;
	int line_start;
	ssize_t n;

	for (;;) {
		if ((n = next_piece(mb, &piece, e)) == -1)
			return SOURCE_ERROR;
		if (n == 0)
			return mb->open ? finish_message(s, mb, m, e) : SOURCE_DONE;
		line_start = mb->at_line_start;
		mb->at_line_start = piece[n - 1] == '\n';
		if (line_start && n >= 5 && memcmp(piece, "From ", 5) == 0) {
			int rc = mb->open ? finish_message(s, mb, m, e) : SOURCE_DONE;

			begin_message(mb, piece, (size_t)n);
			if (rc != SOURCE_DONE)
				return rc;
			continue;
		}
		if (mb->open)
			add_piece(mb, s->conf.max_bytes, piece, (size_t)n, line_start);
	}
}

static int
mbox_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	(void)s;
	(void)m;
	if (d == DISPOSE_DELETE)
		return err_set(e, "an mbox source is read-only; nothing deleted");
	return 0;
}

const struct source_ops source_mbox = {
	.scheme = "mbox",
	.read_only = 1,
	.open = mbox_open,
	.next = mbox_next,
	.dispose = mbox_dispose,
	.close = mbox_close,
};
