/*
 * pipe-keep.h: what becomes of a piped message that is not a bounce bouncescan
 * can store (a person's "please unsubscribe me", a bounce naming no address, a
 * message that does not parse): the [pipe] section of bouncescan.conf(5).
 *
 * In pipe mode the MTA forgets a message once bouncescan exits 0, so such a
 * message is kept somewhere first: written into a Maildir, handed to the local
 * sendmail for a person, or (the default) refused, so that the MTA returns it
 * to its sender with bouncescan's explanation. It is never acknowledged with 0
 * unless it was stored or delivered.
 */
#ifndef BOUNCESCAN_PIPE_KEEP_H
#define BOUNCESCAN_PIPE_KEEP_H

#include <stddef.h>

#include "err.h"

#define PIPE_SENDMAIL_DEFAULT	"/usr/sbin/sendmail"
#define PIPE_PATH_MAX		1024

enum pipe_keep_kind {
	PIPE_KEEP_REFUSE,	/* "bounce" (the default): exit 65, the MTA returns it */
	PIPE_KEEP_MAILDIR,	/* "maildir:PATH": delivered into that Maildir's new/ */
	PIPE_KEEP_FORWARD	/* "forward:ADDRESS": sendmail -oi -- ADDRESS */
};

/* [pipe]: fixed-size fields, so that conf_free has nothing to free here. */
struct pipe_conf {
	enum pipe_keep_kind	 unrecognized;
	char			 target[PIPE_PATH_MAX];		/* the Maildir or address */
	char			 sendmail[PIPE_PATH_MAX];	/* "" : the default */
};

/*
 * One key of the [pipe] section: 1 when it is taken, 0 with problem (of size)
 * saying what is wrong.
 */
int pipe_conf_key(struct pipe_conf *c, const char *key, const char *value,
    char *problem, size_t size);

/*
 * Keep the message (data, length) as c says: 0 when it was delivered, 1 when it
 * is to be refused (the default), -1 with e set when delivery failed (the MTA
 * should try again later).
 */
int pipe_keep(const struct pipe_conf *c, const char *data, size_t length,
    struct err *e);

struct source;
/*
 * The message a stdin source read (source-stdin.c): 0 with data and length,
 * or -1 when s is not one or read nothing (a message over the cap).
 */
int source_stdin_message(const struct source *s, const char **data,
    size_t *length);

/* What the MTA shows the sender of a refused message. */
#define PIPE_REFUSAL	"this address takes only delivery reports (bounces) for a" \
	" mailing list, and this message is not one that bouncescan can read; it" \
	" is returned to you unread. To leave the list or reach a person, write" \
	" to the list's owner address."

#endif
