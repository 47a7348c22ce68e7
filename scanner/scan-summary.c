/*
 * scan-summary.c: what a scan tells the list administrator at the end, in
 * plain words: how many messages, what they were, where they went, who was
 * suppressed, and whether the list's own sending side seems to be in trouble.
 */
#include <stdio.h>
#include <string.h>

#include "progress.h"
#include "scan.h"

/* What each class means to someone running a list. */
static const char *const class_meaning[] = {
	"not a bounce",
	"the address does not exist",
	"a passing problem at the recipient (full mailbox, server down, ...)",
	"the sending side's problem; never held against the recipient",
	"the recipient reported the mail as spam",
	"an automatic reply (vacation, out of office)",
	"delivery delayed; the mail server is still trying",
	"a delivery report saying the mail arrived",
};

const char *
scan_disposal_words(const struct source *s, enum disposal d)
{
	static char words[SOURCE_FOLDER_MAX + 32];
	const struct source_action *a;

	if (d == DISPOSE_KEEP || s->ops->read_only)
		return "left in place";
	if (d == DISPOSE_DELETE)
		return "deleted";
	a = d == DISPOSE_PROCESSED ? &s->conf.processed : &s->conf.unrecognized;
	switch (a->kind) {
	case SOURCE_ACTION_MOVE:
		snprintf(words, sizeof words, "moved to the %s folder", a->folder);
		return words;
	case SOURCE_ACTION_SEEN:
		return "flagged as seen";
	case SOURCE_ACTION_DELETE:
		return "deleted";
	case SOURCE_ACTION_KEEP:
		break;
	}
	return "left in place";
}

static void
line(size_t n, const char *what, const char *where)
{
	char number[PROGRESS_NUMBER_MAX];

	if (n == 0)
		return;
	printf("  %7s %s%s%s\n", progress_number(number, n), what,
	    where != NULL ? ", " : "", where != NULL ? where : "");
}

/* Where messages went, or in a dry run where they would go. */
static const char *
whereabouts(const struct scan *sc, const struct source *s, enum disposal d)
{
	static char words[2][SOURCE_FOLDER_MAX + 64];
	char *w = words[d == DISPOSE_PROCESSED];

	if (s->ops->read_only)
		return NULL;
	snprintf(w, sizeof words[0], "%s%s", sc->options.dry_run ? "would be " : "",
	    scan_disposal_words(s, d));
	return w;
}

static void
print_messages(const struct scan *sc, const struct source *s,
    const struct scan_totals *t)
{
	const char *processed = whereabouts(sc, s, DISPOSE_PROCESSED);
	const char *other = whereabouts(sc, s, DISPOSE_UNRECOGNIZED);

	line(t->bounces, t->bounces == 1 ? "bounce or report" : "bounces and reports",
	    processed);
	line(t->unidentified, "bounces naming no address that could be used", other);
	line(t->not_bounces, t->not_bounces == 1 ? "message that is not a bounce" :
	    "messages that are not bounces", other);
	line(t->unreadable, t->unreadable == 1 ? "message not readable as mail" :
	    "messages not readable as mail", other);
	line(t->already, "already stored by an earlier scan", NULL);
	line(t->skipped, "could not be read and were left in place (see above)", NULL);
	line(t->dispose_failed, "stored, but not disposed of as configured (see"
	    " above); the next scan will try again", NULL);
}

static void
print_classes(const struct scan_totals *t)
{
	char number[PROGRESS_NUMBER_MAX];
	size_t c, any = 0;

	for (c = CLASS_HARD; c <= CLASS_DELIVERED; c++)
		any += t->results[c];
	if (any == 0)
		return;
	printf("  Results, one per recipient:\n");
	for (c = CLASS_HARD; c <= CLASS_DELIVERED; c++)
		if (t->results[c] != 0)
			printf("  %7s %-10s %s\n", progress_number(number, t->results[c]),
			    class_name((enum bounce_class)c), class_meaning[c]);
	line(t->no_recipient, "results without a usable address (not stored)", NULL);
}

/* Incidents listed one by one; "bouncescan stats" shows them all. */
#define SUMMARY_INCIDENTS	10

struct incident_walk {
	int64_t	scan_id;
	int64_t	shown;
};

static int
print_incident(const struct store_incident *i, void *arg)
{
	struct incident_walk *w = arg;

	if (i->scan_id != w->scan_id || w->shown++ >= SUMMARY_INCIDENTS)
		return 0;
	if (strcmp(i->kind, "domain") == 0)
		printf("    %s refused the list %lld times (%s).\n", i->domain,
		    (long long)i->blocks, i->reason != NULL ? i->reason : "blocked");
	else
		printf("    %lld of %lld failures were refusals of the sending side (%s).\n",
		    (long long)i->blocks, (long long)i->failures,
		    i->reason != NULL ? i->reason : "blocked");
	return 0;
}

static void
print_incidents(const struct scan *sc, const struct scan_totals *t)
{
	struct incident_walk w = { t->scan_id, 0 };
	struct err e;

	if (t->incidents == 0 || sc->store == NULL)
		return;
	printf("  Sender-side incidents: %lld. The list's own sending side may be\n"
	    "  blocklisted or failing a policy; no recipient was suppressed for it:\n",
	    (long long)t->incidents);
	if (store_incidents(sc->store, t->started, print_incident, &w, &e) == -1)
		fprintf(stderr, "bouncescan: %s\n", e.msg);
	if (t->incidents > SUMMARY_INCIDENTS)
		printf("    ... and %lld more (bouncescan stats lists them all).\n",
		    (long long)(t->incidents - SUMMARY_INCIDENTS));
}

static void
print_outcome(const struct scan *sc, const struct scan_totals *t)
{
	char number[PROGRESS_NUMBER_MAX];
	size_t accounted = t->bounces + t->unidentified + t->not_bounces +
	    t->unreadable + t->already + t->skipped;

	if (sc->options.dry_run)
		printf("  Dry run: nothing was stored, moved or suppressed.\n");
	else if (t->suppressed == 0 && t->store_failed)
		;
	else if (t->suppressed == 0)
		printf("  No address newly suppressed.\n");
	else
		printf("  %s %s newly suppressed.\n", progress_number(number, t->suppressed),
		    t->suppressed == 1 ? "address" : "addresses");
	if (t->store_failed && t->messages > accounted)
		printf("  Stopped by a database error: %s %s not stored and %s still"
		    " in place.\n", progress_number(number, t->messages - accounted),
		    t->messages - accounted == 1 ? "message was" : "messages were",
		    t->messages - accounted == 1 ? "is" : "are");
	else if (t->store_failed)
		printf("  Stopped by a database error (see above); nothing more was"
		    " read.\n");
	if (t->source_failed)
		printf("  Stopped by an error reading the mailbox (see above).\n");
}

void
scan_summary_print(const struct scan *sc, const struct source *s, const char *name,
    const struct scan_totals *t)
{
	char number[PROGRESS_NUMBER_MAX];

	printf("%s: %s %s", name, progress_number(number, t->messages),
	    t->messages == 1 ? "message" : "messages");
	if (t->scan_id != 0)
		printf(" (scan %lld)", (long long)t->scan_id);
	if (strcmp(s->ops->scheme, "mbox") == 0)
		printf("; the mbox file is only read, never changed");
	printf("\n");
	print_messages(sc, s, t);
	print_classes(t);
	print_outcome(sc, t);
	print_incidents(sc, t);
}
