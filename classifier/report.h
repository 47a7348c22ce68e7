/*
 * report.h: how decoders add results to a report (internal to the library).
 */
#ifndef BOUNCESCAN_REPORT_H
#define BOUNCESCAN_REPORT_H

#include "classifier.h"

/*
 * The result for `recipient` (an address, cleaned with address_find, or NULL for an
 * unknown one). A recipient already in the report gets its existing result back, so
 * a decoder may name the same address twice. NULL when the report is full (a new
 * recipient past CLASSIFIER_MAX_RESULTS also sets the warning).
 */
struct result *report_add(struct report *r, const char *recipient);

/* The result for recipient, or NULL. */
struct result *report_find(const struct report *r, const char *recipient);

/*
 * Say in r->error that a cap was hit and the message was read only in part (the
 * "warning" of parse --json). The first warning stays; later ones are dropped.
 */
void report_warn(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Replace *field with a copy of the first n bytes of s, unfolded (NULL s clears). */
void result_set(char **field, const char *s, size_t n);
void result_set_str(char **field, const char *s);

/* Copy the SMTP command ("RCPT") into res, cut to fit: snprintf without its cost. */
void result_set_command(struct result *res, const char *command);

#endif
