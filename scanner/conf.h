/*
 * conf.h: the configuration file, bouncescan.conf(5). INI syntax, read with inih.
 *
 *     [database]
 *     path = /var/lib/bouncescan/bouncescan.db
 *     (or url = postgresql://bounces@db.example.org/bounces?sslmode=verify-full
 *      and password_file = /etc/bouncescan/pgpass, libpq's passfile format)
 *     [policy]
 *     soft_threshold = 5                   (and the other store_policy keys)
 *     [verp]
 *     pattern = bounces+{local}={domain}@lists.example.org   (the unnamed list)
 *     [list announce]                      one per list on the host
 *     bounce_address = announce-bounces@lists.example.org
 *     verp_pattern = announce-bounces+{local}={domain}@lists.example.org
 *     list_id = announce.lists.example.org
 *     [classifier]
 *     rules = /etc/bouncescan/rules.tsv    site rules, consulted first
 *     [source bounces]
 *     url = maildir:/srv/mail/bounces
 *     processed = move:Processed
 *     unrecognized = move:Unrecognized
 *     [pipe]
 *     unrecognized = maildir:/srv/mail/unrecognized   (pipe-keep.h)
 *
 * An unknown section or key, or a value that does not parse, is an error that names
 * the file and line, so that a typing mistake never silently changes what the
 * program does.
 */
#ifndef BOUNCESCAN_CONF_H
#define BOUNCESCAN_CONF_H

#include "db.h"
#include "err.h"
#include "pipe-keep.h"
#include "source.h"

#define CONF_DEFAULT_PATH	"/etc/bouncescan/bouncescan.conf"
#define CONF_MAX_SOURCES	64

struct conf_source {
	char			*name;		/* from [source NAME] */
	char			*url;		/* "maildir:/srv/...", "imaps://..." */
	struct source_conf	 settings;	/* processed, unrecognized */
};

/*
 * A [list NAME] section: one mailing list of several on the host, and how a
 * bounce is told to come from it (classifier_add_list). Any of the three may be
 * NULL, not all.
 */
#define CONF_MAX_LISTS		256	/* CLASSIFIER_MAX_LISTS */
#define CONF_LIST_NAME_MAX	64

struct conf_list {
	char			*name;		/* letters, digits, . _ - */
	char			*bounce_address;
	char			*verp_pattern;
	char			*list_id;
};

/* BEGIN webhook */
/*
 * [webhook NAME] sections (conf-webhook.c): where to tell a list manager about
 * events. Fixed-size fields, so that conf_free has nothing more to free; a value
 * too long for them is a configuration error.
 */
#define CONF_MAX_WEBHOOKS	8

enum conf_webhook_format {
	WEBHOOK_GENERIC,		/* one JSON document per event */
	WEBHOOK_LISTMONK		/* listmonk's POST /webhooks/bounce */
};

struct conf_webhook {
	char			 name[64];
	char			 url[1024];	/* http:// or https://, no credentials */
	enum conf_webhook_format format;
	unsigned		 events;	/* STORE_WEBHOOK_* bits */
	char			 secret_file[512];	/* HMAC key, or "" */
	char			 auth_file[512];	/* "user:password", or "" */
	char			 tls_ca_file[512];	/* or "": the system's CAs */
	int			 timeout;	/* seconds per attempt */
};

struct conf_webhooks {
	struct conf_webhook	 list[CONF_MAX_WEBHOOKS];
	size_t			 count;
};

struct conf;
/* 1 when section is "webhook NAME" (or "webhook \"NAME\""). */
int conf_webhook_section(const char *section);
/*
 * One key of a [webhook NAME] section: 1 when it is taken, 0 with problem (of
 * size) saying what is wrong.
 */
int conf_webhook_key(struct conf *c, const char *section, const char *key,
    const char *value, char *problem, size_t size);
/* Every webhook complete (a url): 0, or -1 with e naming the file and section. */
int conf_webhooks_check(const struct conf *c, struct err *e);
/* The [webhook NAME] called name, or NULL. */
const struct conf_webhook *conf_webhook(const struct conf *c, const char *name);
/* END webhook */

struct conf {
	char			*path;		/* the file read, or NULL when none */
	char			*database;	/* [database] path or url, or NULL */
	char			*password_file;	/* [database] password_file, or NULL */
	char			*rules_file;
	char			*verp;		/* [verp] pattern: the unnamed list */
	struct conf_list	*lists;		/* [list NAME] sections */
	size_t			 nlists;
	struct store_policy	 policy;	/* defaults, then [policy] */
	struct conf_source	 sources[CONF_MAX_SOURCES];
	size_t			 nsources;
	struct conf_webhooks	 webhooks;	/* webhook: [webhook NAME] sections */
	struct pipe_conf	 pipe;		/* [pipe]: unrecognized mail on stdin */
};

/*
 * Read path into c (zeroed by the caller). With path NULL the default file is read
 * when it exists, and its absence is not an error. Returns 0, or -1 with e set.
 */
int conf_load(struct conf *c, const char *path, struct err *e);
void conf_free(struct conf *c);

/* The [list NAME] section called name, or NULL. */
const struct conf_list *conf_list(const struct conf *c, const char *name);

/* The [source NAME] section called name, or NULL. */
const struct conf_source *conf_source(const struct conf *c, const char *name);

/*
 * The database to use: -d (override) when given, else [database] path or url
 * (a password_file is handed to the store, store_set_password_file), else a
 * per-user default (/var/lib/bouncescan/bouncescan.db for root,
 * $XDG_DATA_HOME/bouncescan/bouncescan.db or ~/.local/share/... otherwise), whose
 * directory is created when missing. A new string, or NULL with e set.
 */
char *conf_database_path(const struct conf *c, const char *override, struct err *e);

#endif
