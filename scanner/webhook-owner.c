/*
 * webhook-owner.c: who holds a webhook outbox lease, and whether it still lives.
 *
 * A process that delivers webhooks picks a random owner token and, for as long
 * as it runs, holds an open file description lock on the byte at that offset of
 * DATABASE.webhooks.lock. The kernel drops the lock when the process dies, kill
 * -9 included, so "is owner T alive?" is "is byte T locked?" (F_OFD_GETLK): no
 * PID that a new process may reuse, no clock, no stale file to clean up. The
 * store records the token beside each row it leases (db/outbox.c), and the next
 * delivery run of any process hands back at once the rows of an owner that is
 * gone, instead of waiting for the lease (minutes) to run out.
 *
 * One host only, as SQLite is: locks on a network file system are not to be
 * trusted, and another host's process would look dead. A store on PostgreSQL
 * is shared by hosts: there the token is a session-level advisory lock on the
 * server (store_lock), which the server drops with the session of a process
 * that dies, wherever it ran, and "alive" asks the server (store_lock_held).
 */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "webhook.h"
#include "xalloc.h"

/* Tokens are offsets below 2^62, so that offset + 1 never overflows off_t. */
#define TOKEN_MASK	((UINT64_C(1) << 62) - 1)
#define TOKEN_TRIES	8

/* This process's lock file and token; one per process, kept until it exits. */
static struct {
	char	*path;		/* of the lock file, or the store's URL */
	int	 fd;
	int64_t	 token;		/* 0 until the byte is locked */
	struct store *store;	/* holding the token's lock on its server, or NULL */
} owner = { NULL, -1, 0, NULL };

static void
byte_of(struct flock *fl, short type, int64_t token)
{
	memset(fl, 0, sizeof *fl);
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)token;
	fl->l_len = 1;
}

static int
token_lock(struct err *e)
{
	struct flock fl;
	uint64_t random;
	int tries;

	for (tries = 0; tries < TOKEN_TRIES; tries++) {
		if (getrandom(&random, sizeof random, 0) != sizeof random)
			return err_set(e, "webhooks: no random owner token: %s",
			    strerror(errno));
		if ((random &= TOKEN_MASK) == 0)
			continue;
		byte_of(&fl, F_WRLCK, (int64_t)random);
		if (fcntl(owner.fd, F_OFD_SETLK, &fl) == 0) {
			owner.token = (int64_t)random;
			return 0;
		}
		if (errno != EAGAIN && errno != EACCES)
			return err_set(e, "%s: %s", owner.path, strerror(errno));
	}
	return err_set(e, "%s: no free owner token", owner.path);
}

/*
 * Tokens on the server: in [2^61, 2^62), apart from the sources' scan locks
 * (lock.c: below 2^40).
 */
static int
token_lock_server(struct store *st, struct err *e)
{
	uint64_t random;
	int tries, rc;

	for (tries = 0; tries < TOKEN_TRIES; tries++) {
		if (getrandom(&random, sizeof random, 0) != sizeof random)
			return err_set(e, "webhooks: no random owner token: %s",
			    strerror(errno));
		random = (random & ((UINT64_C(1) << 61) - 1)) | UINT64_C(1) << 61;
		if ((rc = store_lock(st, (int64_t)random, e)) == -1)
			return -1;
		if (rc == 0) {
			owner.token = (int64_t)random;
			return 0;
		}
	}
	return err_set(e, "%s: no free owner token", owner.path);
}

int
webhook_owner(struct store *st, int64_t *token, struct err *e)
{
	char *path;

	*token = 0;
	if (store_is_url(store_path(st))) {
		/*
		 * The lock is the session's: taking it again is a no-op for the
		 * session that holds it, and gets it back for a store opened anew
		 * (at the same address, perhaps) unless another session has it.
		 */
		if (owner.fd == -1 && owner.token != 0 && owner.store == st &&
		    store_lock(st, owner.token, e) == 0) {
			*token = owner.token;
			return 0;
		}
		if (owner.fd != -1)
			close(owner.fd);
		owner.fd = -1;
		free(owner.path);
		owner.path = xstrdup(store_path(st));
		owner.store = st;
		owner.token = 0;
		if (token_lock_server(st, e) == -1)
			return -1;
		*token = owner.token;
		return 0;
	}
	owner.store = NULL;
	path = xasprintf("%s.webhooks.lock", store_path(st));
	if (owner.path != NULL && strcmp(owner.path, path) == 0 && owner.token != 0) {
		free(path);
		*token = owner.token;
		return 0;
	}
	/* Another database (after a reload), or a first try that failed. */
	if (owner.fd != -1)
		close(owner.fd);
	free(owner.path);
	owner.path = path;
	owner.token = 0;
	/* As root, the directory's owner's, as the database is (store_create_file). */
	owner.fd = store_create_file(path, 0);
	if (owner.fd == -1 && errno == EEXIST)
		owner.fd = open(path, O_RDWR | O_CLOEXEC);
	if (owner.fd == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (token_lock(e) == -1)
		return -1;
	*token = owner.token;
	return 0;
}

int
webhook_owner_alive(int64_t token, void *arg)
{
	struct flock fl;

	if (token == owner.token)
		return 1;
	if (owner.store != NULL && owner.store == arg) {
		struct err e;

		/* An error: alive, the lease runs out. */
		return store_lock_held(owner.store, token, &e) != 0;
	}
	/* Tokens from elsewhere, or no lock file to ask: alive, the lease runs out. */
	if (owner.fd == -1 || token <= 0 || (uint64_t)token > TOKEN_MASK)
		return 1;
	byte_of(&fl, F_WRLCK, token);
	if (fcntl(owner.fd, F_OFD_GETLK, &fl) == -1)
		return 1;
	return fl.l_type != F_UNLCK;
}
