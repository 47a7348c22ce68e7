/*
 * webhook-payload.c: the body each webhook format wants, made from the generic
 * document that the store wrote into the outbox (db/outbox.c).
 *
 * generic: that document, plus "id" (the outbox row: the same event delivered
 * twice, after a lost answer, has the same id).
 *
 * listmonk: what listmonk's POST /webhooks/bounce takes: email, campaign_uuid
 * (unknown here: ""), source "bouncescan", type hard|soft|complaint, and the
 * generic document as meta. listmonk counts every bounce it is sent against the
 * subscriber, so:
 *   - block results (the list's own sending was refused: blocklisting, DMARC,
 *     content) are never sent, not even as soft: they say nothing about the
 *     recipient, and listmonk's soft-bounce action would still unsubscribe;
 *   - autoreply, delayed and delivered results are not bounces: not sent;
 *   - a suppression is sent as hard (complaint for a complaint): bouncescan's
 *     policy has decided the address is done; meta.class says what led to it;
 *   - unsuppressed and incident events have no listmonk API: not sent.
 * Rows not sent are marked delivered with the reason, so they do not wait forever.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "utf8.h"
#include "webhook.h"

static const char *
text_of(json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));

	return s != NULL ? s : "";
}

/* listmonk's type for the event, or NULL with *skip saying why it is not sent. */
static const char *
listmonk_type(const char *kind, json_t *doc, const char **skip)
{
	const char *class = text_of(doc, "class");

	*skip = NULL;
	if (strcmp(class, "block") == 0) {
		*skip = "not sent: block results are the sender side's problem";
		return NULL;
	}
	if (strcmp(kind, "suppressed") == 0)
		return strcmp(class, "complaint") == 0 ? "complaint" : "hard";
	if (strcmp(kind, "bounce") != 0) {
		*skip = "not sent: listmonk takes only bounces and suppressions";
		return NULL;
	}
	if (strcmp(class, "hard") == 0 || strcmp(class, "soft") == 0 ||
	    strcmp(class, "complaint") == 0)
		return class;
	*skip = "not sent: not a bounce listmonk counts (autoreply, delayed, delivered)";
	return NULL;
}

static json_t *
listmonk_body(const struct store_outbox_row *r, json_t *doc, const char **skip)
{
	const char *type = listmonk_type(r->kind, doc, skip), *email;

	if (type == NULL)
		return NULL;
	if (*(email = text_of(doc, "address")) == '\0') {
		*skip = "not sent: no address";
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:O}", "email", email, "campaign_uuid", "",
	    "source", "bouncescan", "type", type, "meta", doc);
}

char *
webhook_body(const struct conf_webhook *w, const struct store_outbox_row *r,
    const char **skip, struct err *e)
{
	json_error_t error;
	json_t *doc, *body;
	char *out = NULL, *clean;

	*skip = NULL;
	/* SQLite copies a diagnostic's bytes as they are; JSON wants UTF-8. */
	clean = utf8_clean(r->payload);
	doc = json_loads(clean, 0, &error);
	free(clean);
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		err_set(e, "outbox row %lld: the payload is not a JSON object",
		    (long long)r->id);
		return NULL;
	}
	json_object_set_new(doc, "id", json_integer(r->id));
	if (w->format == WEBHOOK_LISTMONK)
		body = listmonk_body(r, doc, skip);
	else
		body = json_incref(doc);
	if (body != NULL)
		out = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_decref(doc);
	if (out == NULL && *skip == NULL)
		err_set(e, "outbox row %lld: cannot write its body", (long long)r->id);
	return out;
}
