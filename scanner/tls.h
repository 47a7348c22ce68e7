/*
 * tls.h: connections to IMAP and POP3 servers as libetpan mailstreams, with
 * our own GnuTLS stream underneath that verifies the server (libetpan's own
 * TLS stream checks no certificate at all). See tls.c for why.
 */
#ifndef BOUNCESCAN_TLS_H
#define BOUNCESCAN_TLS_H

#include <libetpan/libetpan.h>

#include "err.h"

struct tls_settings {
	int		 verify;	/* 1 unless tls_verify = no */
	const char	*ca_file;	/* NULL: system trust store */
	const char	*pin;		/* NULL, or hex SHA-256 of the leaf cert DER */
	int		 timeout;	/* seconds for connect, handshake, each read/write */
};

/*
 * TCP connect to host:port, verified TLS handshake (SNI = host, chain and host
 * name checked during the handshake, pin checked after it), and return a
 * mailstream ready for mailimap_connect()/mailpop3_connect(). NULL with e set
 * on failure; e names the host, what is wrong and what to do ("set
 * tls_ca_file"). With verify = 0, a warning goes to stderr on every call.
 */
mailstream *tls_connect(const char *host, int port, const struct tls_settings *,
    struct err *e);

/*
 * After a successful STARTTLS/STLS answer: replace s's plaintext low driver
 * with a verified TLS one on the same socket. Refuses when the server sent
 * anything after its answer (it would have been read as if protected). 0, or
 * -1 with e set and s unchanged (the caller closes it).
 */
int tls_upgrade(mailstream *s, const char *host, const struct tls_settings *,
    struct err *e);

/* Plain TCP connect with a timeout (imap:// and pop3:// before STARTTLS). */
mailstream *tls_connect_plain(const char *host, int port, int timeout,
    struct err *e);

#endif
