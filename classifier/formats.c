/*
 * formats.c: the decoders, in the order they are tried. Structured reports come
 * first, then the formats of particular MTAs and providers, then auto-replies.
 */
#include <stddef.h>

#include "format.h"

extern const struct format format_arf;
extern const struct format format_rfc3464;
/* BEGIN mta formats (declarations) */
/* END mta formats (declarations) */
extern const struct format format_autoreply;

const struct format *const formats[] = {
	&format_arf,
	&format_rfc3464,
	/* BEGIN mta formats (table) */
	/* END mta formats (table) */
	&format_autoreply,
	NULL
};
