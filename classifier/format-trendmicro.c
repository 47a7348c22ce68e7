/*
 * format-trendmicro.c: Trend Micro InterScan Messaging Security Suite (InterScan
 * MSS) notices. The text part holds the SMTP exchange that failed, or one line of
 * reason:
 *
 *     Sent <<< RCPT TO:<user@example.jp>
 *     Received >>> 550 5.1.1 <user@example.jp>... user unknown
 *
 *     Reason:  Unable to deliver message to <user@example.jp> (and other
 *     recipients in the same domain).
 *
 * Localised notices keep the arrows ("... <<< RCPT TO:<...>", "... >>> 550 ...").
 * The MIME boundary, the sender name or a Received line names InterScan.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define TREND_MAX_LINES	1000

static int
is_interscan(const struct mail *m)
{
	char *from = mail_from(m), *type = mail_header(m, "Content-Type");
	int yes;

	yes = text_find(from, strlen(from), "InterScan") != NULL ||
	    (type != NULL && text_find(type, strlen(type), "InterScan") != NULL);
	free(from);
	free(type);
	return yes;
}

/* The address of "... <<< RCPT TO:<a@b>" or "Unable to deliver message to <a@b>". */
static char *
line_recipient(const char *p, const char *eol)
{
	const char *hit;

	if (((hit = text_find(p, (size_t)(eol - p), "<<< RCPT TO:")) != NULL ||
	    (hit = text_find(p, (size_t)(eol - p), ">>> RCPT TO:")) != NULL ||
	    (hit = text_find(p, (size_t)(eol - p), "Unable to deliver message to")) != NULL))
		return address_find(hit, (size_t)(eol - hit));
	return NULL;
}

/*
 * The reply follows an arrow and starts with its code: "Received >>> 550 ..." in
 * English notices, "... <<< 550 ..." in localised ones.
 */
static const char *
reply_after_arrow(const char *p, const char *eol)
{
	const char *hit;

	if ((hit = text_find(p, (size_t)(eol - p), ">>> ")) == NULL &&
	    (hit = text_find(p, (size_t)(eol - p), "<<< ")) == NULL)
		return NULL;
	hit += 4;
	if (eol - hit < 3 || (*hit != '4' && *hit != '5'))
		return NULL;
	return hit;
}

static void
line_diagnostic(struct result *res, const char *p, const char *eol)
{
	const char *hit;

	if (res == NULL)
		return;
	if ((hit = reply_after_arrow(p, eol)) != NULL) {
		result_set(&res->diagnostic, hit, (size_t)(eol - hit));
		return;
	}
	if (res->diagnostic == NULL &&
	    (hit = text_find(p, (size_t)(eol - p), "Unable to deliver message to")) != NULL)
		result_set(&res->diagnostic, hit, (size_t)(eol - hit));
}

static int
trendmicro_parse(const struct mail *m, struct report *r)
{
	size_t len;
	const char *t, *end, *p, *eol;
	struct result *res = NULL;
	int added = 0, n;
	char *rcpt;

	if (!is_interscan(m))
		return 0;
	t = mail_text(m, &len);
	end = t + len;
	for (p = t, n = 0; p < end && n < TREND_MAX_LINES; p = eol + 1, n++) {
		eol = text_eol(p, end);
		if ((rcpt = line_recipient(p, eol)) != NULL) {
			if ((res = report_add(r, rcpt)) != NULL) {
				if (res->action == NULL) {
					res->action = xstrdup("failed");
					added++;
				}
			}
			free(rcpt);
		}
		line_diagnostic(res, p, eol);
		if (eol >= end)
			break;
	}
	return added;
}

/* What trendmicro_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"InterScan", NULL
};

const struct format format_trendmicro = { "trendmicro", trendmicro_parse, markers, 0 };
