/*
 * source.h: every mailbox looks the same to the scan loop.
 *
 * A source hands out messages one at a time (raw bytes plus an origin id that is
 * stable across runs) and, once the caller has committed what it learnt from them,
 * disposes of them: moves, flags or deletes them at the source. One driver per
 * kind of mailbox, one file per driver (source-maildir.c, source-mbox.c,
 * source-file.c, source-stdin.c; the IMAP and POP3 drivers come later), all behind
 * struct source_ops, in the manner of fdm's fetch-*.c.
 *
 * A source does not classify, store, or decide what a message is: the scan loop
 * does. It never loses a message: a message it cannot read is reported and left in
 * place, and nothing is moved or deleted except through source_dispose().
 */
#ifndef BOUNCESCAN_SOURCE_H
#define BOUNCESCAN_SOURCE_H

#include <stddef.h>

#include "err.h"

/* What the scan loop asks to be done with a message after the commit. */
enum disposal {
	DISPOSE_KEEP,		/* leave it exactly where it is */
	DISPOSE_PROCESSED,	/* understood and stored: apply conf.processed */
	DISPOSE_UNRECOGNIZED,	/* not a bounce or not parsable: apply conf.unrecognized */
	DISPOSE_DELETE		/* remove it for good; only when the user asked */
};

/* How a disposal is carried out; the configuration's "processed"/"unrecognized". */
enum source_action_kind {
	SOURCE_ACTION_KEEP,	/* "keep" */
	SOURCE_ACTION_MOVE,	/* "move:FOLDER" */
	SOURCE_ACTION_SEEN,	/* "seen": flag it seen (Maildir S flag, IMAP \Seen) */
	SOURCE_ACTION_DELETE	/* "delete" */
};

#define SOURCE_FOLDER_MAX	128

struct source_action {
	enum source_action_kind	kind;
	char			folder[SOURCE_FOLDER_MAX];	/* for MOVE */
};

/*
 * Per-source settings. Initialise with source_conf_init(), then override. The
 * caller keeps ownership; source_open_spec() copies what it needs.
 */
struct source_conf {
	struct source_action	processed;	/* default move:Processed */
	struct source_action	unrecognized;	/* default move:Unrecognized; never delete */
	size_t			max_bytes;	/* default CLASSIFIER_MAX_BYTES */
};

/*
 * One message. The source fills it; the caller owns it and releases it with
 * message_free(). Every string is NUL-terminated; data also is, though it may
 * itself contain NUL bytes.
 */
struct message {
	char	*data;		/* raw bytes as stored (LF or CRLF); NULL when skipped */
	size_t	 length;	/* bytes in data */
	size_t	 size;		/* size at the source, known even when not read */
	char	*origin;	/* stable id: maildir unique name, mbox "OFFSET-HASH",
				   the file's absolute path, "-" for stdin */
	char	*location;	/* where it is now, for messages and for dispose:
				   maildir "new/NAME" or "cur/NAME", mbox "byte OFFSET",
				   the file path, "-" */
};

/* Values of source_next() and of the next() method. */
#define SOURCE_ERROR	(-1)	/* the source as a whole failed; stop */
#define SOURCE_DONE	0	/* no more messages */
#define SOURCE_MESSAGE	1	/* m holds a message */
#define SOURCE_SKIPPED	2	/* this message could not be read; see e; go on */

struct source;

/* A driver. One static instance per file, e.g. source_maildir in source-maildir.c. */
struct source_ops {
	const char	*scheme;	/* "maildir", "mbox", "file", "stdin" */
	int		(*open)(struct source *, struct err *);
	int		(*next)(struct source *, struct message *, struct err *);
	int		(*dispose)(struct source *, const struct message *,
			    enum disposal, struct err *);
	void		(*close)(struct source *);
};

struct source {
	const struct source_ops	*ops;
	char			*spec;	/* as given, for messages to the user */
	char			*path;	/* the spec without its scheme */
	struct source_conf	 conf;
	void			*state;	/* the driver's own */
};

/*
 * Set c to the defaults: processed = move:Processed, unrecognized =
 * move:Unrecognized, max_bytes = CLASSIFIER_MAX_BYTES.
 */
void source_conf_init(struct source_conf *c);

/*
 * Parse a configuration value "keep", "move:FOLDER", "seen" or "delete" into a.
 * FOLDER is a folder name such as "Processed" or "Bounces/Done": no leading dot,
 * no "..", at most SOURCE_FOLDER_MAX - 1 bytes. With allow_delete 0 (the
 * "unrecognized" key, where mail that was not understood must never be deleted)
 * "delete" and "seen" are refused. Returns 0, or -1 with e naming the bad value.
 */
int source_action_parse(const char *text, int allow_delete,
    struct source_action *a, struct err *e);

/*
 * Open the source that spec names and store a new struct source in *out, which
 * the caller releases with source_close(). spec is one of
 *
 *     maildir:PATH     a Maildir (cur/ and new/ are read)
 *     mbox:PATH        an mbox file, read-only
 *     -                one message on standard input (an MTA pipe)
 *     PATH             a plain file holding one message (also file:PATH)
 *
 * imaps://, imap://, pop3s:// and pop3:// are recognised and refused as not
 * supported yet; any other "SCHEME://" is refused as unknown. conf may be NULL for
 * the defaults. Returns 0, or -1 with e naming the spec and what failed (a missing
 * directory, a file that is not an mbox, ...); *out is then NULL.
 */
int source_open_spec(const char *spec, const struct source_conf *conf,
    struct source **out, struct err *e);

/*
 * Fetch the next message into m (whose previous contents, if any, the caller has
 * already released). Returns
 *   SOURCE_MESSAGE  m is filled; the caller owns it;
 *   SOURCE_SKIPPED  this message could not be taken (over conf.max_bytes, vanished
 *                   between listing and reading, unreadable): e says why and
 *                   m->origin, m->location and m->size name it, m->data is NULL;
 *                   the message is left where it is; call source_next() again;
 *   SOURCE_DONE     no more messages (m is zeroed);
 *   SOURCE_ERROR    the source itself failed (e.g. an I/O error in an mbox); do not
 *                   call again.
 * A message is never read whole when over the cap, and the source keeps nothing of
 * a message once returned, so memory stays flat in the number of messages.
 */
int source_next(struct source *s, struct message *m, struct err *e);

/*
 * Do with m (returned by source_next() of this same source, possibly with its data
 * already dropped) what d asks. DISPOSE_PROCESSED and DISPOSE_UNRECOGNIZED apply
 * conf.processed and conf.unrecognized; DISPOSE_KEEP does nothing; DISPOSE_DELETE
 * removes the message. Read-only sources (mbox, plain files, stdin) do nothing
 * and return 0 for all but DISPOSE_DELETE, which they refuse. Call it only after
 * the store has committed what came from m. Returns 0, or -1 with e set and the
 * message left in place.
 */
int source_dispose(struct source *s, const struct message *m, enum disposal d,
    struct err *e);

/* Release s and everything it holds. s may be NULL. */
void source_close(struct source *s);

/* Release m's memory and zero it. */
void message_free(struct message *m);

/*
 * Release only m's bytes, keeping origin, location and size, so that a batch
 * waiting for its commit before source_dispose() holds no message bodies.
 */
void message_drop_data(struct message *m);

/*
 * For drivers. Read fd to its end into a new NUL-terminated buffer, but never more
 * than max bytes: returns 0 with *data and *length set, 1 when there is more than
 * max (nothing is kept; the rest is left unread), or -1 with e set on a read error.
 */
int source_read_fd(int fd, size_t max, char **data, size_t *length,
    struct err *e);

/* For drivers: the 64-bit FNV-1a hash of n bytes, continued from hash. */
#define SOURCE_HASH_INIT	0xcbf29ce484222325ULL
unsigned long long source_hash(unsigned long long hash, const void *p, size_t n);

extern const struct source_ops source_maildir;
extern const struct source_ops source_mbox;
extern const struct source_ops source_file;
extern const struct source_ops source_stdin;

#endif
