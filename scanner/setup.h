/*
 * setup.h: what several commands prepare the same way from the configuration.
 */
#ifndef BOUNCESCAN_SETUP_H
#define BOUNCESCAN_SETUP_H

#include "classifier.h"
#include "conf.h"

/*
 * Give c the site rules, the VERP pattern and the [list NAME] sections that conf
 * names. Returns 0, or -1
 * after printing on stderr what is wrong (the caller exits EX_CONFIG).
 */
int classifier_from_conf(struct classifier *c, const struct conf *conf);

/*
 * Load the configuration (-c, or the default file) into conf (zeroed by the
 * caller, who calls conf_free in every case) and make a classifier from it.
 * Returns the classifier, or NULL after printing on stderr what is wrong (the
 * caller exits EX_CONFIG).
 */
struct global_options;
struct classifier *setup_classifier(const struct global_options *g,
    struct conf *conf);

/*
 * Load the configuration (-c, or the default file) into conf (zeroed by the caller,
 * who calls conf_free in every case), open the database it names (-d, [database]
 * path, or the per-user default) and give the store the [policy] thresholds.
 * readonly: open without writing (queries); a database that does not exist yet is
 * then an error rather than an empty file.
 *
 * Returns 0 with *store set, or the exit status the command should end with, e
 * saying what failed and what to do: EX_CONFIG (the configuration), EX_TEMPFAIL
 * (the database is locked or the disk full: try again later), EX_NOINPUT (no
 * database, or it cannot be read), EX_CANTCREAT (it cannot be created or written).
 */
int setup_store(const struct global_options *g, struct conf *conf,
    struct store **store, int readonly, struct err *e);

/*
 * setup_store for a command that needs nothing else from the configuration
 * (command names it in messages): prints "bouncescan: COMMAND: what failed" on
 * stderr when it fails. Returns 0 with *store set, or setup_store's exit status.
 */
int setup_command_store(const struct global_options *g, const char *command,
    int readonly, struct store **store);

/*
 * Close a store from setup_command_store(). With changed set (the command
 * committed something), first deliver the webhooks its changes queued.
 */
void setup_command_done(struct store *st, int changed);

/*
 * After setup_command_store: warn on stderr (as command) when list, a --list
 * NAME, names no [list NAME] section. The store may still hold the bounces of a
 * list whose section was renamed or removed, so it is no error; a typing mistake
 * is told. Nothing when list is NULL.
 */
void setup_check_list(const char *command, const char *list);

#endif
