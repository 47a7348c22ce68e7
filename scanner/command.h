/*
 * command.h: one table entry per command, so main.c is only a dispatcher.
 */
#ifndef BOUNCESCAN_COMMAND_H
#define BOUNCESCAN_COMMAND_H

/* Options that come before the command. */
struct global_options {
	const char	*config_path;	/* -c, or NULL */
	const char	*database_path;	/* -d, or NULL */
};

struct command {
	const char	*name;
	const char	*usage;		/* arguments, for the usage line */
	const char	*summary;	/* one line for --help */
	const char	*help;		/* the full text for "COMMAND --help" */
	/* Returns the exit status. argv[0] is the command name. */
	int		(*exec)(const struct global_options *, int argc, char **argv);
};

/*
 * Print "usage: bouncescan NAME USAGE" on stderr, then why (a hint such as
 * "(one address)") on a line of its own unless it is NULL. Returns EX_USAGE,
 * so that a command can end with "return command_usage(&cmd_why, NULL);".
 */
int command_usage(const struct command *cmd, const char *why);

/*
 * Parse the options of a command whose only option is --help. Returns -1 when
 * the command should go on with its arguments from argv[optind], or the exit
 * status to end with: 0 after printing the help, EX_USAGE after a usage error.
 * The command still checks how many arguments it got.
 */
int command_help_only(const struct command *cmd, int argc, char **argv);

extern const struct command cmd_parse;
extern const struct command cmd_scan;
/* The store's queries and changes (cmd-status.c ... cmd-reapply.c). */
extern const struct command cmd_status;
extern const struct command cmd_why;
extern const struct command cmd_export;
extern const struct command cmd_import;
extern const struct command cmd_suppress;
extern const struct command cmd_unsuppress;
extern const struct command cmd_stats;
extern const struct command cmd_reapply;
extern const struct command cmd_webhooks;	/* cmd-webhooks.c */
extern const struct command cmd_copy_store;	/* cmd-copy-store.c */

#endif
