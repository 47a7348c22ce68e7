/*
 * format-dma.c: the DragonFly Mail Agent's bounce ("This is the DragonFly Mail
 * Agent v0.13 at host."). One recipient per message:
 *
 *   There was an error delivering your mail to <kijitora@example.org>.
 *
 *   mx.example.org [192.0.2.25] did not like our RCPT TO:
 *   550 5.1.1 <kijitora@example.org>: Recipient address rejected: User unknown
 *
 * The remote host is named before "did not like our"; the reply after the colon
 * is the diagnostic. Local errors ("DNS lookup failure: ...") are kept whole.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"

static void
fill(struct result *res, const char *s, const char *end)
{
	const char *like = text_find(s, (size_t)(end - s), " did not like our ");
	const char *colon;

	if (like != NULL && (colon = memchr(like, ':', (size_t)(end - like))) != NULL) {
		plain_remote_before(res, s, (size_t)(end - s), " did not like our ");
		s = colon + 1;
	}
	result_set(&res->diagnostic, s, (size_t)(end - s));
}

static int
dma_parse(const struct mail *m, struct report *r)
{
	static const char *const stops[] = { "Message headers follow.",
	    "Original message follows.", NULL };
	size_t len;
	const char *text = mail_text(m, &len), *end = text + len, *lead, *eol, *p;
	struct result *res;
	char *a;

	if (text_find(text, len > 512 ? 512 : len, "This is the DragonFly Mail Agent") == NULL ||
	    (lead = text_find(text, len, "There was an error delivering your mail to")) == NULL)
		return 0;
	eol = text_eol(lead, end);
	if ((a = address_find(lead, (size_t)(eol - lead))) == NULL)
		return 0;
	res = report_add(r, a);
	free(a);
	if (res == NULL)
		return 0;
	p = eol < end ? eol + 1 : end;
	fill(res, p, plain_cut(p, end, stops));
	return 1;
}

/* What dma_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"This is the DragonFly Mail Agent", NULL
};

const struct format format_dma = { "dma", dma_parse, markers, 0 };
