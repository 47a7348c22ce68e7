/*
 * source-pop3.c: a POP3 maildrop (pop3s://, pop3:// with STLS) as a source.
 *
 * POP3 has one mailbox, no folders and no flags, and sees new mail only in a
 * new session. So: processed = keep (the default) or delete; unrecognized mail
 * is always kept. Messages are known across runs by UIDL: a message kept by an
 * earlier run is not downloaded again. DELE is sent only after the batch is
 * committed (flush), and the server applies it only at QUIT; a run killed
 * before that finds the messages again, recognises them by hash, and deletes
 * them then. A deleted message's UIDL is not remembered, since it will be gone.
 *
 * The connection is as in imap-session.c: TLS verified before USER/PASS (our
 * own stream, tls.c), STLS for pop3://, clear text only when allowed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "net.h"
#include "pop3-pipeline.h"
#include "source.h"
#include "xalloc.h"

struct pop3_item {
	unsigned int	 index;		/* the session's message number */
	uint32_t	 size;
	const char	*uidl;		/* the session's; NULL when none */
};

struct pop3_state {
	mailpop3		*pop3;
	struct url		 url;
	struct pop3_item	*items;		/* to read this pass */
	size_t			 count;
	size_t			 next;
	char			**known;	/* UIDLs read before and still there */
	size_t			 nknown;
	char			**remember;	/* UIDLs to remember at the checkpoint */
	size_t			 nremember;
	unsigned int		*dele;		/* waiting for flush */
	size_t			 ndele;
	int			 pruned;	/* the stored UIDLs were rewritten */
	int			 pipelining;	/* RFC 2449 PIPELINING offered */
	struct pop3_answer	*ahead;		/* RETR answers read ahead */
	size_t			 ahead_count;
	size_t			 ahead_next;
};

/* Messages (and bytes) asked for in one pipelined round of RETR. */
#define POP3_AHEAD_MESSAGES	64
#define POP3_AHEAD_BYTES	(4u << 20)

static int
pop3_error(const struct pop3_state *st, const char *what, int r, struct err *e)
{
	const char *said = st->pop3 != NULL ? st->pop3->pop3_response : NULL;

	if (r == MAILPOP3_ERROR_STREAM)
		return err_set(e, "%s: the connection to %s was lost", what, st->url.host);
	if (said != NULL && said[0] != '\0')
		return err_set(e, "%s: the server said \"%.200s\"", what, said);
	return err_set(e, "%s: refused by the server (libetpan error %d)", what, r);
}

/* Whether CAPA lists name (a server without CAPA lists nothing). */
static int
has_capability(struct pop3_state *st, const char *name)
{
	clist *caps = NULL;
	clistiter *it;
	int found = 0;

	if (mailpop3_capa(st->pop3, &caps) != MAILPOP3_NO_ERROR)
		return 0;
	for (it = clist_begin(caps); it != NULL; it = clist_next(it)) {
		struct mailpop3_capa *cap = clist_content(it);

		if (cap->cap_name != NULL && strcasecmp(cap->cap_name, name) == 0)
			found = 1;
	}
	mailpop3_capa_resp_free(caps);
	return found;
}

static int
secure(struct pop3_state *st, const struct source_conf *c, struct err *e)
{
	struct tls_settings t;
	int r;

	if (st->url.tls)
		return 0;
	if (!has_capability(st, "STLS")) {
		if (!c->allow_plaintext)
			return err_set(e, "%s:%d offers no STLS; use pop3s://, or set"
			    " allow_plaintext = yes to send the password in clear",
			    st->url.host, st->url.port);
		net_warn_plaintext(&st->url);
		return 0;
	}
	if ((r = mailpop3_stls(st->pop3)) != MAILPOP3_NO_ERROR)
		return pop3_error(st, "STLS", r, e);
	net_tls_settings(c, &t);
	return tls_upgrade(st->pop3->pop3_stream, st->url.host, &t, e);
}

static int
log_in(struct pop3_state *st, const struct source_conf *c, const char *password,
    struct err *e)
{
	char what[URL_PART_MAX + 32];
	mailstream *stream;
	int r;

	if ((stream = net_connect(&st->url, c, e)) == NULL)
		return -1;
	st->pop3 = mailpop3_new(0, NULL);
	mailpop3_set_timeout(st->pop3, (time_t)(c->timeout > 0 ? c->timeout : 60));
	if ((r = mailpop3_connect(st->pop3, stream)) != MAILPOP3_NO_ERROR)
		return pop3_error(st, "reading the server's greeting", r, e);
	if (secure(st, c, e) == -1)
		return -1;
	r = mailpop3_login(st->pop3, st->url.user, password);
	if (r != MAILPOP3_NO_ERROR) {
		snprintf(what, sizeof what, "logging in as %s", st->url.user);
		return pop3_error(st, what, r, e);
	}
	/* Asked after login: a server may announce more once we are in. */
	st->pipelining = has_capability(st, "PIPELINING");
	return 0;
}

static void
ahead_free(struct pop3_state *st)
{
	size_t i;

	for (i = st->ahead_next; i < st->ahead_count; i++)
		free(st->ahead[i].data);
	free(st->ahead);
	st->ahead = NULL;
	st->ahead_count = st->ahead_next = 0;
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
pop3_close(struct source *s)
{
	struct pop3_state *st = s->state;

	if (st->pop3 != NULL && st->pop3->pop3_stream != NULL &&
	    mailpop3_quit(st->pop3) != MAILPOP3_NO_ERROR && st->ndele > 0)
		fprintf(stderr, "bouncescan: %s: QUIT failed, so the server did not"
		    " delete anything; the next scan will\n", s->spec);
	if (st->pop3 != NULL)
		mailpop3_free(st->pop3);
	ahead_free(st);
	free(st->items);
	free_strings(st->known, st->nknown);
	free_strings(st->remember, st->nremember);
	free(st->dele);
	free(st);
	s->state = NULL;
}

/* POP3 can only keep or delete; refuse what it cannot do, before reading. */
static int
check_actions(struct source *s, struct err *e)
{
	if (!s->conf.processed_given)
		s->conf.processed.kind = SOURCE_ACTION_KEEP;
	if (!s->conf.unrecognized_given)
		s->conf.unrecognized.kind = SOURCE_ACTION_KEEP;
	if (s->conf.processed.kind != SOURCE_ACTION_KEEP &&
	    s->conf.processed.kind != SOURCE_ACTION_DELETE)
		return err_set(e, "POP3 has no folders or flags: processed = keep or"
		    " delete");
	if (s->conf.unrecognized.kind != SOURCE_ACTION_KEEP)
		return err_set(e, "POP3 has no folders: unrecognized = keep");
	return 0;
}

static int
pop3_open(struct source *s, struct err *e)
{
	struct pop3_state *st;
	char *password = NULL;
	int rc;

	if (check_actions(s, e) == -1)
		return -1;
	if (s->conf.batch == 0)
		s->conf.batch = SOURCE_NETWORK_BATCH;
	st = xcalloc(1, sizeof *st);
	s->state = st;
	rc = url_parse(s->spec, &st->url, e) == -1 ||
	    (password = net_password(&s->conf, e)) == NULL ||
	    log_in(st, &s->conf, password, e) == -1 ? -1 : 0;
	net_password_free(password);
	if (rc == -1)
		pop3_close(s);
	return rc;
}

/* The UIDLs earlier runs remembered, sorted, to be looked up by bsearch. */
struct uidl_set {
	char	**uidl;
	size_t	  count;
	size_t	  cap;
};

static int
collect_uidl(void *arg, const char *key, const char *value)
{
	struct uidl_set *set = arg;

	(void)value;
	if (set->count == set->cap) {
		set->cap = set->cap == 0 ? 256 : set->cap * 2;
		set->uidl = xreallocarray(set->uidl, set->cap, sizeof *set->uidl);
	}
	set->uidl[set->count++] = xstrdup(key + 5);	/* after "uidl:" */
	return 0;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One query for all of them: a lookup per message cost more than the RETR. */
static int
uidl_set_load(struct uidl_set *set, const struct source_memory *memory,
    struct err *e)
{
	memset(set, 0, sizeof *set);
	if (memory->each(memory->context, "uidl:", collect_uidl, set, e) == -1)
		return -1;
	if (set->count > 0)
		qsort(set->uidl, set->count, sizeof *set->uidl, compare_strings);
	return 0;
}

static int
uidl_known(const struct uidl_set *set, const char *uidl)
{
	return uidl != NULL && set->count > 0 && bsearch(&uidl, set->uidl, set->count,
	    sizeof *set->uidl, compare_strings) != NULL;
}

/* LIST and UIDL; messages whose UIDL an earlier run remembered are left out. */
static int
pop3_begin(struct source *s, const struct source_memory *memory, struct err *e)
{
	struct pop3_state *st = s->state;
	struct uidl_set known;
	carray *list = NULL;
	unsigned int i;
	int r;

	if ((r = mailpop3_list(st->pop3, &list)) != MAILPOP3_NO_ERROR)
		return pop3_error(st, "listing the messages", r, e);
	if (uidl_set_load(&known, memory, e) == -1)
		return -1;
	st->items = xcalloc(carray_count(list) + 1, sizeof *st->items);
	st->known = xcalloc(carray_count(list) + 1, sizeof *st->known);
	for (i = 0; i < carray_count(list); i++) {
		struct mailpop3_msg_info *info = carray_get(list, i);

		if (info == NULL || info->msg_deleted)
			continue;
		if (uidl_known(&known, info->msg_uidl)) {
			st->known[st->nknown++] = xstrdup(info->msg_uidl);
			continue;
		}
		st->items[st->count].index = info->msg_index;
		st->items[st->count].size = info->msg_size;
		st->items[st->count].uidl = info->msg_uidl;
		st->count++;
	}
	free_strings(known.uidl, known.count);
	s->expected = st->count;
	return 0;
}

static void
remember(struct pop3_state *st, const char *uidl)
{
	if (uidl == NULL || strlen(uidl) > 70)
		return;
	st->remember = xreallocarray(st->remember, st->nremember + 1,
	    sizeof *st->remember);
	st->remember[st->nremember++] = xstrdup(uidl);
}

/*
 * Pipelined: RETR the next run of messages that fit the size cap, up to
 * POP3_AHEAD_MESSAGES or POP3_AHEAD_BYTES, in one round trip.
 */
static int
read_ahead(struct source *s, struct pop3_state *st, struct err *e)
{
	unsigned int index[POP3_AHEAD_MESSAGES];
	size_t n = 0, bytes = 0;

	ahead_free(st);
	while (st->next + n < st->count && n < POP3_AHEAD_MESSAGES &&
	    st->items[st->next + n].size <= s->conf.max_bytes &&
	    (n == 0 || bytes + st->items[st->next + n].size <= POP3_AHEAD_BYTES)) {
		bytes += st->items[st->next + n].size;
		index[n] = st->items[st->next + n].index;
		n++;
	}
	st->ahead = xcalloc(n + 1, sizeof *st->ahead);
	st->ahead_count = n;
	return pop3_pipeline_retr(st->pop3, index, n, st->ahead, e);
}

/* The next message's bytes, from the read-ahead or by a plain RETR. */
static int
retrieve(struct pop3_state *st, const struct pop3_item *it, struct message *m,
    struct err *e)
{
	char *data = NULL;
	size_t length = 0;
	int r;

	if (st->ahead_next < st->ahead_count) {
		struct pop3_answer *a = &st->ahead[st->ahead_next++];

		if (!a->ok) {	/* -ERR: gone since LIST; the connection is fine */
			err_set(e, "RETR: the server said \"%s\"", a->said);
			return SOURCE_SKIPPED;
		}
		m->data = a->data;
		m->length = a->length;
		a->data = NULL;
		return SOURCE_MESSAGE;
	}
	if ((r = mailpop3_retr(st->pop3, it->index, &data, &length)) != MAILPOP3_NO_ERROR) {
		pop3_error(st, "RETR", r, e);
		return r == MAILPOP3_ERROR_NO_SUCH_MESSAGE ? SOURCE_SKIPPED : SOURCE_ERROR;
	}
	m->data = xmalloc(length + 1);
	memcpy(m->data, data, length);
	m->data[length] = '\0';
	m->length = length;
	mailpop3_retr_free(data);
	return SOURCE_MESSAGE;
}

static int
pop3_next(struct source *s, struct message *m, struct err *e)
{
	struct pop3_state *st = s->state;
	struct pop3_item *it;

	if (st->next == st->count)
		return SOURCE_DONE;
	it = &st->items[st->next];
	if (st->pipelining && st->ahead_next == st->ahead_count &&
	    it->size <= s->conf.max_bytes && read_ahead(s, st, e) == -1)
		return SOURCE_ERROR;
	st->next++;
	m->origin = xstrdup(it->uidl != NULL ? it->uidl : "-");
	m->location = xasprintf("message %u", it->index);
	m->size = it->size;
	if (it->size > s->conf.max_bytes) {
		remember(st, it->uidl);		/* reported once, not every run */
		err_set(e, "%zu bytes, over the limit of %zu", m->size, s->conf.max_bytes);
		return SOURCE_SKIPPED;
	}
	return retrieve(st, it, m, e);
}

static int
pop3_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e)
{
	struct pop3_state *st = s->state;
	unsigned int index;

	if (sscanf(m->location, "message %u", &index) != 1)
		return err_set(e, "%s: not a message of this maildrop", m->location);
	if (d == DISPOSE_DELETE ||
	    (d == DISPOSE_PROCESSED && s->conf.processed.kind == SOURCE_ACTION_DELETE)) {
		st->dele = xreallocarray(st->dele, st->ndele + 1, sizeof *st->dele);
		st->dele[st->ndele++] = index;
		return 0;
	}
	remember(st, strcmp(m->origin, "-") != 0 ? m->origin : NULL);
	return 0;
}

static int
pop3_flush(struct source *s, size_t *failed, struct err *e)
{
	struct pop3_state *st = s->state;
	size_t i;
	int r;

	if (st->pipelining && st->ndele > 0) {
		r = pop3_pipeline_dele(st->pop3, st->dele, st->ndele, failed, e);
		if (r == -1)
			*failed = st->ndele;
		else if (*failed > 0)
			r = err_set(e, "DELE: the server refused %zu of %zu", *failed,
			    st->ndele);
		st->ndele = 0;
		return r;
	}
	for (i = 0; i < st->ndele; i++)
		if ((r = mailpop3_dele(st->pop3, st->dele[i])) != MAILPOP3_NO_ERROR) {
			*failed = st->ndele - i;
			st->ndele = 0;
			return pop3_error(st, "DELE", r, e);
		}
	st->ndele = 0;
	return 0;
}

static int
set_uidl(const struct source_memory *memory, const char *uidl, struct err *e)
{
	char key[96];

	snprintf(key, sizeof key, "uidl:%s", uidl);
	return memory->set(memory->context, key, "1", e);
}

/* The first checkpoint of a pass also forgets UIDLs no longer on the server. */
static int
pop3_checkpoint(struct source *s, const struct source_memory *memory, struct err *e)
{
	struct pop3_state *st = s->state;
	size_t i;

	if (!st->pruned) {
		if (memory->forget(memory->context, "uidl:", e) == -1)
			return -1;
		for (i = 0; i < st->nknown; i++)
			if (set_uidl(memory, st->known[i], e) == -1)
				return -1;
		st->pruned = 1;
	}
	for (i = 0; i < st->nremember; i++)
		if (set_uidl(memory, st->remember[i], e) == -1)
			return -1;
	free_strings(st->remember, st->nremember);
	st->remember = NULL;
	st->nremember = 0;
	return 0;
}

const struct source_ops source_pop3 = {
	.scheme = "pop3",
	.open = pop3_open,
	.next = pop3_next,
	.dispose = pop3_dispose,
	.close = pop3_close,
	.begin = pop3_begin,
	.flush = pop3_flush,
	.checkpoint = pop3_checkpoint,
};
