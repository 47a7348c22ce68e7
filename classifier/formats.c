/*
 * formats.c: the decoders, in the order they are tried. Structured reports come
 * first, then the formats of particular MTAs and providers, then the generic reader
 * that every other message goes through (it declines auto-replies), then auto-replies.
 */
#include <stddef.h>

#include "format.h"

extern const struct format format_arf;
extern const struct format format_challenge;
extern const struct format format_dovecot;
extern const struct format format_rfc3464;
/* BEGIN provider formats (declarations) */
extern const struct format format_amazonses;
extern const struct format format_amazonworkmail;
extern const struct format format_exchange2003;
extern const struct format format_exchange;
extern const struct format format_googlegroups;
extern const struct format format_gmail;
extern const struct format format_yahoo;
extern const struct format format_notes;
extern const struct format format_messagingserver;
extern const struct format format_gmx;
extern const struct format format_zoho;
extern const struct format format_biglobe;
/* END provider formats (declarations) */
/* BEGIN filter formats (declarations) */
extern const struct format format_mimecast;
extern const struct format format_barracuda;
extern const struct format format_mcafee;
extern const struct format format_trendmicro;
extern const struct format format_messagelabs;
extern const struct format format_mxlogic;
extern const struct format format_mfilter;
extern const struct format format_surfcontrol;
extern const struct format format_amavis;
extern const struct format format_kddi;
extern const struct format format_ezweb;
extern const struct format format_chinese;
/* END filter formats (declarations) */
/* BEGIN unix formats (declarations) */
extern const struct format format_exim;
extern const struct format format_qmail;
extern const struct format format_sendmail;
extern const struct format format_postfix;
extern const struct format format_opensmtpd;
extern const struct format format_dma;
extern const struct format format_unknown;
/* END unix formats (declarations) */
extern const struct format format_generic;
extern const struct format format_autoreply;

const struct format *const formats[] = {
	&format_arf,
	&format_challenge,	/* before any bounce reading: see format-challenge.c */
	&format_dovecot,	/* its DSN part is the MTA's guess: see format-dovecot.c */
	&format_rfc3464,
	/* BEGIN provider formats (table) */
	&format_amazonses,
	&format_amazonworkmail,
	&format_exchange2003,
	&format_exchange,
	&format_googlegroups,
	&format_gmail,
	&format_yahoo,
	&format_notes,
	&format_messagingserver,
	&format_gmx,
	&format_zoho,
	&format_biglobe,
	/* END provider formats (table) */
	/* BEGIN filter formats (table) */
	&format_mimecast,
	&format_barracuda,
	&format_mcafee,
	&format_trendmicro,
	&format_messagelabs,
	&format_mxlogic,
	&format_mfilter,
	&format_surfcontrol,
	&format_amavis,
	&format_kddi,
	&format_ezweb,
	&format_chinese,
	/* END filter formats (table) */
	/* BEGIN unix formats (table) */
	&format_exim,
	&format_qmail,
	&format_sendmail,
	&format_postfix,
	&format_opensmtpd,
	&format_dma,
	&format_unknown,
	/* END unix formats (table) */
	&format_generic,
	&format_autoreply,
	NULL
};
