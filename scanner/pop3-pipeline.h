/*
 * pop3-pipeline.h: RFC 2449 PIPELINING for the POP3 source: several RETR or
 * DELE commands in one write, their answers read back in order. libetpan sends
 * one command and waits for its answer; that wait, not the transfer, was most of
 * a POP3 scan (measured: 10,000 messages, 20,000 round trips of ~0.4 ms each on
 * loopback). Used only when the server's CAPA lists PIPELINING.
 */
#ifndef BOUNCESCAN_POP3_PIPELINE_H
#define BOUNCESCAN_POP3_PIPELINE_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#include "err.h"

struct pop3_answer {
	int	 ok;		/* +OK */
	char	*data;		/* RETR: the message (as mailpop3_retr gives it) */
	size_t	 length;
	char	 said[128];	/* -ERR: the server's words */
};

/*
 * RETR each of the n message numbers, answers into out[0..n-1] (zeroed here;
 * the caller frees each data). 0, or -1 with e when the connection failed;
 * answers not read then have ok = 0, data NULL and an empty said.
 */
int	pop3_pipeline_retr(mailpop3 *p, const unsigned int *index, size_t n,
	    struct pop3_answer *out, struct err *e);

/*
 * DELE each of the n message numbers; *refused counts the -ERR answers. 0, or
 * -1 with e when the connection failed.
 */
int	pop3_pipeline_dele(mailpop3 *p, const unsigned int *index, size_t n,
	    size_t *refused, struct err *e);

#endif
