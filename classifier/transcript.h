/*
 * transcript.h: which SMTP command each result's error answered, read from the
 * bounce text around the places where the error is quoted (internal to the library).
 */
#ifndef BOUNCESCAN_TRANSCRIPT_H
#define BOUNCESCAN_TRANSCRIPT_H

#include "mail.h"
#include "report.h"

/*
 * Fill smtp_command of every result of r that has a diagnostic and no command yet,
 * from the session transcript or the paragraph around the diagnostic in m's text.
 * Costs one pass over the text however many results there are.
 */
void transcript_commands(const struct mail *m, struct report *r);

#endif
