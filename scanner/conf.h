/*
 * conf.h: the configuration file, bouncescan.conf(5). INI syntax, read with inih.
 *
 *     [classifier]
 *     rules = /etc/bouncescan/rules.tsv    site rules, consulted first
 *     [verp]
 *     pattern = bounces+{local}={domain}@lists.example.org
 *
 * An unknown section or key is an error that names the file and line, so that a
 * typing mistake never silently changes what the program does.
 */
#ifndef BOUNCESCAN_CONF_H
#define BOUNCESCAN_CONF_H

#include "err.h"

#define CONF_DEFAULT_PATH	"/etc/bouncescan/bouncescan.conf"

struct conf {
	char	*path;		/* the file read, or NULL when none */
	char	*rules_file;
	char	*verp;
};

/*
 * Read path into c (zeroed by the caller). With path NULL the default file is read
 * when it exists, and its absence is not an error. Returns 0, or -1 with e set.
 */
int conf_load(struct conf *c, const char *path, struct err *e);
void conf_free(struct conf *c);

#endif
