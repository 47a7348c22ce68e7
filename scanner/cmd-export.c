/*
 * cmd-export.c: "bouncescan export": the suppression list in force, for a list
 * manager or another tool: plain (one address per line), CSV (RFC 4180, with a
 * header row) or JSON (one object per line). Filters narrow it by class, reason,
 * cause, receiving domain, the date of the suppression, or the list whose bounce
 * decided it.
 *
 * The rows stream from the store one at a time, so a list of a million addresses
 * takes no more memory than one. The database is only read. "bouncescan import"
 * reads the CSV written here.
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
#include "utf8.h"
#include "when.h"

enum export_format { FORMAT_PLAIN, FORMAT_CSV, FORMAT_JSON };

struct export_options {
	enum export_format	format;
	struct store_filter	filter;
	const char		*since;		/* checked once the clock is known */
};

static int
export_plain(const struct store_suppression *s, void *arg)
{
	(void)arg;
	show_text(stdout, s->address, "");
	putchar('\n');
	return 0;
}

/* RFC 4180: quoted when it holds a comma, a quote or edge spaces; quotes doubled. */
static void
csv_field(const char *s)
{
	char *clean;
	const char *p;
	size_t n;

	if (s == NULL || *s == '\0')
		return;
	clean = utf8_clean(s);	/* also turns line breaks into spaces */
	n = strlen(clean);
	if (strpbrk(clean, ",\"") == NULL && clean[0] != ' ' && clean[n - 1] != ' ') {
		fputs(clean, stdout);
		free(clean);
		return;
	}
	putchar('"');
	for (p = clean; *p != '\0'; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	putchar('"');
	free(clean);
}

#define CSV_HEADER "address,domain,cause,class,reason,rule,scan_id,suppressed_at\r\n"

static int
export_csv(const struct store_suppression *s, void *arg)
{
	char when[WHEN_BUFSIZE];
	struct tm tm;

	(void)arg;
	csv_field(s->address);
	putchar(',');
	csv_field(s->domain);
	putchar(',');
	csv_field(s->cause);
	putchar(',');
	csv_field(s->class);
	putchar(',');
	csv_field(s->reason);
	putchar(',');
	csv_field(s->rule);
	putchar(',');
	if (s->scan_id != 0)
		printf("%" PRId64, s->scan_id);
	putchar(',');
	if (s->created > 0 && gmtime_r(&s->created, &tm) != NULL) {
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		fputs(when, stdout);
	}
	fputs("\r\n", stdout);
	return 0;
}

static int
export_json(const struct store_suppression *s, void *arg)
{
	json_t *o = json_object();

	(void)arg;
	json_object_set_new(o, "address", show_json_text(s->address));
	json_object_set_new(o, "domain", show_json_text(s->domain));
	json_object_set_new(o, "cause", show_json_text(s->cause));
	json_object_set_new(o, "class", show_json_text(s->class));
	json_object_set_new(o, "reason", show_json_text(s->reason));
	json_object_set_new(o, "rule", show_json_text(s->rule));
	json_object_set_new(o, "scan_id",
	    s->scan_id != 0 ? json_integer(s->scan_id) : json_null());
	json_object_set_new(o, "suppressed_at", show_json_time(s->created));
	json_object_set_new(o, "list", show_json_text(s->list));
	show_json_line(stdout, o);
	return 0;
}

static int
check_name(const char *option, const char *value, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(value, names[i]) == 0)
			return 0;
	fprintf(stderr, "bouncescan: export: %s \"%s\" is not one of:", option, value);
	for (i = 0; names[i] != NULL; i++)
		fprintf(stderr, " %s", names[i]);
	fputc('\n', stderr);
	return -1;
}

static int
set_format(struct export_options *o, const char *value)
{
	static const char *const formats[] = { "plain", "csv", "json", NULL };

	if (check_name("--format", value, formats) == -1)
		return -1;
	o->format = value[0] == 'p' ? FORMAT_PLAIN : value[0] == 'c' ? FORMAT_CSV :
	    FORMAT_JSON;
	return 0;
}

/* Returns -1 to go on, else the exit status. */
static int
export_options(int argc, char **argv, struct export_options *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "class", required_argument, NULL, 'C' },
		{ "reason", required_argument, NULL, 'r' },
		{ "cause", required_argument, NULL, 'c' },
		{ "domain", required_argument, NULL, 'D' },
		{ "since", required_argument, NULL, 's' },
		{ "list", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const causes[] = { "policy", "manual", "import", NULL };
	int ch, bad = 0;

	/* 0: start afresh, so options may follow arguments after main's "+" parse. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:C:r:c:D:s:l:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			bad |= set_format(o, optarg);
			break;
		case 'C':
			bad |= check_name("--class", optarg, store_class_names());
			o->filter.class = optarg;
			break;
		case 'r':
			o->filter.reason = optarg;
			break;
		case 'c':
			bad |= check_name("--cause", optarg, causes);
			o->filter.cause = optarg;
			break;
		case 'D':
			o->filter.domain = optarg;
			break;
		case 's':
			o->since = optarg;
			break;
		case 'l':
			o->filter.list = optarg;
			break;
		case 'h':
			fputs(cmd_export.help, stdout);
			return 0;
		default:
			bad = -1;
		}
	}
	if (bad == 0 && optind < argc)
		fprintf(stderr, "bouncescan: export: unexpected argument \"%s\"\n",
		    argv[optind]);
	if (bad != 0 || optind < argc)
		return command_usage(&cmd_export, NULL);
	return -1;
}

static int
export_run(struct store *st, struct export_options *o, struct err *e)
{
	static int (*const writers[])(const struct store_suppression *, void *) = {
		[FORMAT_PLAIN] = export_plain,
		[FORMAT_CSV] = export_csv,
		[FORMAT_JSON] = export_json,
	};

	if (o->format == FORMAT_CSV)
		fputs(CSV_HEADER, stdout);
	if (store_export(st, &o->filter, writers[o->format], NULL, e) == -1)
		return -1;
	if (fflush(stdout) == EOF || ferror(stdout))
		return err_set(e, "writing the export failed (disk full, or the reader"
		    " went away)");
	return 0;
}

static int
export_exec(const struct global_options *g, int argc, char **argv)
{
	struct export_options o;
	struct store *st;
	struct err e;
	int rc;

	memset(&o, 0, sizeof o);
	if ((rc = export_options(argc, argv, &o)) != -1)
		return rc;
	if (o.since != NULL &&
	    when_parse(o.since, time(NULL), &o.filter.since, &e) == -1) {
		fprintf(stderr, "bouncescan: export: --since: %s\n", e.msg);
		return EX_USAGE;
	}
	if ((rc = setup_command_store(g, "export", 1, &st)) != 0)
		return rc;
	setup_check_list("export", o.filter.list);
	rc = export_run(st, &o, &e);
	if (rc == -1)
		fprintf(stderr, "bouncescan: export: %s\n", e.msg);
	setup_command_done(st, 0);
	return rc == -1 ? 1 : 0;
}

const struct command cmd_export = {
	"export",
	"[--format plain|csv|json] [--class C] [--reason R] [--cause C] [--domain D]"
	" [--since DATE] [--list NAME]",
	"print the suppression list, filtered",
	"usage: bouncescan export [--format plain|csv|json] [--class CLASS]\n"
	"           [--reason REASON] [--cause CAUSE] [--domain DOMAIN] [--since DATE]\n"
	"           [--list NAME]\n"
	"\n"
	"Print every address suppressed now, ordered by address.\n"
	"\n"
	"  --format plain   one address per line (the default)\n"
	"  --format csv     RFC 4180 CSV with a header row: address, domain, cause,\n"
	"                   class, reason, rule, scan_id, suppressed_at; lines end in\n"
	"                   CRLF. \"bouncescan import\" reads it back.\n"
	"  --format json    one JSON object per line with the same fields, and list\n"
	"  --class CLASS    suppressed by an event of this class: hard, soft,\n"
	"                   complaint (block never suppresses)\n"
	"  --reason REASON  with this reason (userunknown, ...; or the text given to\n"
	"                   suppress --reason)\n"
	"  --cause CAUSE    policy (thresholds), manual or import\n"
	"  --domain DOMAIN  at this receiving domain\n"
	"  --since DATE     suppressed on or after DATE: YYYY-MM-DD (UTC) or Nd\n"
	"                   (N days ago)\n"
	"  --list NAME      suppressed by a bounce of the list [list NAME]. Every\n"
	"                   suppression holds for every list (complaints too): the\n"
	"                   file a list manager loads is the export without --list;\n"
	"                   this one shows what that list's own bounces decided.\n"
	"\n"
	"Filters combine: all must match. Times are UTC. The database is only read.\n"
	"Exit status: 0, 1 when the database cannot be read or the output cannot be\n"
	"written, 64 on a usage error, 66 when there is no database or it is not\n"
	"one, 75 when it is locked, 78 when the configuration is wrong.\n",
	export_exec
};
