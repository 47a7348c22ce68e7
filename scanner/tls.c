/*
 * tls.c: TCP and verified TLS connections for the IMAP and POP3 sources, as
 * libetpan mailstreams. Our own GnuTLS session sits under libetpan as a
 * mailstream_low_driver; libetpan's protocol code reads and writes through it.
 *
 * Why our own stream and not a check after libetpan's handshake: Debian's
 * libetpan (GnuTLS build) loads no trust, checks neither chain nor name, sends
 * no SNI, and negotiates with priority "NORMAL" and 512-bit DH, none of which
 * can be changed from outside. Checking the chain after its handshake would
 * still let a weak handshake through, and it fails open: any code path that
 * forgets the check (a reconnect, a new source) talks to an impostor. Here the
 * chain and host name are checked inside the handshake (GnuTLS aborts it with
 * an alert the server can log), the pin right after it, and a stream exists
 * only once both passed. We also own the timeouts (connect, handshake, each
 * read and write) instead of relying on blocking calls.
 *
 * Not done here: client certificates, session resumption, OCSP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <libetpan/mailstream.h>
#include <libetpan/mailstream_low.h>
#include <libetpan/mailstream_socket.h>
#include <libetpan/mmapstring.h>

#include "tls.h"
#include "xalloc.h"

/*
 * libetpan exports these (mailstream_cancel.c) but installs no header. IDLE
 * needs a real cancel object from every low driver: mailstream_low_wait_idle()
 * takes the fd of the one get_cancel returns without checking for NULL.
 */
struct mailstream_cancel *mailstream_cancel_new(void);
void	mailstream_cancel_free(struct mailstream_cancel *);
void	mailstream_cancel_notify(struct mailstream_cancel *);
void	mailstream_cancel_ack(struct mailstream_cancel *);
int	mailstream_cancel_get_fd(struct mailstream_cancel *);

/*
 * GnuTLS's defaults (with Debian's system policy), limited to TLS 1.2 and 1.3,
 * and %PROFILE_MEDIUM: at least 112-bit security, so RSA/DH keys of 2048 bits
 * or more. Mail servers that cannot do that are broken enough to refuse.
 * SECURE192 would refuse the common RSA-2048 certificates, so it is not used.
 */
#define TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%PROFILE_MEDIUM"
#define DEFAULT_TIMEOUT 30	/* seconds, when the settings give none */
#define STREAM_BUFFER 8192	/* what libetpan's own TLS streams use */

/* The data of one of our low streams (mailstream_low->data). */
struct tls_stream {
	gnutls_session_t			 session;
	gnutls_certificate_credentials_t	 credentials;
	int					 fd;
	int					 timeout_ms;
	struct mailstream_cancel		*cancel;
};

/* What a bit of the verification status means to a list admin, in order. */
static const struct {
	unsigned	 flag;
	const char	*text;
} certificate_problems[] = {
	{ GNUTLS_CERT_SIGNER_NOT_FOUND, "is not trusted (issuer unknown)" },
	{ GNUTLS_CERT_UNEXPECTED_OWNER, "is for another host name" },
	{ GNUTLS_CERT_EXPIRED, "has expired" },
	{ GNUTLS_CERT_NOT_ACTIVATED,
	    "is not valid yet (check this machine's clock)" },
	{ GNUTLS_CERT_REVOKED, "has been revoked" },
	{ GNUTLS_CERT_INSECURE_ALGORITHM,
	    "is signed with an insecure algorithm" },
	{ GNUTLS_CERT_SIGNER_NOT_CA,
	    "is signed by a certificate that is not a CA" },
	{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE,
	    "is signed by a CA not allowed to sign it" },
	{ GNUTLS_CERT_SIGNATURE_FAILURE, "has an invalid signature" },
	{ GNUTLS_CERT_PURPOSE_MISMATCH, "is not meant for a server" },
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until fd is ready for events, at most ms milliseconds (EINTR does not
 * restart the clock). 1 ready, 0 timed out, -1 error or cancelled.
 */
static int
wait_fd(int fd, short events, int ms, struct mailstream_cancel *cancel)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = events },
		{ .fd = cancel != NULL ? mailstream_cancel_get_fd(cancel) : -1,
		  .events = POLLIN },
	};
	long long deadline = now_ms() + ms, left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		r = poll(p, 2, left > 0 ? (int)left : 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		if (p[1].revents != 0) {
			mailstream_cancel_ack(cancel);
			return -1;
		}
		return 1;
	}
}

/* The poll events GnuTLS waits for after it returned GNUTLS_E_AGAIN. */
static short
tls_direction(gnutls_session_t session)
{
	return gnutls_record_get_direction(session) == 1 ? POLLOUT : POLLIN;
}

static ssize_t
stream_read(mailstream_low *low, void *buf, size_t count)
{
	struct tls_stream *t = low->data;
	ssize_t r;

	for (;;) {
		r = gnutls_record_recv(t->session, buf, count);
		if (r >= 0)
			return r;
		if (r == GNUTLS_E_AGAIN) {
			if (wait_fd(t->fd, tls_direction(t->session),
			    t->timeout_ms, t->cancel) != 1)
				return -1;
		} else if (gnutls_error_is_fatal((int)r))
			return -1;
		/* else EINTR, a warning alert, a refused renegotiation: go on */
	}
}

static ssize_t
stream_write(mailstream_low *low, const void *buf, size_t count)
{
	struct tls_stream *t = low->data;
	size_t done = 0;
	ssize_t r;

	while (done < count) {
		r = gnutls_record_send(t->session, (const char *)buf + done,
		    count - done);
		if (r > 0)
			done += (size_t)r;
		else if (r == GNUTLS_E_AGAIN) {
			if (wait_fd(t->fd, tls_direction(t->session),
			    t->timeout_ms, t->cancel) != 1)
				return -1;
		} else if (r != GNUTLS_E_INTERRUPTED)
			return -1;
	}
	return (ssize_t)count;
}

static int
stream_close(mailstream_low *low)
{
	struct tls_stream *t = low->data;

	if (t->fd == -1)
		return 0;
	/* One try at close_notify: the socket is non-blocking, never wait. */
	gnutls_bye(t->session, GNUTLS_SHUT_WR);
	close(t->fd);
	t->fd = -1;
	return 0;
}

static int
stream_get_fd(mailstream_low *low)
{
	return ((struct tls_stream *)low->data)->fd;
}

/* Frees t but leaves its fd open: the caller decides about the socket. */
static void
tls_stream_free(struct tls_stream *t)
{
	if (t->session != NULL)
		gnutls_deinit(t->session);
	if (t->credentials != NULL)
		gnutls_certificate_free_credentials(t->credentials);
	if (t->cancel != NULL)
		mailstream_cancel_free(t->cancel);
	free(t);
}

/* As libetpan's drivers do, free the low itself too. */
static void
stream_free(mailstream_low *low)
{
	stream_close(low);
	tls_stream_free(low->data);
	free(low);
}

static void
stream_cancel(mailstream_low *low)
{
	mailstream_cancel_notify(((struct tls_stream *)low->data)->cancel);
}

static struct mailstream_cancel *
stream_get_cancel(mailstream_low *low)
{
	return ((struct tls_stream *)low->data)->cancel;
}

/* The peer's chain as libetpan returns it: a carray of DER MMAPStrings. */
static carray *
stream_get_certificate_chain(mailstream_low *low)
{
	struct tls_stream *t = low->data;
	const gnutls_datum_t *peers;
	unsigned count, i;
	carray *chain;
	MMAPString *der;

	peers = gnutls_certificate_get_peers(t->session, &count);
	if (peers == NULL || (chain = carray_new(count)) == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		der = mmap_string_new_len((const char *)peers[i].data,
		    peers[i].size);
		if (der == NULL || carray_add(chain, der, NULL) != 0) {
			if (der != NULL)
				mmap_string_free(der);
			mailstream_certificate_chain_free(chain);
			return NULL;
		}
	}
	return chain;
}

/* IDLE: -1 makes libetpan wait with poll on our fd, as for its own drivers. */
static int
stream_no_idle(mailstream_low *low)
{
	(void)low;
	return -1;
}

static mailstream_low_driver tls_driver = {
	.mailstream_read = stream_read,
	.mailstream_write = stream_write,
	.mailstream_close = stream_close,
	.mailstream_get_fd = stream_get_fd,
	.mailstream_free = stream_free,
	.mailstream_cancel = stream_cancel,
	.mailstream_get_cancel = stream_get_cancel,
	.mailstream_get_certificate_chain = stream_get_certificate_chain,
	.mailstream_setup_idle = stream_no_idle,
	.mailstream_unsetup_idle = stream_no_idle,
	.mailstream_interrupt_idle = stream_no_idle,
};

static int
timeout_seconds(int timeout)
{
	return timeout > 0 ? timeout : DEFAULT_TIMEOUT;
}

/* An IP literal gets no SNI (RFC 6066 3) and is matched to iPAddress SANs. */
static int
is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

/*
 * Parse a tls_pin (64 hex digits; colons, spaces and case ignored) into
 * digest. 0, or -1 if it is not a SHA-256 fingerprint.
 */
static int
pin_parse(const char *pin, unsigned char digest[32])
{
	size_t n = 0;
	int high = -1, v;

	for (; *pin != '\0'; pin++) {
		if (*pin == ':' || *pin == ' ')
			continue;
		if (*pin >= '0' && *pin <= '9')
			v = *pin - '0';
		else if ((*pin | 0x20) >= 'a' && (*pin | 0x20) <= 'f')
			v = (*pin | 0x20) - 'a' + 10;
		else
			return -1;
		if (high == -1)
			high = v;
		else {
			if (n == 32)
				return -1;
			digest[n++] = (unsigned char)(high << 4 | v);
			high = -1;
		}
	}
	return n == 32 && high == -1 ? 0 : -1;
}

static int
pin_check_format(const char *pin, const char *where, struct err *e)
{
	unsigned char digest[32];

	if (pin != NULL && pin_parse(pin, digest) == -1)
		return err_set(e, "%s: tls_pin is not a SHA-256 fingerprint "
		    "(64 hex digits, colons allowed)", where);
	return 0;
}

/* "AB:CD:..." as openssl x509 -fingerprint -sha256 prints it. */
static void
fingerprint_format(const unsigned char digest[32], char out[96])
{
	size_t i;

	for (i = 0; i < 32; i++)
		snprintf(out + 3 * i, 4, "%02X%s", digest[i], i < 31 ? ":" : "");
}

static int
pin_check(struct tls_stream *t, const char *pin, const char *where,
    struct err *e)
{
	unsigned char want[32], got[32];
	const gnutls_datum_t *peers;
	unsigned count;
	char shown[96];

	if (pin_parse(pin, want) == -1)
		return pin_check_format(pin, where, e);
	peers = gnutls_certificate_get_peers(t->session, &count);
	if (peers == NULL || count == 0)
		return err_set(e, "%s: the server sent no certificate to "
		    "compare with tls_pin", where);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, peers[0].data, peers[0].size,
	    got) < 0)
		return err_set(e, "%s: cannot hash the server's certificate",
		    where);
	if (memcmp(want, got, sizeof want) != 0) {
		fingerprint_format(got, shown);
		return err_set(e, "%s: the server's certificate does not match "
		    "tls_pin (its SHA-256 fingerprint is %s)", where, shown);
	}
	return 0;
}

/* Append name to names[size] unless full; non-printables become '?'. */
static void
names_append(char *names, size_t size, const char *name, size_t length)
{
	size_t used = strlen(names), i;

	if (used + length + 3 >= size)
		return;
	if (used > 0) {
		memcpy(names + used, ", ", 2);
		used += 2;
	}
	for (i = 0; i < length; i++)
		names[used++] = name[i] > ' ' && name[i] < 127 ? name[i] : '?';
	names[used] = '\0';
}

/* The DNS and IP names of the peer's leaf certificate, for error messages. */
static void
certificate_names(gnutls_session_t session, char *names, size_t size)
{
	const gnutls_datum_t *peers;
	gnutls_x509_crt_t crt;
	unsigned count, i;
	char name[256], ip[INET6_ADDRSTRLEN];
	size_t length;
	int type;

	names[0] = '\0';
	peers = gnutls_certificate_get_peers(session, &count);
	if (peers == NULL || count == 0 || gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) == 0) {
		for (i = 0; i < 16; i++) {
			length = sizeof name;
			type = gnutls_x509_crt_get_subject_alt_name(crt, i,
			    name, &length, NULL);
			if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
				break;
			if (type == GNUTLS_SAN_DNSNAME)
				names_append(names, size, name, length);
			else if (type == GNUTLS_SAN_IPADDRESS &&
			    (length == 4 || length == 16) && inet_ntop(
			    length == 4 ? AF_INET : AF_INET6, name, ip,
			    sizeof ip) != NULL)
				names_append(names, size, ip, strlen(ip));
		}
		length = sizeof name;
		if (names[0] == '\0' && gnutls_x509_crt_get_dn_by_oid(crt,
		    GNUTLS_OID_X520_COMMON_NAME, 0, 0, name, &length) == 0)
			names_append(names, size, name, length);
	}
	gnutls_x509_crt_deinit(crt);
}

/* Turn a failed verification into words and, where there is one, a fix. */
static int
certificate_error(gnutls_session_t session, const char *where,
    const struct tls_settings *ts, struct err *e)
{
	unsigned status = gnutls_session_get_verify_cert_status(session);
	gnutls_datum_t text;
	char names[256];
	size_t i;

	for (i = 0; i < sizeof certificate_problems /
	    sizeof certificate_problems[0]; i++)
		if (status & certificate_problems[i].flag)
			break;
	if (i == sizeof certificate_problems / sizeof certificate_problems[0]) {
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &text, 0) < 0)
			return err_set(e, "%s: the server's certificate was "
			    "refused", where);
		err_set(e, "%s: the server's certificate was refused: %s",
		    where, (const char *)text.data);
		gnutls_free(text.data);
		return -1;
	}
	if (certificate_problems[i].flag == GNUTLS_CERT_SIGNER_NOT_FOUND)
		return err_set(e, "%s: the server's certificate %s; %s%s%s",
		    where, certificate_problems[i].text, ts->ca_file == NULL ?
		    "if it is signed by your own CA, set tls_ca_file" :
		    "its issuer is not in tls_ca_file ", ts->ca_file == NULL ?
		    "" : ts->ca_file, ts->ca_file == NULL ? "" :
		    ": set tls_ca_file to the CA that signed it");
	if (certificate_problems[i].flag == GNUTLS_CERT_UNEXPECTED_OWNER) {
		certificate_names(session, names, sizeof names);
		return err_set(e, "%s: the server's certificate %s (it names "
		    "%s); use one of those names in the url", where,
		    certificate_problems[i].text,
		    names[0] != '\0' ? names : "no host");
	}
	return err_set(e, "%s: the server's certificate %s", where,
	    certificate_problems[i].text);
}

static int
handshake_error(gnutls_session_t session, int code, const char *where,
    const struct tls_settings *ts, struct err *e)
{
	switch (code) {
	case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
		return certificate_error(session, where, ts, e);
	case GNUTLS_E_TIMEDOUT:
		return err_set(e, "%s: no TLS answer within %d s (timeout)",
		    where, timeout_seconds(ts->timeout));
	case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
	case GNUTLS_E_UNEXPECTED_PACKET:
		return err_set(e, "%s: the server does not speak TLS on this "
		    "port (for STARTTLS or STLS use imap:// or pop3://)", where);
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		return err_set(e, "%s: the server closed the connection during "
		    "the TLS handshake", where);
	case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
	case GNUTLS_E_NO_CIPHER_SUITES:
	case GNUTLS_E_INSUFFICIENT_SECURITY:
	case GNUTLS_E_NO_COMMON_KEY_SHARE:
		return err_set(e, "%s: the server offers no TLS we accept (TLS "
		    "1.2 or 1.3 with current ciphers and keys): %s", where,
		    gnutls_strerror(code));
	case GNUTLS_E_FATAL_ALERT_RECEIVED:
		return err_set(e, "%s: the server refused the TLS handshake: %s",
		    where, gnutls_alert_get_name(gnutls_alert_get(session)));
	default:
		return err_set(e, "%s: TLS handshake failed: %s", where,
		    gnutls_strerror(code));
	}
}

/* The trust the chain is checked against: tls_ca_file or the system's. */
static int
load_trust(struct tls_stream *t, const struct tls_settings *ts,
    const char *where, struct err *e)
{
	int r;

	if (ts->ca_file == NULL) {
		r = gnutls_certificate_set_x509_system_trust(t->credentials);
		if (r < 0)
			return err_set(e, "%s: cannot load the system's trusted "
			    "CAs (%s); set tls_ca_file", where,
			    gnutls_strerror(r));
		return 0;
	}
	r = gnutls_certificate_set_x509_trust_file(t->credentials,
	    ts->ca_file, GNUTLS_X509_FMT_PEM);
	if (r < 0)
		return err_set(e, "%s: cannot read tls_ca_file %s: %s", where,
		    ts->ca_file, r == GNUTLS_E_FILE_ERROR ? strerror(errno) :
		    gnutls_strerror(r));
	if (r == 0)
		return err_set(e, "%s: tls_ca_file %s holds no PEM certificate",
		    where, ts->ca_file);
	return 0;
}

/* Session with our priority, SNI and (unless verify = 0) in-handshake checks. */
static int
session_setup(struct tls_stream *t, const char *host,
    const struct tls_settings *ts, const char *where, struct err *e)
{
	int r;

	if (gnutls_certificate_allocate_credentials(&t->credentials) < 0 ||
	    gnutls_init(&t->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL) < 0)
		return err_set(e, "%s: cannot set up TLS", where);
	if (ts->verify && load_trust(t, ts, where, e) == -1)
		return -1;
	r = gnutls_priority_set_direct(t->session, TLS_PRIORITY, NULL);
	if (r == 0)
		r = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE,
		    t->credentials);
	if (r == 0 && !is_ip_literal(host))
		r = gnutls_server_name_set(t->session, GNUTLS_NAME_DNS, host,
		    strlen(host));
	if (r < 0)
		return err_set(e, "%s: cannot set up TLS: %s", where,
		    gnutls_strerror(r));
	if (ts->verify)
		gnutls_session_set_verify_cert(t->session, host, 0);
	gnutls_transport_set_int(t->session, t->fd);
	return 0;
}

/* The handshake on the non-blocking socket, within the timeout. */
static int
session_handshake(struct tls_stream *t, const char *where,
    const struct tls_settings *ts, struct err *e)
{
	long long deadline = now_ms() + t->timeout_ms, left;
	int r, ready;

	do {
		r = gnutls_handshake(t->session);
		if (r == GNUTLS_E_AGAIN) {
			left = deadline - now_ms();
			ready = left > 0 ? wait_fd(t->fd,
			    tls_direction(t->session), (int)left, NULL) : 0;
			if (ready == 0)
				r = GNUTLS_E_TIMEDOUT;
			else if (ready == -1)
				r = GNUTLS_E_PULL_ERROR;
		}
	} while (r < 0 && !gnutls_error_is_fatal(r) && r != GNUTLS_E_TIMEDOUT);
	if (r < 0)
		return handshake_error(t->session, r, where, ts, e);
	return 0;
}

/*
 * A verified TLS low stream on the connected socket fd, or NULL with e set.
 * The fd is left open on failure.
 */
static mailstream_low *
tls_low_new(int fd, const char *host, const char *where,
    const struct tls_settings *ts, struct err *e)
{
	struct tls_stream *t = xcalloc(1, sizeof *t);
	mailstream_low *low;
	int flags = fcntl(fd, F_GETFL);

	t->fd = fd;
	t->timeout_ms = timeout_seconds(ts->timeout) * 1000;
	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		err_set(e, "%s: %s", where, strerror(errno));
		goto fail;
	}
	if (session_setup(t, host, ts, where, e) == -1 ||
	    session_handshake(t, where, ts, e) == -1 ||
	    (ts->pin != NULL && pin_check(t, ts->pin, where, e) == -1))
		goto fail;
	if (!ts->verify)
		fprintf(stderr, "bouncescan: warning: %s: TLS certificate not "
		    "verified (tls_verify = no)\n", host);
	t->cancel = mailstream_cancel_new();
	low = t->cancel != NULL ? mailstream_low_new(t, &tls_driver) : NULL;
	if (low == NULL) {
		err_set(e, "%s: out of memory", where);
		goto fail;
	}
	mailstream_low_set_timeout(low, timeout_seconds(ts->timeout));
	return low;
fail:
	if (flags != -1)
		fcntl(fd, F_SETFL, flags);
	tls_stream_free(t);
	return NULL;
}

/* Connect one address within ms; the fd (non-blocking), or -1 and *error. */
static int
connect_one(const struct addrinfo *ai, int ms, int *error)
{
	int fd, r, on = 1;
	socklen_t length = sizeof *error;


	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1) {
		*error = errno;
		return -1;
	}
	/*
	 * Commands are small and each waits for its answer: without this, Nagle's
	 * algorithm holds one back until the server's delayed ACK (up to 40 ms).
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r == -1 && (errno == EINPROGRESS || errno == EINTR)) {
		r = wait_fd(fd, POLLOUT, ms, NULL);
		if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, error,
		    &length) == 0 && *error == 0)
			return fd;
		if (r == 0)
			*error = ETIMEDOUT;
		else if (r == -1)
			*error = errno;
	} else if (r == 0)
		return fd;
	else
		*error = errno;
	close(fd);
	return -1;
}

/* TCP to every address of host in turn; a non-blocking fd, or -1 with e. */
static int
tcp_connect(const char *host, int port, int timeout, struct err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM }, *list, *ai;
	char service[16];
	int r, fd = -1, error = ECONNREFUSED;

	snprintf(service, sizeof service, "%d", port);
	r = getaddrinfo(host, service, &hints, &list);
	if (r != 0)
		return err_set(e, "%s:%d: cannot find the host: %s", host, port,
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	for (ai = list; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = connect_one(ai, timeout * 1000, &error);
	freeaddrinfo(list);
	if (fd == -1 && error == ETIMEDOUT)
		return err_set(e, "%s:%d: cannot connect: no answer within %d s "
		    "(timeout)", host, port, timeout);
	if (fd == -1)
		return err_set(e, "%s:%d: cannot connect: %s", host, port,
		    strerror(error));
	return fd;
}

mailstream *
tls_connect(const char *host, int port, const struct tls_settings *ts,
    struct err *e)
{
	char where[300];
	mailstream_low *low;
	mailstream *s;
	int fd;

	snprintf(where, sizeof where, "%s:%d", host, port);
	if (pin_check_format(ts->pin, where, e) == -1)
		return NULL;
	fd = tcp_connect(host, port, timeout_seconds(ts->timeout), e);
	if (fd == -1)
		return NULL;
	low = tls_low_new(fd, host, where, ts, e);
	if (low == NULL) {
		close(fd);
		return NULL;
	}
	s = mailstream_new(low, STREAM_BUFFER);
	if (s == NULL) {
		mailstream_low_close(low);
		mailstream_low_free(low);
		err_set(e, "%s: out of memory", where);
	}
	return s;
}

/* "host:port" of the peer of fd, for messages; just host if unknown. */
static void
peer_where(int fd, const char *host, char *where, size_t size)
{
	struct sockaddr_storage addr;
	socklen_t length = sizeof addr;
	int port = 0;

	if (getpeername(fd, (struct sockaddr *)&addr, &length) == 0) {
		if (addr.ss_family == AF_INET)
			port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
		else if (addr.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
	}
	if (port != 0)
		snprintf(where, size, "%s:%d", host, port);
	else
		snprintf(where, size, "%s", host);
}

int
tls_upgrade(mailstream *s, const char *host, const struct tls_settings *ts,
    struct err *e)
{
	mailstream_low *old = mailstream_get_low(s), *low;
	int fd = old != NULL ? mailstream_low_get_fd(old) : -1;
	char where[300];

	if (fd == -1)
		return err_set(e, "%s: no connection to start TLS on", host);
	peer_where(fd, host, where, sizeof where);
	if (pin_check_format(ts->pin, where, e) == -1)
		return -1;
	/*
	 * Bytes already buffered arrived in plaintext after the server's
	 * answer; reading them later as if protected is the STARTTLS
	 * injection attack (CVE-2011-0411 and kin).
	 */
	if (s->read_buffer_len > 0)
		return err_set(e, "%s: the server sent data after its STARTTLS "
		    "answer, before TLS started (a broken server or an attack); "
		    "not continuing", where);
	low = tls_low_new(fd, host, where, ts, e);
	if (low == NULL)
		return -1;
	/* libetpan's socket driver closes its fd in close, not in free. */
	mailstream_low_free(old);
	mailstream_set_low(s, low);
	return 0;
}

mailstream *
tls_connect_plain(const char *host, int port, int timeout, struct err *e)
{
	mailstream *s;
	int fd, flags;

	timeout = timeout_seconds(timeout);
	fd = tcp_connect(host, port, timeout, e);
	if (fd == -1)
		return NULL;
	/* libetpan's socket driver polls with its own timeout before reading. */
	flags = fcntl(fd, F_GETFL);
	if (flags != -1)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	s = mailstream_socket_open_timeout(fd, timeout);
	if (s == NULL) {
		close(fd);
		err_set(e, "%s:%d: out of memory", host, port);
	}
	return s;
}
