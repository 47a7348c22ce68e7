/*
 * reason.h: reason names and the class each one implies.
 */
#ifndef BOUNCESCAN_REASON_H
#define BOUNCESCAN_REASON_H

#include "classifier.h"

/* The static copy of a known reason name, or NULL when name is not one. */
const char *reason_lookup(const char *name);

/*
 * The class of a result from its reason, status, SMTP code and action (see DESIGN.md
 * "Classification").
 */
enum bounce_class reason_class(const char *reason, const char *status, int smtp_code,
    const char *action);

#endif
