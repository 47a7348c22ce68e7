/*
 * format-mfilter.c: "failure notice" from m-FILTER, the Japanese mail filtering
 * gateway (Digital Arts). A Japanese summary ending with the failed addresses, one
 * a line, then sections introduced by dashes:
 *
 *     以下のメールアドレスへの送信に失敗しました。
 *     user@example.org
 *
 *     -------server message
 *     550 user@example.org... No such user
 *
 *     -------SMTP command
 *     DATA
 *
 *     -------original mail info
 *
 * The sender is X-Mailer: m-FILTER; relays that rewrite it keep the sections.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define MFILTER_MAX_LINES	1000

static int
is_mfilter(const struct mail *m, const char *t, size_t len)
{
	char *mailer = mail_header(m, "X-Mailer");
	int yes = mailer != NULL && text_starts(mailer, strlen(mailer), "m-FILTER");

	free(mailer);
	if (yes)
		return 1;
	/* Relayed copies: "failure notice" and m-FILTER's section markers. */
	if (!mail_header_has(m, "Subject"))
		return 0;
	mailer = mail_subject(m);
	yes = strcmp(mailer, "failure notice") == 0 &&
	    text_find(t, len, "\n-------server message") != NULL;
	free(mailer);
	return yes;
}

/* The lines of the section after `marker`, up to a blank line or the next one. */
static const char *
section(const char *t, const char *end, const char *marker, const char **sec_end)
{
	const char *p = text_find(t, (size_t)(end - t), marker), *q;
	int n;

	if (p == NULL)
		return NULL;
	p = text_eol(p + 1, end);
	if (p < end)
		p++;
	for (q = p, n = 0; q < end && n < 20; n++) {
		const char *e = text_eol(q, end);

		if (e == q || text_starts(q, (size_t)(e - q), "-------"))
			break;
		q = e < end ? e + 1 : end;
	}
	*sec_end = q;
	return p;
}

static int
mfilter_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t = mail_text(m, &len), *end = t + len, *p, *eol;
	const char *diag, *diag_end = NULL, *cut;
	int added = 0, n;

	if (!is_mfilter(m, t, len))
		return 0;
	if ((cut = text_find(t, len, "\n-------server message")) == NULL)
		return 0;
	diag = section(t, end, "\n-------server message", &diag_end);
	/* Recipients: lines that are nothing but an address, above the sections. */
	for (p = t, n = 0; p < cut && n < MFILTER_MAX_LINES; p = eol + 1, n++) {
		struct result *res;
		char *rcpt;

		eol = text_eol(p, cut);
		if (eol > p && memchr(p, ' ', (size_t)(eol - p)) == NULL &&
		    (rcpt = address_find(p, (size_t)(eol - p))) != NULL) {
			if ((res = report_add(r, rcpt)) != NULL && res->action == NULL) {
				res->action = xstrdup("failed");
				if (diag != NULL && diag_end > diag)
					result_set(&res->diagnostic, diag,
					    (size_t)(diag_end - diag));
				added++;
			}
			free(rcpt);
		}
		if (eol >= cut)
			break;
	}
	return added;
}

/* What mfilter_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"\n-------server message", NULL
};

const struct format format_mfilter = { "mfilter", mfilter_parse, markers, 0 };
