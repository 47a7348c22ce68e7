/*
 * check_tls.c: scanner/tls.c against a real GnuTLS server running in a thread
 * of the test, with a CA and certificates made at start-up (EC P-256, in
 * memory, a few milliseconds). What a list administrator depends on: the
 * mailbox server's certificate is checked (CA, host name, pin) before any
 * password is sent, the messages say what to fix, tls_verify = no warns,
 * timeouts hold, and STARTTLS upgrades the same connection safely.
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "check_main.h"
#include "tls.h"

/* Made once in main(); the forked tests inherit them. */
static char dir[64], ca_path[128], other_ca_path[128];
static gnutls_x509_privkey_t server_key;
static gnutls_x509_crt_t server_crt;	/* localhost and 127.0.0.1, by the CA */
static gnutls_x509_crt_t wrong_name_crt;	/* mail.example.org, by the CA */
static char server_pin[96];		/* "AB:CD:..." of server_crt */

enum server_mode {
	SERVE_TLS,		/* handshake, read "ping", answer "pong" */
	SERVE_STARTTLS,		/* plaintext greeting and STARTTLS first */
	SERVE_INJECT,		/* STARTTLS answer with a line glued to it */
	SERVE_SILENT,		/* accept, never say anything */
	SERVE_QUIET,		/* handshake, then say nothing */
};

struct server {
	enum server_mode	 mode;
	gnutls_x509_crt_t	 crt;
	int			 listen_fd;
	int			 port;
	pthread_t		 thread;
	char			 received[64];
};

static void
must(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "check_tls: %s: %s\n", what, gnutls_strerror(r));
		abort();
	}
}

static gnutls_x509_privkey_t
new_key(void)
{
	gnutls_x509_privkey_t key;

	must(gnutls_x509_privkey_init(&key), "key init");
	must(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), "key");
	return key;
}

/* A CA certificate (self-signed when issuer is NULL) or a server's. */
static gnutls_x509_crt_t
new_cert(gnutls_x509_privkey_t key, const char *dn, const char *host,
    gnutls_x509_crt_t issuer, gnutls_x509_privkey_t issuer_key)
{
	static unsigned char serial = 1;
	time_t now = time(NULL);
	gnutls_x509_crt_t crt;

	must(gnutls_x509_crt_init(&crt), "crt init");
	must(gnutls_x509_crt_set_version(crt, 3), "version");
	serial++;
	must(gnutls_x509_crt_set_serial(crt, &serial, 1), "serial");
	must(gnutls_x509_crt_set_activation_time(crt, now - 3600), "start");
	must(gnutls_x509_crt_set_expiration_time(crt, now + 86400), "end");
	must(gnutls_x509_crt_set_dn(crt, dn, NULL), "dn");
	must(gnutls_x509_crt_set_key(crt, key), "set key");
	if (host == NULL) {
		must(gnutls_x509_crt_set_basic_constraints(crt, 1, -1), "ca");
		must(gnutls_x509_crt_set_key_usage(crt,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "usage");
	} else {
		must(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "leaf");
		must(gnutls_x509_crt_set_key_usage(crt,
		    GNUTLS_KEY_DIGITAL_SIGNATURE), "usage");
		must(gnutls_x509_crt_set_key_purpose_oid(crt,
		    GNUTLS_KP_TLS_WWW_SERVER, 0), "purpose");
		must(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, host, strlen(host), GNUTLS_FSAN_APPEND),
		    "san");
		if (strcmp(host, "localhost") == 0)
			must(gnutls_x509_crt_set_subject_alt_name(crt,
			    GNUTLS_SAN_IPADDRESS, "\x7f\0\0\x01", 4,
			    GNUTLS_FSAN_APPEND), "san ip");
	}
	must(gnutls_x509_crt_sign2(crt, issuer != NULL ? issuer : crt,
	    issuer_key != NULL ? issuer_key : key, GNUTLS_DIG_SHA256, 0), "sign");
	return crt;
}

static void
write_pem(gnutls_x509_crt_t crt, const char *path)
{
	gnutls_datum_t pem;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	must(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), "pem");
	fwrite(pem.data, 1, pem.size, f);
	fclose(f);
	gnutls_free(pem.data);
}

static void
make_certificates(void)
{
	gnutls_x509_privkey_t ca_key = new_key(), other_key = new_key();
	gnutls_x509_crt_t ca = new_cert(ca_key, "CN=Test CA", NULL, NULL, NULL);
	gnutls_x509_crt_t other = new_cert(other_key, "CN=Other CA", NULL,
	    NULL, NULL);
	unsigned char digest[32];
	gnutls_datum_t der;
	size_t i;

	server_key = new_key();
	server_crt = new_cert(server_key, "CN=localhost", "localhost", ca,
	    ca_key);
	wrong_name_crt = new_cert(server_key, "CN=mail.example.org",
	    "mail.example.org", ca, ca_key);
	write_pem(ca, ca_path);
	write_pem(other, other_ca_path);
	must(gnutls_x509_crt_export2(server_crt, GNUTLS_X509_FMT_DER, &der),
	    "der");
	must(gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, digest),
	    "hash");
	gnutls_free(der.data);
	for (i = 0; i < 32; i++)
		snprintf(server_pin + 3 * i, 4, "%02X%s", digest[i],
		    i < 31 ? ":" : "");
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(other);
	gnutls_x509_privkey_deinit(ca_key);
	gnutls_x509_privkey_deinit(other_key);
}

/* Read a line (up to and with LF) from a plain socket, one byte at a time. */
static int
plain_line(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && recv(fd, line + n, 1, 0) == 1)
		if (line[n++] == '\n')
			break;
	line[n] = '\0';
	return n > 0 && line[n - 1] == '\n' ? 0 : -1;
}

/* The plaintext part of SERVE_STARTTLS and SERVE_INJECT. 0 to go on to TLS. */
static int
serve_starttls(struct server *srv, int fd)
{
	static const char greeting[] = "* OK plaintext greeting\r\n";
	static const char go[] = "OK begin TLS\r\n";
	static const char injected[] = "OK begin TLS\r\n* injected\r\n";
	char line[64];

	send(fd, greeting, strlen(greeting), MSG_NOSIGNAL);
	if (plain_line(fd, line, sizeof line) == -1 ||
	    strcmp(line, "STARTTLS\r\n") != 0)
		return -1;
	if (srv->mode == SERVE_INJECT) {
		send(fd, injected, strlen(injected), MSG_NOSIGNAL);
		return -1;
	}
	send(fd, go, strlen(go), MSG_NOSIGNAL);
	return 0;
}

/* TLS on fd; for SERVE_TLS and SERVE_STARTTLS, "ping" in, "pong" out. */
static void
serve_tls(struct server *srv, int fd)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t session;
	size_t n = 0;
	ssize_t r;

	must(gnutls_certificate_allocate_credentials(&cred), "server cred");
	must(gnutls_certificate_set_x509_key(cred, &srv->crt, 1, server_key),
	    "server key");
	must(gnutls_init(&session, GNUTLS_SERVER | GNUTLS_NO_SIGNAL), "init");
	must(gnutls_set_default_priority(session), "priority");
	must(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred),
	    "set cred");
	gnutls_transport_set_int(session, fd);
	if (gnutls_handshake(session) == 0 && srv->mode != SERVE_QUIET) {
		while (n + 1 < sizeof srv->received && memchr(srv->received,
		    '\n', n) == NULL && (r = gnutls_record_recv(session,
		    srv->received + n, sizeof srv->received - 1 - n)) > 0)
			n += (size_t)r;
		srv->received[n] = '\0';
		gnutls_record_send(session, "pong\r\n", 6);
		gnutls_bye(session, GNUTLS_SHUT_WR);
	} else {
		/* Until the client goes (or the 5 s receive timeout). */
		while (recv(fd, srv->received, sizeof srv->received, 0) > 0)
			;
		srv->received[0] = '\0';
	}
	gnutls_deinit(session);
	gnutls_certificate_free_credentials(cred);
}

static void *
server_main(void *arg)
{
	struct server *srv = arg;
	struct pollfd p = { .fd = srv->listen_fd, .events = POLLIN };
	struct timeval limit = { .tv_sec = 5 };
	int fd;

	if (poll(&p, 1, 5000) != 1 || (fd = accept(srv->listen_fd, NULL,
	    NULL)) == -1)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
	if (srv->mode == SERVE_SILENT) {
		while (recv(fd, srv->received, sizeof srv->received, 0) > 0)
			;
	} else if ((srv->mode != SERVE_STARTTLS && srv->mode != SERVE_INJECT)
	    || serve_starttls(srv, fd) == 0)
		serve_tls(srv, fd);
	else
		while (recv(fd, srv->received, sizeof srv->received, 0) > 0)
			;
	close(fd);
	return NULL;
}

/* A server on 127.0.0.1 (any free port) for one connection. */
static void
server_start(struct server *srv, enum server_mode mode, gnutls_x509_crt_t crt)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t length = sizeof addr;

	memset(srv, 0, sizeof *srv);
	srv->mode = mode;
	srv->crt = crt;
	srv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ne(srv->listen_fd, -1);
	ck_assert_int_eq(bind(srv->listen_fd, (struct sockaddr *)&addr,
	    sizeof addr), 0);
	ck_assert_int_eq(listen(srv->listen_fd, 4), 0);
	ck_assert_int_eq(getsockname(srv->listen_fd, (struct sockaddr *)&addr,
	    &length), 0);
	srv->port = ntohs(addr.sin_port);
	ck_assert_int_eq(pthread_create(&srv->thread, NULL, server_main, srv),
	    0);
}

static void
server_join(struct server *srv)
{
	pthread_join(srv->thread, NULL);
	close(srv->listen_fd);
}

static struct tls_settings
settings(const char *ca_file, const char *pin, int verify)
{
	struct tls_settings ts = { .verify = verify, .ca_file = ca_file,
	    .pin = pin, .timeout = 5 };

	return ts;
}

/* A line from the stream, through libetpan's buffer, one byte at a time. */
static void
stream_line(mailstream *s, char *line, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && mailstream_read(s, line + n, 1) == 1)
		if (line[n++] == '\n')
			break;
	line[n] = '\0';
}

/* After "ping" went: the answer, then close and check what the server got. */
static void
pong(mailstream *s, struct server *srv)
{
	char line[64];

	stream_line(s, line, sizeof line);
	ck_assert_str_eq(line, "pong\r\n");
	mailstream_close(s);
	server_join(srv);
	ck_assert_str_eq(srv->received, "ping\r\n");
}

/* Bytes both ways through libetpan's mailstream API, then close. */
static void
ping_pong(mailstream *s, struct server *srv)
{
	ck_assert_int_eq(mailstream_write(s, "ping\r\n", 6), 6);
	ck_assert_int_eq(mailstream_flush(s), 0);
	pong(s, srv);
}

/* tls_connect() that must fail; the message. */
static const char *
refused(struct server *srv, const char *host, const struct tls_settings *ts)
{
	static struct err e;

	ck_assert_ptr_null(tls_connect(host, srv->port, ts, &e));
	server_join(srv);
	return e.msg;
}

START_TEST(right_ca)
{
	struct tls_settings ts = settings(ca_path, NULL, 1);
	struct server srv;
	struct err e;
	mailstream *s;
	carray *chain;

	server_start(&srv, SERVE_TLS, server_crt);
	s = tls_connect("localhost", srv.port, &ts, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	chain = mailstream_get_certificate_chain(s);
	ck_assert_ptr_nonnull(chain);
	ck_assert_uint_eq(carray_count(chain), 1);
	mailstream_certificate_chain_free(chain);
	/* IMAP IDLE waits through libetpan's poll on our fd and cancel pipe. */
	ck_assert_int_eq(mailstream_setup_idle(s), 0);
	ck_assert_int_eq(mailstream_write(s, "ping\r\n", 6), 6);
	ck_assert_int_eq(mailstream_flush(s), 0);
	ck_assert_int_eq(mailstream_wait_idle(s, 5), MAILSTREAM_IDLE_HASDATA);
	mailstream_unsetup_idle(s);
	pong(s, &srv);
	/* An IP literal is checked against the iPAddress names. */
	server_start(&srv, SERVE_TLS, server_crt);
	s = tls_connect("127.0.0.1", srv.port, &ts, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ping_pong(s, &srv);
}
END_TEST

START_TEST(unknown_ca)
{
	struct tls_settings ts = settings(other_ca_path, NULL, 1);
	struct server srv;
	const char *msg;
	char where[64];

	server_start(&srv, SERVE_TLS, server_crt);
	msg = refused(&srv, "localhost", &ts);
	snprintf(where, sizeof where, "localhost:%d: ", srv.port);
	ck_assert_str_eq(strstr(msg, where), msg);
	ck_assert_ptr_nonnull(strstr(msg, "not trusted (issuer unknown)"));
	ck_assert_ptr_nonnull(strstr(msg, "tls_ca_file"));
	/* The system's trust store does not know the test CA either. */
	ts.ca_file = NULL;
	server_start(&srv, SERVE_TLS, server_crt);
	msg = refused(&srv, "localhost", &ts);
	ck_assert_ptr_nonnull(strstr(msg, "if it is signed by your own CA, "
	    "set tls_ca_file"));
}
END_TEST

START_TEST(wrong_host_name)
{
	struct tls_settings ts = settings(ca_path, NULL, 1);
	struct server srv;
	const char *msg;

	server_start(&srv, SERVE_TLS, wrong_name_crt);
	msg = refused(&srv, "localhost", &ts);
	ck_assert_ptr_nonnull(strstr(msg, "is for another host name"));
	ck_assert_ptr_nonnull(strstr(msg, "mail.example.org"));
}
END_TEST

START_TEST(pin)
{
	struct tls_settings ts = settings(ca_path, NULL, 1);
	char wrong[96], lower[96];
	struct server srv;
	struct err e;
	const char *msg;
	mailstream *s;
	size_t i;

	strcpy(wrong, server_pin);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	ts.pin = wrong;
	server_start(&srv, SERVE_TLS, server_crt);
	msg = refused(&srv, "localhost", &ts);
	ck_assert_ptr_nonnull(strstr(msg, "does not match tls_pin"));
	ck_assert_ptr_nonnull(strstr(msg, server_pin));
	/* Right pin, written without colons and in lower case. */
	for (i = 0; i < 32; i++) {
		lower[2 * i] = (char)(server_pin[3 * i] | 0x20);
		lower[2 * i + 1] = (char)(server_pin[3 * i + 1] | 0x20);
		lower[2 * i + 2] = '\0';
	}
	ts.pin = lower;
	server_start(&srv, SERVE_TLS, server_crt);
	s = tls_connect("localhost", srv.port, &ts, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ping_pong(s, &srv);
	/* Not a fingerprint: refused before connecting. */
	ts.pin = "AB:CD";
	ck_assert_ptr_null(tls_connect("localhost", 1, &ts, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "64 hex digits"));
}
END_TEST

START_TEST(verify_off)
{
	struct tls_settings ts = settings(other_ca_path, NULL, 0);
	char path[160], warning[200];
	struct server srv;
	struct err e;
	mailstream *s;
	FILE *f;
	int saved = dup(2), fd;

	snprintf(path, sizeof path, "%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	fflush(stderr);
	dup2(fd, 2);
	server_start(&srv, SERVE_TLS, server_crt);
	s = tls_connect("localhost", srv.port, &ts, &e);
	fflush(stderr);
	dup2(saved, 2);
	close(fd);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ping_pong(s, &srv);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(warning, sizeof warning, f));
	ck_assert_str_eq(warning, "bouncescan: warning: localhost: TLS "
	    "certificate not verified (tls_verify = no)\n");
	ck_assert_ptr_null(fgets(warning, sizeof warning, f));
	fclose(f);
	/* The pin still counts. */
	ts.pin = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	server_start(&srv, SERVE_TLS, server_crt);
	ck_assert_ptr_nonnull(strstr(refused(&srv, "localhost", &ts),
	    "does not match tls_pin"));
}
END_TEST

static long long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000LL +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

START_TEST(timeouts)
{
	struct tls_settings ts = settings(ca_path, NULL, 1);
	struct timespec start;
	struct server srv;
	const char *msg;
	struct err e;
	mailstream *s;
	char c;

	ts.timeout = 1;
	server_start(&srv, SERVE_SILENT, server_crt);
	clock_gettime(CLOCK_MONOTONIC, &start);
	msg = refused(&srv, "localhost", &ts);
	ck_assert_int_lt(elapsed_ms(&start), 3000);
	ck_assert_ptr_nonnull(strstr(msg, "within 1 s (timeout)"));
	/* A read on a server that stopped talking gives up too. */
	server_start(&srv, SERVE_QUIET, server_crt);
	s = tls_connect("localhost", srv.port, &ts, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ck_assert_int_eq(mailstream_read(s, &c, 1), -1);
	ck_assert_int_ge(elapsed_ms(&start), 900);
	ck_assert_int_lt(elapsed_ms(&start), 3000);
	mailstream_close(s);
	server_join(&srv);
}
END_TEST

/* Greeting and STARTTLS in plaintext; returns the stream. */
static mailstream *
plain_until_starttls(struct server *srv)
{
	char line[64];
	struct err e;
	mailstream *s;

	s = tls_connect_plain("localhost", srv->port, 5, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	stream_line(s, line, sizeof line);
	ck_assert_str_eq(line, "* OK plaintext greeting\r\n");
	ck_assert_int_eq(mailstream_write(s, "STARTTLS\r\n", 10), 10);
	ck_assert_int_eq(mailstream_flush(s), 0);
	stream_line(s, line, sizeof line);
	ck_assert_str_eq(line, "OK begin TLS\r\n");
	return s;
}

START_TEST(upgrade)
{
	struct tls_settings ts = settings(ca_path, server_pin, 1);
	struct server srv;
	struct err e;
	mailstream *s;
	carray *chain;

	server_start(&srv, SERVE_STARTTLS, server_crt);
	s = plain_until_starttls(&srv);
	ck_assert_ptr_null(mailstream_get_certificate_chain(s));
	ck_assert_msg(tls_upgrade(s, "localhost", &ts, &e) == 0, "%s", e.msg);
	chain = mailstream_get_certificate_chain(s);
	ck_assert_ptr_nonnull(chain);
	mailstream_certificate_chain_free(chain);
	ping_pong(s, &srv);
}
END_TEST

START_TEST(upgrade_refused)
{
	struct tls_settings ts = settings(other_ca_path, NULL, 1);
	struct server srv;
	struct err e;
	mailstream *s;

	/* Unknown CA: fails, and the plaintext stream still closes cleanly. */
	server_start(&srv, SERVE_STARTTLS, server_crt);
	s = plain_until_starttls(&srv);
	ck_assert_int_eq(tls_upgrade(s, "localhost", &ts, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "tls_ca_file"));
	mailstream_close(s);
	server_join(&srv);
	/* Plaintext glued to the STARTTLS answer is never read as protected. */
	ts.ca_file = ca_path;
	server_start(&srv, SERVE_INJECT, server_crt);
	s = plain_until_starttls(&srv);
	ck_assert_int_eq(tls_upgrade(s, "localhost", &ts, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "sent data after its STARTTLS"));
	mailstream_close(s);
	server_join(&srv);
}
END_TEST

/* A port on 127.0.0.1 that nobody listens on. */
static int
closed_port(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t length = sizeof addr;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &length), 0);
	close(fd);
	return ntohs(addr.sin_port);
}

START_TEST(connect_errors)
{
	struct tls_settings ts = settings(ca_path, NULL, 1);
	struct server srv;
	struct err e;
	int port = closed_port();

	ck_assert_ptr_null(tls_connect("127.0.0.1", port, &ts, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot connect"));
	ck_assert_ptr_null(tls_connect_plain("127.0.0.1", port, 1, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "Connection refused"));
	/* A plaintext server on a TLS url. */
	server_start(&srv, SERVE_STARTTLS, server_crt);
	ck_assert_ptr_null(tls_connect("localhost", srv.port, &ts, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "does not speak TLS"));
	server_join(&srv);
}
END_TEST

static Suite *
tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, right_ca);
	tcase_add_test(tc, unknown_ca);
	tcase_add_test(tc, wrong_host_name);
	tcase_add_test(tc, pin);
	tcase_add_test(tc, verify_off);
	tcase_add_test(tc, timeouts);
	tcase_add_test(tc, upgrade);
	tcase_add_test(tc, upgrade_refused);
	tcase_add_test(tc, connect_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char path[160];
	int rc;

	strcpy(dir, "/tmp/check_tls.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return EXIT_FAILURE;
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
	snprintf(other_ca_path, sizeof other_ca_path, "%s/other-ca.pem", dir);
	make_certificates();
	rc = run_suite(tls_suite());
	unlink(ca_path);
	unlink(other_ca_path);
	snprintf(path, sizeof path, "%s/stderr", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}
