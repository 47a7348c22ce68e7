/*
 * format.h: one decoder per report format. A decoder looks at a parsed message and,
 * when it recognises its format, adds one result per recipient with what the format
 * says: recipient, action, status, SMTP code, remote MTA and diagnostic text. It may
 * set a result's reason only where the format itself states it (a feedback report,
 * an auto-reply, a queue timeout); otherwise the rule table decides the reason.
 *
 * Decoders are tried in the order of the formats[] table (formats.c); the first that
 * adds a result wins. A decoder never logs and never exits.
 */
#ifndef BOUNCESCAN_FORMAT_H
#define BOUNCESCAN_FORMAT_H

#include "classifier.h"
#include "mail.h"

struct format {
	const char	*name;
	/* Results added to r, 0 when m is not in this format. */
	int		(*parse)(const struct mail *m, struct report *r);
	/*
	 * NULL, or phrases (NULL-terminated) of which the message must hold at least
	 * one, ignoring ASCII case, in its decoded Subject or From, its top-level
	 * header or its bounce text (bodyscan_text) for parse to be worth calling.
	 * Each must be something parse itself requires, or output changes. With them,
	 * classify() finds the markers of all decoders in one pass instead of letting
	 * each decoder scan the text to say no: over the corpus, text_find went from
	 * 33M to 12M instructions and classify() from 106M to 87M.
	 */
	const char *const *markers;
	/*
	 * 1 when the decoder knows no particular MTA (RFC 3464, RFC 5965, RFC 3834, the
	 * generic reader): the ones `parse --generic-only` keeps.
	 */
	int		 generic;
};

/* NULL-terminated, in the order they are tried. */
extern const struct format *const formats[];

#endif
