/*
 * formats.c: the decoders, in the order they are tried. Structured reports come
 * first, then the formats of particular MTAs and providers, then auto-replies.
 */
#include <stddef.h>

#include "format.h"

extern const struct format format_arf;
extern const struct format format_rfc3464;
/* BEGIN provider formats (declarations) */
/* END provider formats (declarations) */
/* BEGIN filter formats (declarations) */
/* END filter formats (declarations) */
/* BEGIN unix formats (declarations) */
/* END unix formats (declarations) */
extern const struct format format_autoreply;

const struct format *const formats[] = {
	&format_arf,
	&format_rfc3464,
	/* BEGIN provider formats (table) */
	/* END provider formats (table) */
	/* BEGIN filter formats (table) */
	/* END filter formats (table) */
	/* BEGIN unix formats (table) */
	/* END unix formats (table) */
	&format_autoreply,
	NULL
};
