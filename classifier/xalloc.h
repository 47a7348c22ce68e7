/*
 * xalloc.h: allocation that never returns NULL. Running out of memory stops the
 * program; every other failure is reported to the caller.
 */
#ifndef BOUNCESCAN_XALLOC_H
#define BOUNCESCAN_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
