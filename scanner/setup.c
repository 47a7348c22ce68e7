/*
 * setup.c: preparing the classifier from the configuration, shared by the
 * commands that classify (parse, scan), and opening the store the configuration
 * and -d name, shared by every command that has one. See setup.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "command.h"
#include "setup.h"
#include "webhook.h"

int
classifier_from_conf(struct classifier *c, const struct conf *conf)
{
	const struct conf_list *l;
	struct err e;
	size_t i;

	if (conf->rules_file != NULL &&
	    classifier_load_rules(c, conf->rules_file, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: rules: %s\n", conf->path, e.msg);
		return -1;
	}
	if (conf->verp != NULL && classifier_set_verp(c, conf->verp, &e) == -1) {
		fprintf(stderr, "bouncescan: %s: verp: %s\n", conf->path, e.msg);
		return -1;
	}
	for (i = 0; i < conf->nlists; i++) {
		l = &conf->lists[i];
		if (classifier_add_list(c, l->name, l->verp_pattern, l->bounce_address,
		    l->list_id, &e) == -1) {
			fprintf(stderr, "bouncescan: %s: %s\n", conf->path, e.msg);
			return -1;
		}
	}
	return 0;
}

struct classifier *
setup_classifier(const struct global_options *g, struct conf *conf)
{
	struct classifier *c;
	struct err e;

	if (conf_load(conf, g->config_path, &e) == -1) {
		fprintf(stderr, "bouncescan: %s\n", e.msg);
		return NULL;
	}
	c = classifier_new();
	if (classifier_from_conf(c, conf) == -1) {
		classifier_free(c);
		return NULL;
	}
	return c;
}

/* A query must not create an empty database and then report everyone as unknown. */
static int
database_exists(const char *path, struct err *e)
{
	if (access(path, F_OK) == 0)
		return 0;
	if (errno == ENOENT)
		return err_set(e, "%s: no database here yet: run \"bouncescan scan\" or"
		    " \"bouncescan import\" first, or name the right one with -d", path);
	return err_set(e, "%s: %s", path, strerror(errno));
}

int
setup_store(const struct global_options *g, struct conf *conf, struct store **store,
    int readonly, struct err *e)
{
	char *path;
	int retry;

	*store = NULL;
	if (conf_load(conf, g->config_path, e) == -1)
		return EX_CONFIG;
	if ((path = conf_database_path(conf, g->database_path, e)) == NULL)
		return EX_CONFIG;
	if (readonly && !store_is_url(path) && database_exists(path, e) == -1) {
		free(path);
		return EX_NOINPUT;
	}
	*store = readonly ? store_open_readonly(path, e, &retry) :
	    store_open(path, e, &retry);
	free(path);
	if (*store == NULL)
		return retry ? EX_TEMPFAIL : readonly ? EX_NOINPUT : EX_CANTCREAT;
	store_set_policy(*store, &conf->policy);
	/* webhook: changes made from here on fill the outbox (webhook.c) */
	if (!readonly && webhooks_attach(*store, conf, e) == -1) {
		store_close(*store);
		*store = NULL;
		return EX_CONFIG;
	}
	return 0;
}

/*
 * The configuration of the command's store, kept until setup_command_done():
 * a command that changed the store delivers its webhooks there. One command
 * runs per process, so one is enough.
 */
static struct conf command_conf;

int
setup_command_store(const struct global_options *g, const char *command,
    int readonly, struct store **store)
{
	struct err e;
	int rc;

	conf_free(&command_conf);
	rc = setup_store(g, &command_conf, store, readonly, &e);
	if (rc != 0) {
		fprintf(stderr, "bouncescan: %s: %s\n", command, e.msg);
		conf_free(&command_conf);
	}
	return rc;
}

void
setup_command_done(struct store *st, int changed)
{
	/* What the command put in the outbox goes out now, not at the next scan. */
	if (changed)
		webhooks_run(st, &command_conf);
	store_close(st);
	conf_free(&command_conf);
}

void
setup_check_list(const char *command, const char *list)
{
	if (list == NULL || conf_list(&command_conf, list) != NULL)
		return;
	fprintf(stderr, "bouncescan: %s: warning: no [list %s] in %s; showing what"
	    " the store holds under that name\n", command, list,
	    command_conf.path != NULL ? command_conf.path : "the configuration");
}
