/*
 * classifier.h: raw message bytes in, one result per recipient out.
 *
 * The classifier library does no I/O and knows nothing of the store. It reads one
 * message (any line ending), finds out what kind of report it is (RFC 3464 DSN, RFC 5965
 * feedback report, RFC 3834 auto-reply, or one of the non-standard formats real MTAs
 * send), and decides a reason and a class for every recipient it names.
 */
#ifndef BOUNCESCAN_CLASSIFIER_H
#define BOUNCESCAN_CLASSIFIER_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* Caps checked before any parsing: hostile input must not crash or stall us. */
#define CLASSIFIER_MAX_BYTES	(16u * 1024 * 1024)
#define CLASSIFIER_MAX_DEPTH	16	/* nested multipart and message/rfc822 levels */
#define CLASSIFIER_MAX_PARTS	512	/* MIME parts in one message */
#define CLASSIFIER_MAX_RESULTS	1000	/* recipients reported for one message */
/*
 * The longest recipient, in bytes: RFC 5321 4.5.3.1.3 limits a path to 256 octets
 * with its angle brackets. A longer candidate is not a recipient. The store
 * refuses the same (STORE_ADDRESS_LONGEST in db.h, kept equal by an assertion in
 * scanner/cmd-status.c), so that every recipient reported can be looked up.
 */
#define CLASSIFIER_MAX_ADDRESS	254

enum bounce_class {
	CLASS_NONE,		/* not a bounce */
	CLASS_HARD,		/* the address does not exist or will never take mail */
	CLASS_SOFT,		/* a failure on the recipient side that may pass */
	CLASS_BLOCK,		/* the sender side's problem: never held against the recipient */
	CLASS_COMPLAINT,	/* RFC 5965 feedback report */
	CLASS_AUTOREPLY,	/* RFC 3834 auto-reply, vacation, out of office */
	CLASS_DELAYED,		/* DSN action delayed */
	CLASS_DELIVERED		/* DSN action delivered, relayed or expanded */
};

struct result {
	char		*recipient;	/* lower-cased address, NULL when unknown */
	char		*action;	/* failed, delayed, delivered, relayed, expanded, NULL */
	char		 status[16];	/* RFC 3463 "5.1.1", or "" when unknown */
	int		 smtp_code;	/* 550, or 0 when unknown */
	char		 smtp_command[8];	/* "RCPT", "DATA", ... it failed after, or "" */
	char		*remote_mta;	/* host that answered, or NULL */
	char		*diagnostic;	/* unfolded text from the remote side, or NULL */
	char		*feedback_type;	/* ARF Feedback-Type, complaints only */
	const char	*reason;	/* Sisimai reason name, static */
	const char	*rule;		/* what decided the reason: "rules.tsv:12", "status 5.1.1" */
	enum bounce_class class;
};

struct report {
	struct result	*results;
	size_t		 nresults;
	size_t		 cap;
	const char	*format;	/* which decoder understood it: "rfc3464", "qmail", ... */
	char		*message_id;	/* of the bounce itself */
	char		*original_message_id;	/* of the returned message, when present */
	char		*original_to;
	char		*list_id;
	char		*list;		/* the list it came from (classifier_add_list), or NULL */
	time_t		 date;		/* when the bounce was written (Date:), or 0 */
	char		 error[256];	/* why the message could not be read, or "" */
};

struct classifier;

/* A classifier with the built-in rule table. Never returns NULL. */
struct classifier *classifier_new(void);
void classifier_free(struct classifier *);

/*
 * Load a site rule file. Its rules are consulted before the built-in ones, in file
 * order. Returns 0, or -1 with e naming the file and line that is wrong.
 */
int classifier_load_rules(struct classifier *, const char *path, struct err *e);

/*
 * The list's VERP address pattern, e.g. "bounces+{local}={domain}@lists.example.org".
 * When the bounce's To: matches it, the address it encodes is the recipient.
 * Returns 0, or -1 with e saying what is wrong with the pattern.
 */
int classifier_set_verp(struct classifier *, const char *pattern, struct err *e);

/*
 * One of several mailing lists on the host ([list NAME] in bouncescan.conf(5)):
 * its name, and any of its VERP pattern, its bounce address and its List-Id
 * (the id alone, "announce.lists.example.org", or the header's <...> form); NULL
 * for those it lacks. A VERP pattern decodes the recipient as
 * classifier_set_verp's does. Each report then names in r->list the list the
 * bounce came from, the first way that tells: a list's VERP pattern matching the
 * address the bounce was sent to (To:, else X-Original-To: or Delivered-To:, the
 * envelope recipient as the MTA wrote it), else that address being a list's
 * bounce address, else the returned message's List-Id. The pattern of
 * classifier_set_verp, tried first, is the unnamed list: a match there leaves
 * r->list NULL. At most CLASSIFIER_MAX_LISTS. Returns 0, or -1 with e saying what
 * is wrong with the pattern or the addresses.
 */
#define CLASSIFIER_MAX_LISTS	256
int classifier_add_list(struct classifier *, const char *name,
    const char *verp_pattern, const char *bounce_address, const char *list_id,
    struct err *e);

/*
 * Read every message with the decoders that know no particular MTA only (RFC 3464,
 * RFC 5965, RFC 3834 and the generic reader), as `parse --generic-only` does: a way
 * to measure what the generic reader catches on its own. Off by default.
 */
void classifier_set_generic_only(struct classifier *, int on);

/*
 * Classify one message. Fills r (which the caller zeroes first and later frees with
 * report_free). Returns the number of results (0 for a message that is not a bounce),
 * or -1 when the message could not be read at all; r->error then says why.
 */
int classify(const struct classifier *, const char *bytes, size_t len, struct report *r);

void report_free(struct report *);

/* "hard", "soft", ... */
const char *class_name(enum bounce_class);

#endif
