/*
 * format-autoreply.c: RFC 3834 automatic replies and the common vacation and
 * out-of-office forms. Tried last: bounces carry Auto-Submitted too, and every
 * bounce format comes first. The recipient is the member who replied (From:).
 * Never counted as a failure.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "reason.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

/* Subject openings of auto-replies, in the languages members write. */
static const char *const subjects[] = {
	"auto:", "autoreply", "auto-reply", "auto reply", "automatic reply",
	"automatische antwort", "out of office", "out of the office", "ooo:",
	"vacation", "away from", "i am away", "i'm away", "on vacation", "on leave",
	"absence", "abwesenheit", "r\xc3\xa9ponse automatique", "respuesta autom",
	"risposta automatica", "automatisch antwoord", "\xe8\x87\xaa\xe5\x8a\xa8\xe5\x9b\x9e\xe5\xa4\x8d",
	"\xe8\x87\xaa\xe5\x8b\x95\xe5\x9b\x9e\xe8\xa6\x86",
	"\xe8\x87\xaa\xe5\x8b\x95\xe5\xbf\x9c\xe7\xad\x94",
	/* more languages, matched lower-cased (text_lower) */
	"resposta automática", "fora do escritório", "fuera de la oficina",
	"fuori sede", "nicht im büro", "außer haus", "afwezig", "autosvar",
	"automaattinen vastaus", "odpowiedź automatyczna", "autoodpowiedź",
	"automatická odpověď", "otomatik yanıt", "автоответ",
	"автоматический ответ", "자동 응답", "부재중",
	NULL
};

/* Senders and subjects of delivery failures: never an auto-reply. */
static int
looks_like_bounce(const char *from, const char *subject)
{
	return text_find(from, strlen(from), "mailer-daemon") != NULL ||
	    text_find(from, strlen(from), "postmaster") != NULL ||
	    text_find(subject, strlen(subject), "undeliver") != NULL ||
	    text_find(subject, strlen(subject), "delivery") != NULL ||
	    text_find(subject, strlen(subject), "failure") != NULL ||
	    text_find(subject, strlen(subject), "returned") != NULL;
}

static int
auto_submitted(const struct mail *m)
{
	char *v;
	int yes = mail_auto_submitted(m);

	if (!yes && (v = mail_header(m, "Precedence")) != NULL) {
		yes = text_starts(v, strlen(v), "auto_reply");
		free(v);
	}
	return yes || mail_header_has(m, "X-Autoreply") ||
	    mail_header_has(m, "X-Autorespond") ||
	    mail_header_has(m, "X-Autoresponder");
}

static int
subject_says_so(const char *subject)
{
	size_t n = strlen(subject);
	char *low = xmalloc(n + 1);
	int i, yes = 0;

	text_lower(subject, n, low);
	for (i = 0; !yes && subjects[i] != NULL; i++)
		yes = text_find(low, n, subjects[i]) != NULL;
	free(low);
	return yes;
}

static int
autoreply_parse(const struct mail *m, struct report *r)
{
	char *from = mail_from(m), *subject = mail_subject(m), *rcpt;
	struct result *res = NULL;
	size_t len;
	const char *text;

	if (looks_like_bounce(from, subject) ||
	    (!auto_submitted(m) && !subject_says_so(subject)))
		goto out;
	if ((rcpt = address_find(from, strlen(from))) == NULL)
		goto out;
	if ((res = report_add(r, rcpt)) != NULL) {
		res->reason = reason_lookup("vacation");
		res->rule = "auto-reply";
		text = mail_text(m, &len);
		result_set(&res->diagnostic, text, len > 300 ? 300 : len);
	}
	free(rcpt);
out:
	free(from);
	free(subject);
	return res != NULL;
}

/* Always tried: an auto-reply has no fixed words. */
const struct format format_autoreply = { "autoreply", autoreply_parse, NULL,
    1 };
