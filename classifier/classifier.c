/*
 * classifier.c: the pipeline. Parse the message, let the first decoder that knows
 * the format name the recipients and what was said about them, then decide each
 * result's reason (site rules, built-in rules, status and reply codes) and class.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ac.h"
#include "address.h"
#include "classifier.h"
#include "date.h"
#include "format.h"
#include "mail.h"
#include "reason.h"
#include "report.h"
#include "rules.h"
#include "text.h"
#include "transcript.h"
#include "xalloc.h"

/*
 * A mailing list whose bounces come here (classifier_add_list). The pattern of
 * classifier_set_verp is the unnamed list, kept first.
 */
struct list {
	char		*name;		/* NULL: the unnamed list */
	struct verp	*verp;		/* or NULL */
	char		*bounce_address;	/* lower-cased, or NULL */
	char		*list_id;	/* lower-cased, without <>, or NULL */
};

struct classifier {
	struct rules	*site;		/* consulted first; may be empty */
	struct rules	*builtin;
	struct list	*lists;
	size_t		 nlists;
	struct ac	*markers;	/* every decoder's markers, id = index in formats[] */
	int		 generic_only;	/* only the decoders that know no particular MTA */
};

/* Decoders beyond this many are always run: the set of markers found is a bit mask. */
#define GATED_FORMATS	64

/* The markers of all decoders, lower-cased, in one automaton. */
static struct ac *
markers_new(void)
{
	struct ac *a = ac_new();
	size_t i, k;
	char *low, *p;

	for (i = 0; formats[i] != NULL && i < GATED_FORMATS; i++) {
		for (k = 0; formats[i]->markers != NULL && formats[i]->markers[k] != NULL;
		    k++) {
			low = xstrdup(formats[i]->markers[k]);
			for (p = low; *p != '\0'; p++)
				*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
			ac_add(a, low, (int)i);
			free(low);
		}
	}
	ac_compile(a);
	return a;
}

struct classifier *
classifier_new(void)
{
	struct classifier *c = xcalloc(1, sizeof *c);
	struct err e;

	c->site = rules_new();
	c->builtin = rules_new();
	if (rules_add_text(c->builtin, "rules.tsv", rules_default_text,
	    rules_default_len, &e) == -1) {
		/* The table is compiled in and tested: a bad one is a build error. */
		fprintf(stderr, "bouncescan: built-in %s\n", e.msg);
		abort();
	}
	rules_compile(c->builtin);
	rules_compile(c->site);
	c->markers = markers_new();
	return c;
}

void
classifier_free(struct classifier *c)
{
	size_t i;

	if (c == NULL)
		return;
	rules_free(c->site);
	rules_free(c->builtin);
	for (i = 0; i < c->nlists; i++) {
		free(c->lists[i].name);
		verp_free(c->lists[i].verp);
		free(c->lists[i].bounce_address);
		free(c->lists[i].list_id);
	}
	free(c->lists);
	ac_free(c->markers);
	free(c);
}

int
classifier_load_rules(struct classifier *c, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	if (f == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	do {
		if (len + 4096 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > 16 * 1024 * 1024) {
				fclose(f);
				free(text);
				return err_set(e, "%s: rule file larger than 16 MB", path);
			}
			text = xreallocarray(text, cap, 1);
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fclose(f);
		free(text);
		return err_set(e, "%s: read error", path);
	}
	fclose(f);
	rc = rules_add_text(c->site, path, text == NULL ? "" : text, len, e);
	free(text);
	rules_compile(c->site);
	return rc;
}

int
classifier_set_verp(struct classifier *c, const char *pattern, struct err *e)
{
	struct verp *v = verp_new(pattern, e);

	if (v == NULL)
		return -1;
	if (c->nlists > 0 && c->lists[0].name == NULL) {
		verp_free(c->lists[0].verp);
		c->lists[0].verp = v;
		return 0;
	}
	c->lists = xreallocarray(c->lists, c->nlists + 1, sizeof *c->lists);
	memmove(c->lists + 1, c->lists, c->nlists * sizeof *c->lists);
	c->nlists++;
	memset(&c->lists[0], 0, sizeof c->lists[0]);
	c->lists[0].verp = v;
	return 0;
}

/* "Announce <announce.lists.example.org>" -> "announce.lists.example.org". */
static char *
list_id_value(const char *s)
{
	const char *lt = strrchr(s, '<'), *gt, *end;
	char *out, *p;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		s = lt + 1;
		end = gt;
	} else {
		while (*s == ' ' || *s == '\t')
			s++;
		for (end = s + strlen(s); end > s && (end[-1] == ' ' ||
		    end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'); end--)
			;
	}
	if (end == s || end - s > 255 || memchr(s, ' ', (size_t)(end - s)) != NULL)
		return NULL;
	out = xstrndup(s, (size_t)(end - s));
	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

int
classifier_add_list(struct classifier *c, const char *name,
    const char *verp_pattern, const char *bounce_address, const char *list_id,
    struct err *e)
{
	struct list l;

	memset(&l, 0, sizeof l);
	if (name == NULL || *name == '\0')
		return err_set(e, "a list needs a name");
	if (c->nlists - (c->nlists > 0 && c->lists[0].name == NULL) >=
	    CLASSIFIER_MAX_LISTS)
		return err_set(e, "more than %d lists", CLASSIFIER_MAX_LISTS);
	if (verp_pattern == NULL && bounce_address == NULL && list_id == NULL)
		return err_set(e, "list %s: give its verp_pattern, bounce_address or"
		    " list_id, or nothing can be told to come from it", name);
	if (bounce_address != NULL && ((l.bounce_address = address_find(bounce_address,
	    strlen(bounce_address))) == NULL || strcasecmp(l.bounce_address,
	    bounce_address) != 0)) {
		free(l.bounce_address);
		return err_set(e, "list %s: bounce address \"%.100s\" is not a bare"
		    " address (local@domain)", name, bounce_address);
	}
	if (list_id != NULL && (l.list_id = list_id_value(list_id)) == NULL) {
		free(l.bounce_address);
		return err_set(e, "list %s: list id \"%.100s\" is not one (such as"
		    " announce.lists.example.org)", name, list_id);
	}
	if (verp_pattern != NULL && (l.verp = verp_new(verp_pattern, e)) == NULL) {
		free(l.bounce_address);
		free(l.list_id);
		return err_prefix(e, "list %s: ", name);
	}
	l.name = xstrdup(name);
	c->lists = xreallocarray(c->lists, c->nlists + 1, sizeof *c->lists);
	c->lists[c->nlists++] = l;
	return 0;
}

void
classifier_set_generic_only(struct classifier *c, int on)
{
	c->generic_only = on;
}

/*
 * A diagnostic without a letter ("Diagnostic-Code: X-Unix; 255", a mailer's exit
 * status) says less than the report's prose: it counts as none.
 */
static int
says_nothing(const char *diagnostic)
{
	const char *p;

	if (diagnostic == NULL)
		return 1;
	for (p = diagnostic; *p != '\0'; p++)
		if (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

/* Fill empty fields of `into` from the same recipient's result in `from`. */
static void
enrich(struct report *into, const struct report *from)
{
	size_t i;

	for (i = 0; i < into->nresults; i++) {
		struct result *a = &into->results[i];
		const struct result *b = report_find(from, a->recipient);

		if (b == NULL && into->nresults == 1 && from->nresults == 1)
			b = &from->results[0];
		if (b == NULL)
			continue;
		if (says_nothing(a->diagnostic) && b->diagnostic != NULL &&
		    !says_nothing(b->diagnostic)) {
			free(a->diagnostic);
			a->diagnostic = xstrdup(b->diagnostic);
		}
		if (a->remote_mta == NULL && b->remote_mta != NULL)
			a->remote_mta = xstrdup(b->remote_mta);
		if (a->status[0] == '\0')
			memcpy(a->status, b->status, sizeof a->status);
		if (a->smtp_code == 0)
			a->smtp_code = b->smtp_code;
		if (a->smtp_command[0] == '\0')
			memcpy(a->smtp_command, b->smtp_command, sizeof a->smtp_command);
		if (a->reason == NULL && b->reason != NULL)
			a->reason = b->reason;
	}
}

static int
needs_enrichment(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (says_nothing(r->results[i].diagnostic) ||
		    r->results[i].smtp_command[0] == '\0')
			return 1;
	return 0;
}

static int
lacks_diagnostic(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (says_nothing(r->results[i].diagnostic))
			return 1;
	return 0;
}

static void
marker_found(int format, void *arg)
{
	unsigned long long *found = arg;

	*found |= 1ULL << format;
}

/*
 * Which decoders' markers the message holds, as a bit mask by index in formats[]:
 * one pass over Subject, From, the header and the bounce text, each on its own so
 * no marker is found across two of them.
 */
static unsigned long long
markers_found(const struct classifier *c, const struct mail *m)
{
	unsigned long long found = 0;
	const char *text;
	size_t len;

	if (m->subject != NULL)
		ac_scan_set(c->markers, m->subject, strlen(m->subject), 1, marker_found,
		    &found);
	if (m->from != NULL)
		ac_scan_set(c->markers, m->from, strlen(m->from), 1, marker_found, &found);
	ac_scan_set(c->markers, m->headers, m->headers_len, 1, marker_found, &found);
	/* bodyscan_text(): the top-level body when there is no text. */
	text = mail_text(m, &len);
	if (len == 0 && m->body != NULL) {
		text = m->body;
		len = m->body_len;
	}
	ac_scan_set(c->markers, text, len, 1, marker_found, &found);
	return found;
}

/*
 * Could formats[i] take this message? No when it has markers and none was found,
 * or when it reads one MTA's format and only the generic decoders are wanted.
 */
static int
worth_trying(const struct classifier *c, size_t i, unsigned long long found)
{
	if (c->generic_only && !formats[i]->generic)
		return 0;
	return i >= GATED_FORMATS || formats[i]->markers == NULL || ((found >> i) & 1);
}

/*
 * A DSN for one recipient whose fields name no SMTP command: the report's own prose
 * often does ("SMTP error from remote mail server after EHLO"), and the command
 * decides between a refusal of the sender and of the recipient. One pass of the
 * command phrases over the human-readable part; several recipients may each have
 * their own, so only one is read this way.
 */
static void
command_from_prose(const struct mail *m, struct report *r)
{
	const struct part *pt;
	const char *command;

	if (r->nresults != 1 || r->results[0].smtp_command[0] != '\0' ||
	    strcmp(r->format, "rfc3464") != 0 ||
	    (pt = mail_part(m, "text/plain", 1)) == NULL || pt->text == NULL)
		return;
	if ((command = text_smtp_command(pt->text, pt->text_len)) != NULL)
		result_set_command(&r->results[0], command);
}

/* Run the decoders; the first that adds a result names the format. */
static void
decode(const struct classifier *c, const struct mail *m, struct report *r)
{
	unsigned long long found = markers_found(c, m);
	size_t i;

	for (i = 0; formats[i] != NULL; i++) {
		if (worth_trying(c, i, found) && formats[i]->parse(m, r) > 0 &&
		    r->nresults > 0) {
			r->format = formats[i]->name;
			break;
		}
	}
	if (formats[i] == NULL)
		return;
	command_from_prose(m, r);
	if (!needs_enrichment(r))
		return;
	/*
	 * A DSN without diagnostics: the human-readable part may say more. Only bounce
	 * decoders are asked; an auto-reply or complaint reading says nothing about it.
	 */
	for (i++; formats[i] != NULL; i++) {
		struct report extra;

		if (!worth_trying(c, i, found) ||
		    strcmp(formats[i]->name, "autoreply") == 0 ||
		    strcmp(formats[i]->name, "arf") == 0)
			continue;
		/*
		 * The generic reader reads the whole text: worth it for a missing
		 * diagnostic, not for a missing SMTP command alone (it cost half the
		 * classifier's time over the corpus, DSNs without a command being common).
		 */
		if (strcmp(formats[i]->name, "generic") == 0 && !lacks_diagnostic(r))
			continue;
		memset(&extra, 0, sizeof extra);
		if (formats[i]->parse(m, &extra) > 0) {
			enrich(r, &extra);
			report_free(&extra);
			break;
		}
		report_free(&extra);
	}
}

/* X-Failed-Recipients (Exim and others) names recipients when nothing else did. */
static void
failed_recipients_header(const struct mail *m, struct report *r)
{
	char *v = mail_header(m, "X-Failed-Recipients"), *tok, *save = NULL, *a;

	if (v == NULL)
		return;
	for (tok = strtok_r(v, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if ((a = address_find(tok, strlen(tok))) != NULL) {
			struct result *res = report_add(r, a);

			if (res != NULL && res->action == NULL)
				res->action = xstrdup("failed");
			free(a);
		}
	}
	free(v);
	if (r->nresults > 0 && r->format == NULL)
		r->format = "x-failed-recipients";
}

/*
 * The addresses the bounce was sent to, first one of each header: To:, then
 * the envelope recipient as the MTA wrote it (Postfix's X-Original-To and
 * Delivered-To). Returns how many; the caller frees them.
 */
static size_t
bounce_addresses(const struct mail *m, char *out[3])
{
	static const char *const names[] = { "To", "X-Original-To", "Delivered-To" };
	size_t i, n = 0;
	char *v;

	for (i = 0; i < 3; i++) {
		if ((v = mail_header(m, names[i])) == NULL)
			continue;
		if ((out[n] = address_find(v, strlen(v))) != NULL)
			n++;
		free(v);
	}
	return n;
}

/*
 * A list's VERP address among those the bounce was sent to names the one
 * recipient the bounce is about, and the list it came from: returned, or NULL
 * when no pattern matched.
 */
static const struct list *
apply_verp(const struct classifier *c, char *const to[], size_t nto,
    struct report *r)
{
	const struct list *list = NULL;
	char *rcpt = NULL;
	size_t i, k;

	for (i = 0; i < nto && rcpt == NULL; i++)
		for (k = 0; k < c->nlists && rcpt == NULL; k++)
			if (c->lists[k].verp != NULL &&
			    (rcpt = verp_decode(c->lists[k].verp, to[i])) != NULL)
				list = &c->lists[k];
	if (rcpt == NULL)
		return NULL;
	if (r->nresults > 0 && (r->nresults == 1 || report_find(r, NULL) != NULL)) {
		struct result *res = r->nresults == 1 ? &r->results[0] : report_find(r, NULL);

		free(res->recipient);
		res->recipient = rcpt;
	} else
		free(rcpt);
	return list;
}

/*
 * The list the bounce came from when no VERP pattern said: the one whose
 * bounce address it was sent to, else the one named by the returned message's
 * List-Id (read by original_headers). NULL when none.
 */
static const struct list *
list_by_address(const struct classifier *c, char *const to[], size_t nto,
    const struct report *r)
{
	char *id;
	size_t i, k;

	for (i = 0; i < nto; i++)
		for (k = 0; k < c->nlists; k++)
			if (c->lists[k].bounce_address != NULL &&
			    strcmp(c->lists[k].bounce_address, to[i]) == 0)
				return &c->lists[k];
	if (r->list_id == NULL || (id = list_id_value(r->list_id)) == NULL)
		return NULL;
	for (k = 0; k < c->nlists; k++)
		if (c->lists[k].list_id != NULL && strcmp(c->lists[k].list_id, id) == 0)
			break;
	free(id);
	return k < c->nlists ? &c->lists[k] : NULL;
}

/* Which list it came from, and the recipient a VERP address names. */
static void
apply_lists(const struct classifier *c, const struct mail *m, struct report *r)
{
	const struct list *list;
	char *to[3];
	size_t i, nto;

	if (c->nlists == 0)
		return;
	nto = bounce_addresses(m, to);
	if ((list = apply_verp(c, to, nto, r)) == NULL)
		list = list_by_address(c, to, nto, r);
	if (list != NULL && list->name != NULL)
		r->list = xstrdup(list->name);
	for (i = 0; i < nto; i++)
		free(to[i]);
}

/* The bounce's date, and Message-ID, To and List-Id of the returned message. */
static void
original_headers(const struct mail *m, struct report *r)
{
	const struct part *pt = mail_part(m, "text/rfc822-headers", 0);
	static const char *const names[] = { "Message-ID", "To", "List-Id" };
	const char *h = NULL;
	size_t hl = 0, i;
	char *v, *values[3];

	if (pt != NULL && pt->text != NULL) {
		h = pt->text;
		hl = pt->text_len;
	} else {
		for (i = 0; i < m->nparts; i++) {
			if (m->parts[i].in_original) {
				h = m->parts[i].headers;
				hl = m->parts[i].headers_len;
				break;
			}
		}
	}
	r->message_id = mail_header(m, "Message-ID");
	if ((v = mail_header(m, "Date")) != NULL) {
		r->date = date_parse(v);
		free(v);
	}
	if (h == NULL)
		return;
	header_get_each(h, hl, names, values, 3);
	r->original_message_id = values[0];
	r->original_to = values[1];
	r->list_id = values[2];
}

/* Status and reply code from the diagnostic where the format gave none. */
static void
codes_from_text(struct result *res)
{
	const char *command;
	char found[16];

	if (res->diagnostic == NULL)
		return;
	if (res->smtp_command[0] == '\0' && (command = text_smtp_command(res->diagnostic,
	    strlen(res->diagnostic))) != NULL)
		result_set_command(res, command);
	if (res->smtp_code == 0) {
		res->smtp_code = text_smtp_code(res->diagnostic, strlen(res->diagnostic));
		/*
		 * A 2xx in a failure's text is not the reply that failed: a local
		 * mailer's exit status ("Diagnostic-Code: X-Unix; 255"), a greeting.
		 */
		if (res->smtp_code >= 200 && res->smtp_code < 300 &&
		    (res->status[0] == '4' || res->status[0] == '5' ||
		    (res->action != NULL && (strcmp(res->action, "failed") == 0 ||
		    strcmp(res->action, "delayed") == 0))))
			res->smtp_code = 0;
	}
	if (!text_status(res->diagnostic, strlen(res->diagnostic), found))
		return;
	/* A bare x.0.0 says less than the remote server's own code. */
	if (res->status[0] == '\0' || (strcmp(res->status + 1, ".0.0") == 0 &&
	    found[0] == res->status[0]))
		memcpy(res->status, found, sizeof res->status);
}

static void
decide(const struct classifier *c, struct result *res)
{
	struct rule_match rm;

	codes_from_text(res);
	if (res->reason == NULL) {
		if (rules_match(c->site, res, &rm) || rules_match(c->builtin, res, &rm)) {
			res->reason = rm.reason;
			res->rule = rm.where;
		} else {
			res->reason = reason_lookup("onhold");
			res->rule = "no rule matched";
		}
		/*
		 * A permanent failure (a 5.x.x status or a 5xx reply) is never left
		 * onhold: when the words decided nothing ("greylisted" under a 5.1.1),
		 * the status, then the reply code decide (the built-in table's last
		 * rules, which name a reason for every 5xx).
		 */
		if (strcmp(res->reason, "onhold") == 0 && (res->status[0] == '5' ||
		    (res->smtp_code >= 500 && res->smtp_code < 600))) {
			struct result bare = *res;

			bare.diagnostic = NULL;
			if (rules_match(c->builtin, &bare, &rm)) {
				res->reason = rm.reason;
				res->rule = rm.where;
			}
		}
	} else if (res->rule == NULL)
		res->rule = "format";
	if (res->action == NULL && reason_class(res->reason, res->status,
	    res->smtp_code, NULL) <= CLASS_BLOCK)
		res->action = xstrdup("failed");
	res->class = reason_class(res->reason, res->status, res->smtp_code, res->action);
}

/* Does any result name its recipient? */
static int
names_recipient(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (r->results[i].recipient != NULL)
			return 1;
	return 0;
}

/*
 * A delivery report attached whole to a message that names nobody itself (a
 * gateway that wrapped the DSN to add its disclaimer, a postmaster who forwarded
 * it): the attached report, header and body, as one span of m's copy. NULL when
 * the message has none as its own attachment.
 */
static const struct part *
attached_report(const struct mail *m)
{
	size_t i;

	for (i = 0; i < m->nparts; i++) {
		const struct part *p = &m->parts[i];

		if (p->in_original && p->depth <= 2 &&
		    strcmp(p->type, "multipart/report") == 0 && p->headers_len > 0 &&
		    header_has(p->headers, p->headers_len, "From"))
			return p;
	}
	return NULL;
}

static int
classify_at(const struct classifier *c, const char *bytes, size_t len,
    struct report *r, int nested)
{
	const struct part *attached;
	struct mail m;
	size_t i;

	memset(&m, 0, sizeof m);
	if (mail_parse(&m, bytes, len) == -1) {
		snprintf(r->error, sizeof r->error, "%s", m.error);
		mail_free(&m);
		return -1;
	}
	if (m.truncated)
		snprintf(r->error, sizeof r->error, "%s", m.error);
	decode(c, &m, r);
	if (r->nresults == 0)
		failed_recipients_header(&m, r);
	/* Read the attached report instead, once (not an attachment's attachment). */
	if (!nested && !names_recipient(r) && (attached = attached_report(&m)) != NULL) {
		struct report inner;

		memset(&inner, 0, sizeof inner);
		if (classify_at(c, attached->headers, (size_t)(attached->body +
		    attached->body_len - attached->headers), &inner, 1) > 0 &&
		    names_recipient(&inner)) {
			report_free(r);
			*r = inner;
			mail_free(&m);
			return (int)r->nresults;
		}
		report_free(&inner);
	}
	original_headers(&m, r);
	apply_lists(c, &m, r);
	transcript_commands(&m, r);
	for (i = 0; i < r->nresults; i++)
		decide(c, &r->results[i]);
	mail_free(&m);
	return (int)r->nresults;
}

int
classify(const struct classifier *c, const char *bytes, size_t len, struct report *r)
{
	return classify_at(c, bytes, len, r, 0);
}
