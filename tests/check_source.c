/*
 * check_source.c: the mailbox sources (scanner/source*.c) on real temporary
 * Maildirs, mbox files, plain files and standard input. What a list
 * administrator depends on: every message is read once, disposal really moves
 * the files into Maildir++ folders, nothing is lost when a file vanishes or is
 * too large, mbox messages come back byte for byte, and memory stays flat.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "classifier.h"
#include "imap-session.h"
#include "source.h"

static char root[64];

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	strcpy(root, "/tmp/check_source.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void
teardown(void)
{
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* root/rel, in a static buffer rotated four ways so a test can hold a few. */
static const char *
at(const char *rel)
{
	static char paths[4][512];
	static int turn;

	turn = (turn + 1) % 4;
	snprintf(paths[turn], sizeof paths[turn], "%s/%s", root, rel);
	return paths[turn];
}

static void
write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void
put(const char *rel, const char *text)
{
	write_file(at(rel), text, strlen(text));
}

static int
exists(const char *rel)
{
	return access(at(rel), F_OK) == 0;
}

static void
make_maildir(const char *rel)
{
	char path[512];

	ck_assert_int_eq(mkdir(at(rel), 0700), 0);
	snprintf(path, sizeof path, "%s/%s/new", root, rel);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/%s/cur", root, rel);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/%s/tmp", root, rel);
	ck_assert_int_eq(mkdir(path, 0700), 0);
}

static struct source *
open_spec(const char *scheme, const char *rel, const struct source_conf *conf)
{
	struct source *s;
	struct err e = { "" };
	char spec[600];

	snprintf(spec, sizeof spec, "%s%s", scheme, at(rel));
	ck_assert_msg(source_open_spec(spec, conf, &s, &e) == 0, "%s: %s", spec, e.msg);
	return s;
}

/* A three-message Maildir: two new, one seen in cur/, plus a dot file to ignore. */
static void
fill_maildir(void)
{
	make_maildir("md");
	put("md/new/1700000001.M1P1.host", "Subject: one\n\nfirst\n");
	put("md/new/1700000002.M2P2.host", "Subject: two\n\nsecond\n");
	put("md/cur/1700000000.M0P0.host:2,RT", "Subject: zero\n\nzeroth\n");
	put("md/new/.hidden", "not a message\n");
}

START_TEST(test_spec_errors)
{
	struct source *s = (struct source *)1;
	struct err e = { "" };

	ck_assert_int_eq(source_open_spec("imaps://bounces@mx.example.org/INBOX",
	    NULL, &s, &e), -1);
	ck_assert_ptr_null(s);
	/* Without a password nothing is even connected to. */
	ck_assert_msg(strstr(e.msg, "no password") != NULL, "%s", e.msg);
	ck_assert_int_eq(source_open_spec("pop3://mx.example.org", NULL, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, "no user name") != NULL, "%s", e.msg);
	ck_assert_int_eq(source_open_spec("pop3s://a:secret@mx.example.org", NULL, &s,
	    &e), -1);
	ck_assert_msg(strstr(e.msg, "password does not belong in the URL") != NULL, "%s",
	    e.msg);
	ck_assert_int_eq(source_open_spec("gopher://x.example.org/", NULL, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, "unknown source type \"gopher\"") != NULL, "%s", e.msg);
	ck_assert_int_eq(source_open_spec("maildir:/nonexistent/md", NULL, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, "maildir:/nonexistent/md: new: ") == e.msg, "%s", e.msg);
	ck_assert_int_eq(source_open_spec("maildir:", NULL, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, "no path") != NULL, "%s", e.msg);
	make_maildir("md");
	ck_assert_int_eq(source_open_spec(at("md"), NULL, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, "use maildir:PATH") != NULL, "%s", e.msg);
	put("notmbox", "Subject: hello\n\nbody\n");
	ck_assert_int_eq(source_open_spec(at("notmbox"), NULL, &s, &e), 0);
	ck_assert_str_eq(s->ops->scheme, "file");
	source_close(s);
	s = NULL;
	{
		char spec[600];

		snprintf(spec, sizeof spec, "mbox:%s", at("notmbox"));
		ck_assert_int_eq(source_open_spec(spec, NULL, &s, &e), -1);
		ck_assert_msg(strstr(e.msg, "not an mbox file") != NULL, "%s", e.msg);
	}
	ck_assert_int_eq(source_open_spec("-", NULL, &s, &e), 0);
	ck_assert_str_eq(s->ops->scheme, "stdin");
	source_close(s);
}
END_TEST

/* The lock key names the mailbox, however the spec spells it (issue 11, item 4). */
START_TEST(test_lock_key)
{
	char spec[600], link[600];
	char *a, *b;

	make_maildir("md");
	snprintf(spec, sizeof spec, "maildir:%s", at("md"));
	snprintf(link, sizeof link, "%s", at("md-link"));
	ck_assert_int_eq(symlink(at("md"), link), 0);
	a = source_lock_key(spec);
	ck_assert_msg(strncmp(a, "local ", 6) == 0, "%s", a);
	snprintf(spec, sizeof spec, "maildir:%s", link);
	b = source_lock_key(spec);
	ck_assert_str_eq(a, b);
	free(b);
	snprintf(spec, sizeof spec, "maildir://%s/", at("md"));
	b = source_lock_key(spec);
	ck_assert_str_eq(a, b);
	free(b);
	free(a);
	a = source_lock_key("imaps://bounces@MX.Example.org/inbox");
	b = source_lock_key("imaps://bounces@mx.example.org:993/INBOX");
	ck_assert_str_eq(a, b);
	free(b);
	b = source_lock_key("imaps://bounces@mx.example.org/Lists");
	ck_assert_str_ne(a, b);
	free(b);
	b = source_lock_key("imaps://other@mx.example.org/INBOX");
	ck_assert_str_ne(a, b);
	free(b);
	free(a);
	a = source_lock_key("pop3s://bounces@mx.example.org");
	b = source_lock_key("pop3s://bounces@MX.example.org:995");
	ck_assert_str_eq(a, b);
	free(b);
	free(a);
	/* Nothing to go by: the spec itself. */
	a = source_lock_key("maildir:/nonexistent/md");
	ck_assert_str_eq(a, "maildir:/nonexistent/md");
	free(a);
}
END_TEST

START_TEST(test_action_parse)
{
	struct source_action a;
	struct err e = { "" };

	ck_assert_int_eq(source_action_parse("move:Bounces/Done", 1, &a, &e), 0);
	ck_assert_int_eq(a.kind, SOURCE_ACTION_MOVE);
	ck_assert_str_eq(a.folder, "Bounces/Done");
	ck_assert_int_eq(source_action_parse("seen", 1, &a, &e), 0);
	ck_assert_int_eq(a.kind, SOURCE_ACTION_SEEN);
	ck_assert_int_eq(source_action_parse("delete", 1, &a, &e), 0);
	ck_assert_int_eq(a.kind, SOURCE_ACTION_DELETE);
	ck_assert_int_eq(source_action_parse("keep", 0, &a, &e), 0);
	ck_assert_int_eq(a.kind, SOURCE_ACTION_KEEP);
	/* Mail that was not understood is never deleted. */
	ck_assert_int_eq(source_action_parse("delete", 0, &a, &e), -1);
	ck_assert_int_eq(source_action_parse("move:../../etc", 1, &a, &e), -1);
	ck_assert_int_eq(source_action_parse("move:.hidden", 1, &a, &e), -1);
	ck_assert_int_eq(source_action_parse("move:", 1, &a, &e), -1);
	ck_assert_int_eq(source_action_parse("trash", 1, &a, &e), -1);
	/* A name in the administrator's language is kept in UTF-8 ... */
	ck_assert_int_eq(source_action_parse("move:\xe5\xb7\xb2\xe5\xa4\x84\xe7\x90\x86", 1,
	    &a, &e), 0);
	ck_assert_str_eq(a.folder, "\xe5\xb7\xb2\xe5\xa4\x84\xe7\x90\x86");
	/* ... and one that is not UTF-8 (Latin-1 here) is refused with the reason. */
	ck_assert_int_eq(source_action_parse("move:Entw\xfc" "rfe", 1, &a, &e), -1);
	ck_assert_msg(strstr(e.msg, "not valid UTF-8") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(test_maildir_lists_new_and_cur)
{
	struct source *s;
	struct message m;
	struct err e = { "" };

	fill_maildir();
	s = open_spec("maildir:", "md", NULL);
	ck_assert_uint_eq(s->expected, 3);
	/* cur/ first: "seen" moves new/ messages there after it has been read. */
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.location, "cur/1700000000.M0P0.host:2,RT");
	ck_assert_str_eq(m.origin, "1700000000.M0P0.host");
	ck_assert_str_eq(m.data, "Subject: zero\n\nzeroth\n");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.location, "new/1700000001.M1P1.host");
	ck_assert_str_eq(m.origin, "1700000001.M1P1.host");
	ck_assert_str_eq(m.data, "Subject: one\n\nfirst\n");
	ck_assert_uint_eq(m.length, 20);
	ck_assert_uint_eq(m.size, 20);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.origin, "1700000002.M2P2.host");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
}
END_TEST

/*
 * What the scan loop does after the last batch: the first flush starts the
 * disposals queued since the one before, the second waits for them. Returns
 * how many failed; e holds the first failure.
 */
static size_t
flush_all(struct source *s, struct err *e)
{
	size_t failed, total = 0;
	int round;

	for (round = 0; round < 2; round++) {
		if (source_flush(s, &failed, e) == -1)
			ck_assert_uint_gt(failed, 0);
		total += failed;
	}
	return total;
}

/* Read every message of s and dispose of each as d; returns how many. */
static int
dispose_all(struct source *s, enum disposal d)
{
	struct message m;
	struct err e = { "" };
	int n = 0;

	while (source_next(s, &m, &e) == SOURCE_MESSAGE) {
		message_drop_data(&m);	/* as a batch waiting for its commit */
		ck_assert_msg(source_dispose(s, &m, d, &e) == 0, "%s", e.msg);
		message_free(&m);
		n++;
	}
	return n;
}

START_TEST(test_maildir_processed_moves)
{
	struct source *s;

	fill_maildir();
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 3);
	source_close(s);
	ck_assert(exists("md/.Processed/new/1700000001.M1P1.host"));
	ck_assert(exists("md/.Processed/new/1700000002.M2P2.host"));
	ck_assert(exists("md/.Processed/cur/1700000000.M0P0.host:2,RT"));
	ck_assert(exists("md/.Processed/tmp"));
	ck_assert(exists("md/.Processed/maildirfolder"));
	ck_assert(!exists("md/new/1700000001.M1P1.host"));
	ck_assert(!exists("md/cur/1700000000.M0P0.host:2,RT"));
	ck_assert(exists("md/new/.hidden"));
	/* A second scan finds nothing left to do. */
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 0);
	source_close(s);
}
END_TEST

START_TEST(test_maildir_unrecognized_keep_delete)
{
	struct source *s;
	struct message m;
	struct err e = { "" };

	fill_maildir();
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_UNRECOGNIZED, &e), 0);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_KEEP, &e), 0);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_DELETE, &e), 0);
	message_free(&m);
	ck_assert_uint_eq(flush_all(s, &e), 0);
	ck_assert(exists("md/.Unrecognized/cur/1700000000.M0P0.host:2,RT"));
	ck_assert(exists("md/.Unrecognized/new"));
	ck_assert(!exists("md/cur/1700000000.M0P0.host:2,RT"));
	ck_assert(exists("md/new/1700000001.M1P1.host"));
	ck_assert(!exists("md/new/1700000002.M2P2.host"));
	ck_assert(!exists("md/.Processed"));
	source_close(s);
}
END_TEST

START_TEST(test_maildir_seen_mode)
{
	struct source_conf conf;
	struct source *s;

	fill_maildir();
	put("md/cur/1700000003.M3P3.host:2,S", "Subject: three\n\n3\n");
	put("md/cur/1700000004.M4P4.host", "Subject: four\n\n4\n");
	source_conf_init(&conf);
	conf.processed.kind = SOURCE_ACTION_SEEN;
	s = open_spec("maildir:", "md", &conf);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 5);
	source_close(s);
	ck_assert(exists("md/cur/1700000001.M1P1.host:2,S"));
	ck_assert(exists("md/cur/1700000002.M2P2.host:2,S"));
	ck_assert(exists("md/cur/1700000000.M0P0.host:2,RST"));
	ck_assert(exists("md/cur/1700000003.M3P3.host:2,S"));
	ck_assert(exists("md/cur/1700000004.M4P4.host:2,S"));
	ck_assert(!exists("md/new/1700000001.M1P1.host"));
	ck_assert(!exists("md/cur/1700000000.M0P0.host:2,RT"));
	ck_assert(!exists("md/.Processed"));
}
END_TEST

START_TEST(test_maildir_vanished_file)
{
	struct source *s;
	struct message m, one;
	struct err e = { "" };

	fill_maildir();
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.origin, "1700000000.M0P0.host");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &one, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(one.origin, "1700000001.M1P1.host");
	/* Listed, then gone before it is read: skipped, and the scan goes on. */
	ck_assert_int_eq(unlink(at("md/new/1700000002.M2P2.host")), 0);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_SKIPPED);
	ck_assert_msg(strstr(e.msg, "new/1700000002.M2P2.host: vanished") != NULL, "%s", e.msg);
	ck_assert_ptr_null(m.data);
	ck_assert_str_eq(m.origin, "1700000002.M2P2.host");
	message_free(&m);
	/* Gone between reading and disposal: a failure, nothing else moved. */
	ck_assert_int_eq(unlink(at("md/new/1700000001.M1P1.host")), 0);
	ck_assert_int_eq(source_dispose(s, &one, DISPOSE_PROCESSED, &e), 0);
	message_free(&one);
	ck_assert_uint_eq(flush_all(s, &e), 1);
	ck_assert_msg(strstr(e.msg, "new/1700000001.M1P1.host: vanished") != NULL, "%s",
	    e.msg);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
	ck_assert(exists("md/cur/1700000000.M0P0.host:2,RT"));
}
END_TEST

START_TEST(test_maildir_oversize_skipped)
{
	struct source *s;
	struct message m;
	struct err e = { "" };
	int fd;

	fill_maildir();
	/* Sparse: over CLASSIFIER_MAX_BYTES on paper, no disk used. */
	fd = open(at("md/new/1700000001.M1P1.host"), O_WRONLY | O_TRUNC);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(ftruncate(fd, (off_t)CLASSIFIER_MAX_BYTES + 1), 0);
	close(fd);
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);	/* cur/ */
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_SKIPPED);
	ck_assert_msg(strstr(e.msg, "over the 16777216-byte cap") != NULL, "%s", e.msg);
	ck_assert_ptr_null(m.data);
	ck_assert_uint_eq(m.size, CLASSIFIER_MAX_BYTES + 1);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.origin, "1700000002.M2P2.host");
	message_free(&m);
	source_close(s);
	ck_assert(exists("md/new/1700000001.M1P1.host"));
}
END_TEST

START_TEST(test_maildir_no_overwrite)
{
	struct source *s;
	struct message m;
	struct err e = { "" };

	fill_maildir();
	make_maildir("md/.Processed");
	put("md/.Processed/cur/1700000000.M0P0.host:2,RT", "Subject: other\n\n");
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_PROCESSED, &e), 0);
	message_free(&m);
	ck_assert_uint_eq(flush_all(s, &e), 1);
	ck_assert_msg(strstr(e.msg, "already there") != NULL, "%s", e.msg);
	source_close(s);
	ck_assert(exists("md/cur/1700000000.M0P0.host:2,RT"));
}
END_TEST

/* A source that is itself a Maildir++ subfolder gets sibling folders. */
START_TEST(test_maildir_subfolder_layout)
{
	struct source *s;

	make_maildir("top");
	make_maildir("top/.bounces");
	put("top/.bounces/maildirfolder", "");
	put("top/.bounces/new/1700000009.M9P9.host", "Subject: nine\n\n9\n");
	s = open_spec("maildir:", "top/.bounces", NULL);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 1);
	source_close(s);
	ck_assert(exists("top/.bounces.Processed/new/1700000009.M9P9.host"));
}
END_TEST

/* A folder named in UTF-8 is made as Dovecot and Courier name it on disk. */
START_TEST(test_maildir_folder_utf7)
{
	struct source_conf conf;
	struct source *s;
	struct err e;

	source_conf_init(&conf);
	ck_assert_int_eq(source_action_parse("move:\xe5\xb7\xb2\xe5\xa4\x84\xe7\x90\x86/"
	    "A & B", 1, &conf.processed, &e), 0);
	make_maildir("u7");
	put("u7/new/1700000010.M10P1.host", "Subject: ten\n\n10\n");
	s = open_spec("maildir:", "u7", &conf);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 1);
	source_close(s);
	ck_assert(exists("u7/.&XfJZBHQG-.A &- B/new/1700000010.M10P1.host"));
	ck_assert(exists("u7/.&XfJZBHQG-.A &- B/maildirfolder"));
}
END_TEST

/* Courier 5 names its folders in UTF-8: folder_names = utf-8. */
START_TEST(test_maildir_folder_utf8)
{
	struct source_conf conf;
	struct source *s;
	struct err e;

	source_conf_init(&conf);
	conf.folder_names_utf8 = 1;
	ck_assert_int_eq(source_action_parse("move:\xe5\xb7\xb2\xe5\xa4\x84\xe7\x90\x86/"
	    "A & B", 1, &conf.processed, &e), 0);
	make_maildir("u8");
	put("u8/new/1700000011.M11P1.host", "Subject: eleven\n\n11\n");
	s = open_spec("maildir:", "u8", &conf);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 1);
	source_close(s);
	ck_assert(exists("u8/.\xe5\xb7\xb2\xe5\xa4\x84\xe7\x90\x86.A & B/new/"
	    "1700000011.M11P1.host"));
	ck_assert(!exists("u8/.&XfJZBHQG-.A &- B"));
}
END_TEST

/* Messages 0 .. n-1 in the Maildir rel: the first in_cur in cur/, the rest in new/. */
static void
fill_many(const char *rel, int n, int in_cur)
{
	char path[128], text[64];
	int i;

	make_maildir(rel);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s/1700%06d.M%dP1.host", rel,
		    i < in_cur ? "cur" : "new", i, i);
		snprintf(text, sizeof text, "Subject: %d\n\n%d\n", i, i);
		put(path, text);
	}
}

/*
 * Read s to its end as the scan loop does, disposing of each message as d and
 * flushing every 500, while the listing is still going on; each of the n
 * messages must be met exactly once.
 */
static void
scan_many(struct source *s, int n, enum disposal d)
{
	unsigned char *met = calloc((size_t)n, 1);
	struct message m;
	struct err e = { "" };
	size_t failed;
	int i, rc, count = 0;

	ck_assert_uint_eq(s->expected, (size_t)n);
	while ((rc = source_next(s, &m, &e)) == SOURCE_MESSAGE) {
		ck_assert_int_eq(sscanf(m.origin, "1700%6d.", &i), 1);
		ck_assert_msg(i >= 0 && i < n && !met[i], "%s met twice", m.location);
		met[i] = 1;
		message_drop_data(&m);
		ck_assert_int_eq(source_dispose(s, &m, d, &e), 0);
		message_free(&m);
		if (++count % 500 == 0)
			ck_assert_msg(source_flush(s, &failed, &e) == 0, "%s", e.msg);
	}
	ck_assert_int_eq(rc, SOURCE_DONE);
	ck_assert_uint_eq(flush_all(s, &e), 0);
	ck_assert_int_eq(count, n);
	free(met);
}

/* Files in root/rel whose name contains part. */
static int
count_files(const char *rel, const char *part)
{
	DIR *dp = opendir(at(rel));
	struct dirent *d;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.' && strstr(d->d_name, part) != NULL)
			n++;
	closedir(dp);
	return n;
}

/*
 * More messages than one window of names. With "seen", cur/ messages are
 * renamed within cur/ while it is still being read, and new/ ones moved into
 * it: none may be met twice.
 */
START_TEST(test_maildir_windows_seen)
{
	struct source_conf conf;
	struct source *s;

	fill_many("many", 12000, 9000);
	source_conf_init(&conf);
	conf.processed.kind = SOURCE_ACTION_SEEN;
	s = open_spec("maildir:", "many", &conf);
	scan_many(s, 12000, DISPOSE_PROCESSED);
	source_close(s);
	ck_assert_int_eq(count_files("many/cur", ":2,S"), 12000);
	ck_assert_int_eq(count_files("many/new", ""), 0);
	/* The next scan meets each again, once, and changes nothing. */
	s = open_spec("maildir:", "many", &conf);
	scan_many(s, 12000, DISPOSE_PROCESSED);
	source_close(s);
	ck_assert_int_eq(count_files("many/cur", ":2,S"), 12000);
}
END_TEST

/* The same with moves out of the directories being read. */
START_TEST(test_maildir_windows_move)
{
	struct source *s;

	fill_many("many", 12000, 5000);
	s = open_spec("maildir:", "many", NULL);
	scan_many(s, 12000, DISPOSE_PROCESSED);
	source_close(s);
	ck_assert_int_eq(count_files("many/.Processed/cur", "1700"), 5000);
	ck_assert_int_eq(count_files("many/.Processed/new", "1700"), 7000);
	ck_assert_int_eq(count_files("many/cur", "") + count_files("many/new", ""), 0);
}
END_TEST

/*
 * Renames that fail in the background are all counted, and the first is
 * named. A file where .Processed/cur should be stops root too.
 */
START_TEST(test_maildir_failures_counted)
{
	struct source *s;
	struct err e = { "" };

	fill_maildir();
	put("md/cur/1700000003.M3P3.host", "Subject: three\n\n3\n");
	put("md/cur/1700000004.M4P4.host:2,F", "Subject: four\n\n4\n");
	make_maildir("md/.Processed");
	ck_assert_int_eq(rmdir(at("md/.Processed/cur")), 0);
	put("md/.Processed/cur", "a file, not a directory\n");
	s = open_spec("maildir:", "md", NULL);
	ck_assert_int_eq(dispose_all(s, DISPOSE_PROCESSED), 5);
	ck_assert_uint_eq(flush_all(s, &e), 3);
	ck_assert_msg(strstr(e.msg, "cur/1700000000.M0P0.host:2,RT: cannot move to ") !=
	    NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "Not a directory; and 2 more") != NULL, "%s",
	    e.msg);
	source_close(s);
	ck_assert(exists("md/cur/1700000000.M0P0.host:2,RT"));
	ck_assert(exists("md/cur/1700000003.M3P3.host"));
	ck_assert(exists("md/cur/1700000004.M4P4.host:2,F"));
	ck_assert(exists("md/.Processed/new/1700000001.M1P1.host"));
	ck_assert(exists("md/.Processed/new/1700000002.M2P2.host"));
}
END_TEST

static const char mbox_lf[] =
    "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
    "Subject: one\n"
    "\n"
    ">From the start of a line\n"
    ">>From quoted twice\n"
    "From: in a header-like body line stays\n"
    "\n"
    "From MAILER-DAEMON Mon Jan  1 00:00:01 2024\n"
    "Subject: two\n"
    "\n"
    "> From is not quoted\n"
    "\n"
    "From MAILER-DAEMON Mon Jan  1 00:00:02 2024\n"
    "Subject: three\n"
    "\n"
    "no trailing blank line";

START_TEST(test_mbox_split_lf)
{
	struct source *s;
	struct message m;
	struct err e = { "" };
	char first[64];

	put("box", mbox_lf);
	s = open_spec("mbox:", "box", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: one\n\nFrom the start of a line\n"
	    ">From quoted twice\nFrom: in a header-like body line stays\n");
	ck_assert_uint_eq(m.length, strlen(m.data));
	ck_assert_str_eq(m.location, "byte 0");
	ck_assert(strncmp(m.origin, "0-", 2) == 0);
	ck_assert_uint_eq(strlen(m.origin), 18);
	snprintf(first, sizeof first, "%s", m.origin);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: two\n\n> From is not quoted\n");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: three\n\nno trailing blank line");
	ck_assert_uint_eq(m.size, strlen(strstr(mbox_lf, "From MAILER-DAEMON Mon Jan  1 00:00:02")));
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
	/* The origin id is the same on the next run. */
	s = open_spec("mbox:", "box", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.origin, first);
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_PROCESSED, &e), 0);
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_DELETE, &e), -1);
	message_free(&m);
	source_close(s);
	ck_assert_int_eq(access(at("box"), F_OK), 0);
}
END_TEST

START_TEST(test_mbox_split_crlf)
{
	static const char box[] =
	    "From a@example.org Mon Jan  1 00:00:00 2024\r\n"
	    "Subject: one\r\n\r\n>From here\r\nend\r\n\r\n"
	    "From b@example.org Mon Jan  1 00:00:01 2024\r\n"
	    "Subject: two\r\n\r\nbody\r\n";
	char where[32];
	struct source *s;
	struct message m;
	struct err e = { "" };

	put("box", box);
	s = open_spec("mbox:", "box", NULL);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: one\r\n\r\nFrom here\r\nend\r\n");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: two\r\n\r\nbody\r\n");
	snprintf(where, sizeof where, "byte %d", (int)(strstr(box, "From b") - box));
	ck_assert_str_eq(m.location, where);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
}
END_TEST

START_TEST(test_mbox_oversize_and_long_lines)
{
	struct source_conf conf;
	struct source *s;
	struct message m;
	struct err e = { "" };
	size_t big = 200000, n = 0;
	char *box = malloc(big + 1000);

	/* A message of one 200 KB line, between two small ones; the cap is 100 KB. */
	n += (size_t)sprintf(box + n, "From x Mon Jan  1 00:00:00 2024\nSubject: a\n\na\n\n");
	n += (size_t)sprintf(box + n, "From y Mon Jan  1 00:00:00 2024\nSubject: b\n\n");
	memset(box + n, 'x', big);
	n += big;
	n += (size_t)sprintf(box + n, "\n\nFrom z Mon Jan  1 00:00:00 2024\nSubject: c\n\nc\n");
	write_file(at("box"), box, n);
	free(box);
	source_conf_init(&conf);
	conf.max_bytes = 100000;
	s = open_spec("mbox:", "box", &conf);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: a\n\na\n");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_SKIPPED);
	ck_assert_msg(strstr(e.msg, "over the 100000-byte cap") != NULL, "%s", e.msg);
	ck_assert_ptr_null(m.data);
	ck_assert_uint_gt(m.size, big);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: c\n\nc\n");
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
}
END_TEST

/* Bytes the C library has handed out and not had back (0 under ASan). */
static size_t
heap_in_use(void)
{
	return mallinfo2().uordblks;
}

START_TEST(test_mbox_memory_flat)
{
	struct source *s;
	struct message m;
	struct err e = { "" };
	size_t after_100 = 0, count = 0, i;
	char body[1024];
	FILE *f = fopen(at("big"), "w");

	ck_assert_ptr_nonnull(f);
	memset(body, 'b', sizeof body - 2);
	body[sizeof body - 2] = '\n';
	body[sizeof body - 1] = '\0';
	for (i = 0; i < 10000; i++)
		fprintf(f, "From bounce Mon Jan  1 00:00:00 2024\nSubject: %zu\n\n%s\n", i, body);
	fclose(f);
	s = open_spec("mbox:", "big", NULL);
	while (source_next(s, &m, &e) == SOURCE_MESSAGE) {
		ck_assert_uint_eq(m.length, 1023 + strlen("Subject: \n\n") +
		    (size_t)snprintf(NULL, 0, "%zu", count));
		message_free(&m);
		if (++count == 100)
			after_100 = heap_in_use();
	}
	ck_assert_uint_eq(count, 10000);
	/* 9,900 more messages of 1 KB: had any been kept, this would be megabytes. */
	ck_assert_msg(heap_in_use() <= after_100 + 65536, "heap grew from %zu to %zu",
	    after_100, heap_in_use());
	source_close(s);
}
END_TEST

START_TEST(test_plain_file)
{
	struct source *s;
	struct message m;
	struct err e = { "" };
	char cwd[512];

	put("one.eml", "Subject: plain\n\nbody\n");
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(root), 0);
	ck_assert_int_eq(source_open_spec("one.eml", NULL, &s, &e), 0);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: plain\n\nbody\n");
	ck_assert_str_eq(m.origin, at("one.eml"));
	ck_assert_str_eq(m.location, "one.eml");
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_DELETE, &e), -1);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert(exists("one.eml"));
}
END_TEST

/*
 * A regular file read with the size fstat gave: the whole file, and when the
 * file is longer than that size said (it grew since), the rest too, up to the
 * cap; never more than the cap.
 */
START_TEST(test_read_regular_sizes)
{
	static const char text[] = "Subject: sized\n\n0123456789\n";
	size_t n = sizeof text - 1, length;
	char *data;
	struct err e;
	int fd;

	put("sized.eml", text);
	ck_assert_int_ne(fd = open(at("sized.eml"), O_RDONLY), -1);
	ck_assert_int_eq(source_read_regular(fd, (off_t)n, 1024, &data, &length, &e), 0);
	ck_assert_uint_eq(length, n);
	ck_assert_str_eq(data, text);
	free(data);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(source_read_regular(fd, 5, 1024, &data, &length, &e), 0);
	ck_assert_uint_eq(length, n);
	ck_assert_str_eq(data, text);
	free(data);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(source_read_regular(fd, 5, 10, &data, &length, &e), 1);
	close(fd);
}
END_TEST

static void
stdin_from(const char *rel)
{
	int fd = open(at(rel), O_RDONLY);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
}

START_TEST(test_stdin)
{
	struct source *s;
	struct message m;
	struct err e = { "" };

	put("piped", "Subject: piped\r\n\r\nfrom the MTA\r\n");
	stdin_from("piped");
	ck_assert_int_eq(source_open_spec("-", NULL, &s, &e), 0);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_MESSAGE);
	ck_assert_str_eq(m.data, "Subject: piped\r\n\r\nfrom the MTA\r\n");
	ck_assert_str_eq(m.origin, "-");
	ck_assert_int_eq(source_dispose(s, &m, DISPOSE_PROCESSED, &e), 0);
	message_free(&m);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_DONE);
	source_close(s);
}
END_TEST

START_TEST(test_stdin_oversize)
{
	struct source_conf conf;
	struct source *s;
	struct message m;
	struct err e = { "" };
	char big[300000];

	memset(big, 'x', sizeof big);
	write_file(at("piped"), big, sizeof big);
	stdin_from("piped");
	source_conf_init(&conf);
	conf.max_bytes = 100000;
	ck_assert_int_eq(source_open_spec("-", &conf, &s, &e), 0);
	ck_assert_int_eq(source_next(s, &m, &e), SOURCE_SKIPPED);
	ck_assert_msg(strstr(e.msg, "more than 100000 bytes") != NULL, "%s", e.msg);
	ck_assert_ptr_null(m.data);
	message_free(&m);
	/* Not read whole: the rest is still waiting on standard input. */
	ck_assert_int_gt(lseek(STDIN_FILENO, 0, SEEK_CUR), 0);
	ck_assert_int_lt(lseek(STDIN_FILENO, 0, SEEK_CUR), (off_t)sizeof big);
	source_close(s);
}
END_TEST

/* IMAP folder names placed in the personal namespace (RFC 2342). */
START_TEST(test_imap_namespace_place)
{
	static const char other[IMAP_OTHER_PREFIXES][IMAP_PREFIX_MAX] = {
		"#shared.", "user."
	};
	static const struct {
		const char *personal, *name, *want;
	} cases[] = {
		{ "", "Processed", "Processed" },		/* Dovecot */
		{ "INBOX.", "Processed", "INBOX.Processed" },	/* Courier, Cyrus */
		{ "INBOX.", "INBOX.Done", "INBOX.Done" },	/* not doubled */
		{ "INBOX.", "inbox.Done", "inbox.Done" },	/* INBOX in any case */
		{ "INBOX.", "INBOX", "INBOX" },
		{ "INBOX.", "Inbox", "Inbox" },
		{ "INBOX.", "INBOXES", "INBOX.INBOXES" },
		{ "INBOX.", "#shared.lists", "#shared.lists" },	/* another namespace */
		{ "INBOX.", "user.bob.x", "user.bob.x" },
		{ "INBOX.", "&XfJZBHQG-", "INBOX.&XfJZBHQG-" },
		{ "Mail/", "Mail/Done", "Mail/Done" },
		{ "Mail/", "mail/Done", "Mail/mail/Done" },	/* only INBOX ignores case */
	};
	char out[IMAP_PLACED_NAME_MAX];
	struct err e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(imap_namespace_place(cases[i].personal, other, 2,
		    cases[i].name, out, sizeof out, &e), 0);
		ck_assert_str_eq(out, cases[i].want);
	}
	/* Too little room is an error, never a cut name. */
	ck_assert_int_eq(imap_namespace_place("INBOX.", other, 2, "Processed", out,
	    15, &e), -1);
	ck_assert_int_eq(imap_namespace_place("INBOX.", other, 2, "Processed", out,
	    16, &e), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("source");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spec_errors);
	tcase_add_test(tc, test_action_parse);
	tcase_add_test(tc, test_maildir_lists_new_and_cur);
	tcase_add_test(tc, test_maildir_processed_moves);
	tcase_add_test(tc, test_maildir_unrecognized_keep_delete);
	tcase_add_test(tc, test_maildir_seen_mode);
	tcase_add_test(tc, test_maildir_vanished_file);
	tcase_add_test(tc, test_maildir_oversize_skipped);
	tcase_add_test(tc, test_maildir_no_overwrite);
	tcase_add_test(tc, test_maildir_subfolder_layout);
	tcase_add_test(tc, test_maildir_folder_utf7);
	tcase_add_test(tc, test_maildir_folder_utf8);
	tcase_add_test(tc, test_maildir_windows_seen);
	tcase_add_test(tc, test_maildir_windows_move);
	tcase_add_test(tc, test_maildir_failures_counted);
	tcase_add_test(tc, test_mbox_split_lf);
	tcase_add_test(tc, test_mbox_split_crlf);
	tcase_add_test(tc, test_mbox_oversize_and_long_lines);
	tcase_add_test(tc, test_mbox_memory_flat);
	tcase_add_test(tc, test_plain_file);
	tcase_add_test(tc, test_read_regular_sizes);
	tcase_add_test(tc, test_stdin);
	tcase_add_test(tc, test_stdin_oversize);
	tcase_add_test(tc, test_lock_key);
	tcase_add_test(tc, test_imap_namespace_place);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
