/*
 * plaintext.h: helpers shared by the decoders of plain-text bounces (qmail, Exim,
 * Sendmail, Postfix without a DSN part, Courier, OpenSMTPD, DMA and the MTAs we
 * cannot name). They find the recipient paragraphs, the remote host and the
 * remote server's words in the human-readable text. No decoder logic lives here:
 * each decoder decides which markers make its format.
 *
 * All functions take text with LF line ends (mail.h guarantees that), never read
 * past `end`, and never allocate more than the text they return.
 */
#ifndef BOUNCESCAN_PLAINTEXT_H
#define BOUNCESCAN_PLAINTEXT_H

#include <stddef.h>

#include "mail.h"
#include "report.h"

/* A bounded number of recipient paragraphs per message: input is hostile. */
#define PLAIN_MAX_BLOCKS	200

/* Does the line [s, eol) hold only white space? */
int	plain_blank(const char *s, const char *eol);

/* Leading blanks of the line at s (a tab counts as 8): a column, not a byte count. */
size_t	plain_indent(const char *s, const char *eol);

/* The first byte of the line at s that is not a blank (eol when there is none). */
const char *plain_skip_blanks(const char *s, const char *eol);

/* The start of the line after the first line containing marker, or NULL. */
const char *plain_after(const char *s, const char *end, const char *marker);

/*
 * The start of the first line at or after s that begins (after leading blanks)
 * with one of markers (NULL-terminated, case-insensitive), or end.
 */
const char *plain_cut(const char *s, const char *end, const char *const markers[]);

/* The end of the paragraph starting at s: the first blank line, or end. */
const char *plain_paragraph_end(const char *s, const char *end);

/*
 * Is the message's sender a mail system (MAILER-DAEMON, postmaster, Mail Delivery
 * System ...)? Cheap, for decoders whose marker is too generic on its own.
 */
int	plain_from_daemon(const struct mail *m);

/*
 * qmail-style recipient paragraphs in [s, end): a line that starts with
 * "<address>:" names a recipient; the rest of that line and the lines up to the
 * next blank line or recipient line are what was said about it, which becomes the
 * diagnostic. Adds one result per paragraph and returns how many.
 */
int	plain_angle_blocks(const char *s, const char *end, struct report *r);

/*
 * A host name or address-literal token next to a phrase: the token that follows
 * `phrase` (plain_token_after) or the one just before it (plain_token_before),
 * trimmed of brackets and trailing dots. A new string, or NULL.
 */
char	*plain_token_after(const char *s, size_t n, const char *phrase);
char	*plain_token_before(const char *s, size_t n, const char *phrase);

/*
 * RFC 3464 fields written into the body rather than into a delivery-status part
 * (old Sendmail, broken MIME): one result per Final-Recipient group found in
 * [s, end), with Action, Status, Remote-MTA and Diagnostic-Code. Returns the count.
 */
int	plain_inline_dsn(const char *s, const char *end, struct report *r);

/*
 * A forwarded bounce quoted with "> ": a copy of [s, s+n) with one level of
 * quoting removed from every line. *out_len gets its length. The caller frees.
 */
char	*plain_unquote(const char *s, size_t n, size_t *out_len);

/* Set res->remote_mta from the host before phrase or after phrase, if unset. */
void	plain_remote_before(struct result *res, const char *s, size_t n, const char *phrase);
void	plain_remote_after(struct result *res, const char *s, size_t n, const char *phrase);

#endif
