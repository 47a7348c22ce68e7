/*
 * source-stdin.c: one message on standard input ("-"), the MTA-pipe case.
 *
 * At most max_bytes + 1 bytes are read: a larger message is reported as skipped
 * and the rest of it is left unread, so the caller can tell the MTA (by its exit
 * status) instead of this source deciding. The message cannot be disposed of
 * here: once the caller exits successfully the MTA considers it delivered. A
 * copy of it is kept for the caller (source_stdin_message), which delivers one
 * that was not stored as a bounce as [pipe] says (pipe-keep.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipe-keep.h"
#include "source.h"
#include "xalloc.h"

struct stdin_state {
	int	 done;
	char	*copy;		/* the message read, for source_stdin_message */
	size_t	 length;
};

static int
stdin_open(struct source *s, struct err *e)
{
	(void)e;
	s->state = xcalloc(1, sizeof(struct stdin_state));
	return 0;
}

static int
stdin_next(struct source *s, struct message *m, struct err *e)
{
	struct stdin_state *st = s->state;
	int rc;

	if (st->done)
		return SOURCE_DONE;
	st->done = 1;
	m->origin = xstrdup("-");
	m->location = xstrdup("-");
	rc = source_read_fd(STDIN_FILENO, s->conf.max_bytes, &m->data, &m->length, e);
	if (rc == 1) {
		m->size = s->conf.max_bytes + 1;	/* at least; the rest is unread */
		err_set(e, "more than %zu bytes (the cap); not read", s->conf.max_bytes);
		return SOURCE_SKIPPED;
	}
	if (rc == -1) {
		err_prefix(e, "standard input: ");
		return SOURCE_SKIPPED;
	}
	m->size = m->length;
	st->copy = xmalloc(m->length + 1);
	memcpy(st->copy, m->data, m->length);
	st->length = m->length;
	return SOURCE_MESSAGE;
}

int
source_stdin_message(const struct source *s, const char **data, size_t *length)
{
	const struct stdin_state *st = s->state;

	if (s->ops != &source_stdin || st == NULL || st->copy == NULL)
		return -1;
	*data = st->copy;
	*length = st->length;
	return 0;
}

static int
stdin_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	(void)s;
	(void)m;
	if (d == DISPOSE_DELETE)
		return err_set(e, "a message on standard input cannot be deleted");
	return 0;
}

static void
stdin_close(struct source *s)
{
	struct stdin_state *st = s->state;

	if (st != NULL)
		free(st->copy);
	free(s->state);
	s->state = NULL;
}

const struct source_ops source_stdin = {
	.scheme = "stdin",
	.read_only = 1,
	.open = stdin_open,
	.next = stdin_next,
	.dispose = stdin_dispose,
	.close = stdin_close,
};
