/*
 * credential.c: the password of a [source] from password_file,
 * password_command or password_env. Only the first line counts, trailing CR
 * and LF removed, at most 4 KB. Messages name the source, the file, the
 * command or the variable, and never contain the password or anything the
 * command printed. Buffers that held a password are wiped before they go.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credential.h"
#include "xalloc.h"

#define PASSWORD_MAX 4096	/* bytes of the first line */
#define DRAIN_MAX (1 << 20)	/* command output read and dropped after it */

/*
 * Read from fd into buf[size] until a newline, end of file or a full buffer.
 * The number of bytes read, or -1 with errno set.
 */
static ssize_t
read_first_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size && memchr(buf, '\n', n) == NULL) {
		r = read(fd, buf + n, size - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/*
 * The first line of buf[n] without its CR/LF, as a new string; NULL with e set
 * (what names the origin in the message) if it is empty or too long.
 */
static char *
password_from_line(const char *buf, size_t n, const char *prefix,
    const char *what, struct err *e)
{
	const char *newline = memchr(buf, '\n', n);
	size_t length = newline != NULL ? (size_t)(newline - buf) : n;

	if (newline == NULL && n >= PASSWORD_MAX) {
		err_set(e, "%s%s: the first line is longer than %d "
		    "bytes", prefix, what, PASSWORD_MAX);
		return NULL;
	}
	while (length > 0 && (buf[length - 1] == '\r' || buf[length - 1] == '\n'))
		length--;
	if (length == 0) {
		err_set(e, "%s%s: the first line is empty", prefix,
		    what);
		return NULL;
	}
	return xstrndup(buf, length);
}

/* A password file must be a regular file that only its owner and group reach. */
static int
file_unfit(const struct stat *st, const char *path, const char *prefix,
    const char *what, struct err *e)
{
	if (!S_ISREG(st->st_mode))
		return err_set(e, "%s%s is not a regular file", prefix, what);
	if ((st->st_mode & 006) != 0)
		return err_set(e, "%s%s can be read or written by others "
		    "(mode %03o); run chmod 600 %s", prefix, what,
		    (unsigned)(st->st_mode & 0777), path);
	return 0;
}

static char *
from_file(const char *path, const char *prefix, struct err *e)
{
	char buf[PASSWORD_MAX], what[64 + PATH_MAX];
	char *password = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(what, sizeof what, "password_file %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		err_set(e, "%s%s: %s", prefix, what, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		err_set(e, "%s%s: %s", prefix, what, strerror(errno));
	else if (file_unfit(&st, path, prefix, what, e) == -1)
		;
	else if ((n = read_first_line(fd, buf, sizeof buf)) == -1)
		err_set(e, "%s%s: %s", prefix, what, strerror(errno));
	else
		password = password_from_line(buf, (size_t)n, prefix, what, e);
	close(fd);
	explicit_bzero(buf, sizeof buf);
	return password;
}

/* Read what is left of the command's output (bounded), so it can finish. */
static void
drain(int fd)
{
	char scratch[4096];
	size_t total = 0;
	ssize_t r;

	while (total < DRAIN_MAX) {
		r = read(fd, scratch, sizeof scratch);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		total += (size_t)r;
	}
	explicit_bzero(scratch, sizeof scratch);
}

static char *
from_command(const char *command, const char *prefix, struct err *e)
{
	char buf[PASSWORD_MAX], *password = NULL;
	ssize_t n;
	FILE *out;
	int status;

	out = popen(command, "re");	/* /bin/sh -c command */
	if (out == NULL) {
		err_set(e, "%scannot run password_command %s: %s",
		    prefix, command, strerror(errno));
		return NULL;
	}
	n = read_first_line(fileno(out), buf, sizeof buf);
	drain(fileno(out));
	status = pclose(out);
	if (status == -1)
		err_set(e, "%spassword_command %s: %s", prefix,
		    command, strerror(errno));
	else if (WIFSIGNALED(status))
		err_set(e, "%spassword_command %s was killed by "
		    "signal %d", prefix, command, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		err_set(e, "%spassword_command %s failed (exit status "
		    "%d)", prefix, command, WEXITSTATUS(status));
	else if (n == -1)
		err_set(e, "%spassword_command %s: %s", prefix,
		    command, strerror(errno));
	else
		password = password_from_line(buf, (size_t)n, prefix,
		    "password_command", e);
	explicit_bzero(buf, sizeof buf);
	return password;
}

static char *
from_env(const char *name, const char *prefix, struct err *e)
{
	const char *value = getenv(name);

	if (value == NULL || value[0] == '\0') {
		err_set(e, "%spassword_env: the environment variable "
		    "%s is %s", prefix, name, value == NULL ? "not set" : "empty");
		return NULL;
	}
	return xstrdup(value);
}

/* Exactly one way, and not an empty one: 0, or -1 with e. */
static int
spec_unfit(const struct credential_spec *spec, const char *prefix, struct err *e)
{
	int given = (spec->file != NULL) + (spec->command != NULL) +
	    (spec->env != NULL);
	const char *key = spec->file != NULL ? "password_file" :
	    spec->command != NULL ? "password_command" : "password_env";
	const char *value = spec->file != NULL ? spec->file :
	    spec->command != NULL ? spec->command : spec->env;

	if (given == 0)
		return err_set(e, "%sno password: set password_file, "
		    "password_command or password_env", prefix);
	if (given > 1)
		return err_set(e, "%sset only one of password_file, "
		    "password_command and password_env", prefix);
	if (value[0] == '\0')
		return err_set(e, "%s%s is empty", prefix, key);
	return 0;
}

int
credential_check(const struct credential_spec *spec, const char *source_name,
    struct err *e)
{
	char prefix[128] = "", what[64 + PATH_MAX];
	const char *value;
	struct stat st;

	if (source_name != NULL)
		snprintf(prefix, sizeof prefix, "source %s: ", source_name);
	if (spec_unfit(spec, prefix, e) == -1)
		return -1;
	if (spec->file != NULL) {
		snprintf(what, sizeof what, "password_file %s", spec->file);
		if (stat(spec->file, &st) == -1)
			return err_set(e, "%s%s: %s", prefix, what, strerror(errno));
		return file_unfit(&st, spec->file, prefix, what, e);
	}
	if (spec->env != NULL && ((value = getenv(spec->env)) == NULL ||
	    value[0] == '\0'))
		return err_set(e, "%spassword_env: the environment variable %s is %s",
		    prefix, spec->env, value == NULL ? "not set" : "empty");
	return 0;
}

char *
credential_get(const struct credential_spec *spec, const char *source_name,
    struct err *e)
{
	char prefix[128] = "";

	if (source_name != NULL)
		snprintf(prefix, sizeof prefix, "source %s: ", source_name);
	if (spec_unfit(spec, prefix, e) == -1)
		return NULL;
	if (spec->file != NULL)
		return from_file(spec->file, prefix, e);
	if (spec->command != NULL)
		return from_command(spec->command, prefix, e);
	return from_env(spec->env, prefix, e);
}

void
credential_free(char *password)
{
	if (password == NULL)
		return;
	explicit_bzero(password, strlen(password));
	free(password);
}
