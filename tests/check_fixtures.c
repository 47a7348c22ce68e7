/*
 * check_fixtures.c: one bounce fixture plus its expected results is one test.
 *
 * For every tests/fixtures/NAME.eml there is a NAME.expect: one line per expected
 * result, TAB-separated:
 *
 *     recipient  class  reason  status  smtp_code
 *
 * "-" means empty (no recipient, no status, no code), "*" means not checked. The
 * results must match as a set: nothing missing, nothing extra. Lines starting with
 * '#' are comments; "!verp PATTERN", "!rules FILE" (relative to fixtures/) and
 * "!generic-only" (the generic reader alone, as parse --generic-only) set up the
 * classifier for that fixture. A file with no result lines expects a
 * message that is not a bounce. Adding a case needs no C. FIXTURE=qmail in the
 * environment runs only the fixtures whose names start with "qmail".
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "classifier.h"

#ifndef FIXTURES
#define FIXTURES "fixtures"
#endif

struct expected {
	char	field[5][256];
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int
field_ok(const char *want, const char *got)
{
	if (strcmp(want, "*") == 0)
		return 1;
	if (strcmp(want, "-") == 0)
		return got == NULL || *got == '\0';
	return got != NULL && strcmp(want, got) == 0;
}

static int
result_ok(const struct expected *x, const struct result *r)
{
	char code[16] = "";

	if (r->smtp_code > 0)
		snprintf(code, sizeof code, "%d", r->smtp_code);
	return field_ok(x->field[0], r->recipient) &&
	    field_ok(x->field[1], class_name(r->class)) &&
	    field_ok(x->field[2], r->reason) && field_ok(x->field[3], r->status) &&
	    field_ok(x->field[4], code);
}

static void
describe(char *buf, size_t size, const struct report *r)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nresults && used < size; i++) {
		const struct result *x = &r->results[i];

		used += (size_t)snprintf(buf + used, size - used, "\n    got %s %s %s %s %d",
		    x->recipient ? x->recipient : "-", class_name(x->class),
		    x->reason ? x->reason : "-", x->status[0] ? x->status : "-",
		    x->smtp_code);
	}
}

/* Check one fixture; returns 1 when it passes, else prints why. */
static int
check_fixture(const char *name)
{
	char path[2048], line[1024], got[4096];
	struct expected want[64];
	size_t nwant = 0, len, i, j;
	struct classifier *c = classifier_new();
	struct report r;
	struct err e;
	char *msg;
	FILE *f;
	int ok = 1, used[64] = { 0 };

	snprintf(path, sizeof path, "%s/%s.expect", FIXTURES, name);
	if ((f = fopen(path, "r")) == NULL) {
		printf("%s: no .expect file\n", name);
		classifier_free(c);
		return 0;
	}
	while (fgets(line, sizeof line, f) != NULL && nwant < 64) {
		char *tok, *save = NULL;
		int k = 0;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "!verp ", 6) == 0) {
			ck_assert_msg(classifier_set_verp(c, line + 6, &e) == 0, "%s", e.msg);
			continue;
		}
		if (strcmp(line, "!generic-only") == 0) {
			classifier_set_generic_only(c, 1);
			continue;
		}
		if (strncmp(line, "!rules ", 7) == 0) {
			snprintf(path, sizeof path, "%s/%s", FIXTURES, line + 7);
			ck_assert_msg(classifier_load_rules(c, path, &e) == 0, "%s", e.msg);
			continue;
		}
		for (tok = strtok_r(line, "\t", &save); tok != NULL && k < 5;
		    tok = strtok_r(NULL, "\t", &save))
			snprintf(want[nwant].field[k++], 256, "%s", tok);
		for (; k < 5; k++)
			strcpy(want[nwant].field[k], "*");
		nwant++;
	}
	fclose(f);
	snprintf(path, sizeof path, "%s/%s.eml", FIXTURES, name);
	msg = slurp(path, &len);
	ck_assert_msg(msg != NULL, "cannot read %s", path);
	memset(&r, 0, sizeof r);
	classify(c, msg, len, &r);
	describe(got, sizeof got, &r);
	if (r.nresults != nwant) {
		printf("%s: want %zu results, got %zu%s\n", name, nwant, r.nresults, got);
		ok = 0;
	}
	for (i = 0; ok && i < nwant; i++) {
		for (j = 0; j < r.nresults; j++)
			if (!used[j] && result_ok(&want[i], &r.results[j]))
				break;
		if (j == r.nresults) {
			printf("%s: no result matches  %s %s %s %s %s%s\n", name,
			    want[i].field[0], want[i].field[1], want[i].field[2],
			    want[i].field[3], want[i].field[4], got);
			ok = 0;
		} else
			used[j] = 1;
	}
	report_free(&r);
	free(msg);
	classifier_free(c);
	return ok;
}

START_TEST(every_fixture)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *de;
	const char *only = getenv("FIXTURE");	/* run only names starting with this */
	int n = 0, failed = 0;

	ck_assert_msg(d != NULL, "cannot open %s", FIXTURES);
	while ((de = readdir(d)) != NULL) {
		size_t k = strlen(de->d_name);
		char name[512];

		if (k < 5 || strcmp(de->d_name + k - 4, ".eml") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(k - 4), de->d_name);
		if (only != NULL && strncmp(name, only, strlen(only)) != 0)
			continue;
		n++;
		if (!check_fixture(name))
			failed++;
	}
	closedir(d);
	printf("fixtures: %d checked, %d failed\n", n, failed);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(failed, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fixtures");
	TCase *tc = tcase_create("fixtures");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_fixture);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
