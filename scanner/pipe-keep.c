/*
 * pipe-keep.c: keeping a piped message that is not a storable bounce, so that
 * pipe mode never drops mail a person should read (see pipe-keep.h).
 *
 * A Maildir delivery follows the Maildir convention: the message is written
 * into tmp/ under a unique name, synced, then linked into new/ (which never
 * replaces a file) and new/ synced, so a crash leaves it either delivered or
 * in tmp/, never half-written in new/. Forwarding runs the local MTA's
 * sendmail with the message on its standard input and trusts only its exit
 * status 0. Either failure is for the caller to turn into exit 75, so the MTA
 * keeps the message and tries again.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe-keep.h"

/* An address for sendmail's argument list: no option, no space, no control. */
static int
address_valid(const char *a)
{
	const unsigned char *p;

	if (a[0] == '\0' || a[0] == '-' || strchr(a, '@') == NULL)
		return 0;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

static int
set_field(char *field, const char *value, const char *key, char *problem,
    size_t size)
{
	if (strlen(value) >= PIPE_PATH_MAX) {
		snprintf(problem, size, "%s: longer than %d bytes", key,
		    PIPE_PATH_MAX - 1);
		return 0;
	}
	strcpy(field, value);
	return 1;
}

static int
on_unrecognized(struct pipe_conf *c, const char *value, char *problem, size_t size)
{
	if (strcmp(value, "bounce") == 0) {
		c->unrecognized = PIPE_KEEP_REFUSE;
		c->target[0] = '\0';
		return 1;
	}
	if (strncmp(value, "maildir:", 8) == 0 && value[8] == '/') {
		c->unrecognized = PIPE_KEEP_MAILDIR;
		return set_field(c->target, value + 8, "unrecognized", problem, size);
	}
	if (strncmp(value, "forward:", 8) == 0 && address_valid(value + 8)) {
		c->unrecognized = PIPE_KEEP_FORWARD;
		return set_field(c->target, value + 8, "unrecognized", problem, size);
	}
	snprintf(problem, size, "unrecognized = \"%.200s\": want bounce,"
	    " maildir:/ABSOLUTE/PATH or forward:ADDRESS", value);
	return 0;
}

int
pipe_conf_key(struct pipe_conf *c, const char *key, const char *value,
    char *problem, size_t size)
{
	if (strcmp(key, "unrecognized") == 0)
		return on_unrecognized(c, value, problem, size);
	if (strcmp(key, "sendmail") == 0) {
		if (value[0] != '/') {
			snprintf(problem, size, "sendmail = \"%.200s\": want an"
			    " absolute path", value);
			return 0;
		}
		return set_field(c->sendmail, value, key, problem, size);
	}
	snprintf(problem, size, "unknown key \"%.100s\" in section [pipe]", key);
	return 0;
}

static int
write_all(int fd, const char *data, size_t length)
{
	ssize_t n;

	while (length > 0) {
		if ((n = write(fd, data, length)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		length -= (size_t)n;
	}
	return 0;
}

static int
make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return err_set(e, "%s: %s", path, strerror(errno));
	return 0;
}

static int
sync_dir(const char *path, struct err *e)
{
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (fsync(fd) == -1)
		rc = err_set(e, "%s: fsync: %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* "time.MusecPpid.host", the Maildir spec's unique name; '/' and ':' escaped. */
static void
unique_name(char *buf, size_t size)
{
	struct timeval tv;
	char host[256];
	char *p;

	gettimeofday(&tv, NULL);
	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	for (p = host; *p != '\0'; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	snprintf(buf, size, "%lld.M%ldP%ld.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), host);
}

static int
write_tmp(const char *path, const char *data, size_t length, struct err *e)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (write_all(fd, data, length) == -1 || fsync(fd) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

static int
maildir_deliver(const char *dir, const char *data, size_t length, struct err *e)
{
	char name[384], tmp[PIPE_PATH_MAX + 400], new[PIPE_PATH_MAX + 400];

	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	snprintf(new, sizeof new, "%s/cur", dir);
	if (make_dir(dir, e) == -1 || make_dir(tmp, e) == -1 || make_dir(new, e) == -1)
		return -1;
	snprintf(new, sizeof new, "%s/new", dir);
	if (make_dir(new, e) == -1)
		return -1;
	unique_name(name, sizeof name);
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(new, sizeof new, "%s/new/%s", dir, name);
	if (write_tmp(tmp, data, length, e) == -1)
		return -1;
	/* link(2) never replaces a file; rename(2) where hard links are refused. */
	if (link(tmp, new) == 0)
		unlink(tmp);
	else if ((errno != EPERM && errno != ENOTSUP) || rename(tmp, new) == -1) {
		err_set(e, "%s: %s", new, strerror(errno));
		unlink(tmp);
		return -1;
	}
	snprintf(new, sizeof new, "%s/new", dir);
	return sync_dir(new, e);
}

static int
wait_child(pid_t pid, const char *sendmail, struct err *e)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return err_set(e, "%s: %s", sendmail, strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return err_set(e, "%s exited with status %d", sendmail,
		    WEXITSTATUS(status));
	return err_set(e, "%s was killed by signal %d", sendmail,
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* sendmail -oi -- ADDRESS < message; only its exit status 0 counts. */
static int
forward(const char *sendmail, const char *address, const char *data, size_t length,
    struct err *e)
{
	struct sigaction ignore, saved;
	int fds[2], rc, write_errno;
	pid_t pid;

	if (pipe(fds) == -1)
		return err_set(e, "pipe: %s", strerror(errno));
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return err_set(e, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		if (dup2(fds[0], STDIN_FILENO) == -1)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		execl(sendmail, "sendmail", "-oi", "--", address, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	/* A sendmail that exits early must not kill us with SIGPIPE. */
	memset(&ignore, 0, sizeof ignore);
	ignore.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ignore, &saved);
	rc = write_all(fds[1], data, length);
	write_errno = errno;
	close(fds[1]);
	sigaction(SIGPIPE, &saved, NULL);
	if (wait_child(pid, sendmail, e) == -1)
		return -1;
	if (rc == -1)
		return err_set(e, "%s: writing the message: %s", sendmail,
		    strerror(write_errno));
	return 0;
}

int
pipe_keep(const struct pipe_conf *c, const char *data, size_t length, struct err *e)
{
	const char *sendmail;

	switch (c->unrecognized) {
	case PIPE_KEEP_MAILDIR:
		if (maildir_deliver(c->target, data, length, e) == -1)
			return err_prefix(e, "delivering into maildir:%s: ", c->target);
		return 0;
	case PIPE_KEEP_FORWARD:
		sendmail = c->sendmail[0] != '\0' ? c->sendmail : PIPE_SENDMAIL_DEFAULT;
		if (forward(sendmail, c->target, data, length, e) == -1)
			return err_prefix(e, "forwarding to %s: ", c->target);
		return 0;
	case PIPE_KEEP_REFUSE:
		break;
	}
	return 1;
}
