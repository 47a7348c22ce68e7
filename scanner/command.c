/*
 * command.c: what every command does the same way with its command line: the
 * usage line of an error, and the option loop of the commands that only have
 * --help. The table of commands itself is in main.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "command.h"

int
command_usage(const struct command *cmd, const char *why)
{
	/* No space after the name of a command that takes nothing (reapply). */
	fprintf(stderr, "usage: bouncescan %s%s%s\n", cmd->name,
	    cmd->usage[0] != '\0' ? " " : "", cmd->usage);
	if (why != NULL)
		fprintf(stderr, "%s\n", why);
	return EX_USAGE;
}

int
command_help_only(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: start afresh, so options may follow arguments after main's "+" parse. */
	optind = 0;
	ch = getopt_long(argc, argv, "h", longopts, NULL);
	if (ch == -1)
		return -1;
	if (ch != 'h')
		return command_usage(cmd, NULL);
	fputs(cmd->help, stdout);
	return 0;
}
