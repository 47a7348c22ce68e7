/*
 * dsn-result.h: one recipient group of a delivery status report, as a result.
 * Shared by the RFC 3464 decoder and the decoders that find DSN fields written
 * into a plain-text body, so that all of them read a group the same way.
 */
#ifndef BOUNCESCAN_DSN_RESULT_H
#define BOUNCESCAN_DSN_RESULT_H

#include "dsn.h"
#include "report.h"

/*
 * Add (or find) the result for g's recipient (Final-Recipient, else
 * Original-Recipient, else X-Actual-Recipient) and fill its empty fields from
 * Action, Status, Remote-MTA and Diagnostic-Code. NULL when g names no address or
 * the report is full.
 */
struct result *dsn_group_result(const struct dsn_group *g, struct report *r);

#endif
