/*
 * cmd-copy-store.c: "bouncescan copy-store FROM TO": move a store between
 * backends (a SQLite file and a PostgreSQL URL, either way, or file to file)
 * with everything in it: events, suppressions with their evidence, incidents,
 * the webhook outbox, scans and each source's progress. TO must be new (or
 * hold no rows); the copy is one transaction there, and every table's rows
 * are counted on both sides afterwards (db/copy.c). FROM is only read.
 * -d is not used: both stores are named. The configuration gives the
 * password_file of a URL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "command.h"
#include "conf.h"
#include "db.h"

static int
print_count(const char *table, int64_t rows, void *arg)
{
	(void)arg;
	printf("  %-16s %lld\n", table, (long long)rows);
	return 0;
}

static int
copy_store_exec(const struct global_options *g, int argc, char **argv)
{
	struct store *from = NULL, *to = NULL;
	struct conf conf;
	struct err e;
	int rc, retry = 0;

	if ((rc = command_help_only(&cmd_copy_store, argc, argv)) != -1)
		return rc;
	if (argc - optind != 2)
		return command_usage(&cmd_copy_store, "(a store to copy and a new one)");
	memset(&conf, 0, sizeof conf);
	if (conf_load(&conf, g->config_path, &e) == -1) {
		fprintf(stderr, "bouncescan: copy-store: %s\n", e.msg);
		conf_free(&conf);
		return EX_CONFIG;
	}
	store_set_password_file(conf.password_file);
	conf_free(&conf);
	if (!store_is_url(argv[optind]) && access(argv[optind], F_OK) == -1) {
		fprintf(stderr, "bouncescan: copy-store: %s: %s\n", argv[optind],
		    strerror(errno));
		return EX_NOINPUT;
	}
	if ((from = store_open_readonly(argv[optind], &e, &retry)) == NULL) {
		fprintf(stderr, "bouncescan: copy-store: %s\n", e.msg);
		return retry ? EX_TEMPFAIL : EX_NOINPUT;
	}
	if ((to = store_open(argv[optind + 1], &e, &retry)) == NULL) {
		fprintf(stderr, "bouncescan: copy-store: %s\n", e.msg);
		store_close(from);
		return retry ? EX_TEMPFAIL : EX_CANTCREAT;
	}
	printf("copied %s to %s, rows counted on both sides:\n", argv[optind],
	    argv[optind + 1]);
	fflush(stdout);
	if (store_copy(from, to, print_count, NULL, &e) == -1) {
		fprintf(stderr, "bouncescan: copy-store: %s\n", e.msg);
		rc = store_retry(to) || store_retry(from) ? EX_TEMPFAIL : 1;
	} else
		rc = 0;
	store_close(from);
	store_close(to);
	return rc;
}

const struct command cmd_copy_store = {
	"copy-store",
	"FROM TO",
	"copy a store into a new one (SQLite <-> PostgreSQL)",
	"usage: bouncescan copy-store FROM TO\n"
	"\n"
	"Copy everything in the store FROM (a file, or a postgresql:// URL) into\n"
	"TO, a new store of either kind: events, suppressions with their evidence,\n"
	"incidents, the webhook outbox, scans and the sources' progress, with\n"
	"their ids. TO must hold nothing yet; the copy is one transaction, so it is\n"
	"all there or not at all. Afterwards the rows of every table are counted\n"
	"in both and printed; a difference is an error. FROM is only read. A\n"
	"URL's password comes from ~/.pgpass, PGPASSFILE or the configuration's\n"
	"[database] password_file. Stop the scanners writing to FROM first.\n"
	"\n"
	"Exit status: 0, 1 when the copy failed (nothing is left in TO) or the\n"
	"counts differ, 64 on a usage error, 66 when FROM cannot be read, 73 when\n"
	"TO cannot be created, 75 when either is locked or unreachable (try\n"
	"again), 78 when the configuration is wrong.\n",
	copy_store_exec
};
