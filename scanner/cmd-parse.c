/*
 * cmd-parse.c: "bouncescan parse [--json] FILE...": classify files and print the
 * results. Touches no database and no mailbox: the way to see what bouncescan would
 * decide, and the interface the scoring tools use.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "classifier.h"
#include "command.h"
#include "conf.h"
#include "output.h"
#include "readfile.h"
#include "setup.h"

static int
parse_one(const struct classifier *c, const char *path, int json, int *failed)
{
	struct report r;
	struct err e;
	char *buf;
	size_t len;

	if (read_file(path, CLASSIFIER_MAX_BYTES, &buf, &len, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: %s\n", path, e.msg);
		*failed = 1;
		return -1;
	}
	memset(&r, 0, sizeof r);
	if (classify(c, buf, len, &r) == -1) {
		fprintf(stderr, "bouncescan: %s: cannot read the message: %s\n", path, r.error);
		*failed = 1;
	} else {
		if (r.error[0] != '\0')
			fprintf(stderr, "bouncescan: %s: warning: %s\n", path, r.error);
		if (json)
			output_json(stdout, path, &r);
		else
			output_table(stdout, path, &r);
	}
	report_free(&r);
	free(buf);
	return 0;
}

static int
parse_exec(const struct global_options *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "generic-only", no_argument, NULL, 'g' },
		{ "rules", required_argument, NULL, 'r' },
		{ "verp", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct classifier *c;
	struct conf conf;
	struct err e;
	int ch, json = 0, failed = 0, i;

	memset(&conf, 0, sizeof conf);
	c = setup_classifier(g, &conf);
	conf_free(&conf);
	if (c == NULL)
		return EX_CONFIG;
	optind = 0;	/* 0: reinitialise glibc getopt, which main left in "+" mode */
	while ((ch = getopt_long(argc, argv, "jgr:v:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'g':
			classifier_set_generic_only(c, 1);
			break;
		case 'r':
			if (classifier_load_rules(c, optarg, &e) == -1) {
				fprintf(stderr, "bouncescan: rules: %s\n", e.msg);
				classifier_free(c);
				return EX_DATAERR;
			}
			break;
		case 'v':
			if (classifier_set_verp(c, optarg, &e) == -1) {
				fprintf(stderr, "bouncescan: --verp: %s\n", e.msg);
				classifier_free(c);
				return EX_USAGE;
			}
			break;
		case 'h':
			fputs(cmd_parse.help, stdout);
			classifier_free(c);
			return 0;
		default:
			classifier_free(c);
			return command_usage(&cmd_parse, NULL);
		}
	}
	if (optind >= argc) {
		classifier_free(c);
		return command_usage(&cmd_parse, "(give one or more message files, or -"
		    " for standard input)");
	}
	if (!json)
		output_table_header(stdout);
	for (i = optind; i < argc; i++)
		parse_one(c, argv[i], json, &failed);
	classifier_free(c);
	return failed ? 1 : 0;
}

const struct command cmd_parse = {
	"parse",
	"[--json] [--generic-only] [--rules FILE] [--verp PATTERN] FILE...",
	"classify message files and print the results; touches no database",
	"usage: bouncescan parse [--json] [--generic-only] [--rules FILE]\n"
	"                        [--verp PATTERN] FILE...\n"
	"\n"
	"Classify each message file (one message per file; - reads standard input)\n"
	"and print one result per failed, delayed or reported recipient.\n"
	"Nothing is stored and no mailbox is touched.\n"
	"\n"
	"  --json          one JSON object per line and result, with the fields file,\n"
	"                  recipient, action, status, smtp_code, class, reason,\n"
	"                  diagnostic, remote_mta, rule and format (null when unknown).\n"
	"                  A message that is not a bounce prints one object with\n"
	"                  \"class\": \"none\".\n"
	"  --generic-only  a diagnostic: read every message with the generic reader,\n"
	"                  RFC 3464 DSNs and RFC 5965 reports only, as if no MTA's\n"
	"                  own format were known (to see what the generic reader\n"
	"                  catches alone)\n"
	"  --rules FILE    a site rule file, consulted before the built-in rules\n"
	"                  (format: bouncescan.conf(5), RULE FILES)\n"
	"  --verp PATTERN  the list's VERP address, e.g.\n"
	"                  'bounces+{local}={domain}@lists.example.org'\n"
	"\n"
	"Classes: hard (the address is gone), soft (may pass), block (the sender\n"
	"side's problem: blocklists, policy, authentication), complaint, autoreply,\n"
	"delayed, delivered, none.\n"
	"\n"
	"Exit status: 0 when every file was read, 1 when any could not be (the\n"
	"others are still processed; stderr names each one), 64 on a usage error,\n"
	"65 when a --rules file is wrong, 78 when the configuration is wrong.\n",
	parse_exec
};
