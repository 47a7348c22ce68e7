/* report.c: results in a report; see report.h and classifier.h. */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

struct result *
report_find(const struct report *r, const char *recipient)
{
	size_t i;

	for (i = 0; i < r->nresults; i++) {
		const char *a = r->results[i].recipient;

		if (recipient == NULL ? a == NULL :
		    (a != NULL && strcmp(a, recipient) == 0))
			return &r->results[i];
	}
	return NULL;
}

struct result *
report_add(struct report *r, const char *recipient)
{
	struct result *res;

	if ((res = report_find(r, recipient)) != NULL)
		return res;
	if (r->nresults >= CLASSIFIER_MAX_RESULTS)
		return NULL;
	if (r->nresults == r->cap) {
		r->cap = r->cap == 0 ? 4 : r->cap * 2;
		r->results = xreallocarray(r->results, r->cap, sizeof *r->results);
	}
	res = &r->results[r->nresults++];
	memset(res, 0, sizeof *res);
	if (recipient != NULL)
		res->recipient = xstrdup(recipient);
	return res;
}

void
result_set(char **field, const char *s, size_t n)
{
	free(*field);
	*field = NULL;
	if (s == NULL)
		return;
	*field = text_unfold(s, n);
	if (**field == '\0') {
		free(*field);
		*field = NULL;
	}
}

void
result_set_str(char **field, const char *s)
{
	result_set(field, s, s == NULL ? 0 : strlen(s));
}

static void
result_clear(struct result *res)
{
	free(res->recipient);
	free(res->action);
	free(res->remote_mta);
	free(res->diagnostic);
	free(res->feedback_type);
}

void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		result_clear(&r->results[i]);
	free(r->results);
	free(r->message_id);
	free(r->original_message_id);
	free(r->original_to);
	free(r->list_id);
	memset(r, 0, sizeof *r);
}
