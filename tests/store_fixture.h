/*
 * store_fixture.h: what the store's test programs share (check_store.c,
 * check_policy.c, check_outbox.c): a new database in a temporary directory for
 * every test, its clock set to T0, and a counter for making message hashes
 * unique. Like check_main.h, static definitions for one test program each:
 * define STORE_FIXTURE_NAME ("check_store") before including it.
 *
 * With BOUNCESCAN_TEST_STORE set to a PostgreSQL URL (tests/store-pg.test sets
 * it, for a private server of tests/postgres.sh), the same tests run on that
 * server: each store name is a schema of its own ("store.db" is s_store),
 * dropped and made again before every test with psql, and path is its URL.
 * Tests that look inside a SQLite file (its pragmas, query plans, old
 * versions, permissions) are added for SQLite only (store_sqlite_only).
 */
#ifndef BOUNCESCAN_STORE_FIXTURE_H
#define BOUNCESCAN_STORE_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define T0	((time_t)1700000000)	/* 2023-11-14T22:13:20Z */

static char dir[64];		/* the test's temporary directory */
static char path[512];		/* its database, dir/store.db, or its URL */
static struct store *st;	/* open on path during the test */
static int counter;		/* for unique hashes */

/* BOUNCESCAN_TEST_STORE: a PostgreSQL URL, or NULL for SQLite files. */
static const char *
store_server(void)
{
	const char *url = getenv("BOUNCESCAN_TEST_STORE");

	return url != NULL && *url != '\0' ? url : NULL;
}

/* 1 when the tests run on SQLite files: for the tests that look inside one. */
static inline int
store_sqlite_only(void)
{
	return store_server() == NULL;
}

/* The file dir/name, or on a server the URL of schema s_NAME (less ".db"). */
static void
store_location(const char *name, char *out, size_t size)
{
	const char *url = store_server();

	if (url == NULL)
		snprintf(out, size, "%s/%s", dir, name);
	else
		snprintf(out, size, "%s%coptions=-csearch_path%%3Ds_%.*s", url,
		    strchr(url, '?') != NULL ? '&' : '?', (int)strcspn(name, "."), name);
}

/* On a server: empty schemas for the names the tests use. */
static void
store_server_reset(void)
{
	static const char *const names[] = { "store", "replay", "fresh", "other",
	    "copy", NULL };
	char command[2048];
	size_t i, n;

	n = (size_t)snprintf(command, sizeof command, "psql -qAtX '%s'"
	    " -c 'SET client_min_messages = warning' -c '", store_server());
	for (i = 0; names[i] != NULL; i++)
		n += (size_t)snprintf(command + n, sizeof command - n,
		    "DROP SCHEMA IF EXISTS s_%s CASCADE; CREATE SCHEMA s_%s;", names[i],
		    names[i]);
	snprintf(command + n, sizeof command - n, "' >/dev/null");
	ck_assert_msg(system(command) == 0, "%s", command);
}

/* Open (creating) dir/name with the clock at T0. */
static struct store *
open_store(const char *name)
{
	char file[512];
	struct err e;
	struct store *s;

	store_location(name, file, sizeof file);
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
	if (store_server() != NULL)
		store_server_reset();
	store_location("store.db", path, sizeof path);
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
