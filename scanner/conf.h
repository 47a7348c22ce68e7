/*
 * conf.h: the configuration file, bouncescan.conf(5). INI syntax, read with inih.
 *
 *     [database]
 *     path = /var/lib/bouncescan/bouncescan.db
 *     [policy]
 *     soft_threshold = 5                   (and the other store_policy keys)
 *     [verp]
 *     pattern = bounces+{local}={domain}@lists.example.org
 *     [classifier]
 *     rules = /etc/bouncescan/rules.tsv    site rules, consulted first
 *     [source bounces]
 *     url = maildir:/srv/mail/bounces
 *     processed = move:Processed
 *     unrecognized = move:Unrecognized
 *
 * An unknown section or key, or a value that does not parse, is an error that names
 * the file and line, so that a typing mistake never silently changes what the
 * program does.
 */
#ifndef BOUNCESCAN_CONF_H
#define BOUNCESCAN_CONF_H

#include "db.h"
#include "err.h"
#include "source.h"

#define CONF_DEFAULT_PATH	"/etc/bouncescan/bouncescan.conf"
#define CONF_MAX_SOURCES	64

struct conf_source {
	char			*name;		/* from [source NAME] */
	char			*url;		/* "maildir:/srv/...", "imaps://..." */
	struct source_conf	 settings;	/* processed, unrecognized */
};

struct conf {
	char			*path;		/* the file read, or NULL when none */
	char			*database;	/* [database] path, or NULL */
	char			*rules_file;
	char			*verp;
	struct store_policy	 policy;	/* defaults, then [policy] */
	struct conf_source	 sources[CONF_MAX_SOURCES];
	size_t			 nsources;
};

/*
 * Read path into c (zeroed by the caller). With path NULL the default file is read
 * when it exists, and its absence is not an error. Returns 0, or -1 with e set.
 */
int conf_load(struct conf *c, const char *path, struct err *e);
void conf_free(struct conf *c);

/* The [source NAME] section called name, or NULL. */
const struct conf_source *conf_source(const struct conf *c, const char *name);

/*
 * The database to use: -d (override) when given, else [database] path, else a
 * per-user default (/var/lib/bouncescan/bouncescan.db for root,
 * $XDG_DATA_HOME/bouncescan/bouncescan.db or ~/.local/share/... otherwise), whose
 * directory is created when missing. A new string, or NULL with e set.
 */
char *conf_database_path(const struct conf *c, const char *override, struct err *e);

#endif
