/* url.c: reading a network mailbox's URL; see url.h. */
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
parse_scheme(const char *text, struct url *u, const char **rest, struct err *e)
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
	return err_set(e, "%s: not an imaps://, imap://, pop3s:// or pop3:// URL", text);
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

int
url_parse(const char *text, struct url *u, struct err *e)
{
	const char *rest = NULL, *at, *slash, *authority_end;

	memset(u, 0, sizeof *u);
	if (parse_scheme(text, u, &rest, e) == -1)
		return -1;
	slash = strchr(rest, '/');
	authority_end = slash != NULL ? slash : rest + strlen(rest);
	at = NULL;
	for (const char *p = rest; p < authority_end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return err_set(e, "%s: no user name: write %s://USER@HOST/...", text,
		    u->scheme);
	if (memchr(rest, ':', (size_t)(at - rest)) != NULL)
		return err_set(e, "%s: a password does not belong in the URL; put it"
		    " in a password_file (or password_command, password_env)", text);
	if (decode(rest, (size_t)(at - rest), u->user) == -1 || u->user[0] == '\0')
		return err_set(e, "%s: the user name is not usable", text);
	if (parse_host(text, at + 1, (size_t)(authority_end - at - 1), u, e) == -1)
		return -1;
	if (slash == NULL || slash[1] == '\0') {
		strcpy(u->mailbox, "INBOX");
		return 0;
	}
	if (!u->imap)
		return err_set(e, "%s: POP3 has only one mailbox; remove \"%s\"", text,
		    slash);
	if (decode(slash + 1, strlen(slash + 1), u->mailbox) == -1)
		return err_set(e, "%s: the mailbox name is not usable", text);
	return 0;
}
