/*
 * charset.c: conversion to UTF-8 with iconv, keeping the conversion descriptors
 * open. Opening one loads a gconv module and closing it unloads it again: done per
 * message (as libetpan's charconv_buffer does) it was measured at over a tenth of
 * the classifier's time, in mmap and munmap. The cache is process-wide and not
 * locked: bouncescan classifies on one thread.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "xalloc.h"

#define CHARSET_CACHE	16

static struct {
	char	name[32];
	iconv_t	cd;		/* (iconv_t)-1 remembers a charset iconv does not know */
} cache[CHARSET_CACHE];
static size_t cache_used, cache_next;

static iconv_t
descriptor(const char *charset)
{
	size_t i;
	iconv_t cd;

	for (i = 0; i < cache_used; i++)
		if (strcmp(cache[i].name, charset) == 0)
			return cache[i].cd;
	cd = iconv_open("UTF-8", charset);
	/* A full cache reuses its slots in turn. */
	i = cache_used < CHARSET_CACHE ? cache_used++ : cache_next++ % CHARSET_CACHE;
	if (cache[i].name[0] != '\0' && cache[i].cd != (iconv_t)-1)
		iconv_close(cache[i].cd);
	snprintf(cache[i].name, sizeof cache[i].name, "%s", charset);
	cache[i].cd = cd;
	return cd;
}

int
charset_to_utf8(const char *charset, const char *s, size_t n, char **out,
    size_t *out_len)
{
	iconv_t cd = descriptor(charset);
	size_t cap = n * 3 + 16, left_in = n, left_out;
	char *in = (char *)s, *buf, *o;

	if (cd == (iconv_t)-1)
		return -1;
	iconv(cd, NULL, NULL, NULL, NULL);	/* back to the initial shift state */
	buf = xmalloc(cap + 1);
	o = buf;
	left_out = cap;
	while (left_in > 0) {
		if (iconv(cd, &in, &left_in, &o, &left_out) != (size_t)-1)
			break;
		if (errno == E2BIG || left_out < 3) {
			size_t used = (size_t)(o - buf);

			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
			o = buf + used;
			left_out = cap - used;
			continue;
		}
		/* EILSEQ or EINVAL: one byte that does not convert. */
		memcpy(o, "\xef\xbf\xbd", 3);
		o += 3;
		left_out -= 3;
		in++;
		left_in--;
	}
	*o = '\0';
	*out = buf;
	*out_len = (size_t)(o - buf);
	return 0;
}
