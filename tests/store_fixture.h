/*
 * store_fixture.h: what the store's test programs share (check_store.c,
 * check_policy.c, check_outbox.c): a new database in a temporary directory for
 * every test, its clock set to T0, and a counter for making message hashes
 * unique. Like check_main.h, static definitions for one test program each:
 * define STORE_FIXTURE_NAME ("check_store") before including it.
 */
#ifndef BOUNCESCAN_STORE_FIXTURE_H
#define BOUNCESCAN_STORE_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"

#define T0	((time_t)1700000000)	/* 2023-11-14T22:13:20Z */

static char dir[64];		/* the test's temporary directory */
static char path[128];		/* its database, dir/store.db */
static struct store *st;	/* open on path during the test */
static int counter;		/* for unique hashes */

/* Open (creating) dir/name with the clock at T0. */
static struct store *
open_store(const char *name)
{
	char file[128];
	struct err e;
	struct store *s;

	snprintf(file, sizeof file, "%s/%s", dir, name);
	s = store_open(file, &e, NULL);
	ck_assert_msg(s != NULL, "%s", e.msg);
	store_set_now(s, T0);
	return s;
}

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/%s.XXXXXX", STORE_FIXTURE_NAME);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/store.db", dir);
	st = open_store("store.db");
}

static void
teardown(void)
{
	char command[128];

	store_close(st);
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(command), 0);
}

#endif
