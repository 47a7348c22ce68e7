/*
 * dsn.h: the field parser for RFC 3464 message/delivery-status and RFC 6533
 * message/global-delivery-status bodies.
 *
 * Our own, line-based: groups are split on blank lines, folded lines are joined,
 * a field is split at its first ':'. A malformed line is skipped, never the rest of
 * the report (libetpan's header parser stops at the first line without a colon).
 */
#ifndef BOUNCESCAN_DSN_H
#define BOUNCESCAN_DSN_H

#include <stddef.h>

struct dsn_field {
	char	*name;
	char	*value;		/* unfolded, trimmed */
};

struct dsn_group {
	struct dsn_field	*fields;
	size_t			 nfields;
};

struct dsn {
	struct dsn_group	 message;	/* the per-message fields */
	struct dsn_group	*recipients;	/* one group per recipient */
	size_t			 nrecipients;
	int			 truncated;	/* groups past DSN_MAX_GROUPS were not read */
};

/* Recipient groups read from one report: as many as results are kept. */
#define DSN_MAX_GROUPS	1000

/* Parse text into d (zeroed by the caller). Free with dsn_free. */
void dsn_parse(const char *text, size_t len, struct dsn *d);
void dsn_free(struct dsn *d);

/* The value of field `name` (case-insensitive) in g, or NULL. */
const char *dsn_get(const struct dsn_group *g, const char *name);

/*
 * A typed value ("rfc822; user@example.org", "smtp; 550 ...", "dns; mx.example.org")
 * without its type: a pointer into value past the ';' and spaces, or value itself
 * when it has no type.
 */
const char *dsn_untyped(const char *value);

#endif
