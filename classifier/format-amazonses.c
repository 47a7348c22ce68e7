/*
 * format-amazonses.c: Amazon SES notifications sent by e-mail through Amazon SNS:
 * a JSON object whose "notificationType" is Bounce, Complaint or Delivery, with the
 * recipients in "bouncedRecipients", "complainedRecipients" or "delivery"."recipients".
 * (SES's own bounce messages are RFC 3464 reports and go to the DSN decoder.)
 *
 * The JSON reader here knows just enough for this: find a key, read a string,
 * walk the elements of an array. Everything is bounded by the text.
 */
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "reason.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

struct span {
	const char	*s;
	const char	*end;
};

/* Past the JSON string starting at the '"' at p; end when unterminated. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

static const char *
skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Where the value of "key" starts in sp (after the colon), or NULL. */
static const char *
value_of(struct span sp, const char *key)
{
	size_t k = strlen(key);
	const char *p = sp.s;

	while (p < sp.end && (p = memchr(p, '"', (size_t)(sp.end - p))) != NULL) {
		const char *after = skip_string(p, sp.end);

		if ((size_t)(after - p) == k + 2 && memcmp(p + 1, key, k) == 0) {
			after = skip_space(after, sp.end);
			if (after < sp.end && *after == ':')
				return skip_space(after + 1, sp.end);
		}
		p = after;
	}
	return NULL;
}

/* The JSON string at p, unescaped (\uXXXX becomes '?'), or NULL if p is no string. */
static char *
string_at(const char *p, const char *end)
{
	const char *close;
	char *out, *o;

	if (p == NULL || p >= end || *p != '"')
		return NULL;
	close = skip_string(p, end);
	o = out = xmalloc((size_t)(close - p) + 1);
	for (p++; p < close && *p != '"'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		if (++p >= close)
			break;
		*o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'u' ? '?' : *p;
		if (*p == 'u')
			p += (size_t)(close - p) > 4 ? 4 : 0;
	}
	*o = '\0';
	return out;
}

static char *
string_of(struct span sp, const char *key)
{
	return string_at(value_of(sp, key), sp.end);
}

/* The extent of the array or object starting at p ('[' or '{'). */
static struct span
container_at(const char *p, const char *end)
{
	struct span sp = { p, p };
	int depth = 0;

	for (; p != NULL && p < end; p++) {
		if (*p == '"') {
			p = skip_string(p, end) - 1;
		} else if (*p == '[' || *p == '{') {
			depth++;
		} else if ((*p == ']' || *p == '}') && --depth == 0) {
			sp.end = p + 1;
			return sp;
		}
	}
	sp.end = end;
	return sp;
}

/* The next element of the array sp after *pos: an object's or a string's span. */
static int
next_element(struct span array, const char **pos, struct span *element)
{
	const char *p = *pos == NULL ? array.s + 1 : *pos;

	while (p < array.end && *p != '{' && *p != '"' && *p != ']')
		p++;
	if (p >= array.end || *p == ']')
		return 0;
	if (*p == '{')
		*element = container_at(p, array.end);
	else {
		element->s = p;
		element->end = skip_string(p, array.end);
	}
	*pos = element->end;
	return 1;
}

static struct result *
add_recipient(struct report *r, char *address, const char *action)
{
	struct result *res = NULL;

	if (address != NULL)
		res = bodyscan_add(r, address, strlen(address), action);
	free(address);
	return res;
}

static void
fill_bounce(struct result *res, struct span element)
{
	char *v;

	if ((v = string_of(element, "status")) != NULL)
		text_status(v, strlen(v), res->status);
	free(v);
	if ((v = string_of(element, "diagnosticCode")) != NULL) {
		const char *d = text_starts(v, strlen(v), "smtp;") ? v + 5 : v;

		bodyscan_diagnostic(res, d, strlen(d));
	}
	free(v);
}

static int
bounces(struct span json, struct report *r)
{
	const char *p = value_of(json, "bouncedRecipients"), *pos = NULL;
	char *action;
	struct span array, element;
	struct result *res;
	int added = 0;

	if (p != NULL) {
		array = container_at(p, json.end);
		while (next_element(array, &pos, &element)) {
			action = string_of(element, "action");
			res = add_recipient(r, string_of(element, "emailAddress"),
			    action != NULL ? action : "failed");
			free(action);
			if (res == NULL)
				continue;
			fill_bounce(res, element);
			added++;
		}
	}
	return added;
}

static int
complaints(struct span json, struct report *r)
{
	const char *p = value_of(json, "complainedRecipients"), *pos = NULL;
	char *type = string_of(json, "complaintFeedbackType");
	struct span array, element;
	struct result *res;
	int added = 0;

	if (p != NULL) {
		array = container_at(p, json.end);
		while (next_element(array, &pos, &element)) {
			res = add_recipient(r, string_of(element, "emailAddress"), NULL);
			if (res == NULL)
				continue;
			res->reason = reason_lookup("feedback");
			res->rule = "amazon ses complaint";
			if (type != NULL && res->feedback_type == NULL)
				res->feedback_type = xstrdup(type);
			added++;
		}
	}
	free(type);
	return added;
}

static int
deliveries(struct span json, struct report *r)
{
	const char *p = value_of(json, "delivery"), *q, *pos = NULL;
	struct span delivery, array, element;
	struct result *res;
	char *response;
	int added = 0;

	if (p == NULL || *p != '{')
		return 0;
	delivery = container_at(p, json.end);
	if ((q = value_of(delivery, "recipients")) == NULL)
		return 0;
	response = string_of(delivery, "smtpResponse");
	array = container_at(q, delivery.end);
	while (next_element(array, &pos, &element)) {
		res = add_recipient(r, string_at(element.s, element.end), "delivered");
		if (res == NULL)
			continue;
		if (response != NULL)
			bodyscan_diagnostic(res, response, strlen(response));
		/* The notification says it was delivered: no rule should say otherwise. */
		res->reason = reason_lookup("delivered");
		res->rule = "amazon ses delivery";
		added++;
	}
	free(response);
	return added;
}

/*
 * Mail relays break lines longer than 990 bytes with "!", a line break and a
 * space; take those out before reading the JSON.
 */
static char *
rejoin(const char *s, size_t n, size_t *len)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '!' && i + 2 < n && s[i + 1] == '\n' && s[i + 2] == ' ') {
			i += 2;
			continue;
		}
		*o++ = s[i];
	}
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}

static int
amazonses_parse(const struct mail *m, struct report *r)
{
	const char *text, *brace;
	size_t len;
	char *copy, *type;
	struct span json;
	int added = 0;

	text = bodyscan_text(m, &len);
	if (text_find(text, len > 512 ? 512 : len, "\"notificationType\"") == NULL)
		return 0;
	copy = rejoin(text, len, &len);
	if ((brace = memchr(copy, '{', len)) == NULL) {
		free(copy);
		return 0;
	}
	json = container_at(brace, copy + len);
	type = string_of(json, "notificationType");
	if (type != NULL && strcmp(type, "Bounce") == 0)
		added = bounces(json, r);
	else if (type != NULL && strcmp(type, "Complaint") == 0)
		added = complaints(json, r);
	else if (type != NULL && strcmp(type, "Delivery") == 0)
		added = deliveries(json, r);
	free(type);
	free(copy);
	return added;
}

/* What amazonses_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"\"notificationType\"", NULL
};

const struct format format_amazonses = { "amazonses", amazonses_parse, markers, 0 };
