/* readfile.c: see readfile.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"
#include "xalloc.h"

int
read_file(const char *path, size_t max, char **buf, size_t *len, struct err *e)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0, got;
	char *b;

	if (f == NULL)
		return err_set(e, "%s", strerror(errno));
	b = xmalloc(cap);
	while ((got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > max) {
			err_set(e, "larger than %zu bytes; not read", max);
			goto fail;
		}
		if (n == cap) {
			cap *= 2;
			b = xreallocarray(b, cap, 1);
		}
	}
	if (ferror(f)) {
		err_set(e, "%s", strerror(errno != 0 ? errno : EIO));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*buf = b;
	*len = n;
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	free(b);
	return -1;
}
