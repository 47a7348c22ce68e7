/*
 * main.c: the command-line dispatcher. Global options, then one command from the
 * table; each command lives in its own cmd-*.c file.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"

static const struct command *const commands[] = {
	&cmd_parse,
	&cmd_scan,
	&cmd_status,
	&cmd_why,
	&cmd_export,
	&cmd_import,
	&cmd_suppress,
	&cmd_unsuppress,
	&cmd_stats,
	&cmd_reapply,
	&cmd_copy_store,
	&cmd_webhooks,
	NULL
};

static void
usage(FILE *f)
{
	const struct command *const *c;

	fprintf(f, "usage: bouncescan [-c CONFIG] [-d DATABASE] COMMAND [ARGS]\n\n"
	    "Reads a mailing list's bounces and decides, for every failed recipient,\n"
	    "whether the address is gone (hard), may recover (soft), or the failure is\n"
	    "the sender side's problem (block).\n\nCommands:\n");
	for (c = commands; *c != NULL; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\n\"bouncescan COMMAND --help\" tells more; see also bouncescan(1).\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct global_options g = { NULL, NULL };
	const struct command *const *c;
	int ch;

	/*
	 * Each message allocates and frees a few hundred kilobytes; without this the
	 * heap is trimmed and regrown every message (measured: a third of the time
	 * in "make bench" went to brk and page faults).
	 */
	mallopt(M_TOP_PAD, 16 << 20);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	while ((ch = getopt_long(argc, argv, "+c:d:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			g.config_path = optarg;
			break;
		case 'd':
			g.database_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("bouncescan %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0 || strcmp(argv[optind], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	for (c = commands; *c != NULL; c++)
		if (strcmp((*c)->name, argv[optind]) == 0)
			return (*c)->exec(&g, argc - optind, argv + optind);
	fprintf(stderr, "bouncescan: unknown command \"%s\"\n\n", argv[optind]);
	usage(stderr);
	return EX_USAGE;
}
