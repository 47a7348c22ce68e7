/*
 * webhook-http.c: one POST to a webhook endpoint with libcurl.
 *
 * TLS is verified with libcurl's defaults (peer and host name), against
 * tls_ca_file when one is configured. Only http and https are spoken, and
 * redirects are not followed at all: a 3xx is a failed delivery, so an event is
 * never handed to a host nobody configured. The body is signed with HMAC-SHA256
 * when a secret_file is given (X-Bouncescan-Signature: sha256=HEX over the exact
 * bytes sent), and basic auth comes from auth_file. Both files are refused when
 * others may read them, as the password of a source is.
 *
 * One curl handle per endpoint, reused: consecutive events go over one kept-alive
 * connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "webhook.h"
#include "xalloc.h"

#define SECRET_MAX	4096

struct webhook_endpoint {
	const struct conf_webhook	*conf;
	CURL				*curl;
	char				*secret;	/* NULL: unsigned */
	char				*auth;		/* "user:password" or NULL */
	char				 error[CURL_ERROR_SIZE];
};

/* A small file only its owner (and group) may read; trailing newlines dropped. */
static char *
read_private(const char *path, const char *key, struct err *e)
{
	char buf[SECRET_MAX + 1];
	struct stat sb;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOCTTY)) == -1) {
		err_set(e, "%s %s: %s", key, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (sb.st_mode & S_IRWXO) != 0) {
		close(fd);
		err_set(e, "%s %s: refused: not a regular file, or others may read it"
		    " (chmod o-rwx)", key, path);
		return NULL;
	}
	n = read(fd, buf, SECRET_MAX + 1);
	close(fd);
	if (n < 0 || n > SECRET_MAX) {
		err_set(e, "%s %s: %s", key, path, n < 0 ? strerror(errno) :
		    "too long");
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0 || memchr(buf, '\0', (size_t)n) != NULL) {
		err_set(e, "%s %s: empty or not text", key, path);
		return NULL;
	}
	return xstrndup(buf, (size_t)n);
}

struct webhook_endpoint *
webhook_endpoint_new(const struct conf_webhook *w, struct err *e)
{
	struct webhook_endpoint *ep = xcalloc(1, sizeof *ep);

	ep->conf = w;
	if (w->secret_file[0] != '\0' &&
	    (ep->secret = read_private(w->secret_file, "secret_file", e)) == NULL)
		goto fail;
	if (w->auth_file[0] != '\0') {
		if ((ep->auth = read_private(w->auth_file, "auth_file", e)) == NULL)
			goto fail;
		if (strchr(ep->auth, ':') == NULL || strchr(ep->auth, '\n') != NULL) {
			err_set(e, "auth_file %s: want one line, user:password",
			    w->auth_file);
			goto fail;
		}
	}
	if ((ep->curl = curl_easy_init()) == NULL) {
		err_set(e, "cannot set up libcurl");
		goto fail;
	}
	return ep;
fail:
	webhook_endpoint_free(ep);
	return NULL;
}

void
webhook_endpoint_free(struct webhook_endpoint *ep)
{
	if (ep == NULL)
		return;
	if (ep->curl != NULL)
		curl_easy_cleanup(ep->curl);
	if (ep->secret != NULL)
		explicit_bzero(ep->secret, strlen(ep->secret));
	if (ep->auth != NULL)
		explicit_bzero(ep->auth, strlen(ep->auth));
	free(ep->secret);
	free(ep->auth);
	free(ep);
}

/* "X-Bouncescan-Signature: sha256=HEX" of body, into out. */
static int
signature(const char *secret, const char *body, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[32];
	char *p;
	size_t i;

	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, strlen(secret), body,
	    strlen(body), digest) != 0)
		return -1;
	p = out + snprintf(out, size, "X-Bouncescan-Signature: sha256=");
	for (i = 0; i < sizeof digest && (size_t)(p - out) + 2 < size; i++) {
		*p++ = hex[digest[i] >> 4];
		*p++ = hex[digest[i] & 15];
	}
	*p = '\0';
	return 0;
}

/* The answer's body is not needed: the status says it all. */
static size_t
discard(char *data, size_t size, size_t count, void *arg)
{
	(void)data;
	(void)arg;
	return size * count;
}

static struct curl_slist *
headers_for(struct webhook_endpoint *ep, const char *kind, int64_t id,
    const char *body, struct err *e)
{
	struct curl_slist *h = NULL;
	char line[128];

	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");	/* no 100-continue round trip */
	snprintf(line, sizeof line, "X-Bouncescan-Event: %s", kind);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "X-Bouncescan-Delivery: %lld", (long long)id);
	h = curl_slist_append(h, line);
	if (ep->secret != NULL) {
		if (signature(ep->secret, body, line, sizeof line) == -1) {
			curl_slist_free_all(h);
			err_set(e, "cannot compute the HMAC-SHA256 signature");
			return NULL;
		}
		h = curl_slist_append(h, line);
	}
	return h;
}

static void
set_options(struct webhook_endpoint *ep, const char *body, struct curl_slist *h)
{
	const struct conf_webhook *w = ep->conf;
	CURL *c = ep->curl;

	curl_easy_reset(c);	/* keeps the connection for the next event */
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->timeout * 1000L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "bouncescan/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ep->error);
	if (w->tls_ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, w->tls_ca_file);
	if (ep->auth != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, ep->auth);
	}
}

int
webhook_post(struct webhook_endpoint *ep, const char *kind, int64_t id,
    const char *body, long *status, struct err *e)
{
	struct curl_slist *h;
	CURLcode rc;

	*status = 0;
	if ((h = headers_for(ep, kind, id, body, e)) == NULL)
		return -1;
	ep->error[0] = '\0';
	set_options(ep, body, h);
	rc = curl_easy_perform(ep->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(ep->curl, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		return err_set(e, "certificate not trusted (%s)", ep->error[0] != '\0' ?
		    ep->error : curl_easy_strerror(rc));
	if (rc != CURLE_OK)
		return err_set(e, "%s", ep->error[0] != '\0' ? ep->error :
		    curl_easy_strerror(rc));
	return 0;
}
