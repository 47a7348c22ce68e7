/* readfile.h: reading one whole message from a file or standard input. */
#ifndef BOUNCESCAN_READFILE_H
#define BOUNCESCAN_READFILE_H

#include <stddef.h>

#include "err.h"

/*
 * Read all of path ("-" is standard input) into a new buffer, refusing more than
 * max bytes. Returns 0, or -1 with e saying what failed.
 */
int read_file(const char *path, size_t max, char **buf, size_t *len, struct err *e);

#endif
