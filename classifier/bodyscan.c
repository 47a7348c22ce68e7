/* bodyscan.c: line walking for providers' plain-text bounces; see bodyscan.h. */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "bodyscan.h"
#include "dsn-result.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

const char *
bodyscan_text(const struct mail *m, size_t *len)
{
	const char *t = mail_text(m, len);

	if (*len == 0 && m->body != NULL) {
		*len = m->body_len;
		return m->body;
	}
	return t;
}

int
bodyscan_next(const char **pos, const char *end, struct line *line)
{
	const char *eol;

	if (*pos >= end)
		return 0;
	eol = text_eol(*pos, end);
	line->s = *pos;
	line->n = (size_t)(eol - *pos);
	*pos = eol < end ? eol + 1 : end;
	return 1;
}

static int
space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
bodyscan_blank(const struct line *line)
{
	size_t i;

	for (i = 0; i < line->n; i++)
		if (!space(line->s[i]))
			return 0;
	return 1;
}

struct line
bodyscan_trim(struct line line)
{
	while (line.n > 0 && space(line.s[0])) {
		line.s++;
		line.n--;
	}
	while (line.n > 0 && space(line.s[line.n - 1]))
		line.n--;
	return line;
}

const char *
bodyscan_after(const char *s, size_t n, const char *marker)
{
	const char *at = text_find(s, n, marker), *eol;

	if (at == NULL)
		return NULL;
	eol = text_eol(at, s + n);
	return eol < s + n ? eol + 1 : s + n;
}

static int
decoded_has(char *v, const char *needle)
{
	int yes = text_find(v, strlen(v), needle) != NULL;

	free(v);
	return yes;
}

int
bodyscan_from_has(const struct mail *m, const char *needle)
{
	return decoded_has(mail_from(m), needle);
}

int
bodyscan_subject_has(const struct mail *m, const char *needle)
{
	return decoded_has(mail_subject(m), needle);
}

static int
decoded_any(char *v, const char *const needles[])
{
	int i, yes = 0;

	for (i = 0; needles[i] != NULL && !yes; i++)
		yes = text_find(v, strlen(v), needles[i]) != NULL;
	free(v);
	return yes;
}

int
bodyscan_from_any(const struct mail *m, const char *const needles[])
{
	return decoded_any(mail_from(m), needles);
}

int
bodyscan_subject_any(const struct mail *m, const char *const needles[])
{
	return decoded_any(mail_subject(m), needles);
}

int
bodyscan_contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

struct result *
bodyscan_add(struct report *r, const char *s, size_t n, const char *action)
{
	char *a = address_find(s, n);
	struct result *res;

	if (a == NULL)
		return NULL;
	res = report_add(r, a);
	free(a);
	if (res != NULL && res->action == NULL && action != NULL)
		res->action = xstrdup(action);
	return res;
}

void
bodyscan_diagnostic(struct result *res, const char *s, size_t n)
{
	if (res->diagnostic != NULL)
		return;
	result_set(&res->diagnostic, s, n);
	if (res->diagnostic == NULL)
		return;
	if (res->status[0] == '\0')
		text_status(res->diagnostic, strlen(res->diagnostic), res->status);
	if (res->smtp_code == 0)
		res->smtp_code = text_smtp_code(res->diagnostic, strlen(res->diagnostic));
}

/* A group of DSN fields written as text: like a DSN's, and failed unless it says. */
static void
text_group_result(const struct dsn_group *g, struct report *r, int *added)
{
	struct result *res = dsn_group_result(g, r);

	if (res == NULL)
		return;
	(*added)++;
	if (res->action == NULL)
		res->action = xstrdup("failed");
}

int
bodyscan_dsn_fields(const char *s, size_t n, struct report *r)
{
	struct dsn d;
	size_t i;
	int added = 0;

	memset(&d, 0, sizeof d);
	dsn_parse(s, n, &d);
	/* A text report may write its only recipient among the per-message fields. */
	text_group_result(&d.message, r, &added);
	for (i = 0; i < d.nrecipients; i++)
		text_group_result(&d.recipients[i], r, &added);
	dsn_free(&d);
	return added;
}
