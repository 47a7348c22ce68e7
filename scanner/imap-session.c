/*
 * imap-session.c: connecting and logging in to an IMAP server; see
 * imap-session.h.
 *
 * libetpan does not check the server's certificate, so the TLS stream is ours
 * (tls.c): with imaps:// it is verified during the handshake, and with imap:// the
 * plain connection is upgraded after STARTTLS by the same code. Either way, LOGIN
 * is sent only on a verified connection, or in clear when the configuration says
 * allow_plaintext. Capabilities are read again after STARTTLS and after LOGIN,
 * since a server may announce different ones (and libetpan does not re-read).
 * Folder names are placed in the personal namespace the server announces
 * (RFC 2342): Courier, and Cyrus with altnamespace off, keep a user's folders
 * below "INBOX." and refuse to create "Processed" beside INBOX.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imap-session.h"
#include "net.h"

/*
 * The text of a "* BYE" the server sent (RFC 3501 7.1.5: it is closing the
 * connection) among the lines libetpan read last, printable and bounded, in
 * text[size]; 0 when there is none. A server shutting down sends one to a client
 * in IDLE, and libetpan then reports a broken stream or an unparsable reply,
 * depending on when the connection closes.
 */
static int
server_said_bye(const struct imap_session *is, char *text, size_t size)
{
	const MMAPString *buf = is->imap != NULL ? is->imap->imap_stream_buffer : NULL;
	const char *line, *end;
	size_t n = 0;

	if (buf == NULL || buf->str == NULL)
		return 0;
	for (line = buf->str; line < buf->str + buf->len; line = end + 1) {
		if ((end = memchr(line, '\n', buf->len - (size_t)(line - buf->str))) == NULL)
			end = buf->str + buf->len;
		if (end - line >= 5 && strncasecmp(line, "* BYE", 5) == 0)
			break;
	}
	if (line >= buf->str + buf->len)
		return 0;
	for (line += 5; line < end && *line == ' '; line++)
		;
	for (; line < end && n + 1 < size; line++)
		if (*line != '\r')
			text[n++] = *line >= 0x20 && *line < 0x7f ? *line : '?';
	text[n] = '\0';
	return 1;
}

int
imap_session_error(const struct imap_session *is, const char *what, int r,
    struct err *e)
{
	const char *said = is->imap != NULL ? is->imap->imap_response : NULL;
	char bye[128];

	if ((r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE) &&
	    server_said_bye(is, bye, sizeof bye))
		return err_set(e, "%s: the server closed the connection (\"%s\")", what,
		    bye[0] != '\0' ? bye : "BYE");
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return err_set(e, "%s: the connection to %s was lost", what,
		    is->url.host);
	case MAILIMAP_ERROR_PARSE:
		return err_set(e, "%s: the server's reply could not be understood",
		    what);
	case MAILIMAP_ERROR_MEMORY:
		return err_set(e, "%s: out of memory", what);
	default:
		break;
	}
	if (said != NULL && said[0] != '\0')
		return err_set(e, "%s: the server said \"%.200s\"", what, said);
	return err_set(e, "%s: refused by the server (libetpan error %d)", what, r);
}

/* Ask for the capabilities again: libetpan keeps the first ones it saw. */
static int
read_capabilities(struct imap_session *is, struct err *e)
{
	struct mailimap_capability_data *caps = NULL;
	int r;

	if ((r = mailimap_capability(is->imap, &caps)) != MAILIMAP_NO_ERROR)
		return imap_session_error(is, "CAPABILITY", r, e);
	mailimap_capability_data_free(caps);
	is->has_move = mailimap_has_extension(is->imap, "MOVE");
	is->has_uidplus = mailimap_has_uidplus(is->imap);
	is->has_idle = mailimap_has_idle(is->imap);
	return 0;
}

/* imap://: STARTTLS and a verified handshake, or clear text when allowed. */
static int
secure(struct imap_session *is, const struct source_conf *c, struct err *e)
{
	struct tls_settings t;
	int r;

	if (is->url.tls)
		return 0;
	if (read_capabilities(is, e) == -1)
		return -1;
	if (!mailimap_has_extension(is->imap, "STARTTLS")) {
		if (!c->allow_plaintext)
			return err_set(e, "%s:%d offers no STARTTLS; use imaps://, or set"
			    " allow_plaintext = yes to send the password in clear",
			    is->url.host, is->url.port);
		net_warn_plaintext(&is->url);
		return 0;
	}
	if ((r = mailimap_starttls(is->imap)) != MAILIMAP_NO_ERROR)
		return imap_session_error(is, "STARTTLS", r, e);
	net_tls_settings(c, &t);
	return tls_upgrade(is->imap->imap_stream, is->url.host, &t, e);
}

static int
connect_session(struct imap_session *is, const struct source_conf *c, struct err *e)
{
	mailstream *stream;
	int r;

	if ((stream = net_connect(&is->url, c, e)) == NULL)
		return -1;
	is->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(is->imap, (time_t)(c->timeout > 0 ? c->timeout : 60));
	r = mailimap_connect(is->imap, stream);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return imap_session_error(is, "reading the server's greeting", r, e);
	return secure(is, c, e);
}

static int
login(struct imap_session *is, const char *password, struct err *e)
{
	char what[URL_PART_MAX + 32];
	int r;

	r = mailimap_login(is->imap, is->url.user, password);
	if (r != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "logging in as %s", is->url.user);
		return imap_session_error(is, what, r, e);
	}
	return read_capabilities(is, e);
}

/*
 * The server's hierarchy delimiter, from LIST "" "" (RFC 3501, 6.3.8): "/" in
 * a configured folder such as "Bounces/Done" is sent as the server's own, as
 * the Maildir source writes "." for it. NUL for a server without hierarchy;
 * "/" when the server does not say.
 */
static void
read_delimiter(struct imap_session *is)
{
	struct mailimap_mailbox_list *mb;
	clist *found = NULL;

	is->delimiter = '/';
	if (mailimap_list(is->imap, "", "", &found) == MAILIMAP_NO_ERROR &&
	    found != NULL && clist_count(found) > 0) {
		mb = clist_content(clist_begin(found));
		is->delimiter = mb->mb_delimiter;
	}
	if (found != NULL)
		mailimap_list_result_free(found);
}

/* Copy a prefix of a NAMESPACE reply into to[IMAP_PREFIX_MAX]; "" if too long. */
static void
copy_prefix(char *to, const struct mailimap_namespace_info *info)
{
	const char *p = info->ns_prefix != NULL ? info->ns_prefix : "";

	to[0] = '\0';
	if (strlen(p) < IMAP_PREFIX_MAX)
		strcpy(to, p);
}

/*
 * The personal namespace, and the others' prefixes so that a folder already
 * named in one of them is left there. A server without NAMESPACE, or one whose
 * reply cannot be read, keeps names as they are: what bouncescan did before.
 */
static void
read_namespace(struct imap_session *is)
{
	struct mailimap_namespace_data *ns = NULL;
	struct mailimap_namespace_item *items[2];
	clistiter *it;
	size_t i, n = 0;

	is->personal[0] = '\0';
	memset(is->other, 0, sizeof is->other);
	if (!mailimap_has_namespace(is->imap) ||
	    mailimap_namespace(is->imap, &ns) != MAILIMAP_NO_ERROR || ns == NULL)
		return;
	if (ns->ns_personal != NULL && ns->ns_personal->ns_data_list != NULL &&
	    (it = clist_begin(ns->ns_personal->ns_data_list)) != NULL)
		copy_prefix(is->personal, clist_content(it));
	items[0] = ns->ns_other;
	items[1] = ns->ns_shared;
	for (i = 0; i < 2; i++) {
		if (items[i] == NULL || items[i]->ns_data_list == NULL)
			continue;
		for (it = clist_begin(items[i]->ns_data_list);
		    it != NULL && n < IMAP_OTHER_PREFIXES; it = clist_next(it))
			copy_prefix(is->other[n++], clist_content(it));
	}
	mailimap_namespace_data_free(ns);
}

/* Whether name starts with prefix, its leading "INBOX" in any case. */
static int
has_prefix(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 0)
		return 0;
	if (n >= 5 && strncasecmp(prefix, "INBOX", 5) == 0)
		return strncasecmp(name, prefix, 5) == 0 &&
		    strncmp(name + 5, prefix + 5, n - 5) == 0;
	return strncmp(name, prefix, n) == 0;
}

int
imap_namespace_place(const char *personal, const char (*other)[IMAP_PREFIX_MAX],
    size_t count, const char *name, char *out, size_t size, struct err *e)
{
	size_t i;
	int keep;

	keep = personal[0] == '\0' || strcasecmp(name, "INBOX") == 0 ||
	    has_prefix(name, personal);
	for (i = 0; i < count && !keep; i++)
		keep = has_prefix(name, other[i]);
	if (snprintf(out, size, "%s%s", keep ? "" : personal, name) >= (int)size)
		return err_set(e, "\"%s%s\": too long a mailbox name",
		    keep ? "" : personal, name);
	return 0;
}

int
imap_session_place_name(const struct imap_session *is, const char *name,
    char *wire, size_t size, struct err *e)
{
	char bare[IMAP_WIRE_NAME_MAX];

	if (imap_session_wire_name(is, name, bare, sizeof bare, e) == -1)
		return -1;
	return imap_namespace_place(is->personal, is->other, IMAP_OTHER_PREFIXES,
	    bare, wire, size, e);
}

int
imap_session_wire_name(const struct imap_session *is, const char *name, char *wire,
    size_t size, struct err *e)
{
	char *p;

	if (mutf7_encode(name, wire, size, e) == -1)
		return -1;
	/* Modified UTF-7 never writes "/" itself: each one is from the name. */
	if (is->delimiter != '\0' && is->delimiter != '/')
		for (p = wire; *p != '\0'; p++)
			if (*p == '/')
				*p = is->delimiter;
	return 0;
}

static int
select_mailbox(struct imap_session *is, struct err *e)
{
	char what[URL_PART_MAX + 32], wire[IMAP_PLACED_NAME_MAX];
	int r;

	read_delimiter(is);
	read_namespace(is);
	if (imap_session_place_name(is, is->url.mailbox, wire, sizeof wire, e) == -1)
		return -1;
	if ((r = mailimap_select(is->imap, wire)) != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "opening the mailbox %s", is->url.mailbox);
		return imap_session_error(is, what, r, e);
	}
	if (is->imap->imap_selection_info == NULL)
		return err_set(e, "opening the mailbox %s: no UIDVALIDITY", is->url.mailbox);
	is->uidvalidity = is->imap->imap_selection_info->sel_uidvalidity;
	return 0;
}

int
imap_session_open(struct imap_session *is, const struct url *u,
    const struct source_conf *c, struct err *e)
{
	char *password;
	int rc;

	memset(is, 0, sizeof *is);
	is->url = *u;
	/* The password first: a missing one is found without touching the network. */
	if ((password = net_password(c, e)) == NULL)
		return -1;
	rc = connect_session(is, c, e) == -1 || login(is, password, e) == -1 ||
	    select_mailbox(is, e) == -1 ? -1 : 0;
	net_password_free(password);
	if (rc == -1)
		imap_session_close(is);
	return rc;
}

int
imap_session_folder(struct imap_session *is, const char *folder, struct err *e)
{
	clist *found = NULL;
	char what[IMAP_PLACED_NAME_MAX + 32], wire[IMAP_PLACED_NAME_MAX];
	int r, exists;

	if (imap_session_place_name(is, folder, wire, sizeof wire, e) == -1)
		return -1;
	r = mailimap_list(is->imap, "", wire, &found);
	exists = r == MAILIMAP_NO_ERROR && found != NULL && clist_count(found) > 0;
	if (found != NULL)
		mailimap_list_result_free(found);
	if (exists)
		return 0;
	if ((r = mailimap_create(is->imap, wire)) != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "creating the folder %s", wire);
		return imap_session_error(is, what, r, e);
	}
	return 0;
}

void
imap_session_close(struct imap_session *is)
{
	if (is->imap == NULL)
		return;
	if (is->imap->imap_stream != NULL)
		mailimap_logout(is->imap);
	mailimap_free(is->imap);
	is->imap = NULL;
}
