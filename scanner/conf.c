/* conf.c: reading bouncescan.conf; see conf.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "url.h"
#include "xalloc.h"

/* A section header or a key as first seen, to refuse a second one. */
struct conf_seen {
	char		*section;	/* section_canonical() */
	char		*key;		/* NULL for the section header itself */
	int		 line;
};

struct conf_parse {
	struct conf	*conf;
	FILE		*file;
	int		 line;		/* of the line read last */
	char		 section[INI_MAX_LINE];	/* canonical, of the header read last */
	char		 problem[768];
	int		 problem_line;	/* where problem was found, or 0 */
	int		 has_password;	/* some [source] has a password key */
	struct conf_seen *seen;
	size_t		 nseen;
};

static void
set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int
set_int(struct conf_parse *p, int *field, const char *key, const char *value, int min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > INT_MAX) {
		snprintf(p->problem, sizeof p->problem,
		    "%s must be a whole number of at least %d, not \"%s\"", key, min, value);
		return 0;
	}
	*field = (int)v;
	return 1;
}

static int
on_policy(struct conf_parse *p, const char *key, const char *value)
{
	static const struct {
		const char	*key;
		size_t		 offset;
		int		 min;
	} keys[] = {
		{ "hard_threshold", offsetof(struct store_policy, hard_threshold), 1 },
		{ "soft_threshold", offsetof(struct store_policy, soft_threshold), 1 },
		{ "soft_window_days", offsetof(struct store_policy, soft_window_days), 1 },
		{ "complaint_threshold", offsetof(struct store_policy, complaint_threshold), 1 },
		{ "incident_domain_blocks", offsetof(struct store_policy,
		    incident_domain_blocks), 1 },
		{ "incident_min_failures", offsetof(struct store_policy,
		    incident_min_failures), 1 },
		{ "incident_block_percent", offsetof(struct store_policy,
		    incident_block_percent), 1 },
		{ "incident_window_minutes", offsetof(struct store_policy,
		    incident_window_minutes), 1 },
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(key, keys[i].key) == 0)
			return set_int(p, (int *)((char *)&p->conf->policy + keys[i].offset),
			    key, value, keys[i].min);
	snprintf(p->problem, sizeof p->problem, "unknown key \"%s\" in section [policy]",
	    key);
	return 0;
}

/* "source bounces" or "source \"bounces\"" -> "bounces"; NULL when not a source. */
static const char *
source_name(const char *section, char *buf, size_t size)
{
	const char *n;
	size_t len;

	if (strncmp(section, "source ", 7) != 0)
		return NULL;
	for (n = section + 7; *n == ' '; n++)
		;
	len = strlen(n);
	if (len >= 2 && n[0] == '"' && n[len - 1] == '"') {
		n++;
		len -= 2;
	}
	if (len == 0 || len >= size)
		return NULL;
	memcpy(buf, n, len);
	buf[len] = '\0';
	return buf;
}

static struct conf_source *
source_section(struct conf_parse *p, const char *name)
{
	struct conf *c = p->conf;
	struct conf_source *s;
	size_t i;

	for (i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	if (c->nsources == CONF_MAX_SOURCES) {
		snprintf(p->problem, sizeof p->problem, "more than %d sources",
		    CONF_MAX_SOURCES);
		return NULL;
	}
	s = &c->sources[c->nsources++];
	s->name = xstrdup(name);
	source_conf_init(&s->settings);
	return s;
}

/* "yes"/"no" (also true/false, on/off, 1/0) into *field. */
static int
set_bool(struct conf_parse *p, int *field, const char *key, const char *value)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*field = 1;
			return 1;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*field = 0;
			return 1;
		}
	}
	snprintf(p->problem, sizeof p->problem, "%s must be yes or no, not \"%s\"",
	    key, value);
	return 0;
}

/* Keys whose value is a string kept as it is; the conf owns the copies. */
static const char **
source_string(struct source_conf *c, const char *key)
{
	static const struct {
		const char	*key;
		size_t		 offset;
	} keys[] = {
		{ "password", offsetof(struct source_conf, password) },
		{ "password_file", offsetof(struct source_conf, password_file) },
		{ "password_command", offsetof(struct source_conf, password_command) },
		{ "password_env", offsetof(struct source_conf, password_env) },
		{ "tls_ca_file", offsetof(struct source_conf, tls_ca_file) },
		{ "tls_pin", offsetof(struct source_conf, tls_pin) },
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(key, keys[i].key) == 0)
			return (const char **)(void *)((char *)c + keys[i].offset);
	return NULL;
}

static int
on_source_action(struct conf_parse *p, struct conf_source *s, const char *key,
    const char *value)
{
	int processed = strcmp(key, "processed") == 0;
	struct err e;

	if (source_action_parse(value, processed, processed ?
	    &s->settings.processed : &s->settings.unrecognized, &e) == -1) {
		snprintf(p->problem, sizeof p->problem, "%s: %s", key, e.msg);
		return 0;
	}
	if (processed)
		s->settings.processed_given = 1;
	else
		s->settings.unrecognized_given = 1;
	return 1;
}

static int
on_source_number(struct conf_parse *p, struct conf_source *s, const char *key,
    const char *value)
{
	struct source_conf *c = &s->settings;
	int n;

	if (strcmp(key, "timeout") == 0)
		return set_int(p, &c->timeout, key, value, 1);
	if (strcmp(key, "poll_interval") == 0)
		return set_int(p, &c->poll_interval, key, value, 1);
	if (!set_int(p, &n, key, value, 1))
		return 0;
	c->batch = (size_t)n;
	return 1;
}

/*
 * A mailbox URL or path. A password written in a URL is refused without being
 * shown: the configuration file is often readable by others, and error messages
 * end in cron mail and the journal.
 */
static int
on_source_url(struct conf_parse *p, struct conf_source *s, const char *value)
{
	char shown[URL_SHOWN_MAX];

	if (*value == '\0') {
		snprintf(p->problem, sizeof p->problem, "url is empty: name the mailbox,"
		    " such as imaps://USER@HOST/INBOX, pop3s://USER@HOST or maildir:PATH");
		return 0;
	}
	if (url_has_password(value)) {
		url_redact(value, shown, sizeof shown);
		snprintf(p->problem, sizeof p->problem, "url %.300s: a password does not"
		    " belong in the URL; put it in a password_file (or password_command,"
		    " password_env)", shown);
		return 0;
	}
	set_string(&s->url, value);
	return 1;
}

/*
 * How a Maildir names its folder directories: in modified UTF-7 as Dovecot
 * does (and Courier before 5), or in UTF-8 as Courier 5 does.
 */
static int
on_source_folder_names(struct conf_parse *p, struct conf_source *s,
    const char *value)
{
	if (strcmp(value, "utf-7") == 0)
		s->settings.folder_names_utf8 = 0;
	else if (strcmp(value, "utf-8") == 0)
		s->settings.folder_names_utf8 = 1;
	else {
		snprintf(p->problem, sizeof p->problem, "folder_names: \"%.100s\":"
		    " want utf-7 (Dovecot) or utf-8 (Courier 5)", value);
		return 0;
	}
	return 1;
}

static int
on_source(struct conf_parse *p, struct conf_source *s, const char *key,
    const char *value)
{
	const char **field;

	if (strcmp(key, "url") == 0)
		return on_source_url(p, s, value);
	if (strcmp(key, "processed") == 0 || strcmp(key, "unrecognized") == 0)
		return on_source_action(p, s, key, value);
	if ((field = source_string(&s->settings, key)) != NULL) {
		free((char *)*field);
		*field = xstrdup(value);
		if (strcmp(key, "password") == 0)
			p->has_password = 1;
		return 1;
	}
	if (strcmp(key, "tls_verify") == 0)
		return set_bool(p, &s->settings.tls_verify, key, value);
	if (strcmp(key, "allow_plaintext") == 0)
		return set_bool(p, &s->settings.allow_plaintext, key, value);
	if (strcmp(key, "folder_names") == 0)
		return on_source_folder_names(p, s, value);
	if (strcmp(key, "timeout") == 0 || strcmp(key, "poll_interval") == 0 ||
	    strcmp(key, "batch") == 0)
		return on_source_number(p, s, key, value);
	snprintf(p->problem, sizeof p->problem, "unknown key \"%s\" in section [source %s]",
	    key, s->name);
	return 0;
}

/*
 * "list announce" or "list \"announce\"" -> "announce" in buf; NULL when not a
 * list section. A name that is not one (empty, too long, other characters) is
 * refused with p->problem set, as it ends up in the store and on command lines.
 */
static const char *
list_name(struct conf_parse *p, const char *section, char *buf, size_t size)
{
	const char *n;
	size_t len, i;

	if (strncmp(section, "list ", 5) != 0)
		return NULL;
	for (n = section + 5; *n == ' '; n++)
		;
	len = strlen(n);
	if (len >= 2 && n[0] == '"' && n[len - 1] == '"') {
		n++;
		len -= 2;
	}
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && strchr("._-", n[i]) == NULL)
			break;
	if (len == 0 || len >= size || len > CONF_LIST_NAME_MAX || i < len) {
		snprintf(p->problem, sizeof p->problem, "[list %.100s]: a list name is"
		    " 1 to %d letters, digits, '.', '_' or '-'", n, CONF_LIST_NAME_MAX);
		return NULL;
	}
	memcpy(buf, n, len);
	buf[len] = '\0';
	return buf;
}

static struct conf_list *
list_section(struct conf_parse *p, const char *name)
{
	struct conf *c = p->conf;
	size_t i;

	for (i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	if (c->nlists == CONF_MAX_LISTS) {
		snprintf(p->problem, sizeof p->problem, "more than %d lists",
		    CONF_MAX_LISTS);
		return NULL;
	}
	c->lists = xreallocarray(c->lists, c->nlists + 1, sizeof *c->lists);
	memset(&c->lists[c->nlists], 0, sizeof c->lists[0]);
	c->lists[c->nlists].name = xstrdup(name);
	return &c->lists[c->nlists++];
}

/* One key of a [list NAME] section. Policy keys are not among them: see conf.h. */
static int
on_list(struct conf_parse *p, struct conf_list *l, const char *key,
    const char *value)
{
	char **field = NULL;

	if (strcmp(key, "bounce_address") == 0)
		field = &l->bounce_address;
	else if (strcmp(key, "verp_pattern") == 0)
		field = &l->verp_pattern;
	else if (strcmp(key, "list_id") == 0)
		field = &l->list_id;
	if (field == NULL) {
		snprintf(p->problem, sizeof p->problem, "unknown key \"%s\" in section"
		    " [list %s] (bounce_address, verp_pattern, list_id)", key, l->name);
		return 0;
	}
	if (*value == '\0') {
		snprintf(p->problem, sizeof p->problem, "%s is empty in [list %s]", key,
		    l->name);
		return 0;
	}
	set_string(field, value);
	return 1;
}

/*
 * "source  \"a\"" -> "source a": the spellings of one section's name that
 * source_name() and conf-webhook.c take as the same, written one way.
 */
static void
section_canonical(const char *section, char *out, size_t size)
{
	size_t kind = strcspn(section, " "), len;
	const char *name = section + kind;

	while (*name == ' ')
		name++;
	len = strlen(name);
	if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
		name++;
		len -= 2;
	}
	if (*name == '\0')
		snprintf(out, size, "%.*s", (int)kind, section);
	else
		snprintf(out, size, "%.*s %.*s", (int)kind, section, (int)len, name);
}

/* The line where section (canonical) or its key was first seen, or 0. */
static int
seen_before(struct conf_parse *p, const char *section, const char *key, int line)
{
	struct conf_seen *s;
	size_t i;

	for (i = 0; i < p->nseen; i++) {
		s = &p->seen[i];
		if (strcmp(s->section, section) == 0 && (key == NULL ? s->key == NULL :
		    s->key != NULL && strcmp(s->key, key) == 0))
			return s->line;
	}
	p->seen = xreallocarray(p->seen, p->nseen + 1, sizeof *p->seen);
	s = &p->seen[p->nseen++];
	s->section = xstrdup(section);
	s->key = key != NULL ? xstrdup(key) : NULL;
	s->line = line;
	return 0;
}

static void
seen_free(struct conf_parse *p)
{
	size_t i;

	for (i = 0; i < p->nseen; i++) {
		free(p->seen[i].section);
		free(p->seen[i].key);
	}
	free(p->seen);
}

/*
 * inih's line reader, which counts lines (for messages naming both lines of a
 * duplicate), refuses a second header of a section, and drops indentation:
 * inih would read an indented line as more of the previous key's value, so
 * that an indented "processed = keep" under "url = ..." silently became the
 * url. A line too long for inih is refused rather than read as two. Returns
 * NULL at the end or at the first problem, which stops the parse.
 */
static char *
read_line(char *str, int size, void *stream)
{
	struct conf_parse *p = stream;
	char *start, *end;
	size_t n;
	int first;

	if (p->problem[0] != '\0' || fgets(str, size, p->file) == NULL)
		return NULL;
	p->line++;
	n = strlen(str);
	if (n == (size_t)size - 1 && str[n - 1] != '\n' && !feof(p->file)) {
		snprintf(p->problem, sizeof p->problem, "the line is longer than %d"
		    " characters", size - 2);
		p->problem_line = p->line;
		return NULL;
	}
	start = str + strspn(str, " \t");
	memmove(str, start, strlen(start) + 1);
	if (str[0] != '[' || (end = strchr(str, ']')) == NULL)
		return str;
	*end = '\0';
	section_canonical(str + 1, p->section, sizeof p->section);
	*end = ']';
	if ((first = seen_before(p, p->section, NULL, p->line)) != 0) {
		snprintf(p->problem, sizeof p->problem, "section [%.200s] again (first on"
		    " line %d): write each section once", p->section, first);
		p->problem_line = p->line;
		return NULL;
	}
	return str;
}

static int
on_value(struct conf_parse *p, const char *section, const char *key,
    const char *value)
{
	struct conf_source *s;
	char name[128];

	if (strcmp(section, "classifier") == 0 && strcmp(key, "rules") == 0) {
		set_string(&p->conf->rules_file, value);
		return 1;
	}
	if (strcmp(section, "verp") == 0 && strcmp(key, "pattern") == 0) {
		set_string(&p->conf->verp, value);
		return 1;
	}
	if (strcmp(section, "database") == 0 && strcmp(key, "path") == 0) {
		set_string(&p->conf->database, value);
		return 1;
	}
	/* A database server's URL; the password is never in it (store.c). */
	if (strcmp(section, "database") == 0 && strcmp(key, "url") == 0) {
		if (!store_is_url(value)) {
			snprintf(p->problem, sizeof p->problem, "url must begin with"
			    " postgresql:// or postgres://, not \"%.100s\"", value);
			return 0;
		}
		set_string(&p->conf->database, value);
		return 1;
	}
	if (strcmp(section, "database") == 0 && strcmp(key, "password_file") == 0) {
		set_string(&p->conf->password_file, value);
		return 1;
	}
	if (strcmp(section, "policy") == 0)
		return on_policy(p, key, value);
	if (strcmp(section, "pipe") == 0)
		return pipe_conf_key(&p->conf->pipe, key, value, p->problem,
		    sizeof p->problem);
	if (conf_webhook_section(section))	/* webhook: conf-webhook.c */
		return conf_webhook_key(p->conf, section, key, value, p->problem,
		    sizeof p->problem);
	if (strncmp(section, "list ", 5) == 0) {
		struct conf_list *l;

		if (list_name(p, section, name, sizeof name) == NULL ||
		    (l = list_section(p, name)) == NULL)
			return 0;
		return on_list(p, l, key, value);
	}
	if (source_name(section, name, sizeof name) != NULL) {
		if ((s = source_section(p, name)) == NULL)
			return 0;
		return on_source(p, s, key, value);
	}
	snprintf(p->problem, sizeof p->problem, "unknown key \"%s\" in section [%s]",
	    key, section);
	return 0;
}

/* Each key once per section; the first problem is the one reported. */
static int
on_key(void *user, const char *section, const char *key, const char *value)
{
	struct conf_parse *p = user;
	int first;

	if (p->problem[0] != '\0')
		return 0;
	if ((first = seen_before(p, p->section, key, p->line)) != 0) {
		snprintf(p->problem, sizeof p->problem, "\"%.100s\" again in section"
		    " [%.200s] (first on line %d): give each key once", key, p->section,
		    first);
	} else if (on_value(p, section, key, value))
		return 1;
	if (p->problem[0] != '\0')
		p->problem_line = p->line;
	return 0;
}

static int
check_sources(const struct conf *c, struct err *e)
{
	size_t i;

	for (i = 0; i < c->nsources; i++)
		if (c->sources[i].url == NULL)
			return err_set(e, "%s: [source %s] has no url", c->path,
			    c->sources[i].name);
	return 0;
}

/* Two lists sharing one value could not be told apart: case-insensitive. */
static const char *
list_clash(const struct conf *c, size_t i, size_t offset, const char **other)
{
	const char *mine = *(char **)(void *)((char *)&c->lists[i] + offset), *theirs;
	size_t k;

	for (k = 0; mine != NULL && k < i; k++) {
		theirs = *(char **)(void *)((char *)&c->lists[k] + offset);
		if (theirs != NULL && strcasecmp(mine, theirs) == 0) {
			*other = c->lists[k].name;
			return mine;
		}
	}
	return NULL;
}

static int
check_lists(const struct conf *c, struct err *e)
{
	static const struct {
		const char	*key;
		size_t		 offset;
	} keys[] = {
		{ "bounce_address", offsetof(struct conf_list, bounce_address) },
		{ "verp_pattern", offsetof(struct conf_list, verp_pattern) },
		{ "list_id", offsetof(struct conf_list, list_id) },
	};
	const struct conf_list *l;
	const char *value, *other;
	size_t i, k;

	for (i = 0; i < c->nlists; i++) {
		l = &c->lists[i];
		if (l->bounce_address == NULL && l->verp_pattern == NULL &&
		    l->list_id == NULL)
			return err_set(e, "%s: [list %s] has none of bounce_address,"
			    " verp_pattern, list_id: nothing could be told to come from"
			    " it", c->path, l->name);
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if ((value = list_clash(c, i, keys[k].offset, &other)) != NULL)
				return err_set(e, "%s: [list %s] and [list %s] have the"
				    " same %s \"%.100s\": a bounce could come from either",
				    c->path, other, l->name, keys[k].key, value);
	}
	return 0;
}

/*
 * [database] password_file: libpq ignores a password file that its group or
 * others may reach (with a warning, then "no password supplied" from the
 * server), so say so before anything connects.
 */
static int
check_database(const struct conf *c, struct err *e)
{
	struct stat st;

	if (c->password_file == NULL)
		return 0;
	if (stat(c->password_file, &st) == -1)
		return err_set(e, "%s: [database] password_file %s: %s", c->path,
		    c->password_file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, "%s: [database] password_file %s is not a regular"
		    " file", c->path, c->password_file);
	if ((st.st_mode & 077) != 0)
		return err_set(e, "%s: [database] password_file %s can be reached by"
		    " its group or others (mode %03o), and libpq would ignore it; run"
		    " chmod 600 %s", c->path, c->password_file,
		    (unsigned)(st.st_mode & 0777), c->password_file);
	return 0;
}

/* A password in a file anyone on the machine may read is no secret. */
static int
readable_by_others(FILE *f)
{
	struct stat st;

	return fstat(fileno(f), &st) == -1 || (st.st_mode & (S_IROTH | S_IWOTH)) != 0;
}

int
conf_load(struct conf *c, const char *path, struct err *e)
{
	struct conf_parse p;
	FILE *f;
	int line;

	store_policy_defaults(&c->policy);
	if (path == NULL) {
		if (access(CONF_DEFAULT_PATH, F_OK) != 0)
			return 0;
		path = CONF_DEFAULT_PATH;
	}
	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	memset(&p, 0, sizeof p);
	p.conf = c;
	p.file = f;
	c->path = xstrdup(path);
	line = ini_parse_stream(read_line, &p, on_key, &p);
	seen_free(&p);
	/* The first problem wins: inih's (syntax), or one found by read_line. */
	if (line == 0 && p.problem_line > 0)
		line = p.problem_line;
	if (line == 0 && ferror(f))
		line = -1;
	if (line == 0 && p.has_password && readable_by_others(f))
		line = -2;
	fclose(f);
	if (line > 0)
		return err_set(e, "%s:%d: %s", path, line, p.problem_line == line ?
		    p.problem : "syntax error (want key = value)");
	if (line == -2)
		return err_set(e, "%s: holds a password but others may read it; run"
		    " \"chmod o-rwx %s\" (or use password_file)", path, path);
	if (line < 0)
		return err_set(e, "%s: cannot be read", path);
	if (check_lists(c, e) == -1 || check_database(c, e) == -1)
		return -1;
	return check_sources(c, e);
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsources; i++) {
		struct source_conf *sc = &c->sources[i].settings;

		free(c->sources[i].name);
		free(c->sources[i].url);
		free((char *)sc->password);
		free((char *)sc->password_file);
		free((char *)sc->password_command);
		free((char *)sc->password_env);
		free((char *)sc->tls_ca_file);
		free((char *)sc->tls_pin);
	}
	free(c->path);
	free(c->database);
	free(c->password_file);
	free(c->rules_file);
	free(c->verp);
	for (i = 0; i < c->nlists; i++) {
		free(c->lists[i].name);
		free(c->lists[i].bounce_address);
		free(c->lists[i].verp_pattern);
		free(c->lists[i].list_id);
	}
	free(c->lists);
	memset(c, 0, sizeof *c);
}

const struct conf_list *
conf_list(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	return NULL;
}

const struct conf_source *
conf_source(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

/* mkdir -p for the directory part of path (mode 0700: the store holds addresses). */
static int
make_parent(const char *path, struct err *e)
{
	char *dir = xstrdup(path), *p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			err_set(e, "cannot create %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

char *
conf_database_path(const struct conf *c, const char *override, struct err *e)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *path;

	store_set_password_file(c->password_file);
	if (override != NULL)
		return xstrdup(override);
	if (c->database != NULL)
		return xstrdup(c->database);
	if (geteuid() == 0)
		path = xstrdup("/var/lib/bouncescan/bouncescan.db");
	else if (xdg != NULL && *xdg == '/')
		path = xasprintf("%s/bouncescan/bouncescan.db", xdg);
	else if (home != NULL && *home == '/')
		path = xasprintf("%s/.local/share/bouncescan/bouncescan.db", home);
	else {
		err_set(e, "no database given: use -d FILE or [database] path");
		return NULL;
	}
	if (make_parent(path, e) == -1) {
		free(path);
		return NULL;
	}
	return path;
}
