/*
 * cmd-status.c: "bouncescan status [--json] ADDRESS...": the state of each address,
 * for a list manager's check before a send. Addresses come from the arguments, or
 * from standard input (one per line) when there are none or one is "-", so a whole
 * list can be checked in one run.
 *
 * The exit status is the answer a script needs: 0 none is suppressed, 1 at least
 * one is, 2 something could not be checked (an address that is not one, or a
 * database that cannot be read). An error wins over a suppression, so a caller
 * never mistakes a failed check for a clean list. The database is only read.
 *
 * --list NAME counts only that list's bounces; the state, and so the exit status,
 * stay the address's: a suppression holds for every list (db.h, store_status_list).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "command.h"
#include "db.h"
#include "setup.h"
#include "show.h"
#include "when.h"
#include "xalloc.h"

/* Whatever the classifier reports as a recipient, status can look up. */
_Static_assert(CLASSIFIER_MAX_ADDRESS == STORE_ADDRESS_LONGEST,
    "the classifier and the store must agree on the longest address");

#define STATUS_SUPPRESSED	1
#define STATUS_ERROR		2
#define LINE_MAX_BYTES		1024
#define STATUS_BATCH		1000	/* addresses looked up at once */

struct status_run {
	struct store		*store;
	const char		*list;		/* --list: count its bounces only */
	struct store_policy	 policy;
	int			 json;
	int			 suppressed;	/* any address was */
	int			 failed;	/* any could not be checked */
	int			 stop;		/* the database failed: give up */
	char			*batch[STATUS_BATCH];	/* valid, not yet looked up */
	size_t			 pending;
};

static const char *const state_names[] = {
	[STORE_UNKNOWN] = "unknown",
	[STORE_ACTIVE] = "active",
	[STORE_SUPPRESSED] = "suppressed",
};

static void
print_json(const struct status_run *run, const char *address,
    const struct store_status *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "address", show_json_text(address));
	json_object_set_new(o, "state", json_string(state_names[s->state]));
	json_object_set_new(o, "hard_bounces", json_integer(s->hard_bounces));
	json_object_set_new(o, "soft_days", json_integer(s->soft_days));
	json_object_set_new(o, "complaints", json_integer(s->complaints));
	json_object_set_new(o, "blocks", json_integer(s->blocks));
	json_object_set_new(o, "events", json_integer(s->events));
	json_object_set_new(o, "last_bounce", show_json_time(s->last_bounce));
	json_object_set_new(o, "last_class", show_json_text(s->last_class));
	json_object_set_new(o, "last_reason", show_json_text(s->last_reason));
	json_object_set_new(o, "cause", show_json_text(s->cause));
	json_object_set_new(o, "reason", show_json_text(s->reason));
	json_object_set_new(o, "rule", show_json_text(s->rule));
	json_object_set_new(o, "suppressed_since", show_json_time(s->suppressed_since));
	json_object_set_new(o, "list", show_json_text(s->list));
	if (run->list != NULL)
		json_object_set_new(o, "counted_list", show_json_text(run->list));
	show_json_line(stdout, o);
}

static void
print_counters(const struct status_run *run, const struct store_status *s)
{
	char when[WHEN_BUFSIZE];

	if (run->list != NULL) {
		fputs("list ", stdout);
		show_text(stdout, run->list, "-");
		fputs(": ", stdout);
	}
	printf("hard %d, soft days %d of %d within %d days, complaints %d, blocks %d",
	    s->hard_bounces, s->soft_days, run->policy.soft_threshold,
	    run->policy.soft_window_days, s->complaints, s->blocks);
	if (s->last_bounce == 0)
		return;
	printf("; last bounce %s (", when_format_day(s->last_bounce, when));
	show_text(stdout, s->last_class, "-");
	fputs(", ", stdout);
	show_text(stdout, s->last_reason, "no reason");
	fputs(")", stdout);
}

/* ADDRESS TAB STATE TAB details: "cut -f1,2" gives a script what it needs. */
static void
print_plain(const struct status_run *run, const char *address,
    const struct store_status *s)
{
	char when[WHEN_BUFSIZE];

	show_text(stdout, address, "-");
	printf("\t%s\t", state_names[s->state]);
	if (s->state == STORE_UNKNOWN) {
		puts("no bounce recorded");
		return;
	}
	if (s->state == STORE_SUPPRESSED) {
		printf("since %s (", when_format_day(s->suppressed_since, when));
		show_text(stdout, s->cause, "-");
		fputs(": ", stdout);
		show_text(stdout, s->reason, "no reason");
		if (s->rule != NULL) {
			fputs(", rule ", stdout);
			show_text(stdout, s->rule, "-");
		}
		if (s->list != NULL) {
			fputs(", list ", stdout);
			show_text(stdout, s->list, "-");
		}
		fputs("); ", stdout);
	}
	print_counters(run, s);
	putchar('\n');
}

static void
print_invalid(const struct status_run *run, const char *address, const char *why)
{
	json_t *o;

	if (run->json) {
		o = json_object();
		json_object_set_new(o, "address", show_json_text(address));
		json_object_set_new(o, "state", json_string("invalid"));
		json_object_set_new(o, "error", show_json_text(why));
		show_json_line(stdout, o);
		return;
	}
	show_text(stdout, address, "-");
	fputs("\tinvalid\t", stdout);
	show_text(stdout, why, "-");
	putchar('\n');
}

/*
 * Look up the addresses queued by check_one, all at once (one round trip on
 * PostgreSQL), and print them in their order.
 */
static void
check_pending(struct status_run *run)
{
	struct store_status *s;
	struct err e;
	size_t i, n = run->pending;

	if (n == 0)
		return;
	run->pending = 0;
	s = xreallocarray(NULL, n, sizeof *s);
	if (store_status_many(run->store, (const char *const *)run->batch, n,
	    run->list, s, &e) == -1) {
		fprintf(stderr, "bouncescan: status: %s\n", e.msg);
		run->failed = run->stop = 1;
	}
	for (i = 0; i < n; i++) {
		if (!run->stop) {
			if (s[i].state == STORE_SUPPRESSED)
				run->suppressed = 1;
			if (run->json)
				print_json(run, run->batch[i], &s[i]);
			else
				print_plain(run, run->batch[i], &s[i]);
		}
		store_status_free(&s[i]);
		free(run->batch[i]);
	}
	free(s);
}

/*
 * where: "standard input line 7", or NULL for an argument. A valid address is
 * queued for check_pending; rows keep the order of the input.
 */
static void
check_one(struct status_run *run, const char *address, const char *where)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct err e;

	if (store_address_normalise(address, display, key, &e) == -1) {
		check_pending(run);
		if (run->stop)
			return;
		/* e quotes the address. */
		fprintf(stderr, "bouncescan: status: %s%s%s\n", where ? where : "",
		    where ? ": " : "", e.msg);
		print_invalid(run, address, e.msg);
		run->failed = 1;
		return;
	}
	run->batch[run->pending++] = xstrdup(address);
	if (run->pending == STATUS_BATCH)
		check_pending(run);
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/*
 * Read one line (without its newline) into line[size]: 1, or 0 at the end of
 * the input. A line that does not fit is read to its end and marked too long;
 * a NUL byte is marked too, and each one is shown as '?'.
 */
static int
read_line(FILE *f, char *line, size_t size, int *too_long, int *nul)
{
	size_t n = 0, total = 0;
	int ch;

	*too_long = *nul = 0;
	while ((ch = getc(f)) != EOF && ch != '\n') {
		total++;
		if (ch == '\0') {
			*nul = 1;
			ch = '?';
		}
		if (n + 1 < size)
			line[n++] = (char)ch;
		else
			*too_long = 1;
	}
	line[n] = '\0';
	return ch != EOF || total > 0;
}

/*
 * One address per line; blank lines and "#" comments are skipped. Every other
 * line gets exactly one row, so that a caller may match rows to lines: one
 * that cannot be read as an address (too long, a NUL byte) gets an "invalid"
 * row saying so.
 */
static void
check_stdin(struct status_run *run)
{
	char line[LINE_MAX_BYTES + 1], where[64], *address;
	unsigned long number = 0;
	int too_long, nul;

	while (!run->stop && read_line(stdin, line, sizeof line, &too_long, &nul)) {
		number++;
		snprintf(where, sizeof where, "standard input line %lu", number);
		address = trim(line);
		if (too_long || nul) {
			check_pending(run);
			if (run->stop)
				break;
			fprintf(stderr, "bouncescan: status: %s: %s: not an address\n",
			    where, too_long ? "longer than 1024 bytes" :
			    "contains a NUL byte");
			print_invalid(run, too_long ? "" : address, too_long ?
			    "line too long" : "line contains a NUL byte");
			run->failed = 1;
		} else if (*address != '\0' && *address != '#')
			check_one(run, address, where);
	}
	check_pending(run);
	if (ferror(stdin)) {
		fprintf(stderr, "bouncescan: status: reading standard input failed\n");
		run->failed = 1;
	}
}

static int
status_options(int argc, char **argv, int *json, const char **list)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "list", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: start afresh, so options may follow arguments after main's "+" parse. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "jl:h", longopts, NULL)) != -1) {
		if (ch == 'j')
			*json = 1;
		else if (ch == 'l')
			*list = optarg;
		else if (ch == 'h') {
			fputs(cmd_status.help, stdout);
			return 0;
		} else {
			command_usage(&cmd_status, NULL);
			return STATUS_ERROR;
		}
	}
	return -1;
}

static int
status_exec(const struct global_options *g, int argc, char **argv)
{
	struct status_run run;
	int i, rc;

	memset(&run, 0, sizeof run);
	if ((rc = status_options(argc, argv, &run.json, &run.list)) != -1)
		return rc;
	if (setup_command_store(g, "status", 1, &run.store) != 0)
		return STATUS_ERROR;
	setup_check_list("status", run.list);
	store_get_policy(run.store, &run.policy);
	if (optind >= argc)
		check_stdin(&run);
	for (i = optind; i < argc && !run.stop; i++) {
		if (strcmp(argv[i], "-") == 0)
			check_stdin(&run);
		else
			check_one(&run, argv[i], NULL);
	}
	check_pending(&run);
	setup_command_done(run.store, 0);
	if (fflush(stdout) == EOF)
		run.failed = 1;
	return run.failed ? STATUS_ERROR : run.suppressed ? STATUS_SUPPRESSED : 0;
}

const struct command cmd_status = {
	"status",
	"[--json] [--list NAME] [ADDRESS... | -]",
	"the state of addresses; exit 1 if any is suppressed",
	"usage: bouncescan status [--json] [--list NAME] [ADDRESS... | -]\n"
	"\n"
	"Print the state of each address: active (seen, not suppressed), suppressed,\n"
	"or unknown (never seen). Without ADDRESS, or for an ADDRESS of -, read the\n"
	"addresses from standard input, one per line (blank lines and lines starting\n"
	"with # are skipped): the way to check a whole list before a send.\n"
	"\n"
	"Each line is ADDRESS, TAB, STATE, TAB, then the details: when and why it was\n"
	"suppressed, the counters (hard bounces, soft-bounce days within the window,\n"
	"complaints, sender-side blocks, which never count against an address) and\n"
	"the last bounce. An address that is not one is shown with the state\n"
	"\"invalid\" and named on standard error.\n"
	"\n"
	"  --json   one JSON object per address with the fields address, state,\n"
	"           hard_bounces, soft_days, complaints, blocks, events, last_bounce,\n"
	"           last_class, last_reason, cause, reason, rule, suppressed_since,\n"
	"           list (of the bounce that decided the suppression), and\n"
	"           counted_list with --list (null when unknown; times in UTC,\n"
	"           2026-11-23T10:00:00Z)\n"
	"  --list NAME  count only the bounces of the list [list NAME]. The state\n"
	"           and the exit status stay the address's: a suppression holds for\n"
	"           every list, complaints too.\n"
	"\n"
	"The database is only read. Exit status: 0 when no address is suppressed,\n"
	"1 when at least one is, 2 when any could not be checked (an invalid\n"
	"address, a database that is missing or cannot be read, a wrong\n"
	"configuration or command line); 2 wins over 1.\n",
	status_exec
};
