/*
 * imap-session.h: one logged-in IMAP connection with a mailbox selected, for
 * source-imap.c. Connecting, TLS (from the start, or STARTTLS, always verified
 * before the password is sent), LOGIN, the capabilities that matter, SELECT, and
 * folders created when missing. The protocol itself is libetpan's.
 */
#ifndef BOUNCESCAN_IMAP_SESSION_H
#define BOUNCESCAN_IMAP_SESSION_H

#include <stdint.h>

#include <libetpan/libetpan.h>

#include "err.h"
#include "mutf7.h"
#include "source.h"
#include "url.h"

/* Room for a mailbox name of the URL or a folder in modified UTF-7. */
#define IMAP_WIRE_NAME_MAX	MUTF7_MAX(URL_PART_MAX)
/* A namespace prefix (RFC 2342) longer than this is ignored. */
#define IMAP_PREFIX_MAX		128
/* Namespaces of other users and shared ones remembered beyond the personal. */
#define IMAP_OTHER_PREFIXES	4
/* Room for a name placed in the personal namespace. */
#define IMAP_PLACED_NAME_MAX	(IMAP_WIRE_NAME_MAX + IMAP_PREFIX_MAX)

struct imap_session {
	mailimap	*imap;
	struct url	 url;
	uint32_t	 uidvalidity;	/* of the selected mailbox */
	int		 has_move;	/* RFC 6851 MOVE */
	int		 has_uidplus;	/* RFC 4315: UID EXPUNGE */
	int		 has_idle;	/* RFC 2177 */
	char		 delimiter;	/* of the hierarchy; NUL when flat */
	/* From NAMESPACE, on the wire as the server wrote them; "" when none. */
	char		 personal[IMAP_PREFIX_MAX];	/* e.g. "INBOX." */
	char		 other[IMAP_OTHER_PREFIXES][IMAP_PREFIX_MAX];
};

/*
 * Connect to u, log in with c's password and select u's mailbox. 0, or -1 with
 * e naming the step that failed and what the server said.
 */
int	imap_session_open(struct imap_session *, const struct url *u,
	    const struct source_conf *c, struct err *e);

/*
 * A UTF-8 mailbox name as this server wants it: in modified UTF-7 (mutf7.h),
 * with each "/" written as the server's hierarchy delimiter. 0, or -1 with e.
 */
int	imap_session_wire_name(const struct imap_session *, const char *name,
	    char *wire, size_t size, struct err *e);

/*
 * A name already on the wire (wire_name above) placed in the personal
 * namespace whose prefix is personal: out = personal + name, except for INBOX,
 * a name that already starts with personal, or one that starts with one of the
 * count prefixes in other (another user's or a shared folder), which are kept
 * as they are. "INBOX" at the start of a prefix matches in any case, as INBOX
 * does (RFC 3501, 5.1). 0, or -1 with e when out[size] is too small.
 */
int	imap_namespace_place(const char *personal,
	    const char (*other)[IMAP_PREFIX_MAX], size_t count, const char *name,
	    char *out, size_t size, struct err *e);

/*
 * wire_name, then placed in the personal namespace the server announced, if
 * it did. For the URL's mailbox and the folders of "move:". 0, or -1 with e.
 */
int	imap_session_place_name(const struct imap_session *, const char *name,
	    char *wire, size_t size, struct err *e);

/* CREATE folder unless LIST finds it. 0, or -1 with e. */
int	imap_session_folder(struct imap_session *, const char *folder,
	    struct err *e);

/* Log out (politely, ignoring errors) and release everything. */
void	imap_session_close(struct imap_session *);

/*
 * e = "WHAT: " plus the server's words or what broke (r is libetpan's result).
 * Always returns -1.
 */
int	imap_session_error(const struct imap_session *, const char *what, int r,
	    struct err *e);

#endif
