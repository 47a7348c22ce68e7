/*
 * conf-webhook.c: the [webhook NAME] sections of bouncescan.conf(5). conf.c
 * hands every key of such a section here; see conf.h.
 *
 *     [webhook listmonk]
 *     url = https://lists.example.org/webhooks/bounce
 *     format = listmonk                  generic (default) or listmonk
 *     events = suppressed                suppressed unsuppressed bounce incident
 *     secret_file = /etc/bouncescan/hook.secret   HMAC-SHA256 key
 *     auth_file = /etc/bouncescan/hook.auth       user:password (basic auth)
 *     timeout = 10                       seconds
 *     tls_ca_file = /etc/ssl/private-ca.pem
 *
 * Only the syntax is checked here: the files are read, and refused when others
 * may read them, when something is delivered (webhook-http.c), so that a command
 * such as parse never fails over a secret it does not need.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define DEFAULT_TIMEOUT	10
#define MAX_TIMEOUT	600

static const struct {
	const char	*name;
	unsigned	 bit;
} event_names[] = {
	{ "suppressed", STORE_WEBHOOK_SUPPRESSED },
	{ "unsuppressed", STORE_WEBHOOK_UNSUPPRESSED },
	{ "bounce", STORE_WEBHOOK_BOUNCE },
	{ "incident", STORE_WEBHOOK_INCIDENT },
};

/* "webhook hook" or "webhook \"hook\"" -> "hook" in buf; 0 when not one. */
static int
section_name(const char *section, char *buf, size_t size)
{
	const char *n;
	size_t len;

	if (strncmp(section, "webhook ", 8) != 0)
		return 0;
	for (n = section + 8; *n == ' '; n++)
		;
	len = strlen(n);
	if (len >= 2 && n[0] == '"' && n[len - 1] == '"') {
		n++;
		len -= 2;
	}
	if (len == 0 || len >= size)
		return 0;
	memcpy(buf, n, len);
	buf[len] = '\0';
	return 1;
}

int
conf_webhook_section(const char *section)
{
	return strncmp(section, "webhook ", 8) == 0;
}

/* A name is stored in the database and printed: letters, digits, . _ - only. */
static int
name_valid(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

static struct conf_webhook *
webhook_find_or_add(struct conf *c, const char *section, char *problem, size_t size)
{
	struct conf_webhooks *w = &c->webhooks;
	char name[sizeof w->list[0].name];
	size_t i;

	if (!section_name(section, name, sizeof name) || !name_valid(name)) {
		snprintf(problem, size, "[%s]: a webhook name is at most %zu letters,"
		    " digits, '.', '_' or '-'", section, sizeof name - 1);
		return NULL;
	}
	for (i = 0; i < w->count; i++)
		if (strcmp(w->list[i].name, name) == 0)
			return &w->list[i];
	if (w->count == CONF_MAX_WEBHOOKS) {
		snprintf(problem, size, "more than %d webhooks", CONF_MAX_WEBHOOKS);
		return NULL;
	}
	memset(&w->list[w->count], 0, sizeof w->list[0]);
	memcpy(w->list[w->count].name, name, sizeof name);
	w->list[w->count].events = STORE_WEBHOOK_SUPPRESSED | STORE_WEBHOOK_UNSUPPRESSED;
	w->list[w->count].timeout = DEFAULT_TIMEOUT;
	return &w->list[w->count++];
}

static int
set_field(char *field, size_t field_size, const char *key, const char *value,
    char *problem, size_t size)
{
	size_t len = strlen(value);

	if (len == 0 || len >= field_size) {
		snprintf(problem, size, "%s must be between 1 and %zu characters", key,
		    field_size - 1);
		return 0;
	}
	memcpy(field, value, len + 1);
	return 1;
}

/*
 * http:// or https:// only, and no user:password@ in it: the configuration
 * file is often readable by others, the auth_file never is.
 */
static int
set_url(struct conf_webhook *w, const char *value, char *problem, size_t size)
{
	const char *authority, *end, *at;

	if (strncmp(value, "https://", 8) == 0)
		authority = value + 8;
	else if (strncmp(value, "http://", 7) == 0)
		authority = value + 7;
	else {
		snprintf(problem, size, "url must start with https:// or http://");
		return 0;
	}
	end = authority + strcspn(authority, "/?#");
	at = memchr(authority, '@', (size_t)(end - authority));
	if (end == authority || at != NULL) {
		snprintf(problem, size, at != NULL ? "url: put the credentials in"
		    " auth_file, not in the url" : "url has no host");
		return 0;
	}
	return set_field(w->url, sizeof w->url, "url", value, problem, size);
}

/* "suppressed, bounce" or "suppressed bounce". */
static int
set_events(struct conf_webhook *w, const char *value, char *problem, size_t size)
{
	const char *p = value, *sep = ", \t";
	unsigned events = 0;
	size_t len, i;

	for (p += strspn(p, sep); *p != '\0'; p += strspn(p, sep)) {
		len = strcspn(p, sep);
		for (i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
			if (strlen(event_names[i].name) == len &&
			    strncmp(p, event_names[i].name, len) == 0)
				break;
		if (i == sizeof event_names / sizeof event_names[0]) {
			snprintf(problem, size, "events: unknown event \"%.*s\" (want"
			    " suppressed, unsuppressed, bounce or incident)",
			    len > 64 ? 64 : (int)len, p);
			return 0;
		}
		events |= event_names[i].bit;
		p += len;
	}
	if (events == 0) {
		snprintf(problem, size, "events: name at least one of suppressed,"
		    " unsuppressed, bounce, incident");
		return 0;
	}
	w->events = events;
	return 1;
}

static int
set_format(struct conf_webhook *w, const char *value, char *problem, size_t size)
{
	if (strcmp(value, "generic") == 0)
		w->format = WEBHOOK_GENERIC;
	else if (strcmp(value, "listmonk") == 0)
		w->format = WEBHOOK_LISTMONK;
	else {
		snprintf(problem, size, "format must be generic or listmonk, not \"%.64s\"",
		    value);
		return 0;
	}
	return 1;
}

static int
set_timeout(struct conf_webhook *w, const char *value, char *problem, size_t size)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < 1 || v > MAX_TIMEOUT) {
		snprintf(problem, size, "timeout must be a whole number of seconds from 1"
		    " to %d, not \"%.64s\"", MAX_TIMEOUT, value);
		return 0;
	}
	w->timeout = (int)v;
	return 1;
}

int
conf_webhook_key(struct conf *c, const char *section, const char *key,
    const char *value, char *problem, size_t size)
{
	struct conf_webhook *w;

	if ((w = webhook_find_or_add(c, section, problem, size)) == NULL)
		return 0;
	if (strcmp(key, "url") == 0)
		return set_url(w, value, problem, size);
	if (strcmp(key, "format") == 0)
		return set_format(w, value, problem, size);
	if (strcmp(key, "events") == 0)
		return set_events(w, value, problem, size);
	if (strcmp(key, "timeout") == 0)
		return set_timeout(w, value, problem, size);
	if (strcmp(key, "secret_file") == 0)
		return set_field(w->secret_file, sizeof w->secret_file, key, value,
		    problem, size);
	if (strcmp(key, "auth_file") == 0)
		return set_field(w->auth_file, sizeof w->auth_file, key, value, problem,
		    size);
	if (strcmp(key, "tls_ca_file") == 0)
		return set_field(w->tls_ca_file, sizeof w->tls_ca_file, key, value,
		    problem, size);
	snprintf(problem, size, "unknown key \"%.64s\" in section [webhook %s]", key,
	    w->name);
	return 0;
}

int
conf_webhooks_check(const struct conf *c, struct err *e)
{
	size_t i;

	for (i = 0; i < c->webhooks.count; i++)
		if (c->webhooks.list[i].url[0] == '\0')
			return err_set(e, "%s: [webhook %s] has no url",
			    c->path != NULL ? c->path : "configuration",
			    c->webhooks.list[i].name);
	return 0;
}

const struct conf_webhook *
conf_webhook(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->webhooks.count; i++)
		if (strcmp(c->webhooks.list[i].name, name) == 0)
			return &c->webhooks.list[i];
	return NULL;
}
