/*
 * cmd-why.c: "bouncescan why ADDRESS": the evidence behind an address's state, for
 * the deliverability engineer who has to answer "why was this address dropped?".
 *
 * It shows every event (date, class, reason, status, reply code, diagnostic, rule,
 * source and scan) with whether and how it counts, then every suppression, in
 * force or lifted, with its cause in words: which threshold which event reached,
 * or who suppressed it by hand. The database is only read.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "db.h"
#include "setup.h"
#include "show.h"
#include "when.h"

#define DECIDING_MAX	64

/* What the suppressions tell about the events, gathered before they are shown. */
struct why_run {
	struct store_policy	 policy;
	time_t			 last_manual_lift;	/* events up to here no longer count */
	int64_t			 deciding[DECIDING_MAX];	/* event ids of suppressions */
	int64_t			 deciding_suppression[DECIDING_MAX];
	size_t			 ndeciding;
	size_t			 nsuppressions;
	size_t			 nevents;	/* shown so far */
};

static int
gather_suppression(const struct store_suppression *s, void *arg)
{
	struct why_run *run = arg;

	run->nsuppressions++;
	if (s->lifted != 0 && s->lifted_by != NULL && strcmp(s->lifted_by, "manual") == 0 &&
	    s->lifted > run->last_manual_lift)
		run->last_manual_lift = s->lifted;
	if (s->event_id != 0 && run->ndeciding < DECIDING_MAX) {
		run->deciding[run->ndeciding] = s->event_id;
		run->deciding_suppression[run->ndeciding++] = s->id;
	}
	return 0;
}

/* Whether and how an event of this class counts against the address. */
static const char *
class_effect(const char *class)
{
	if (strcmp(class, "hard") == 0)
		return "counts against the address: it does not exist or takes no mail";
	if (strcmp(class, "soft") == 0)
		return "counts as one soft-bounce day (at most one per UTC day)";
	if (strcmp(class, "block") == 0)
		return "never counted against the address: the sending side was refused";
	if (strcmp(class, "complaint") == 0)
		return "counts against the address: the recipient reported the mail as spam";
	return "recorded, not counted";
}

static void
print_event_detail(const struct store_event_row *ev)
{
	fputs("      ", stdout);
	if (ev->status != NULL)
		printf("status %s  ", ev->status);
	if (ev->smtp_code > 0)
		printf("reply %d  ", ev->smtp_code);
	fputs("rule ", stdout);
	show_text(stdout, ev->rule, "(none)");
	if (ev->remote_mta != NULL) {
		fputs("  from ", stdout);
		show_text(stdout, ev->remote_mta, "-");
	}
	fputs("\n      diagnostic: ", stdout);
	show_text(stdout, ev->diagnostic, "(none given)");
	fputs("\n      source: ", stdout);
	show_text(stdout, ev->source, "(unnamed)");
	if (ev->origin != NULL) {
		fputs(" ", stdout);
		show_text(stdout, ev->origin, "");
	}
	if (ev->scan_id != 0)
		printf(", scan %" PRId64, ev->scan_id);
	if (ev->list != NULL) {
		fputs(", list ", stdout);
		show_text(stdout, ev->list, "");
	}
	putchar('\n');
}

static int
print_event(const struct store_event_row *ev, void *arg)
{
	struct why_run *run = arg;
	char when[WHEN_BUFSIZE];
	size_t i;

	run->nevents++;
	printf("  #%" PRId64 "  %s  ", ev->id, when_format(ev->bounce_time, when));
	show_text(stdout, ev->class, "-");
	fputs("  ", stdout);
	show_text(stdout, ev->reason, "(no reason)");
	putchar('\n');
	print_event_detail(ev);
	if (ev->bounce_time <= run->last_manual_lift && strcmp(ev->class, "block") != 0)
		printf("      no longer counted: older than the manual unsuppress of %s\n",
		    when_format(run->last_manual_lift, when));
	else
		printf("      %s\n", class_effect(ev->class));
	for (i = 0; i < run->ndeciding; i++)
		if (run->deciding[i] == ev->id)
			printf("      -> reached the threshold: suppression #%" PRId64 "\n",
			    run->deciding_suppression[i]);
	return 0;
}

/* The threshold a policy suppression's deciding event reached, in words. */
static void
print_policy_cause(const struct why_run *run, const struct store_suppression *s)
{
	const struct store_policy *p = &run->policy;
	const char *class = s->class != NULL ? s->class : "";

	if (strcmp(class, "hard") == 0)
		printf("      policy: hard bounces reached hard_threshold = %d",
		    p->hard_threshold);
	else if (strcmp(class, "soft") == 0)
		printf("      policy: soft bounces on %d days within %d days"
		    " (soft_threshold, soft_window_days)", p->soft_threshold,
		    p->soft_window_days);
	else if (strcmp(class, "complaint") == 0)
		printf("      policy: complaints reached complaint_threshold = %d",
		    p->complaint_threshold);
	else
		fputs("      policy", stdout);
	if (s->event_id != 0)
		printf(", at event #%" PRId64, s->event_id);
	if (s->scan_id != 0)
		printf(" (scan %" PRId64 ")", s->scan_id);
	fputs("\n      reason ", stdout);
	show_text(stdout, s->reason, "(none)");
	fputs(", rule ", stdout);
	show_text(stdout, s->rule, "(none)");
	putchar('\n');
}

static int
print_suppression(const struct store_suppression *s, void *arg)
{
	const struct why_run *run = arg;
	char when[WHEN_BUFSIZE];

	printf("  #%" PRId64 "  ", s->id);
	if (s->lifted == 0)
		printf("in force since %s\n", when_format(s->created, when));
	else {
		printf("%s, ", when_format(s->created, when));
		printf("lifted %s (", when_format(s->lifted, when));
		show_text(stdout, s->lifted_by, "-");
		fputs(")\n", stdout);
	}
	if (strcmp(s->cause, "policy") == 0) {
		print_policy_cause(run, s);
		return 0;
	}
	printf("      %s: ", strcmp(s->cause, "import") == 0 ? "imported" :
	    "suppressed by hand");
	show_text(stdout, s->reason, "(no reason given)");
	putchar('\n');
	return 0;
}

static void
print_state(const struct store_status *s, const struct store_policy *p)
{
	char when[WHEN_BUFSIZE];

	show_text(stdout, s->address, "-");
	if (s->state == STORE_SUPPRESSED)
		printf(": suppressed since %s\n", when_format(s->suppressed_since, when));
	else
		fputs(": active (not suppressed)\n", stdout);
	printf("  counted now: hard %d, soft days %d of %d within %d days,"
	    " complaints %d; blocks %d (never counted)\n",
	    s->hard_bounces, s->soft_days, p->soft_threshold, p->soft_window_days,
	    s->complaints, s->blocks);
}

static int
why_show(struct store *st, const char *address, struct err *e)
{
	struct store_status s;
	struct why_run run;

	memset(&run, 0, sizeof run);
	store_get_policy(st, &run.policy);
	if (store_status(st, address, &s, e) == -1) {
		store_status_free(&s);
		return -1;
	}
	if (s.state == STORE_UNKNOWN) {
		show_text(stdout, s.address, "-");
		fputs(": unknown: no bounce, complaint or suppression recorded\n", stdout);
		store_status_free(&s);
		return 0;
	}
	print_state(&s, &run.policy);
	store_status_free(&s);
	if (store_why(st, address, NULL, gather_suppression, &run, e) == -1)
		return -1;
	fputs("\nEvents, oldest first:\n", stdout);
	if (store_why(st, address, print_event, NULL, &run, e) == -1)
		return -1;
	if (run.nevents == 0)
		fputs("  (none)\n", stdout);
	fputs("\nSuppressions, oldest first:\n", stdout);
	if (run.nsuppressions == 0)
		fputs("  (none)\n", stdout);
	return store_why(st, address, NULL, print_suppression, &run, e);
}

static int
why_exec(const struct global_options *g, int argc, char **argv)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct store *st;
	struct err e;
	int rc;

	if ((rc = command_help_only(&cmd_why, argc, argv)) != -1)
		return rc;
	if (argc - optind != 1)
		return command_usage(&cmd_why, "(one address)");
	if (store_address_normalise(argv[optind], display, key, &e) == -1) {
		fprintf(stderr, "bouncescan: why: %s\n", e.msg);
		return EX_DATAERR;
	}
	if ((rc = setup_command_store(g, "why", 1, &st)) != 0)
		return rc;
	rc = why_show(st, argv[optind], &e);
	if (rc == -1)
		fprintf(stderr, "bouncescan: why: %s\n", e.msg);
	setup_command_done(st, 0);
	return rc == -1 ? 1 : 0;
}

const struct command cmd_why = {
	"why",
	"ADDRESS",
	"the evidence behind an address's state",
	"usage: bouncescan why ADDRESS\n"
	"\n"
	"Explain the state of one address: what counts against it now, every event\n"
	"recorded for it (date, class, reason, status, reply code, the rule that\n"
	"decided the reason, the remote server's words, where the bounce came from\n"
	"and in which scan), whether each event counts, and every suppression, in\n"
	"force or lifted, with its cause: the threshold an event reached, a manual\n"
	"suppression, or an import. Block events (the sending side was refused) are\n"
	"shown but never count against the address.\n"
	"\n"
	"To undo what one rule or one scan did, see \"bouncescan unsuppress --help\".\n"
	"The database is only read. Exit status: 0, 1 when the database cannot be\n"
	"read, 64 on a usage error, 65 when ADDRESS is not an address, 66 when\n"
	"there is no database or it is not one, 75 when it is locked, 78 when the\n"
	"configuration is wrong.\n",
	why_exec
};
