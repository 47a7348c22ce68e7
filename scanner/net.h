/*
 * net.h: what the IMAP and POP3 drivers share: the password, the TLS settings
 * of a [source NAME] section, and the words for what went wrong on the wire.
 */
#ifndef BOUNCESCAN_NET_H
#define BOUNCESCAN_NET_H

#include "err.h"
#include "source.h"
#include "tls.h"
#include "url.h"

/*
 * The password for u's user: the section's password, or what password_file,
 * password_command or password_env yield. A new string to release with
 * net_password_free(), or NULL with e set. Never printed anywhere.
 */
char	*net_password(const struct source_conf *c, struct err *e);
void	 net_password_free(char *password);
/*
 * Whether net_password() can work, found without reading the password or
 * running a command (credential_check()): 0, or -1 with e.
 */
int	 net_password_check(const struct source_conf *c, struct err *e);

/* The TLS settings of a source's configuration; borrows its strings. */
void	 net_tls_settings(const struct source_conf *c, struct tls_settings *t);

/*
 * Open the connection u names. With TLS from the start (imaps, pop3s) the stream
 * is verified before this returns; otherwise it is plain text, and the caller
 * upgrades it with STARTTLS/STLS (or, only when allow_plaintext is set, warns).
 */
mailstream *net_connect(const struct url *u, const struct source_conf *c,
	    struct err *e);

/* The plaintext warning, printed on every connection that sends a password in clear. */
void	 net_warn_plaintext(const struct url *u);

#endif
