/*
 * fuzz_classify.c: libFuzzer target for the whole classifier ("make fuzz").
 *
 * Every input is one message handed to classify(), with a VERP pattern set so that
 * the VERP decoder runs too. Any crash, sanitizer report, leak or input that takes
 * longer than libFuzzer's -timeout is a finding. Built with clang by tests/fuzz.sh:
 *     clang -fsanitize=fuzzer,address,undefined
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct classifier *classifier;

static void
classifier_done(void)
{
	classifier_free(classifier);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report r;
	struct err e;

	if (classifier == NULL) {
		classifier = classifier_new();
		if (classifier_set_verp(classifier,
		    "bounces+{local}={domain}@lists.example.org", &e) == -1)
			abort();
		atexit(classifier_done);
	}
	memset(&r, 0, sizeof r);
	classify(classifier, (const char *)data, size, &r);
	report_free(&r);
	return 0;
}
