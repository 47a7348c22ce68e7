/*
 * cmd-suppress.c: "bouncescan suppress" and "bouncescan unsuppress": changing the
 * suppression list by hand.
 *
 * suppress takes addresses and a reason, so that "why" can later say who did it
 * and "unsuppress --reason" can undo it. unsuppress lifts by address, or in bulk
 * by cause: everything one reason, one rule, one scan or one period suppressed,
 * which is how the damage of a bad rule or a blocklisting misread as hard bounces
 * is undone. An empty filter is refused: lifting the whole list at once is never
 * what a typo should do.
 *
 * Each run is one transaction: every address is checked first, and a failure
 * leaves the list as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "command.h"
#include "db.h"
#include "setup.h"
#include "show.h"
#include "when.h"

/* Every address valid, so nothing is half done because of a typo in the last one. */
static int
check_addresses(const char *command, char **addresses, int n)
{
	char display[STORE_ADDRESS_MAX], key[STORE_ADDRESS_MAX];
	struct err e;
	int i, bad = 0;

	for (i = 0; i < n; i++)
		if (store_address_normalise(addresses[i], display, key, &e) == -1) {
			fprintf(stderr, "bouncescan: %s: %s\n", command, e.msg);
			bad = 1;
		}
	if (bad)
		fprintf(stderr, "bouncescan: %s: nothing was changed\n", command);
	return bad ? -1 : 0;
}

/* Commit, or roll back for a dry run or after a failure; the exit status. */
static int
finish(struct store *st, const char *command, int failed, int dry_run, struct err *e)
{
	int rc = 0;

	if (failed || dry_run)
		store_rollback(st);
	else if (store_commit(st, e) == -1)
		failed = 1;
	if (failed) {
		fprintf(stderr, "bouncescan: %s: %s\n(nothing was changed)\n", command,
		    e->msg);
		rc = store_retry(st) ? EX_TEMPFAIL : 1;
	}
	setup_command_done(st, !failed && !dry_run);
	return rc;
}

static int
suppress_all(struct store *st, char **addresses, int n, const char *reason,
    struct err *e)
{
	size_t added = 0, already = 0;
	int i, rc;

	for (i = 0; i < n; i++) {
		if ((rc = store_suppress(st, addresses[i], reason, e)) == -1)
			return -1;
		show_text(stdout, addresses[i], "");
		fputs(rc == 1 ? ": suppressed\n" : ": already suppressed, left as it was\n",
		    stdout);
		if (rc == 1)
			added++;
		else
			already++;
	}
	printf("%zu suppressed, %zu already suppressed\n", added, already);
	return 0;
}

static int
suppress_exec(const struct global_options *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL;
	struct store *st;
	struct err e;
	int ch, rc;

	/* 0: start afresh, so options may follow arguments after main's "+" parse. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		if (ch == 'r')
			reason = optarg;
		else if (ch == 'h') {
			fputs(cmd_suppress.help, stdout);
			return 0;
		} else
			return command_usage(&cmd_suppress, NULL);
	}
	if (optind >= argc || reason == NULL || *reason == '\0')
		return command_usage(&cmd_suppress, "(give the addresses and --reason"
		    " TEXT: \"why\" shows the reason, and \"unsuppress --reason\" can undo"
		    " by it)");
	if (check_addresses("suppress", argv + optind, argc - optind) == -1)
		return EX_DATAERR;
	if ((rc = setup_command_store(g, "suppress", 0, &st)) != 0)
		return rc;
	if (store_begin(st, &e) == -1)
		return finish(st, "suppress", 1, 0, &e);
	rc = suppress_all(st, argv + optind, argc - optind, reason, &e);
	return finish(st, "suppress", rc == -1, 0, &e);
}

const struct command cmd_suppress = {
	"suppress",
	"ADDRESS... --reason TEXT",
	"suppress addresses by hand",
	"usage: bouncescan suppress ADDRESS... --reason TEXT\n"
	"\n"
	"Suppress each ADDRESS with the cause \"manual\" and the reason TEXT (for\n"
	"example \"asked to be removed\", or a ticket number). \"why\" shows it, and\n"
	"\"unsuppress --reason TEXT\" lifts all the addresses suppressed with it.\n"
	"An address already suppressed, for whatever cause, is left as it is.\n"
	"\n"
	"Every address is checked before anything is written: one that is not an\n"
	"address is named and nothing is changed.\n"
	"\n"
	"Exit status: 0, 1 when the database cannot be written, 64 on a usage\n"
	"error, 65 when an address is invalid, 73 when the database cannot be\n"
	"opened for writing, 75 when it is locked, 78 when the configuration is\n"
	"wrong.\n",
	suppress_exec
};

struct unsuppress_options {
	struct store_unsuppress	 filter;	/* without the address */
	int			 dry_run;
};

static int
parse_scan_id(const char *text, int64_t *id)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || n <= 0) {
		fprintf(stderr, "bouncescan: unsuppress: --scan \"%s\": give a scan"
		    " number, as \"why\" and \"export --format csv\" show it\n", text);
		return -1;
	}
	*id = n;
	return 0;
}

static int
parse_date(const char *option, const char *text, time_t *out)
{
	struct err e;

	if (when_parse(text, time(NULL), out, &e) == -1) {
		fprintf(stderr, "bouncescan: unsuppress: %s: %s\n", option, e.msg);
		return -1;
	}
	return 0;
}

static int
unsuppress_option(int ch, struct unsuppress_options *o)
{
	switch (ch) {
	case 'r':
		o->filter.reason = optarg;
		return 0;
	case 'R':
		o->filter.rule = optarg;
		return 0;
	case 's':
		return parse_date("--since", optarg, &o->filter.since);
	case 'u':
		return parse_date("--until", optarg, &o->filter.until);
	case 'S':
		return parse_scan_id(optarg, &o->filter.scan_id);
	case 'n':
		o->dry_run = 1;
		return 0;
	}
	command_usage(&cmd_unsuppress, NULL);
	return -1;
}

/* Returns -1 to go on, else the exit status. */
static int
unsuppress_options(int argc, char **argv, struct unsuppress_options *o)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "rule", required_argument, NULL, 'R' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "scan", required_argument, NULL, 'S' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: start afresh, so options may follow arguments after main's "+" parse. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "r:R:s:u:S:nh", longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(cmd_unsuppress.help, stdout);
			return 0;
		}
		if (unsuppress_option(ch, o) == -1)
			return EX_USAGE;
	}
	if (optind < argc || o->filter.reason != NULL || o->filter.rule != NULL ||
	    o->filter.since != 0 || o->filter.until != 0 || o->filter.scan_id != 0)
		return -1;
	fprintf(stderr, "bouncescan: unsuppress: nothing selected: give addresses, or"
	    " --reason, --rule, --since/--until or --scan to lift in bulk (the whole\n"
	    "list is never lifted at once; see \"bouncescan unsuppress --help\")\n");
	return EX_USAGE;
}

static int
unsuppress_addresses(struct store *st, const struct unsuppress_options *o,
    char **addresses, int n, size_t *total, struct err *e)
{
	struct store_unsuppress u = o->filter;
	size_t count;
	int i;

	for (i = 0; i < n; i++) {
		u.address = addresses[i];
		if (store_unsuppress(st, &u, &count, e) == -1)
			return -1;
		show_text(stdout, addresses[i], "");
		fputs(count > 0 ? (o->dry_run ? ": would be lifted\n" : ": lifted\n") :
		    ": not suppressed (or not matching the filter)\n", stdout);
		*total += count;
	}
	return 0;
}

static int
unsuppress_exec(const struct global_options *g, int argc, char **argv)
{
	struct unsuppress_options o;
	struct store *st;
	struct err e;
	size_t total = 0;
	int rc, n;

	memset(&o, 0, sizeof o);
	if ((rc = unsuppress_options(argc, argv, &o)) != -1)
		return rc;
	n = argc - optind;
	if (check_addresses("unsuppress", argv + optind, n) == -1)
		return EX_DATAERR;
	if ((rc = setup_command_store(g, "unsuppress", 0, &st)) != 0)
		return rc;
	if (store_begin(st, &e) == -1)
		return finish(st, "unsuppress", 1, 0, &e);
	if (n > 0)
		rc = unsuppress_addresses(st, &o, argv + optind, n, &total, &e);
	else
		rc = store_unsuppress(st, &o.filter, &total, &e);
	if (rc == 0)
		printf("%s %zu suppression%s\n", o.dry_run ? "would lift" : "lifted", total,
		    total == 1 ? "" : "s");
	if (rc == 0 && total == 0)
		fprintf(stderr, "bouncescan: unsuppress: no suppression in force matches"
		    " (\"bouncescan why ADDRESS\" shows an address's reason, rule and"
		    " scan)\n");
	return finish(st, "unsuppress", rc == -1, o.dry_run, &e);
}

const struct command cmd_unsuppress = {
	"unsuppress",
	"ADDRESS... | --reason R | --rule RULE | --since DATE [--until DATE] | --scan ID"
	" [--dry-run]",
	"lift suppressions by address, or in bulk by cause",
	"usage: bouncescan unsuppress [--dry-run] ADDRESS...\n"
	"       bouncescan unsuppress [--dry-run] [--reason REASON] [--rule RULE]\n"
	"           [--since DATE] [--until DATE] [--scan ID]\n"
	"\n"
	"Lift suppressions in force: of each ADDRESS, or in bulk, every one that\n"
	"matches all the filters given:\n"
	"\n"
	"  --reason REASON  its reason (userunknown, ...; or a suppress --reason text)\n"
	"  --rule RULE      the classifier rule behind it, as \"why\" shows it\n"
	"                   (e.g. rules.tsv:12, or a site rule file and line)\n"
	"  --since DATE     made on or after DATE: YYYY-MM-DD (UTC) or Nd (N days ago)\n"
	"  --until DATE     made before DATE (--since 2026-11-23 --until 2026-11-24\n"
	"                   is that one day)\n"
	"  --scan ID        decided by events of that scan\n"
	"  --dry-run        say how many would be lifted, change nothing\n"
	"\n"
	"With addresses, the filters narrow what is lifted for them. Without\n"
	"addresses, at least one filter is required. A lifted suppression stays on\n"
	"record (\"why\" shows it), and the events before it no longer count: only\n"
	"new bounces can suppress the address again. Prints how many were lifted.\n"
	"\n"
	"Exit status: 0 (also when nothing matched), 1 when the database cannot be\n"
	"written, 64 on a usage error, 65 when an address is invalid, 73 when the\n"
	"database cannot be opened for writing, 75 when it is locked, 78 when the\n"
	"configuration is wrong.\n",
	unsuppress_exec
};
