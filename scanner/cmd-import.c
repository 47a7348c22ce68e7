/*
 * cmd-import.c: "bouncescan import FILE": load a suppression list kept elsewhere
 * (another tool's export, a list manager's unsubscribe file, our own CSV export).
 *
 * The file is one address per line or CSV with a header naming the address
 * column (db/import.c says which names). It is idempotent: addresses already
 * suppressed are left as they are, so running the same import twice adds nothing
 * the second time. Lines that are not addresses are counted and the first one is
 * named, never stored.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "db.h"
#include "setup.h"
#include "show.h"

static int
import_file(struct store *st, const char *name, struct err *e)
{
	const char *path = strcmp(name, "-") == 0 ? "/dev/stdin" : name;
	struct store_import_result r;

	memset(&r, 0, sizeof r);
	if (store_import(st, path, &r, e) == -1)
		return -1;
	printf("%s: %zu added, %zu already suppressed, %zu rejected\n", name, r.added,
	    r.already, r.invalid);
	if (r.invalid == 0)
		return 0;
	fprintf(stderr, "bouncescan: import: %s: %zu line(s) were skipped (not an"
	    " address, or not readable as a line or CSV record); the first: ", name,
	    r.invalid);
	show_text(stderr, r.first_invalid, "?");
	fputs("\n", stderr);
	return 1;
}

static int
import_exec(const struct global_options *g, int argc, char **argv)
{
	struct store *st;
	struct err e;
	int rc;

	if ((rc = command_help_only(&cmd_import, argc, argv)) != -1)
		return rc;
	if (argc - optind != 1)
		return command_usage(&cmd_import, "(one file; - for standard input)");
	if ((rc = setup_command_store(g, "import", 0, &st)) != 0)
		return rc;
	rc = import_file(st, argv[optind], &e);
	if (rc == -1) {
		fprintf(stderr, "bouncescan: import: %s\n(nothing was imported)\n", e.msg);
		rc = store_retry(st) ? EX_TEMPFAIL : 1;
	}
	setup_command_done(st, rc == 0);
	return rc;
}

const struct command cmd_import = {
	"import",
	"FILE",
	"load an existing suppression list (plain or CSV)",
	"usage: bouncescan import FILE\n"
	"\n"
	"Suppress every address of FILE (- reads standard input), with the cause\n"
	"\"import\". FILE is either one address per line (blank lines and lines\n"
	"starting with # are skipped), or CSV whose header row names the address\n"
	"column (email, address, email_address, e-mail, recipient or mail) and\n"
	"optionally a reason column, as \"bouncescan export --format csv\" writes.\n"
	"CSV is read as RFC 4180 has it: a quoted field may hold commas, doubled\n"
	"quotes and newlines.\n"
	"\n"
	"Importing is idempotent: an address already suppressed, for whatever\n"
	"cause, is left as it is. Lines that are not valid addresses (or longer\n"
	"than 254 bytes), lines with a NUL byte and CSV records that cannot be\n"
	"read exactly (an unclosed quote, a quote inside an unquoted field) are\n"
	"skipped, counted, and the first one is named with its line number.\n"
	"Prints how many were added, already suppressed and rejected.\n"
	"\n"
	"Exit status: 0, 1 when some lines were rejected (the rest is imported) or\n"
	"the file or database cannot be read (then nothing is), 73 when the\n"
	"database cannot be opened for writing, 75 when it is locked (try again),\n"
	"78 when the configuration is wrong.\n",
	import_exec
};
