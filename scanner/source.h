/*
 * source.h: every mailbox looks the same to the scan loop.
 *
 * A source hands out messages one at a time (raw bytes plus an origin id that is
 * stable across runs) and, once the caller has committed what it learnt from them,
 * disposes of them: moves, flags or deletes them at the source. One driver per
 * kind of mailbox, one file per driver (source-maildir.c, source-mbox.c,
 * source-file.c, source-stdin.c, source-imap.c, source-pop3.c), all behind
 * struct source_ops, in the manner of fdm's fetch-*.c.
 *
 * A source does not classify, store, or decide what a message is: the scan loop
 * does. It never loses a message: a message it cannot read is reported and left in
 * place, and nothing is moved or deleted except through source_dispose().
 */
#ifndef BOUNCESCAN_SOURCE_H
#define BOUNCESCAN_SOURCE_H

#include <stddef.h>
#include <sys/types.h>

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
 * caller keeps ownership of the strings, which must outlive the source.
 */
struct source_conf {
	struct source_action	processed;	/* default move:Processed (POP3: keep) */
	struct source_action	unrecognized;	/* default move:Unrecognized (IMAP,
						   POP3: keep); never delete */
	int			processed_given;	/* set in the configuration */
	int			unrecognized_given;
	size_t			max_bytes;	/* default CLASSIFIER_MAX_BYTES */
	/* Network sources only (imap, pop3). Exactly one password* is needed. */
	const char		*password;	/* only from a file no one else can read */
	const char		*password_file;
	const char		*password_command;
	const char		*password_env;
	const char		*tls_ca_file;	/* NULL: the system's trust store */
	const char		*tls_pin;	/* SHA-256 of the server certificate */
	int			 tls_verify;	/* default 1; 0 only when asked */
	int			 allow_plaintext;	/* imap://, pop3:// without STARTTLS */
	int			 timeout;	/* seconds per network step; default 60 */
	size_t			 batch;		/* messages per transaction; 0: default */
#define SOURCE_NETWORK_BATCH	2000	/* the default for IMAP and POP3 */
	int			 poll_interval;	/* seconds between polls; default 60 */
	/*
	 * Maildir only: folder directories named in UTF-8 (Courier 5) rather
	 * than in modified UTF-7 (Dovecot, Courier before 5). Default 0.
	 */
	int			 folder_names_utf8;
};

/*
 * What a source remembers between runs (IMAP's UIDVALIDITY and last UID, POP3's
 * UIDLs), kept for it by the scan loop in the store. A source writes only what
 * is committed and disposed of, so that a run killed at any point resumes
 * without losing or repeating anything that matters (a repeat is recognised by
 * the message's hash).
 */
struct source_memory {
	void	*context;
	/* *value: a new string, or NULL when key was never set. 0, or -1 with e. */
	int	(*get)(void *context, const char *key, char **value, struct err *e);
	/* value NULL forgets the key. 0, or -1 with e. */
	int	(*set)(void *context, const char *key, const char *value, struct err *e);
	/* Call fn(arg, key, value) for every key that begins with prefix. */
	int	(*each)(void *context, const char *prefix,
		    int (*fn)(void *arg, const char *key, const char *value), void *arg,
		    struct err *e);
	/* Forget every key that begins with prefix. 0, or -1 with e. */
	int	(*forget)(void *context, const char *prefix, struct err *e);
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

/*
 * A driver. One static instance per file, e.g. source_maildir in source-maildir.c.
 * The methods after close are optional (NULL): a source that remembers where it
 * stopped, batches its disposals, or can be told of new mail has them.
 */
struct source_ops {
	const char	*scheme;	/* "maildir", "mbox", "file", "stdin", "imap", ... */
	int		 read_only;	/* dispose() can do nothing: mbox, file, stdin */
	int		(*open)(struct source *, struct err *);
	int		(*next)(struct source *, struct message *, struct err *);
	int		(*dispose)(struct source *, const struct message *,
			    enum disposal, struct err *);
	void		(*close)(struct source *);
	/* Start a pass over the mailbox from where memory says the last one ended. */
	int		(*begin)(struct source *, const struct source_memory *,
			    struct err *);
	/*
	 * Carry out the dispose() calls made since the last flush. A driver may
	 * do so in the background; then what it returns is the outcome of the
	 * flush before (-1 with *failed messages left in place), and a flush
	 * with nothing queued waits for the last one.
	 */
	int		(*flush)(struct source *, size_t *failed, struct err *);
	/* Record in memory how far the pass has got (all flushed). */
	int		(*checkpoint)(struct source *, const struct source_memory *,
			    struct err *);
	/*
	 * Wait for new mail: *fd becomes readable when some arrives. 1 when
	 * mail is already waiting (do not sleep), 0, or -1 with e.
	 */
	int		(*idle_start)(struct source *, int *fd, struct err *);
	int		(*idle_done)(struct source *, struct err *);
};

struct source {
	const struct source_ops	*ops;
	char			*spec;	/* as given, for messages to the user */
	char			*path;	/* the spec without its scheme */
	struct source_conf	 conf;
	void			*state;	/* the driver's own */
	size_t			 expected;	/* messages this pass, when known */
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
 *     imaps://USER@HOST[:PORT]/MAILBOX   IMAP over TLS (imap:// with STARTTLS)
 *     pop3s://USER@HOST[:PORT]           POP3 over TLS (pop3:// with STLS)
 *
 * Any other "SCHEME://" is refused as unknown. Network sources connect, verify
 * the server's certificate and log in here, so that a bad password or
 * certificate is reported before anything is read. conf may be NULL for
 * the defaults. Returns 0, or -1 with e naming the spec and what failed (a missing
 * directory, a file that is not an mbox, ...); *out is then NULL.
 */
int source_open_spec(const char *spec, const struct source_conf *conf,
    struct source **out, struct err *e);

/*
 * The mailbox spec names, as a new string, for the per-source scan lock (lock.c),
 * so that two spellings of one mailbox are one source: a local one by the device
 * and inode of what its path leads to ("maildir:/x", "maildir:." in /x and a
 * symbolic link to /x are the same), IMAP and POP3 by protocol, user, host (in
 * lower case), port and mailbox (INBOX in any case). spec itself when that
 * cannot be known (no such path, a bad URL): opening the source fails then.
 */
char *source_lock_key(const char *spec);

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

/*
 * The optional methods, for the scan loop: each does nothing and returns 0 when
 * the driver has no such method (source_idle_start then sets *fd to -1: poll;
 * otherwise it returns 1 when new mail is already waiting).
 * Each returns 0, or -1 with e set (prefixed with the spec).
 */
int source_begin(struct source *s, const struct source_memory *memory,
    struct err *e);
int source_flush(struct source *s, size_t *failed, struct err *e);
int source_checkpoint(struct source *s, const struct source_memory *memory,
    struct err *e);
int source_idle_start(struct source *s, int *fd, struct err *e);
int source_idle_done(struct source *s, struct err *e);
/* 1 when the source stays open between passes (IMAP); others are reopened. */
int source_persistent(const struct source *s);

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

/*
 * The same for a regular file whose size the caller has from fstat(2): one
 * fstat(2) and one read(2) fewer per message.
 */
int source_read_regular(int fd, off_t size, size_t max, char **data,
    size_t *length, struct err *e);

/* For drivers: the 64-bit FNV-1a hash of n bytes, continued from hash. */
#define SOURCE_HASH_INIT	0xcbf29ce484222325ULL
unsigned long long source_hash(unsigned long long hash, const void *p, size_t n);

extern const struct source_ops source_maildir;
extern const struct source_ops source_mbox;
extern const struct source_ops source_file;
extern const struct source_ops source_stdin;
extern const struct source_ops source_imap;
extern const struct source_ops source_pop3;

#endif
