/* dsn-result.c: a DSN recipient group to a result; see dsn-result.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "dsn-result.h"
#include "text.h"
#include "xalloc.h"

static char *
group_recipient(const struct dsn_group *g)
{
	static const char *const fields[] = { "Final-Recipient", "Original-Recipient",
	    "X-Actual-Recipient", NULL };
	const char *v;
	char *a;
	int i;

	for (i = 0; fields[i] != NULL; i++) {
		if ((v = dsn_get(g, fields[i])) == NULL)
			continue;
		v = dsn_untyped(v);
		if ((a = address_find(v, strlen(v))) != NULL)
			return a;
	}
	return NULL;
}

/* "failed (bad address)" -> "failed" */
static char *
action_word(const char *v)
{
	size_t n = 0;
	char *a;

	while (v[n] != '\0' && isalpha((unsigned char)v[n]))
		n++;
	if (n == 0)
		return NULL;
	a = xstrndup(v, n);
	for (n = 0; a[n] != '\0'; n++)
		a[n] = (char)tolower((unsigned char)a[n]);
	return a;
}

struct result *
dsn_group_result(const struct dsn_group *g, struct report *r)
{
	char *rcpt = group_recipient(g);
	struct result *res;
	const char *v;

	if (rcpt == NULL)
		return NULL;
	res = report_add(r, rcpt);
	free(rcpt);
	if (res == NULL)
		return NULL;
	if ((v = dsn_get(g, "Action")) != NULL && res->action == NULL)
		res->action = action_word(v);
	if ((v = dsn_get(g, "Status")) != NULL && res->status[0] == '\0')
		text_status(v, strlen(v), res->status);
	if ((v = dsn_get(g, "Remote-MTA")) != NULL && res->remote_mta == NULL)
		result_set_str(&res->remote_mta, dsn_untyped(v));
	if ((v = dsn_get(g, "Diagnostic-Code")) != NULL && res->diagnostic == NULL)
		result_set_str(&res->diagnostic, dsn_untyped(v));
	return res;
}
