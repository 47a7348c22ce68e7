/*
 * cmd-stats.c: "bouncescan stats": what the bounces say in aggregate, for the
 * deliverability engineer: counts by class, reason, receiving domain and day, and
 * the sender-side incidents (a burst of block results from one receiving domain,
 * or a high block share in one scan), which mean the list's own mail is being
 * refused and no recipient is to blame.
 *
 * People get a report with the longest lists cut short; --json gives a program
 * everything as one object. --list NAME counts the bounces of one list only;
 * incidents are the host's (a receiving domain refuses the sending host, not
 * one list) and are left out then. The database is only read.
 */
#include <getopt.h>
#include <inttypes.h>
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

#define TOP_LINES	20	/* per section, for people; --json has every row */

struct stats_run {
	int		 json;
	size_t		 lines;		/* of the current section */
	size_t		 hidden;
	char		 day[WHEN_BUFSIZE];	/* the day being printed (by day) */
	json_t		*array;		/* the current section (json) */
};

static int
stat_json(const struct store_stat *s, void *arg)
{
	struct stats_run *run = arg;
	json_t *o = json_object();

	json_object_set_new(o, "key", show_json_text(s->key));
	json_object_set_new(o, "class", show_json_text(s->class));
	if (s->reason != NULL)
		json_object_set_new(o, "reason", show_json_text(s->reason));
	json_object_set_new(o, "count", json_integer(s->count));
	json_array_append_new(run->array, o);
	return 0;
}

/* "  37  block  example.com (blocked)": rows come sorted by count. */
static int
stat_line(const struct store_stat *s, void *arg)
{
	struct stats_run *run = arg;

	if (run->lines++ >= TOP_LINES) {
		run->hidden++;
		return 0;
	}
	printf("  %8" PRId64 "  %-9s  ", s->count, s->class != NULL ? s->class : "-");
	if (s->class == NULL || s->key == NULL || strcmp(s->key, s->class) != 0)
		show_text(stdout, s->key, "(none)");
	if (s->reason != NULL && strcmp(s->reason, s->key) != 0) {
		fputs(" (", stdout);
		show_text(stdout, s->reason, "");
		fputs(")", stdout);
	}
	putchar('\n');
	return 0;
}

/* "  2026-11-23  hard 3, block 37": one line per day, rows come sorted by day. */
static int
stat_day(const struct store_stat *s, void *arg)
{
	struct stats_run *run = arg;
	const char *day = s->key != NULL ? s->key : "-";

	if (strcmp(run->day, day) != 0) {
		if (run->day[0] != '\0')
			putchar('\n');
		snprintf(run->day, sizeof run->day, "%s", day);
		printf("  %s ", run->day);
	} else
		putchar(',');
	printf(" %s %" PRId64, s->class != NULL ? s->class : "-", s->count);
	return 0;
}

static const struct stats_section {
	const char		*name;		/* JSON key */
	const char		*title;
	enum store_stats_by	 by;
} sections[] = {
	{ "by_class", "By class", STORE_BY_CLASS },
	{ "by_reason", "By reason", STORE_BY_REASON },
	{ "by_domain", "By receiving domain", STORE_BY_DOMAIN },
	{ "blocked_domains", "Block results by receiving domain (the sending side"
	    " refused)", STORE_BY_BLOCKED_DOMAIN },
	{ "by_day", "Per day (UTC)", STORE_BY_DAY },
};

static int
print_section(struct store *st, const struct stats_section *sec, time_t since,
    const char *list, struct stats_run *run, struct err *e)
{
	run->lines = run->hidden = 0;
	run->day[0] = '\0';
	printf("%s:\n", sec->title);
	if (store_stats_list(st, sec->by, since, list, sec->by == STORE_BY_DAY ?
	    stat_day : stat_line, run, e) == -1)
		return -1;
	if (sec->by == STORE_BY_DAY && run->day[0] != '\0')
		putchar('\n');
	if (run->lines == 0 && run->day[0] == '\0')
		puts("  (none)");
	if (run->hidden > 0)
		printf("  ... %zu more (--json shows all)\n", run->hidden);
	putchar('\n');
	return 0;
}

/* "2026-11-23: 37 block results from example.com (blocked): ..." */
static int
incident_line(const struct store_incident *i, void *arg)
{
	struct stats_run *run = arg;
	char day[WHEN_BUFSIZE];

	run->lines++;
	printf("  %s: ", when_format_day(i->created, day));
	if (strcmp(i->kind, "domain") == 0) {
		printf("%" PRId64 " block results from ", i->blocks);
		show_text(stdout, i->domain, "?");
	} else
		printf("%" PRId64 " of %" PRId64 " failures in scan %" PRId64
		    " were block results", i->blocks, i->failures, i->scan_id);
	fputs(" (", stdout);
	show_text(stdout, i->reason, "no reason");
	fputs("): the sending side is being refused\n", stdout);
	return 0;
}

static int
incident_json(const struct store_incident *i, void *arg)
{
	struct stats_run *run = arg;
	json_t *o = json_object();

	json_object_set_new(o, "date", show_json_time(i->created));
	json_object_set_new(o, "kind", show_json_text(i->kind));
	json_object_set_new(o, "domain", show_json_text(i->domain));
	json_object_set_new(o, "reason", show_json_text(i->reason));
	json_object_set_new(o, "blocks", json_integer(i->blocks));
	json_object_set_new(o, "failures", json_integer(i->failures));
	json_object_set_new(o, "scan_id",
	    i->scan_id != 0 ? json_integer(i->scan_id) : json_null());
	json_array_append_new(run->array, o);
	return 0;
}

static int
stats_plain(struct store *st, time_t since, const char *list, struct err *e)
{
	struct stats_run run;
	char day[WHEN_BUFSIZE];
	size_t i;

	memset(&run, 0, sizeof run);
	fputs(since != 0 ? "Events" : "All events", stdout);
	if (list != NULL) {
		fputs(" of list ", stdout);
		show_text(stdout, list, "");
	}
	if (since != 0)
		printf(" since %s", when_format(since, day));
	fputs("\n\n", stdout);
	for (i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (print_section(st, &sections[i], since, list, &run, e) == -1)
			return -1;
	fputs("Sender-side incidents:\n", stdout);
	if (list != NULL) {
		puts("  (the host's, not one list's: see stats without --list)");
		return 0;
	}
	run.lines = 0;
	if (store_incidents(st, since, incident_line, &run, e) == -1)
		return -1;
	if (run.lines == 0)
		puts("  (none)");
	return 0;
}

static int
stats_json(struct store *st, time_t since, const char *list, struct err *e)
{
	struct stats_run run;
	json_t *o = json_object();
	size_t i;

	memset(&run, 0, sizeof run);
	json_object_set_new(o, "since", show_json_time(since));
	if (list != NULL)
		json_object_set_new(o, "list", show_json_text(list));
	for (i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		run.array = json_array();
		json_object_set_new(o, sections[i].name, run.array);
		if (store_stats_list(st, sections[i].by, since, list, stat_json, &run,
		    e) == -1)
			goto fail;
	}
	if (list != NULL) {
		show_json_line(stdout, o);
		return 0;
	}
	run.array = json_array();
	json_object_set_new(o, "incidents", run.array);
	if (store_incidents(st, since, incident_json, &run, e) == -1)
		goto fail;
	show_json_line(stdout, o);
	return 0;
fail:
	json_decref(o);
	return -1;
}

/* Returns -1 to go on, else the exit status. */
static int
stats_options(int argc, char **argv, int *json, time_t *since, const char **list)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "list", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct err e;
	int ch;

	/* 0: start afresh, so options may follow arguments after main's "+" parse. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "js:l:h", longopts, NULL)) != -1) {
		if (ch == 'j')
			*json = 1;
		else if (ch == 'l')
			*list = optarg;
		else if (ch == 's' && when_parse(optarg, time(NULL), since, &e) == -1) {
			fprintf(stderr, "bouncescan: stats: --since: %s\n", e.msg);
			return EX_USAGE;
		} else if (ch == 'h') {
			fputs(cmd_stats.help, stdout);
			return 0;
		} else if (ch != 's')
			return command_usage(&cmd_stats, NULL);
	}
	if (optind < argc)
		return command_usage(&cmd_stats, NULL);
	return -1;
}

static int
stats_exec(const struct global_options *g, int argc, char **argv)
{
	struct store *st;
	struct err e;
	const char *list = NULL;
	time_t since = 0;
	int json = 0, rc;

	if ((rc = stats_options(argc, argv, &json, &since, &list)) != -1)
		return rc;
	if ((rc = setup_command_store(g, "stats", 1, &st)) != 0)
		return rc;
	setup_check_list("stats", list);
	rc = json ? stats_json(st, since, list, &e) :
	    stats_plain(st, since, list, &e);
	if (rc == -1)
		fprintf(stderr, "bouncescan: stats: %s\n", e.msg);
	setup_command_done(st, 0);
	return rc == -1 ? 1 : 0;
}

const struct command cmd_stats = {
	"stats",
	"[--since DATE] [--list NAME] [--json]",
	"counts by class, reason, receiving domain, day; incidents",
	"usage: bouncescan stats [--since DATE] [--list NAME] [--json]\n"
	"\n"
	"Count the events recorded (by the bounce's own date): by class, by reason,\n"
	"by receiving domain, block results by receiving domain and reason, and per\n"
	"day; then list the sender-side incidents, such as\n"
	"\n"
	"  2026-11-23: 37 block results from example.com (blocked): the sending side\n"
	"  is being refused\n"
	"\n"
	"An incident means the list's own mail is refused (a blocklisted address,\n"
	"failing authentication, a policy): fix the sending side; the recipients are\n"
	"not to blame and are not suppressed for it. The lists of reasons and\n"
	"domains show the 20 largest.\n"
	"\n"
	"  --since DATE  only events (and incidents) from DATE on: YYYY-MM-DD (UTC)\n"
	"                or Nd (N days ago)\n"
	"  --list NAME   only the bounces of the list [list NAME]; incidents, the\n"
	"                host's and not one list's, are left out\n"
	"  --json        one JSON object with the arrays by_class, by_reason,\n"
	"                by_domain, blocked_domains, by_day (objects with key, class,\n"
	"                reason when grouped by it, count) and incidents (date, kind,\n"
	"                domain, reason, blocks, failures, scan_id); with --list,\n"
	"                list and no incidents\n"
	"\n"
	"The database is only read. Exit status: 0, 1 when it cannot be read, 64 on\n"
	"a usage error, 66 when there is no database or it is not one, 75 when it\n"
	"is locked, 78 when the configuration is wrong.\n",
	stats_exec
};
