/*
 * cmd-reapply.c: "bouncescan reapply": re-derive every address's counters and
 * state from the event log under the [policy] of the configuration, after a
 * threshold changed. The result is the same as if the new thresholds had always
 * been set: addresses that now reach a threshold are suppressed, and policy
 * suppressions that no longer would be are lifted. Manual and imported
 * suppressions, and everything undone by "unsuppress", are left alone.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "db.h"
#include "setup.h"

static int
reapply_exec(const struct global_options *g, int argc, char **argv)
{
	struct store *st;
	struct err e;
	size_t changed = 0;
	int rc;

	if ((rc = command_help_only(&cmd_reapply, argc, argv)) != -1)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "usage: bouncescan reapply (no arguments)\n");
		return EX_USAGE;
	}
	if ((rc = setup_command_store(g, "reapply", 0, &st)) != 0)
		return rc;
	if (store_reapply(st, &changed, &e) == -1) {
		fprintf(stderr, "bouncescan: reapply: %s\n(nothing was changed)\n", e.msg);
		rc = store_retry(st) ? EX_TEMPFAIL : 1;
	} else
		printf("policy re-applied: %zu address%s changed state\n", changed,
		    changed == 1 ? "" : "es");
	setup_command_done(st, rc == 0 && changed > 0);
	return rc;
}

const struct command cmd_reapply = {
	"reapply",
	"",
	"re-derive every state after a [policy] change",
	"usage: bouncescan reapply\n"
	"\n"
	"Recompute every address's counters and state from the recorded events\n"
	"under the thresholds of the configuration's [policy] section, as if they\n"
	"had always been set: addresses that now reach a threshold are suppressed,\n"
	"policy suppressions that no longer would be are lifted (\"why\" shows them\n"
	"as lifted by reapply). Manual and imported suppressions stay, and events\n"
	"before an \"unsuppress\" still do not count. Prints how many addresses\n"
	"changed state.\n"
	"\n"
	"Exit status: 0, 1 when the database cannot be written, 64 on a usage\n"
	"error, 73 when it cannot be opened for writing, 75 when it is locked (try\n"
	"again), 78 when the configuration is wrong.\n",
	reapply_exec
};
