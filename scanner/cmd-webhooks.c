/*
 * cmd-webhooks.c: "bouncescan webhooks [--deliver [--force]] [--list [--all]]":
 * the webhook outbox. Without options, one line per webhook: what is pending,
 * failing and delivered, and the last error. --list shows the rows; --deliver
 * sends what is due (for cron, between scans), --force also what waits for its
 * backoff (after an endpoint has been repaired).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "setup.h"
#include "show.h"
#include "webhook.h"
#include "when.h"

struct options {
	int	deliver, force, list, all;
};

static int
print_count(const struct store_outbox_count *c, void *arg)
{
	const struct conf_webhook *w = conf_webhook(arg, c->webhook);
	char when[WHEN_BUFSIZE];

	printf("%s\t%s\t%lld pending (%lld failing, oldest %s), %lld delivered\n",
	    c->webhook, w != NULL ? w->url : "(no longer configured)",
	    (long long)c->pending, (long long)c->failing,
	    when_format(c->oldest_pending, when), (long long)c->delivered);
	if (c->last_error != NULL) {
		show_text(stdout, c->last_error, "");
		fputs("\n", stdout);
	}
	return 0;
}

static int
print_row(const struct store_outbox_row *r, void *arg)
{
	char created[WHEN_BUFSIZE], next[WHEN_BUFSIZE];

	(void)arg;
	printf("%lld\t%s\t%s\t%s\t%d\t", (long long)r->id, r->webhook, r->kind,
	    when_format(r->created, created), r->attempts);
	if (r->delivered != 0)
		printf("delivered %s", when_format(r->delivered, next));
	else
		printf("next %s", when_format(r->next_attempt, next));
	fputs("\t", stdout);
	show_text(stdout, r->last_error, "-");
	fputs("\n", stdout);
	return 0;
}

static int
show(struct store *st, const struct conf *conf, const struct options *o)
{
	struct err e;
	int rc;

	if (o->list)
		rc = store_outbox_list(st, o->all, print_row, NULL, &e);
	else
		rc = store_outbox_summary(st, print_count, (void *)conf, &e);
	if (rc == -1) {
		fprintf(stderr, "bouncescan: webhooks: %s\n", e.msg);
		return store_retry(st) ? EX_TEMPFAIL : 1;
	}
	return 0;
}

static int
deliver(struct store *st, const struct conf *conf, const struct options *o)
{
	int rc;

	if (conf->webhooks.count == 0) {
		fprintf(stderr, "bouncescan: webhooks: no [webhook NAME] section in %s\n",
		    conf->path != NULL ? conf->path : "the configuration");
		return EX_CONFIG;
	}
	rc = webhooks_deliver(st, conf, o->force, 1);
	if (rc == -1)
		return store_retry(st) ? EX_TEMPFAIL : 1;
	return rc;
}

static int
run(const struct global_options *g, const struct options *o)
{
	struct store *st;
	struct conf conf;
	struct err e;
	int rc, shown;

	memset(&conf, 0, sizeof conf);
	rc = setup_store(g, &conf, &st, !o->deliver, &e);
	if (rc != 0)
		fprintf(stderr, "bouncescan: webhooks: %s\n", e.msg);
	else if (conf_webhooks_check(&conf, &e) == -1) {
		fprintf(stderr, "bouncescan: webhooks: %s\n", e.msg);
		rc = EX_CONFIG;
	} else {
		rc = o->deliver ? deliver(st, &conf, o) : 0;
		/* --deliver --list: what is left after delivering. */
		if (rc != EX_CONFIG && (o->list || !o->deliver)) {
			shown = show(st, &conf, o);
			rc = rc != 0 ? rc : shown;
		}
	}
	store_close(st);
	conf_free(&conf);
	return rc;
}

static int
webhooks_exec(const struct global_options *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "deliver", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct options o;
	int ch;

	memset(&o, 0, sizeof o);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "dflah", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.deliver = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'l':
			o.list = 1;
			break;
		case 'a':
			o.all = 1;
			break;
		case 'h':
			fputs(cmd_webhooks.help, stdout);
			return 0;
		default:
			return command_usage(&cmd_webhooks, NULL);
		}
	}
	if (optind != argc || (o.force && !o.deliver) || (o.all && !o.list))
		return command_usage(&cmd_webhooks, "(--force goes with --deliver,"
		    " --all with --list; no other arguments)");
	return run(g, &o);
}

const struct command cmd_webhooks = {
	"webhooks",
	"[--deliver [--force]] [--list [--all]]",
	"show the webhook outbox, and deliver what is pending",
	"usage: bouncescan webhooks [--deliver [--force]] [--list [--all]]\n"
	"\n"
	"Every event a [webhook NAME] section asks for (bouncescan.conf(5)) is put in\n"
	"an outbox in the same transaction that records it, and delivered at the end\n"
	"of scan, suppress, unsuppress and import. What an endpoint did not take\n"
	"waits, with a backoff of 30 seconds doubling up to an hour, for the next run.\n"
	"\n"
	"Without options, one line per webhook: events pending (and failing, with the\n"
	"oldest), delivered, and the last error on a line of its own.\n"
	"\n"
	"  --deliver   send what is due now (for cron); prints a line per webhook\n"
	"  --force     with --deliver: also what waits for its backoff\n"
	"  --list      one line per pending event: id, webhook, kind, created,\n"
	"              attempts, next attempt, last error\n"
	"  --all       with --list: delivered events too (kept 30 days)\n"
	"\n"
	"Exit status: 0; 1 when some events could not be delivered (they wait in the\n"
	"outbox) or the database failed; 64 usage error; 66 without --deliver when\n"
	"there is no database or it is not one; 73 with --deliver when it cannot be\n"
	"opened for writing; 75 when it is locked; 78 configuration error.\n",
	webhooks_exec
};
