/*
 * bodyscan.h: helpers shared by the decoders of providers' plain-text bounces.
 *
 * Most providers write the same shape: a sentence saying delivery failed, then for
 * each recipient an address line followed by a few lines of error text, then a
 * marker before the returned message. These helpers walk such text line by line,
 * bounded by the text's length, and turn "address + error lines" into results.
 */
#ifndef BOUNCESCAN_BODYSCAN_H
#define BOUNCESCAN_BODYSCAN_H

#include <stddef.h>

#include "classifier.h"
#include "mail.h"

/* A line of text: s[0..n), without its LF. */
struct line {
	const char	*s;
	size_t		 n;
};

/*
 * The human-readable text of a bounce (mail_text), or the top-level body when a
 * broken multipart left no text part. *len gets its length. Never NULL.
 */
const char *bodyscan_text(const struct mail *m, size_t *len);

/*
 * Take the next line from *pos (which stops at end) into line. 0 when there is
 * no line left.
 */
int bodyscan_next(const char **pos, const char *end, struct line *line);

/* Is the line empty or only white space? */
int bodyscan_blank(const struct line *line);

/* The line with leading and trailing white space dropped. */
struct line bodyscan_trim(struct line line);

/*
 * The start of the line after the first line containing marker (case-insensitive)
 * in s[0..n), or NULL when the marker is absent.
 */
const char *bodyscan_after(const char *s, size_t n, const char *marker);

/* Does the decoded From (or Subject) of m contain needle, ignoring case? */
int bodyscan_from_has(const struct mail *m, const char *needle);
int bodyscan_subject_has(const struct mail *m, const char *needle);

/* Does it contain any of the NULL-terminated needles? (One decoding for all.) */
int bodyscan_from_any(const struct mail *m, const char *const needles[]);
int bodyscan_subject_any(const struct mail *m, const char *const needles[]);

/*
 * Does s[0..n) contain needle exactly (case-sensitive)? The cheap test a decoder
 * makes on a fixed marker before reading anything.
 */
int bodyscan_contains(const char *s, size_t n, const char *needle);

/*
 * The result for the first address in s[0..n), with action set (when not yet
 * set). NULL when s holds no address or the report is full.
 */
struct result *bodyscan_add(struct report *r, const char *s, size_t n,
    const char *action);

/*
 * Set the diagnostic of res to s[0..n) (unfolded) unless it has one, and take the
 * status and reply code the text names when the result has none yet.
 */
void bodyscan_diagnostic(struct result *res, const char *s, size_t n);

/*
 * RFC 3464 fields written into the text of a bounce instead of a
 * message/delivery-status part ("Final-Recipient: rfc822; a@b", "Status: 5.1.1"):
 * one result per recipient group in s[0..n). Returns the number added.
 */
int bodyscan_dsn_fields(const char *s, size_t n, struct report *r);

#endif
