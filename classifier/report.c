/* report.c: results in a report; see report.h and classifier.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

/*
 * Results are looked up by recipient through a hash index kept in the same block
 * as the results array, after its `cap` results: 2 * cap slots holding a result's
 * index or -1, then the index of the result without a recipient (or -1). A linear
 * search per report_add() made a message naming 150,000 recipients cost 150,000
 * searches of the 1,000 kept (5 s, issue 11). The index is checked against the
 * results on every lookup, so a recipient changed in place is merely not found.
 */
static size_t
index_slots(const struct report *r)
{
	return r->cap * 2;
}

static int *
index_of(const struct report *r)
{
	return (int *)(void *)(r->results + r->cap);
}

static size_t
recipient_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot where recipient is, or the empty slot where it would go. */
static size_t
index_slot(const struct report *r, const char *recipient)
{
	const int *slots = index_of(r);
	size_t mask = index_slots(r) - 1, i = recipient_hash(recipient) & mask;

	while (slots[i] != -1 && (r->results[slots[i]].recipient == NULL ||
	    strcmp(r->results[slots[i]].recipient, recipient) != 0))
		i = (i + 1) & mask;
	return i;
}

static void
index_add(struct report *r, size_t n)
{
	int *slots = index_of(r);

	if (r->results[n].recipient == NULL)
		slots[index_slots(r)] = (int)n;
	else
		slots[index_slot(r, r->results[n].recipient)] = (int)n;
}

/* Room for one more result: double the block and index it again. */
static void
report_grow(struct report *r)
{
	size_t i;
	int *slots;

	r->cap = r->cap == 0 ? 4 : r->cap * 2;
	r->results = xreallocarray(r->results, 1, r->cap * sizeof *r->results +
	    (2 * r->cap + 1) * sizeof *slots);
	slots = index_of(r);
	for (i = 0; i <= index_slots(r); i++)
		slots[i] = -1;
	for (i = 0; i < r->nresults; i++)
		index_add(r, i);
}

struct result *
report_find(const struct report *r, const char *recipient)
{
	int k;

	if (r->cap == 0)
		return NULL;
	if (recipient == NULL)
		k = index_of(r)[index_slots(r)];
	else
		k = index_of(r)[index_slot(r, recipient)];
	return k == -1 ? NULL : &r->results[k];
}

void
report_warn(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
}

struct result *
report_add(struct report *r, const char *recipient)
{
	struct result *res;

	if ((res = report_find(r, recipient)) != NULL)
		return res;
	if (r->nresults >= CLASSIFIER_MAX_RESULTS) {
		report_warn(r, "more than %d recipients; only the first %d were read",
		    CLASSIFIER_MAX_RESULTS, CLASSIFIER_MAX_RESULTS);
		return NULL;
	}
	if (r->nresults == r->cap)
		report_grow(r);
	res = &r->results[r->nresults];
	memset(res, 0, sizeof *res);
	if (recipient != NULL)
		res->recipient = xstrdup(recipient);
	index_add(r, r->nresults++);
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

void
result_set_command(struct result *res, const char *command)
{
	size_t n = strlen(command);

	if (n > sizeof res->smtp_command - 1)
		n = sizeof res->smtp_command - 1;
	memcpy(res->smtp_command, command, n);
	res->smtp_command[n] = '\0';
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
	free(r->list);
	memset(r, 0, sizeof *r);
}
