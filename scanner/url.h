/*
 * url.h: the URL of a network mailbox, as a [source NAME] url gives it:
 *
 *     imaps://bounces@mail.example.org/INBOX
 *     imap://bounces%40example.org@mail.example.org:143/Lists/Bounces
 *     pop3s://bounces@mail.example.org:995
 *
 * The user name and the mailbox are percent-decoded (a login that is itself an
 * address writes its "@" as %40). A password in the URL is refused: it would be
 * visible in ps, in shell histories and in logs.
 */
#ifndef BOUNCESCAN_URL_H
#define BOUNCESCAN_URL_H

#include <stddef.h>

#include "err.h"

#define URL_PART_MAX	256

struct url {
	char	scheme[8];		/* "imaps", "imap", "pop3s", "pop3" */
	char	user[URL_PART_MAX];
	char	host[URL_PART_MAX];	/* without the brackets of an IPv6 literal */
	int	port;			/* the scheme's default when not given */
	char	mailbox[URL_PART_MAX];	/* IMAP; "INBOX" when not given */
	int	tls;			/* 1: TLS from the start (imaps, pop3s) */
	int	imap;			/* 1: IMAP, 0: POP3 */
};

/*
 * Parse text into u. 0, or -1 with e saying what is wrong with it; e shows the
 * URL as url_redact() does.
 */
int url_parse(const char *text, struct url *u, struct err *e);

/*
 * 1 when text is a URL ("SCHEME://...", any scheme) with a password written in
 * it ("USER:PASSWORD@HOST"). The configuration and the command line refuse such
 * a URL before anything prints it.
 */
int url_has_password(const char *text);

/*
 * text, with a password written in it replaced by "***", in out[size] (cut at
 * size): "imaps://bob:***@mx.example.org/". A URL is shown only this way.
 */
#define URL_SHOWN_MAX	1024
void url_redact(const char *text, char *out, size_t size);

#endif
