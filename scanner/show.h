/*
 * show.h: printing what the store holds, for people and for programs, shared by
 * the query commands (status, why, export, stats) and parse's output.c. Every
 * string from the store or a bounce may be hostile, so all of them pass through
 * utf8_clean.
 */
#ifndef BOUNCESCAN_SHOW_H
#define BOUNCESCAN_SHOW_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

/* Print s made safe for a terminal, or if_empty when s is NULL or "". */
void	show_text(FILE *, const char *s, const char *if_empty);
/* A JSON string of s made valid UTF-8, or null when s is NULL or "". */
json_t	*show_json_text(const char *s);
/* "2026-11-23T10:00:00Z", or null for 0. */
json_t	*show_json_time(time_t);
/* Print o on one line (ASCII only) and release it. */
void	show_json_line(FILE *, json_t *o);

#endif
