/*
 * mail.h: one message, split into its MIME parts, for the decoders to read.
 *
 * mail_parse() copies the input once with every line ending turned into LF, then
 * walks the MIME structure with its own bounded splitter (depth, part count), using
 * libetpan for the pieces that need a real parser: Content-Type parameters and
 * transfer decoding (plain Content-Type values and clean base64 or quoted-printable
 * bodies take a fast path in mail.c that falls back to libetpan for anything
 * else). Text is made UTF-8, RFC 2047 words included, by charset.c. Parsing the
 * whole tree with mailmime_parse() was
 * measured at 36,700 messages/s over the corpus, and it builds typed fields for the
 * returned original message that no decoder needs, so the walk is ours.
 *
 * Everything a decoder gets is read-only. Pointers into the copy stay valid until
 * mail_free().
 */
#ifndef BOUNCESCAN_MAIL_H
#define BOUNCESCAN_MAIL_H

#include <stddef.h>

struct part {
	char		 type[64];	/* lower-case "text/plain"; "text/plain" by default */
	char		 charset[32];	/* lower-case, "" when none */
	const char	*headers;	/* raw header block of this part, LF line ends */
	size_t		 headers_len;
	const char	*body;		/* raw (still encoded) body */
	size_t		 body_len;
	char		*text;		/* body decoded (transfer encoding, charset to UTF-8),
					   NUL-terminated */
	size_t		 text_len;
	int		 text_in_data;	/* text is body itself, in mail.data: not freed */
	int		 depth;		/* 0 for the top-level message */
	int		 in_original;	/* inside a returned message/rfc822 or rfc822-headers */
};

/* One field of the top-level header, indexed once so decoders can ask cheaply. */
struct header_field {
	const char	*name;
	size_t		 name_len;
	const char	*value;		/* after the colon, folded as in the message */
	size_t		 value_len;
};

#define MAIL_MAX_FIELDS	256	/* top-level header fields indexed; the rest ignored */

struct mail {
	char		*data;		/* the whole message, LF line ends, NUL-terminated */
	size_t		 len;
	const char	*headers;	/* top-level header block */
	size_t		 headers_len;
	const char	*body;		/* top-level body, raw */
	size_t		 body_len;
	struct part	*parts;		/* leaf parts and message/rfc822 parts, in order */
	size_t		 nparts;
	struct header_field *fields;	/* the top-level header, in order */
	size_t		 nfields;
	char		*subject;	/* decoded once: every decoder looks at them */
	char		*from;
	int		 truncated;	/* a cap was hit: some parts were not split */
	char		 error[256];
};

/*
 * Parse bytes into m (zeroed by the caller). Returns 0, or -1 with m->error set when
 * the message is over the size cap, empty (blank), or binary data with no header.
 * Text with no header is a bare bounce body: m->nfields is 0, m->headers points at
 * an empty block, and the text is the one text/plain part. Free with mail_free()
 * either way.
 */
int	mail_parse(struct mail *m, const char *bytes, size_t len);
void	mail_free(struct mail *m);

/*
 * The first part whose type is `type` ("message/delivery-status"), optionally only
 * outside the returned original message. NULL when there is none.
 */
const struct part *mail_part(const struct mail *m, const char *type, int outside_original);

/*
 * The human-readable text of the bounce: the first text/plain part that is not part
 * of the returned message (decoded), or the top-level body when the message is not
 * multipart. *len gets its length. Never NULL.
 */
const char *mail_text(const struct mail *m, size_t *len);

/*
 * Where the returned original message starts, when the format quotes it inline
 * rather than as a MIME part: callers pass the marker they know. Helpers below.
 */

/*
 * Header lookup in a raw header block. header_get returns the first field called
 * `name` (case-insensitive), unfolded and trimmed, as a new string, or NULL.
 * header_has is the cheap test.
 */
char	*header_get(const char *headers, size_t len, const char *name);
int	 header_has(const char *headers, size_t len, const char *name);

/* header_get() of each of names[0..count) into values[], in one pass over the block. */
void	 header_get_each(const char *headers, size_t len, const char *const names[],
	    char *values[], size_t count);

/* Shorthands for the top-level header of m (through its index). */
char	*mail_header(const struct mail *m, const char *name);
int	 mail_header_has(const struct mail *m, const char *name);

/*
 * The top-level Subject and From with RFC 2047 encoded words decoded to UTF-8, as
 * new strings ("" when absent, never NULL).
 */
char	*mail_subject(const struct mail *m);
char	*mail_from(const struct mail *m);

/*
 * Was m sent automatically, by its Auto-Submitted field (RFC 3834: any value but
 * "no")? Decoders add the other signs they trust (Precedence, X-Autoreply).
 */
int	 mail_auto_submitted(const struct mail *m);

#endif
