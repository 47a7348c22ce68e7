/* readfile.c: see readfile.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"
#include "xalloc.h"

int
read_file(const char *path, size_t max, char **buf, size_t *len, struct err *e)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	size_t cap = 65536, n = 0;
	struct stat st;
	ssize_t got;
	char *b;

	if (fd == -1)
		return err_set(e, "%s", strerror(errno));
	/* A regular file says its size: one buffer, one read, no stdio copy. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0) {
		if ((size_t)st.st_size > max) {
			err_set(e, "larger than %zu bytes; not read", max);
			goto fail_fd;
		}
		cap = (size_t)st.st_size + 1;
	}
	b = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				err_set(e, "larger than %zu bytes; not read", max);
				goto fail;
			}
			cap *= 2;
			b = xreallocarray(b, cap, 1);
		}
		if ((got = read(fd, b + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			err_set(e, "%s", strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			err_set(e, "larger than %zu bytes; not read", max);
			goto fail;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
fail_fd:
	if (fd != STDIN_FILENO)
		close(fd);
	return -1;
}
