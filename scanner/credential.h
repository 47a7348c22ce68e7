/*
 * credential.h: the password of a [source], from a file, a command or an
 * environment variable, so that it never has to sit in bouncescan.conf.
 */
#ifndef BOUNCESCAN_CREDENTIAL_H
#define BOUNCESCAN_CREDENTIAL_H

#include "err.h"

/* The three ways to give a password; exactly one is non-NULL. */
struct credential_spec {
	const char	*file;		/* password_file: its first line */
	const char	*command;	/* password_command: first line of stdout */
	const char	*env;		/* password_env: a variable's name */
};

/*
 * The password a [source] names (exactly one of password_file,
 * password_command or password_env). A new string the caller wipes and frees
 * with credential_free(), or NULL with e set; e starts with "source NAME: "
 * unless source_name is NULL (the caller adds its own context then).
 * Never logs or reports the password, nor the output of the command.
 */
char	*credential_get(const struct credential_spec *, const char *source_name,
    struct err *e);

/*
 * What can be known wrong before the password is needed, without reading it:
 * not exactly one way given, an empty one, a password_file that is missing, not
 * a regular file or reachable by others, a password_env that is not set. A
 * command is not run. 0, or -1 with e as credential_get() words it: a
 * configuration error, which a scan reports before it starts (exit 78).
 */
int	 credential_check(const struct credential_spec *, const char *source_name,
    struct err *e);

/* Overwrite the password with zeros, then free it. NULL is fine. */
void	 credential_free(char *password);

#endif
