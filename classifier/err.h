/*
 * err.h: the one error idiom. A function that can fail returns -1 and fills a
 * struct err with a message naming what failed; the caller adds context.
 */
#ifndef BOUNCESCAN_ERR_H
#define BOUNCESCAN_ERR_H

struct err {
	char	msg[512];
};

/* Set e (which may be NULL) from a printf format. Always returns -1. */
int err_set(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the message already in e with more context ("file.eml: " ...). */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
