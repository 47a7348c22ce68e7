/*
 * cmd-scan.c: "bouncescan scan [--dry-run] [--quiet] [SOURCE...]": read the
 * bounces mailboxes, store what they say, and move what was stored out of the
 * way. This file chooses the sources, opens the store and decides the exit
 * status; the loop itself is scan.c.
 *
 * Exit status matters here because an MTA reads it: in pipe mode ("-") every
 * database failure exits 75 (EX_TEMPFAIL), so the MTA keeps the message and
 * tries again later; the store knows each message by its hash, so a retry
 * never counts a bounce twice. A piped message that is not stored as a bounce
 * is kept as [pipe] unrecognized says (pipe-keep.c) before exit 0, or refused
 * with exit 65 (EX_DATAERR) so the MTA returns it to its sender: it is never
 * dropped.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "classifier.h"
#include "command.h"
#include "conf.h"
#include "lock.h"
#include "net.h"
#include "pipe-keep.h"
#include "scan.h"
#include "setup.h"
#include "url.h"
#include "webhook.h"	/* webhook */
#include "xalloc.h"

/* A configured source by name, or a spec (whose settings a section may give). */
static void
target_resolve(const struct conf *conf, const char *arg, struct scan_target *t)
{
	const struct conf_source *cs = conf_source(conf, arg);
	size_t i;

	if (cs != NULL) {
		t->label = xasprintf("%s (%s)", cs->name, cs->url);
		t->spec = cs->url;
		t->settings = &cs->settings;
		return;
	}
	t->label = xstrdup(strcmp(arg, "-") == 0 ? "standard input" : arg);
	t->spec = arg;
	t->settings = NULL;
	for (i = 0; i < conf->nsources; i++)
		if (strcmp(conf->sources[i].url, arg) == 0)
			t->settings = &conf->sources[i].settings;
}

/* The sources of the command line, or every configured one; NULL: none. */
static struct scan_target *
targets_from(const struct conf *conf, int argc, char **argv, size_t *count)
{
	struct scan_target *t;
	size_t i;

	*count = argc > 0 ? (size_t)argc : conf->nsources;
	if (*count == 0)
		return NULL;
	t = xcalloc(*count, sizeof *t);
	for (i = 0; i < *count; i++)
		target_resolve(conf, argc > 0 ? argv[i] : conf->sources[i].name, &t[i]);
	return t;
}

static void
targets_free(struct scan_target *t, size_t count)
{
	size_t i;

	for (i = 0; t != NULL && i < count; i++)
		free(t[i].label);
	free(t);
}

/*
 * What a scan can find wrong in its sources before it starts, as configuration
 * errors: a password written in a URL on the command line (refused without
 * being shown), and for a network source a password setting that cannot work,
 * such as a password_file others may read. 0, or -1 after saying why.
 */
static int
targets_check(const struct scan_target *targets, size_t count)
{
	char shown[URL_SHOWN_MAX];
	struct url u;
	struct err e;
	size_t i;

	for (i = 0; i < count; i++) {
		const struct scan_target *t = &targets[i];

		if (url_has_password(t->spec)) {
			url_redact(t->spec, shown, sizeof shown);
			fprintf(stderr, "bouncescan: %s: a password does not belong in"
			    " the URL; name the source in a [source NAME] section with"
			    " a password_file (or password_command, password_env)\n",
			    shown);
			return -1;
		}
		if (t->settings == NULL || url_parse(t->spec, &u, &e) == -1)
			continue;
		if (net_password_check(t->settings, &e) == -1) {
			fprintf(stderr, "bouncescan: %s: %s\n", t->label, e.msg);
			return -1;
		}
	}
	return 0;
}

/* A dry run only reads the store, and only when there is one. */
static struct store *
open_store(const struct global_options *g, const struct conf *conf, int dry_run,
    struct lock_file *locks, int *failed)
{
	struct store *st = NULL;
	struct err e;
	char *path;

	*failed = 0;
	locks->fd = -1;
	if ((path = conf_database_path(conf, g->database_path, &e)) == NULL) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		*failed = 1;
		return NULL;
	}
	if (!dry_run)
		st = store_open(path, &e, NULL);
	else if (store_is_url(path) || access(path, F_OK) == 0)
		st = store_open_readonly(path, &e, NULL);
	if (st == NULL && (!dry_run || store_is_url(path) ||
	    access(path, F_OK) == 0)) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		*failed = 1;
	}
	if (st != NULL && !dry_run && lock_open(locks, path, st, &e) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		store_close(st);
		st = NULL;
		*failed = 1;
	}
	free(path);
	if (st != NULL)
		store_set_policy(st, &conf->policy);
	/* webhook: subscribe before anything is stored, so the outbox is filled */
	if (st != NULL && !dry_run && webhooks_setup(st, conf) == -1)
		*failed = 1;
	return st;
}

/* Why "bouncescan scan NAME" did not find NAME, when that is the likely mistake. */
static void
explain_unknown(const struct conf *conf, const char *spec)
{
	if (strchr(spec, ':') != NULL || strchr(spec, '/') != NULL ||
	    access(spec, F_OK) == 0)
		return;
	fprintf(stderr, "bouncescan: %s: no [source %s] in %s, and no file of that"
	    " name\n", spec, spec, conf->path != NULL ? conf->path :
	    "the configuration");
}

/* 1 when any message of the scan needs a person's attention. */
static int
scan_troubled(const struct scan_totals *t)
{
	return t->skipped > 0 || t->unreadable > 0 || t->dispose_failed > 0 ||
	    t->source_failed || t->store_failed;
}

/* 1 when the classifier finds a recipient in the message: it was a bounce. */
static int
is_bounce(const struct classifier *c, const char *data, size_t length)
{
	struct report r;
	size_t i;
	int found = 0;

	memset(&r, 0, sizeof r);
	if (classify(c, data, length, &r) != -1)
		for (i = 0; i < r.nresults && !found; i++)
			found = r.results[i].class != CLASS_NONE &&
			    r.results[i].recipient != NULL;
	report_free(&r);
	return found;
}

/*
 * The piped message when it was not stored as a bounce (not a bounce, a bounce
 * naming no address, not a message at all): keep it as [pipe] says, or refuse
 * it. One stored by an earlier delivery of the same bytes is looked at again,
 * since that delivery may have ended in exit 75 before it was kept. Returns
 * the exit status, status when there is nothing to keep.
 */
static int
pipe_unrecognized(const struct scan *sc, const struct source *s,
    const struct scan_totals *t, int status)
{
	static const struct pipe_conf refuse;	/* no configuration: the default */
	const struct pipe_conf *keep = sc->conf != NULL ? &sc->conf->pipe : &refuse;
	const char *data;
	size_t length;
	struct err e;
	int rc;

	if (sc->options.dry_run || t->store_failed || status == EX_TEMPFAIL ||
	    t->bounces > 0 || source_stdin_message(s, &data, &length) == -1)
		return status;
	if (t->already > 0 && is_bounce(sc->classifier, data, length))
		return status;
	if ((rc = pipe_keep(keep, data, length, &e)) == -1) {
		fprintf(stderr, "bouncescan: -: not a bounce it could store, and not"
		    " kept: %s\n", e.msg);
		return EX_TEMPFAIL;
	}
	if (rc == 1) {
		fprintf(stderr, "bouncescan: %s\n", PIPE_REFUSAL);
		return EX_DATAERR;
	}
	if (sc->options.verbose)
		printf("-: not a bounce it could store; %s %s\n",
		    keep->unrecognized == PIPE_KEEP_MAILDIR ? "delivered into" :
		    "forwarded to", keep->target);
	return 0;
}

/* Scan every target; returns the exit status. */
/* 0 when the source is ours to scan; 1 when another process is scanning it. */
static int
take_lock(const struct scan *sc, struct lock_file *locks, const struct scan_target *t,
    int *status)
{
	struct err e;
	int rc;

	if (locks->fd == -1 || strcmp(t->spec, "-") == 0)
		return 0;
	if ((rc = lock_source(locks, t->spec, &e)) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		*status = 1;
		return 1;
	}
	if (rc == 1 && !sc->options.quiet)
		fprintf(stderr, "bouncescan: %s: another bouncescan is scanning this"
		    " source now; skipped\n", t->label);
	return rc;
}

static int
scan_targets(struct scan *sc, const struct conf *conf, struct lock_file *locks,
    const struct scan_target *targets, size_t count, int pipe)
{
	struct scan_totals totals;
	struct source *s;
	struct err e;
	size_t i;
	int status = 0, one;

	for (i = 0; i < count; i++) {
		if (take_lock(sc, locks, &targets[i], &status) != 0)
			continue;
		if (source_open_spec(targets[i].spec, targets[i].settings, &s, &e) == -1) {
			explain_unknown(conf, targets[i].spec);
			fprintf(stderr, "bouncescan: %s\n", e.msg);
			unlock_source(locks, targets[i].spec);
			status = 1;
			continue;
		}
		if (scan_source(sc, s, targets[i].label, &totals) == -1 && pipe)
			one = EX_TEMPFAIL;
		else
			one = scan_troubled(&totals);
		if (strcmp(targets[i].spec, "-") == 0)
			one = pipe_unrecognized(sc, s, &totals, one);
		if (one == EX_TEMPFAIL || (one != 0 && status == 0))
			status = one;
		if (!sc->options.quiet)
			scan_summary_print(sc, s, targets[i].label, &totals);
		source_close(s);
		unlock_source(locks, targets[i].spec);
		if (totals.store_failed)
			break;
	}
	return status;
}

/* Pipe mode: a message from the MTA, whose retry is the safety net. */
static int
any_pipe(const struct scan_target *targets, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(targets[i].spec, "-") == 0)
			return 1;
	return 0;
}

/* After each scan of a daemon: webhooks for what it stored. */
static void
after_watch_scan(void *context)
{
	struct scan *sc = context;

	webhooks_run(sc->store, sc->conf);
}

/* The sources of a configuration, scanned once, or watched until a signal. */
static int
scan_run(const struct global_options *g, const struct conf *conf,
    const struct classifier *c, const struct scan_options *o, int argc, char **argv,
    int *reload)
{
	struct lock_file locks;
	struct scan sc;
	struct scan_target *targets;
	size_t count;
	int status, failed, pipe;

	*reload = 0;
	if ((targets = targets_from(conf, argc, argv, &count)) == NULL)
		return command_usage(&cmd_scan, "No source given and none configured:"
		    " name one (maildir:PATH, mbox:PATH, FILE, or - for standard input),\n"
		    "or add a [source NAME] section with a url to the configuration"
		    " (bouncescan.conf(5)).");
	pipe = any_pipe(targets, count);
	if (targets_check(targets, count) == -1) {
		targets_free(targets, count);
		return pipe ? EX_TEMPFAIL : EX_CONFIG;
	}
	memset(&sc, 0, sizeof sc);
	sc.classifier = c;
	sc.options = *o;
	sc.conf = conf;
	sc.store = open_store(g, conf, o->dry_run, &locks, &failed);
	if (failed)
		status = pipe ? EX_TEMPFAIL : 1;
	else if (o->watch) {
		sc.after_scan = after_watch_scan;
		status = watch_sources(&sc, &locks, targets, count, reload);
	} else
		status = scan_targets(&sc, conf, &locks, targets, count, pipe);
	/* webhook: deliver what the scan put in the outbox; never the scan's failure */
	if (!failed && !o->dry_run)
		webhooks_run(sc.store, conf);
	if (status == EX_TEMPFAIL)
		fprintf(stderr, "bouncescan: the message was not stored; exit status 75"
		    " asks the mail system to deliver it again later\n");
	if (sc.store != NULL)
		store_close(sc.store);
	lock_close(&locks);
	scan_free(&sc);
	targets_free(targets, count);
	return status;
}

static int
scan_options_parse(struct scan_options *o, int argc, char **argv, int *status)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof *o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "nqvwh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			o->dry_run = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'w':
			o->watch = 1;
			break;
		case 'h':
			fputs(cmd_scan.help, stdout);
			*status = 0;
			return -1;
		default:
			*status = command_usage(&cmd_scan, NULL);
			return -1;
		}
	}
	if (o->watch && o->dry_run) {
		*status = command_usage(&cmd_scan, "--watch and --dry-run do not go"
		    " together: try --dry-run alone first.");
		return -1;
	}
	if (o->quiet)
		o->verbose = 0;
	o->progress = o->quiet || o->dry_run || o->watch ? PROGRESS_OFF :
	    isatty(STDERR_FILENO) ? PROGRESS_TERMINAL : PROGRESS_LOG;
	return 0;
}

/* "-" among the arguments: a message from the MTA, whose retry is the safety net. */
static int
pipe_named(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return 1;
	return 0;
}

static int
scan_exec(const struct global_options *g, int argc, char **argv)
{
	struct scan_options o;
	struct classifier *c;
	struct conf conf;
	int status, reload;

	if (scan_options_parse(&o, argc, argv, &status) == -1)
		return status;
	/* A server that hangs up must be an error to handle, not a signal that kills. */
	signal(SIGPIPE, SIG_IGN);
	do {
		memset(&conf, 0, sizeof conf);
		reload = 0;
		/* An MTA bounces mail on 78; on 75 it keeps it until the file is fixed. */
		if ((c = setup_classifier(g, &conf)) == NULL)
			status = pipe_named(argc - optind, argv + optind) ? EX_TEMPFAIL :
			    EX_CONFIG;
		else {
			status = scan_run(g, &conf, c, &o, argc - optind, argv + optind,
			    &reload);
			classifier_free(c);
		}
		conf_free(&conf);
		if (reload && !o.quiet)
			fprintf(stderr, "bouncescan: SIGHUP: reading the configuration"
			    " again\n");
	} while (reload);
	return status;
}

const struct command cmd_scan = {
	"scan",
	"[--dry-run] [--watch] [--quiet | --verbose] [SOURCE...]",
	"read bounces from mailboxes, store them, and move them out of the way",
	"usage: bouncescan scan [--dry-run] [--watch] [--quiet | --verbose] [SOURCE...]\n"
	"\n"
	"Read every message of each SOURCE, decide what it says, record the results\n"
	"in the suppression database, and then, once they are safely stored, move\n"
	"the message out of the way. A SOURCE is one of\n"
	"\n"
	"  imaps://USER@HOST[:PORT]/MAILBOX\n"
	"                  an IMAP mailbox over TLS (imap:// uses STARTTLS); only\n"
	"                  as a [source NAME], which gives the password_file (or\n"
	"                  password_command, password_env) and TLS settings\n"
	"  pop3s://USER@HOST[:PORT]\n"
	"                  a POP3 maildrop over TLS (pop3:// uses STLS); likewise\n"
	"  maildir:PATH    a Maildir: bounces go to its Processed folder, other mail\n"
	"                  to Unrecognized (or as [source NAME] processed= and\n"
	"                  unrecognized= say); nothing that was not understood is\n"
	"                  ever deleted\n"
	"  mbox:PATH       an mbox file, only read: messages stored before are skipped\n"
	"  FILE            a file holding one message\n"
	"  -               one message on standard input (an MTA pipe)\n"
	"  NAME            the [source NAME] section of the configuration\n"
	"\n"
	"Without a SOURCE, every [source NAME] of the configuration is scanned.\n"
	"Each source is scanned by one bouncescan at a time: a run that finds a\n"
	"source busy (a daemon, a cron run that took long) skips it.\n"
	"Network mail is read from where the last run stopped (the last IMAP UID,\n"
	"the POP3 UIDLs), and moved, flagged or deleted only once its results are\n"
	"committed.\n"
	"The same message is never counted twice: scanning again changes nothing.\n"
	"At the end, a summary: messages read, results by class, newly suppressed\n"
	"addresses, and sender-side incidents (many refusals of the list's own\n"
	"mail by one domain: the list may be blocklisted there).\n"
	"\n"
	"  --dry-run   classify and print what would be done with each message;\n"
	"              store nothing, move nothing\n"
	"  --watch     stay running: scan, then wait for new mail (IMAP IDLE, or\n"
	"              every poll_interval) and scan again; SIGTERM finishes the\n"
	"              running batch and exits, SIGHUP re-reads the configuration\n"
	"  --quiet     print only errors (for cron and MTA pipes)\n"
	"  --verbose   a line per message: what it said and where it went\n"
	"\n"
	"Exit status: 0 when all went well; 1 when some messages could not be read\n"
	"or moved (they are left where they were, and named on stderr) or the\n"
	"database failed; 75 in pipe mode when the database failed (busy, locked,\n"
	"full: the MTA keeps the message and tries again); 64 usage error;\n"
	"78 configuration error.\n",
	scan_exec
};
