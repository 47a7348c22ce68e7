/*
 * output.h: how results are shown: one JSON object per line (for programs) or a
 * table (for people).
 */
#ifndef BOUNCESCAN_OUTPUT_H
#define BOUNCESCAN_OUTPUT_H

#include <stdio.h>

#include "classifier.h"

/* One JSON line per result of r, or one "class": "none" line when r has none. */
void output_json(FILE *, const char *file, const struct report *r);

void output_table_header(FILE *);
void output_table(FILE *, const char *file, const struct report *r);

#endif
