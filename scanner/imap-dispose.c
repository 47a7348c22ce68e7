/*
 * imap-dispose.c: an IMAP source's disposals, and the job that carries them
 * out on a second connection; see imap-dispose.h. MOVE where the server offers
 * it (RFC 6851), else COPY, \\Deleted and UID EXPUNGE (RFC 4315), or a plain
 * EXPUNGE when the server has no UIDPLUS either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap-dispose.h"
#include "xalloc.h"

void
uid_list_add(struct uid_list *l, uint32_t uid, uint32_t size)
{
	if (l->count == l->cap) {
		l->cap = l->cap == 0 ? 256 : l->cap * 2;
		l->uid = xreallocarray(l->uid, l->cap, sizeof *l->uid);
		l->size = xreallocarray(l->size, l->cap, sizeof *l->size);
	}
	l->uid[l->count] = uid;
	l->size[l->count] = size;
	l->count++;
}

void
uid_list_free(struct uid_list *l)
{
	free(l->uid);
	free(l->size);
	memset(l, 0, sizeof *l);
}

struct mailimap_set *
uid_set(const uint32_t *uid, size_t count)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	size_t i = 0, j;

	while (i < count) {
		for (j = i; j + 1 < count && uid[j + 1] == uid[j] + 1; j++)
			;
		mailimap_set_add_interval(set, uid[i], uid[j]);
		i = j + 1;
	}
	return set;
}

/* STORE +FLAGS.SILENT (flag) on set; the set is freed. */
static int
add_flag(struct imap_session *is, struct mailimap_set *set, struct mailimap_flag *flag,
    const char *what, struct err *e)
{
	struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *store;
	int r;

	mailimap_flag_list_add(flags, flag);
	store = mailimap_store_att_flags_new_add_flags_silent(flags);
	r = mailimap_uid_store(is->imap, set, store);
	mailimap_store_att_flags_free(store);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_session_error(is, what, r, e);
	return 0;
}

/* \Deleted and expunged: only these UIDs where UIDPLUS allows saying so. */
static int
expunge(struct imap_session *is, const struct uid_list *l, struct err *e)
{
	int r;

	if (add_flag(is, uid_set(l->uid, l->count), mailimap_flag_new_deleted(),
	    "flagging messages \\Deleted", e) == -1)
		return -1;
	if (is->has_uidplus) {
		struct mailimap_set *set = uid_set(l->uid, l->count);

		r = mailimap_uid_expunge(is->imap, set);
		mailimap_set_free(set);
	} else
		r = mailimap_expunge(is->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_session_error(is, "EXPUNGE", r, e);
	return 0;
}

static int
move(struct imap_session *is, const struct uid_list *l, const char *folder,
    struct err *e)
{
	struct mailimap_set *set = uid_set(l->uid, l->count);
	char what[SOURCE_FOLDER_MAX + 64], wire[IMAP_PLACED_NAME_MAX];
	int r;

	if (imap_session_place_name(is, folder, wire, sizeof wire, e) == -1) {
		mailimap_set_free(set);
		return -1;
	}
	snprintf(what, sizeof what, "moving %zu messages to %s", l->count, folder);
	if (is->has_move)
		r = mailimap_uid_move(is->imap, set, wire);
	else
		r = mailimap_uid_copy(is->imap, set, wire);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_session_error(is, what, r, e);
	return is->has_move ? 0 : expunge(is, l, e);
}

int
imap_carry_out(struct imap_session *is, const struct pending_action *p,
    struct err *e)
{
	if (p->uids.count == 0)
		return 0;
	switch (p->action.kind) {
	case SOURCE_ACTION_MOVE:
		return move(is, &p->uids, p->action.folder, e);
	case SOURCE_ACTION_SEEN:
		return add_flag(is, uid_set(p->uids.uid, p->uids.count),
		    mailimap_flag_new_seen(), "flagging messages \\Seen", e);
	case SOURCE_ACTION_DELETE:
		return expunge(is, &p->uids, e);
	case SOURCE_ACTION_KEEP:
		break;
	}
	return 0;
}


static void *
job_run(void *arg)
{
	struct imap_job *job = arg;
	size_t i;

	job->rc = 0;
	for (i = 0; i < IMAP_ACTIONS && job->rc == 0; i++)
		job->rc = imap_carry_out(job->session, &job->actions[i], &job->e);
	return NULL;
}

void
imap_job_start(struct imap_job *job, struct pending_action *pending, uint32_t through)
{
	size_t i;

	job->count = 0;
	for (i = 0; i < IMAP_ACTIONS; i++) {
		struct uid_list swap = job->actions[i].uids;

		job->actions[i].action = pending[i].action;
		job->actions[i].uids = pending[i].uids;
		swap.count = 0;
		pending[i].uids = swap;		/* reuse the job's old buffers */
		job->count += job->actions[i].uids.count;
	}
	job->through = through;
	job->rc = 0;
	if (pthread_create(&job->thread, NULL, job_run, job) != 0)
		job_run(job);	/* no thread to be had: do it now */
	else
		job->running = 1;
}

int
imap_job_wait(struct imap_job *job, size_t *failed, struct err *e)
{
	size_t i;

	*failed = 0;
	if (job->running)
		pthread_join(job->thread, NULL);
	job->running = 0;
	for (i = 0; i < IMAP_ACTIONS; i++)
		job->actions[i].uids.count = 0;
	if (job->rc == 0)
		return 0;
	job->rc = 0;
	*failed = job->count;
	*e = job->e;
	return -1;
}
