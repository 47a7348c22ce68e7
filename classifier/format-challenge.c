/*
 * format-challenge.c: challenge-response and sender-verification requests ("please
 * confirm you are human to reach X", "click the link to be added to my whitelist",
 * TMDA, Boxbe, Spam Arrest, Bluebottle and the like) and mailing-list moderation
 * notices ("your message awaits moderator approval"). None of them says that an
 * address failed: the member's mailbox exists and a person or a list stands behind
 * it, so counting them as hard, soft or block would suppress a good subscriber or
 * raise a false sender-side incident. They are read as auto-replies (reason
 * vacation, as format-autoreply.c reports), against the address that sent them.
 *
 * Tried right after ARF and before RFC 3464 and every bounce decoder, which would
 * otherwise take them: Boxbe wraps its request in a DSN (Status 4.7.0, "Sender not
 * pre-approved"), and some servers refuse at RCPT with "requires confirmation,
 * visit http://... to confirm this mail server", which an MTA returns as a bounce.
 * So a real bounce must stay a bounce, and the evidence asked for depends on how
 * much the message looks like one:
 *
 * - a message with bounce signals (a delivery-status part, X-Failed-Recipients, a
 *   MAILER-DAEMON or postmaster sender, a delivery-failure subject) is taken only
 *   when its own text names a challenge in explicit words, and then only when every
 *   failed recipient's diagnostic is such a challenge and none says anything a real
 *   failure says (unknown user, blocklisted, sender verify failed, ...);
 * - any other message is taken on one explicit phrase (in English, German, French,
 *   Spanish, Italian, Portuguese or Dutch) or a challenge header, or on two kinds
 *   of weaker words in one paragraph (confirm + whitelist, approval + pending, ...)
 *   in a message sent automatically, or with a link and words of a whitelist or of
 *   proving one is human; a member's reply saying "confirm" is not a request.
 *
 * Tests: tests/fixtures/challenge-*.eml, the -neg- ones bounces and a reply that
 * must not be taken.
 *
 * Only the text before a quoted original is read: a bounce that returns a post
 * saying "your message is held in an approval queue" is still a bounce.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ac.h"
#include "address.h"
#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "reason.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

/* The decoder whose reading of a DSN is checked before this one takes it. */
extern const struct format format_rfc3464;

/* Bounded work on hostile input: text read, paragraph size. */
#define OWN_TEXT_MAX	8192
#define PARAGRAPH_MAX	2048

/*
 * Explicit words of a challenge or a sender-verification request, safe even in a
 * message that looks like a bounce: no bounce text says them.
 */
static const char *const challenge_phrases[] = {
	"challenge-response", "challenge/response", "challenge response",
	"requires confirmation", "confirm this mail server", "confirm your mail server",
	"not pre-approved", "pre-approved sender", "guest list", "waitlisted",
	"awaiting verification", "pending verification", "awaiting your confirmation",
	"add yourself to", "to be added to my", "added to my whitelist",
	"added to my approved", "added to my allowed", "held for approval",
	"held for moderation", "awaits moderator approval", "awaiting moderator approval",
	"held until the list moderator",
	/* Services and programs that send them. */
	"tmda", "boxbe", "spamarrest", "spam arrest", "bluebottle", "mailblocks",
	"choicemail", "qurb", "mailwasher", "spamfighter", "sanebox",
	"active spam killer",
	NULL
};

/* Explicit words that need no bounce-free context: requests and moderation. */
static const char *const request_phrases[] = {
	"confirm that you are human", "confirm you are human", "confirm you're human",
	"confirm that you are a human", "confirm you are a human",
	"prove that you are human", "prove you are human", "prove that you are a human",
	"verify that you are human", "verify you are human", "verify that you are a human",
	"you are a real person", "you are not a robot", "not a machine",
	"confirm your message", "confirm your e-mail", "confirm your email",
	"verify your message", "verify your e-mail", "verify your email",
	"verify your address", "confirm your address", "confirm your identity",
	"confirm the message", "confirm your sending", "waiting for your confirmation",
	"approved senders list", "allowed senders list", "safe senders list",
	"sender verification request",
	/*
	 * Moderation, said of a message: "pending approval" or "the list moderator"
	 * alone are things a member writes too.
	 */
	"message is pending", "message is awaiting", "post is awaiting",
	"message awaits", "post awaits", "posting awaits", "message has been held",
	"post has been held", "message is being held", "message is held",
	"post is held", "moderator approval", "approval by the list",
	"approval of the list", "approved by the list", "approval by a moderator",
	"approved by a moderator", "approved by the moderator",
	"moderator for approval", "awaiting moderation", "pending moderation",
	"waiting for moderator", "submitted to the moderator",
	"forwarded to the moderator", "sent to the moderator",
	"submitted to the list moderator", "forwarded to the list moderator",
	"sent to the list moderator", "moderation queue", "approval queue",
	"list editor for approval", "list owner for approval", "owner for approval",
	"editor for approval", "editors for approval", "sent to the list editor",
	/* German */
	"bitte best\xc3\xa4tigen", "best\xc3\xa4tigen sie", "wartet auf freigabe",
	"auf freigabe", "zur freigabe", "freigabe durch", "wird zur\xc3\xbc" "ckgehalten",
	/* French */
	"veuillez confirmer", "merci de confirmer", "confirmer votre",
	"en attente de validation", "en attente de mod\xc3\xa9ration",
	"en attente d'approbation", "liste blanche", "transmis au mod\xc3\xa9rateur",
	"transmis aux mod\xc3\xa9rateurs", "est retenu jusqu",
	/* Spanish */
	"por favor confirme", "confirme su", "confirmar su", "lista blanca",
	"pendiente de aprobaci\xc3\xb3n", "en espera de aprobaci\xc3\xb3n",
	"pendiente de moderaci\xc3\xb3n", "se retiene hasta",
	/* Italian */
	"si prega di confermare", "conferma il tuo", "lista bianca",
	"in attesa di approvazione", "in attesa di moderazione",
	/* Portuguese */
	"confirme seu", "confirmar seu", "lista branca", "aguardando aprova\xc3\xa7\xc3\xa3o",
	"aguardando modera\xc3\xa7\xc3\xa3o",
	/* Dutch */
	"bevestig uw", "witte lijst", "wacht op goedkeuring",
	NULL
};

/*
 * Weaker words, by kind. Two kinds together, with a link or an automatic-reply
 * header, make a request; one alone says nothing (a member's reply may say
 * "confirm").
 */
static const char *const confirm_words[] = {
	"confirm", "verify", "verification", "best\xc3\xa4tig", "verifizier",
	"confirmer", "v\xc3\xa9rifier", "confirmar", "verificar", "confermare",
	"verificare", "bevestig", NULL
};
static const char *const list_words[] = {
	"whitelist", "white list", "white-list", "allowed list", "allow list",
	"approved list", "safe list", "safelist", "allowed senders", "approved senders",
	NULL
};
static const char *const approval_words[] = {
	"approval", "approve", "moderator", "moderation", "freigabe",
	"mod\xc3\xa9rat", "moderador", "moderatore", "goedkeuring", "aprobaci",
	"approvazione", "aprova\xc3\xa7", NULL
};
static const char *const waiting_words[] = {
	"pending", "awaiting", "on hold", "held", "waiting", "queued", "en attente",
	"en espera", "in attesa", "aguardando", "wartet", "zur\xc3\xbc" "ckgehalten", NULL
};
static const char *const human_words[] = {
	"human", "robot", "spammer", "spam protection", "spam-protection",
	"anti-spam", "antispam", "spam filter", "unsolicited", NULL
};

/* Header fields that challenge programs add. */
static const char *const challenge_headers[] = {
	"X-Challenge", "X-TMDA-Confirm-Done", "X-TMDA-Fingerprint", "X-Boxbe-Notice",
	"X-Spam-Arrest", "X-ASK-Info", NULL
};

/* What a real failure says: a text holding any of these is left to the bounce decoders. */
static const char *const failure_words[] = {
	"unknown", "no such", "does not exist", "doesn't exist", "not exist", "not found",
	"invalid", "disabled", "inactive", "suspended", "quota", "mailbox full",
	"mailbox is full", "too large", "blocked", "blacklist", "blocklist", "dnsbl",
	"spamhaus", "listed", "spam", "virus", "relay", "refused", "spf", "dkim",
	"dmarc", "verify failed", "verification failed", "verification failure",
	"failed verification", "could not verify", "cannot verify", "can't verify",
	"unable to verify", "unverified", "not verified", "unverifiable",
	"sender verify", "callout", "timed out", "expired", NULL
};

/* The same for a message without bounce signals: less, a challenge says "spam". */
static const char *const request_vetoes[] = {
	"user unknown", "unknown user", "no such user", "does not exist", "mailbox full",
	"over quota", "blocked", "blacklist", "blocklist", "rejected", "quarantine",
	"virus", "verify failed", "verification failed", "could not be delivered",
	"undeliverable", "delivery failed", "permanent error", NULL
};

/*
 * The lists above by kind, all found in one pass of an automaton over a text: a
 * search per phrase cost 3.9M instructions over the Sisimai corpus, though few
 * messages get this far.
 */
enum kind {
	CHALLENGE, REQUEST, CONFIRM, LIST, APPROVAL, WAITING, HUMAN, FAILURE, VETO,
	KINDS
};
#define WEAK_KINDS	((1u << CONFIRM) | (1u << LIST) | (1u << APPROVAL) | \
			 (1u << WAITING) | (1u << HUMAN))
#define STRONG_KINDS	((1u << CHALLENGE) | (1u << REQUEST))
#define HAS(mask, kind)	(((mask) >> (kind)) & 1u)

static const char *const *const vocabulary_lists[KINDS] = {
	challenge_phrases, request_phrases, confirm_words, list_words, approval_words,
	waiting_words, human_words, failure_words, request_vetoes
};

static struct ac *vocabulary;
static pthread_once_t vocabulary_once = PTHREAD_ONCE_INIT;

/* Built once per process and kept. Every phrase above is written in lower case. */
static void
vocabulary_build(void)
{
	size_t kind, i;

	vocabulary = ac_new();
	for (kind = 0; kind < KINDS; kind++)
		for (i = 0; vocabulary_lists[kind][i] != NULL; i++)
			ac_add(vocabulary, vocabulary_lists[kind][i], (int)kind);
	ac_compile(vocabulary);
}

static void
kind_found(int kind, void *arg)
{
	unsigned *mask = arg;

	*mask |= 1u << kind;
}

/* Which kinds of words s[0..n) holds, ignoring ASCII case, as a bit mask. */
static unsigned
kinds_in(const char *s, size_t n)
{
	unsigned mask = 0;

	pthread_once(&vocabulary_once, vocabulary_build);
	if (s != NULL)
		ac_scan_set(vocabulary, s, n, 1, kind_found, &mask);
	return mask;
}

static unsigned
kinds_in_str(const char *s)
{
	return s == NULL ? 0 : kinds_in(s, strlen(s));
}

/* How many kinds of weaker words a mask holds. */
static int
weak_count(unsigned mask)
{
	int n = 0;

	for (mask &= WEAK_KINDS; mask != 0; mask &= mask - 1)
		n++;
	return n;
}

/* Senders and subjects of delivery failures. */
static const char *const bounce_senders[] = {
	"mailer-daemon", "mailer daemon", "postmaster", "mail delivery",
	"mail administrator", "mail system", NULL
};
static const char *const bounce_subjects[] = {
	"undeliver", "non-deliver", "nondeliver", "not delivered",
	"delivery status notification", "delivery failure",
	"delivery failed", "delivery has failed", "failure notice", "returned mail",
	"returned to sender", "could not be delivered", "unzustellbar",
	"nicht zugestellt", "non remis", "non recapitabile", "no se pudo entregar",
	"niet afgeleverd", NULL
};

/* Robot senders: the member's address is elsewhere in the message. */
static const char *const robot_senders[] = {
	"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "notify",
	"notification", "support@", "challenge", "verif", "confirm", "sympa@",
	"listserv@", "majordomo@", "mailman@", "ezmlm", NULL
};

/* Lines that start a quoted original; the request is above them. */
static const char *const original_starts[] = {
	"---", "___", ">", "original message", "return-path:", "received:", NULL
};

/* For the short lists of senders and subjects, searched in short strings. */
static int
str_any(const char *s, const char *const list[])
{
	size_t i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (text_find(s, strlen(s), list[i]) != NULL)
			return 1;
	return 0;
}

/* The length of the text above a quoted original, bounded. */
static size_t
own_length(const char *text, size_t len)
{
	const char *pos = text, *end = text + (len > OWN_TEXT_MAX ? OWN_TEXT_MAX : len);
	struct line line, t;
	size_t i;

	while (bodyscan_next(&pos, end, &line)) {
		t = bodyscan_trim(line);
		if (t.n == 0 || strchr("-_>oOrR", t.s[0]) == NULL)
			continue;
		for (i = 0; original_starts[i] != NULL; i++)
			if (text_starts(t.s, t.n, original_starts[i]))
				return (size_t)(line.s - text);
	}
	return (size_t)(end - text);
}

/* Does the message look like a delivery failure report, whatever it says? */
static int
bounce_signals(const struct mail *m)
{
	return mail_part(m, "message/delivery-status", 1) != NULL ||
	    mail_header_has(m, "X-Failed-Recipients") ||
	    str_any(m->from, bounce_senders) || str_any(m->subject, bounce_subjects);
}

/*
 * A paragraph of text, unfolded, as a new string in *para (NULL at the end).
 * *pos moves past it. Paragraphs end at a blank line and are cut at PARAGRAPH_MAX.
 */
static int
next_paragraph(const char **pos, const char *end, char **para, const char **start)
{
	struct line line;
	const char *from = NULL, *to = NULL;

	*para = NULL;
	while (bodyscan_next(pos, end, &line)) {
		if (bodyscan_blank(&line)) {
			if (from != NULL)
				break;
			continue;
		}
		if (from == NULL)
			from = line.s;
		to = line.s + line.n;
		if ((size_t)(to - from) >= PARAGRAPH_MAX)
			break;
	}
	if (from == NULL)
		return 0;
	if ((size_t)(to - from) > PARAGRAPH_MAX)
		to = from + PARAGRAPH_MAX;
	*para = text_unfold(from, (size_t)(to - from));
	*start = from;
	return 1;
}

static int
auto_submitted(const struct mail *m)
{
	char *v;
	int yes = mail_auto_submitted(m);

	if (!yes && (v = mail_header(m, "Precedence")) != NULL) {
		yes = text_starts(v, strlen(v), "auto_reply") ||
		    text_starts(v, strlen(v), "bulk") || text_starts(v, strlen(v), "junk");
		free(v);
	}
	return yes;
}

static int
has_challenge_header(const struct mail *m)
{
	size_t i;

	for (i = 0; challenge_headers[i] != NULL; i++)
		if (mail_header_has(m, challenge_headers[i]))
			return 1;
	return 0;
}

/*
 * The member's own address in a (lower-case) sender address, in place: a TMDA
 * confirmation tag ("dana-confirm-1764990000.7f3a21@") or a list's -bounces,
 * -owner, -request or owner- taken off.
 */
static char *
strip_tag(char *a)
{
	static const char *const suffixes[] = {
		"-bounces", "-owner", "-request", "-admin", "+owner", "+owners", NULL
	};
	char *at = strchr(a, '@'), *tag;
	size_t i, n;

	if (at == NULL)
		return a;
	if ((tag = strstr(a, "-confirm-")) != NULL && tag < at) {
		memmove(tag, at, strlen(at) + 1);
		return a;
	}
	if (strncmp(a, "owner-", 6) == 0 && at - a > 6)
		memmove(a, a + 6, strlen(a + 6) + 1);
	at = strchr(a, '@');
	for (i = 0; suffixes[i] != NULL; i++) {
		n = strlen(suffixes[i]);
		if ((size_t)(at - a) > n && strncmp(at - n, suffixes[i], n) == 0) {
			memmove(at - n, at, strlen(at) + 1);
			break;
		}
	}
	return a;
}

static char *
header_address(const struct mail *m, const char *name)
{
	char *v = mail_header(m, name), *a;

	if (v == NULL)
		return NULL;
	a = address_find(v, strlen(v));
	free(v);
	return a;
}

/* The first address in text[0..len) that is neither skip1 nor skip2. */
static char *
text_address(const char *text, size_t len, const char *skip1, const char *skip2)
{
	const char *pos = text, *end = text + len;
	struct line line;
	char *a;

	while (bodyscan_next(&pos, end, &line)) {
		if ((a = address_find(line.s, line.n)) == NULL)
			continue;
		if ((skip1 == NULL || strcmp(a, skip1) != 0) &&
		    (skip2 == NULL || strcmp(a, skip2) != 0))
			return a;
		free(a);
	}
	return NULL;
}

/*
 * The address a request came from: the sender (strip_tag); for a robot sender the
 * Reply-To, then the first address of the text that is neither the list's own
 * (To:) nor the sender. A new string or NULL.
 */
static char *
requester(const struct mail *m, const char *text, size_t len)
{
	char *from = m->from == NULL ? NULL : address_find(m->from, strlen(m->from));
	char *to, *a;

	if (from != NULL && !str_any(strip_tag(from), robot_senders))
		return from;
	if ((a = header_address(m, "Reply-To")) != NULL) {
		if (!str_any(strip_tag(a), robot_senders) &&
		    (from == NULL || strcmp(a, from) != 0)) {
			free(from);
			return a;
		}
		free(a);
	}
	to = header_address(m, "To");
	a = text_address(text, len, to, from);
	free(to);
	if (a != NULL) {
		free(from);
		return a;
	}
	return from;
}

/* An auto-reply result for rcpt, with the request's words as its diagnostic. */
static struct result *
add_request(struct report *r, const char *rcpt, const char *diagnostic,
    const char *rule)
{
	struct result *res = report_add(r, rcpt);

	if (res == NULL)
		return NULL;
	if (diagnostic != NULL)
		result_set(&res->diagnostic, diagnostic,
		    strlen(diagnostic) > 300 ? 300 : strlen(diagnostic));
	res->reason = reason_lookup("vacation");
	res->rule = rule;
	return res;
}

/*
 * A DSN whose every recipient was held for a challenge (Boxbe, or a server that
 * asks the sending server to confirm itself): the DSN's recipients, as requests.
 * Its own text names the challenge too (worth_reading): the diagnostics alone are
 * not where the markers are looked for.
 */
static int
challenge_dsn(const struct mail *m, struct report *r)
{
	struct report dsn;
	size_t i;
	int ok;

	memset(&dsn, 0, sizeof dsn);
	ok = format_rfc3464.parse(m, &dsn) > 0 && dsn.nresults > 0;
	for (i = 0; ok && i < dsn.nresults; i++) {
		unsigned mask = kinds_in_str(dsn.results[i].diagnostic);

		if (dsn.results[i].recipient == NULL || !HAS(mask, CHALLENGE) ||
		    HAS(mask, FAILURE))
			ok = 0;
	}
	for (i = 0; ok && i < dsn.nresults; i++) {
		if (add_request(r, dsn.results[i].recipient, dsn.results[i].diagnostic,
		    "challenge-response") == NULL)
			ok = 0;
	}
	report_free(&dsn);
	return ok;
}

/*
 * A plain bounce whose only error is a challenge: the paragraph that names it,
 * with the recipient in it or in the paragraph before.
 */
static int
challenge_bounce(const struct mail *m, struct report *r, const char *text,
    size_t len)
{
	const char *pos = text, *end = text + len, *start, *before = NULL;
	char *para, *rcpt = NULL, *diagnostic = NULL;
	int found = 0, clean = 1;

	while (clean && next_paragraph(&pos, end, &para, &start)) {
		unsigned mask = kinds_in_str(para);

		if (HAS(mask, FAILURE))
			clean = 0;
		else if (!found && HAS(mask, CHALLENGE)) {
			found = 1;
			diagnostic = xstrdup(para);
			if ((rcpt = address_find(para, strlen(para))) == NULL &&
			    before != NULL)
				rcpt = address_find(before, (size_t)(start - before));
		}
		before = start;
		free(para);
	}
	if (clean && found && rcpt == NULL)
		rcpt = header_address(m, "X-Failed-Recipients");
	if (clean && found && rcpt != NULL)
		found = add_request(r, rcpt, diagnostic, "challenge-response") != NULL;
	else
		found = 0;
	free(rcpt);
	free(diagnostic);
	return found;
}

/*
 * A message without bounce signals: the first paragraph (or the subject) with an
 * explicit phrase decides; else two kinds of weaker words in one paragraph, in a
 * message sent automatically, or with a link and words of a whitelist or of
 * proving one is human (a member who writes "can you confirm the approval, see
 * https://..." is not a request), and no failure words.
 */
static int
request_message(const struct mail *m, struct report *r, const char *text,
    size_t len)
{
	const char *pos = text, *end = text + len, *start;
	char *para, *diagnostic = NULL, *rcpt;
	int strong = 0, weak = 0, vetoed = 0, decided = 0, most = 0, linked;
	int automatic = auto_submitted(m);
	struct result *res = NULL;

	linked = text_find(text, len, "http://") != NULL ||
	    text_find(text, len, "https://") != NULL ||
	    text_find(text, len, "reply to this") != NULL;
	if ((kinds_in_str(m->subject) & STRONG_KINDS) != 0 || has_challenge_header(m))
		strong = 1;
	/* The diagnostic: the paragraph that decided, else the one with most words. */
	while (next_paragraph(&pos, end, &para, &start)) {
		unsigned mask = kinds_in_str(para);
		int count = weak_count(mask);

		if (HAS(mask, VETO))
			vetoed = 1;
		if (!decided && (mask & STRONG_KINDS) != 0) {
			strong = decided = 1;
			free(diagnostic);
			diagnostic = para;
			continue;
		}
		if (!decided && count >= 2 && (automatic ||
		    (linked && (HAS(mask, LIST) || HAS(mask, HUMAN))))) {
			weak = 1;
			most = count;
			free(diagnostic);
			diagnostic = para;
			continue;
		}
		if (!decided && (diagnostic == NULL || count > most)) {
			most = count;
			free(diagnostic);
			diagnostic = para;
			continue;
		}
		free(para);
	}
	if (strong || (weak && !vetoed)) {
		if ((rcpt = requester(m, text, len)) != NULL) {
			res = add_request(r, rcpt, diagnostic, strong ?
			    "challenge or moderation request" : "confirmation request");
			free(rcpt);
		}
	}
	free(diagnostic);
	return res != NULL;
}

/*
 * Could the message be a request at all? One look at the whole text unfolded (so a
 * phrase wrapped over two lines counts) before any paragraph is read: most
 * messages that hold a marker word are bounces that say "verify" or "spam".
 */
static int
worth_reading(const struct mail *m, const char *flat, int bounce)
{
	unsigned subject = kinds_in_str(m->subject), text = kinds_in_str(flat);

	if (HAS(subject, CHALLENGE) || HAS(text, CHALLENGE))
		return 1;
	if (bounce)
		return 0;
	return has_challenge_header(m) || ((subject | text) & STRONG_KINDS) != 0 ||
	    weak_count(text) >= 2;
}

static int
challenge_parse(const struct mail *m, struct report *r)
{
	const char *text;
	char *flat;
	size_t len;
	int bounce = bounce_signals(m), found = 0;

	text = bodyscan_text(m, &len);
	len = own_length(text, len);
	flat = text_unfold(text, len);
	if (!worth_reading(m, flat, bounce))
		found = 0;
	else if (!bounce)
		found = request_message(m, r, text, len);
	else if (mail_part(m, "message/delivery-status", 1) != NULL)
		found = challenge_dsn(m, r);
	else
		found = challenge_bounce(m, r, text, len);
	free(flat);
	return found;
}

/*
 * What challenge_parse requires before it reads anything (see format.h): one of
 * its phrases or words in the subject or the text, or a challenge header's name.
 * The weaker words cover the explicit phrases that contain them.
 */
static const char *const markers[] = {
	/* challenge_phrases */
	"challenge", "requires confirmation", "confirm this mail server",
	"confirm your mail server", "pre-approved", "guest list", "waitlisted",
	"awaiting verification", "pending verification", "awaiting your confirmation",
	"add yourself to", "to be added to my", "added to my", "held for approval",
	"held for moderation", "awaits moderator approval", "held until the list moderator",
	"tmda", "boxbe", "spamarrest", "spam arrest", "bluebottle", "mailblocks",
	"choicemail", "qurb", "mailwasher", "spamfighter", "sanebox", "active spam killer",
	/* request_phrases not covered by a word below */
	"you are a real person", "not a machine", "awaiting confirmation",
	"waiting for your confirmation", "approval queue", "message is pending",
	"awaits",
	"wartet auf freigabe", "liste blanche", "lista blanca", "lista bianca",
	"lista branca", "witte lijst", "wacht op goedkeuring",
	/* the weaker words */
	"confirm", "verify", "verification", "best\xc3\xa4tig", "verifizier",
	"confirmer", "v\xc3\xa9rifier", "confirmar", "verificar", "confermare",
	"conferma", "verificare", "bevestig", "whitelist", "white list", "white-list",
	"allowed list", "allow list", "approved list", "safe list", "safelist",
	"allowed senders", "approved senders", "safe senders", "approval", "approve", "moderator",
	"moderation", "freigabe", "mod\xc3\xa9rat", "moderador", "moderatore",
	"goedkeuring", "aprobaci", "moderaci", "approvazione", "aprova\xc3\xa7", "pending",
	"awaiting", "on hold", "held", "waiting", "queued", "human", "robot",
	"spammer", "spam protection", "spam-protection", "anti-spam", "antispam",
	"spam filter", "unsolicited", "attente", "espera", "attesa", "aguardando",
	"wartet", "zur\xc3\xbc" "ckgehalten", "transmis au", "retenu", "se retiene",
	"list editor", "for approval",
	/* challenge_headers */
	"x-challenge", "x-tmda", "x-boxbe", "x-spam-arrest", "x-ask-info",
	NULL
};

const struct format format_challenge = { "challenge", challenge_parse, markers, 1 };
