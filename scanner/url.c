/* url.c: reading a network mailbox's URL; see url.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

static const struct {
	const char	*scheme;
	int		 port;
	int		 tls;
	int		 imap;
} url_schemes[] = {
	{ "imaps", 993, 1, 1 },
	{ "imap", 143, 0, 1 },
	{ "pop3s", 995, 1, 0 },
	{ "pop3", 110, 0, 0 },
};

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copy n bytes of s into out, decoding %XX; -1 when bad or too long. */
static int
decode(const char *s, size_t n, char out[URL_PART_MAX])
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if (hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
				return -1;
			c = hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= URL_PART_MAX)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int
parse_scheme(const char *text, struct url *u, const char **rest)
{
	size_t i;

	for (i = 0; i < sizeof url_schemes / sizeof url_schemes[0]; i++) {
		size_t n = strlen(url_schemes[i].scheme);

		if (strncmp(text, url_schemes[i].scheme, n) != 0 ||
		    strncmp(text + n, "://", 3) != 0)
			continue;
		strcpy(u->scheme, url_schemes[i].scheme);
		u->port = url_schemes[i].port;
		u->tls = url_schemes[i].tls;
		u->imap = url_schemes[i].imap;
		*rest = text + n + 3;
		return 0;
	}
	return -1;
}

/* "host", "host:port", "[v6]" or "[v6]:port" in the n bytes at s. */
static int
parse_host(const char *text, const char *s, size_t n, struct url *u, struct err *e)
{
	const char *colon = NULL, *end = s + n;
	char *stop;
	long port;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL || (close + 1 != end && close[1] != ':'))
			return err_set(e, "%s: a bracketed IPv6 address is not closed", text);
		if (decode(s + 1, (size_t)(close - s - 1), u->host) == -1)
			return err_set(e, "%s: the host name is not usable", text);
		colon = close + 1 != end ? close + 1 : NULL;
	} else {
		colon = memchr(s, ':', n);
		if (decode(s, colon != NULL ? (size_t)(colon - s) : n, u->host) == -1)
			return err_set(e, "%s: the host name is not usable", text);
	}
	if (u->host[0] == '\0')
		return err_set(e, "%s: no host name", text);
	if (colon == NULL)
		return 0;
	port = strtol(colon + 1, &stop, 10);
	if (stop != end || colon + 1 == end || port < 1 || port > 65535)
		return err_set(e, "%s: the port must be a number from 1 to 65535", text);
	u->port = (int)port;
	return 0;
}

/*
 * Where a password written in text would be: after "SCHEME://", from the ':'
 * that comes before the first '@' up to the last '@' of the text, so that a
 * password holding '@' or '/' is never cut short: more than the password may be
 * hidden, never less. 0 when text has no such part.
 */
static int
password_span(const char *text, size_t *start, size_t *end)
{
	const char *rest, *colon, *at;

	rest = text + strspn(text,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	if (rest == text || strncmp(rest, "://", 3) != 0)
		return 0;
	rest += 3;
	colon = strchr(rest, ':');
	at = strchr(rest, '@');
	if (colon == NULL || at == NULL || colon > at)
		return 0;
	*start = (size_t)(colon + 1 - text);
	*end = (size_t)(strrchr(rest, '@') - text);
	return 1;
}

int
url_has_password(const char *text)
{
	size_t start, end;

	return password_span(text, &start, &end);
}

void
url_redact(const char *text, char *out, size_t size)
{
	size_t start, end;

	if (!password_span(text, &start, &end))
		snprintf(out, size, "%s", text);
	else
		snprintf(out, size, "%.*s***%s", (int)start, text, text + end);
}

int
url_parse(const char *text, struct url *u, struct err *e)
{
	const char *rest = NULL, *at, *slash, *authority_end;
	char shown[URL_SHOWN_MAX];

	memset(u, 0, sizeof *u);
	/* Messages show the URL, never a password written in it. */
	url_redact(text, shown, sizeof shown);
	if (parse_scheme(text, u, &rest) == -1)
		return err_set(e, "%s: not an imaps://, imap://, pop3s:// or pop3:// URL",
		    shown);
	slash = strchr(rest, '/');
	authority_end = slash != NULL ? slash : rest + strlen(rest);
	at = NULL;
	for (const char *p = rest; p < authority_end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return err_set(e, "%s: no user name: write %s://USER@HOST/...", shown,
		    u->scheme);
	if (memchr(rest, ':', (size_t)(at - rest)) != NULL)
		return err_set(e, "%s: a password does not belong in the URL; put it"
		    " in a password_file (or password_command, password_env)", shown);
	if (decode(rest, (size_t)(at - rest), u->user) == -1 || u->user[0] == '\0')
		return err_set(e, "%s: the user name is not usable", shown);
	if (parse_host(shown, at + 1, (size_t)(authority_end - at - 1), u, e) == -1)
		return -1;
	if (slash == NULL || slash[1] == '\0') {
		strcpy(u->mailbox, "INBOX");
		return 0;
	}
	if (!u->imap)
		return err_set(e, "%s: POP3 has only one mailbox; remove \"%s\"", shown,
		    slash);
	if (decode(slash + 1, strlen(slash + 1), u->mailbox) == -1)
		return err_set(e, "%s: the mailbox name is not usable", shown);
	return 0;
}
