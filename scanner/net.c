/* net.c: what the IMAP and POP3 drivers share; see net.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "net.h"
#include "xalloc.h"

/* The password in the configuration: -1 when others are given too, else 1 or 0. */
static int
password_in_conf(const struct source_conf *c, struct err *e)
{
	int given = (c->password != NULL) + (c->password_file != NULL) +
	    (c->password_command != NULL) + (c->password_env != NULL);

	if (c->password != NULL && given > 1)
		return err_set(e, "give only one of password, password_file,"
		    " password_command and password_env");
	return c->password != NULL;
}

char *
net_password(const struct source_conf *c, struct err *e)
{
	struct credential_spec spec;
	int rc;

	if ((rc = password_in_conf(c, e)) != 0)
		return rc == 1 ? xstrdup(c->password) : NULL;
	spec.file = c->password_file;
	spec.command = c->password_command;
	spec.env = c->password_env;
	return credential_get(&spec, NULL, e);
}

int
net_password_check(const struct source_conf *c, struct err *e)
{
	struct credential_spec spec;
	int rc;

	if ((rc = password_in_conf(c, e)) != 0)
		return rc == 1 ? 0 : -1;
	spec.file = c->password_file;
	spec.command = c->password_command;
	spec.env = c->password_env;
	return credential_check(&spec, NULL, e);
}

void
net_password_free(char *password)
{
	credential_free(password);
}

void
net_tls_settings(const struct source_conf *c, struct tls_settings *t)
{
	memset(t, 0, sizeof *t);
	t->verify = c->tls_verify;
	t->ca_file = c->tls_ca_file;
	t->pin = c->tls_pin;
	t->timeout = c->timeout > 0 ? c->timeout : 60;
}

mailstream *
net_connect(const struct url *u, const struct source_conf *c, struct err *e)
{
	struct tls_settings t;

	net_tls_settings(c, &t);
	if (u->tls)
		return tls_connect(u->host, u->port, &t, e);
	return tls_connect_plain(u->host, u->port, t.timeout, e);
}

void
net_warn_plaintext(const struct url *u)
{
	fprintf(stderr, "bouncescan: warning: %s:%d: no TLS: the password and the mail"
	    " cross the network in clear (allow_plaintext = yes)\n", u->host, u->port);
}
