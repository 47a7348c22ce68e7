/*
 * pop3-pipeline.c: pipelined RETR and DELE on libetpan's POP3 stream; see
 * pop3-pipeline.h. The message bytes come from libetpan's own multi-line
 * reader, as with mailpop3_retr, so a message's hash is the same either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3-pipeline.h"
#include "xalloc.h"

/*
 * Commands per write. Each DELE answer is some 30 bytes and each RETR command
 * some 12: far below what a socket buffers, so the server never blocks on
 * answers we have not started reading while we are still writing.
 */
#define PIPELINE_MAX	256

static int
send_commands(mailpop3 *p, const char *verb, const unsigned int *index, size_t n,
    struct err *e)
{
	char line[32];
	size_t i;

	for (i = 0; i < n; i++) {
		int len = snprintf(line, sizeof line, "%s %u\r\n", verb, index[i]);

		if (mailstream_write(p->pop3_stream, line, (size_t)len) != len)
			return err_set(e, "%s: the connection was lost", verb);
	}
	if (mailstream_flush(p->pop3_stream) == -1)
		return err_set(e, "%s: the connection was lost", verb);
	return 0;
}

/* The status line of the next answer: 1 +OK, 0 -ERR (said filled), -1 lost. */
static int
read_status(mailpop3 *p, MMAPString *buffer, char said[128])
{
	const char *line = mailstream_read_line_remove_eol(p->pop3_stream, buffer);

	said[0] = '\0';
	if (line == NULL)
		return -1;
	if (strncmp(line, "+OK", 3) == 0)
		return 1;
	snprintf(said, 128, "%s", line);
	return 0;
}

static int
retr_some(mailpop3 *p, const unsigned int *index, size_t n, struct pop3_answer *out,
    MMAPString *line, MMAPString *body, struct err *e)
{
	size_t i;

	if (send_commands(p, "RETR", index, n, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const char *text;
		int rc = read_status(p, line, out[i].said);

		if (rc == -1)
			return err_set(e, "RETR: the connection was lost");
		if (rc == 0)
			continue;
		text = mailstream_read_multiline(p->pop3_stream, 0, line, body, 0, NULL,
		    NULL, NULL);
		if (text == NULL)
			return err_set(e, "RETR: the connection was lost");
		out[i].ok = 1;
		out[i].length = body->len;
		out[i].data = xmalloc(body->len + 1);
		memcpy(out[i].data, text, body->len);
		out[i].data[body->len] = '\0';
	}
	return 0;
}

int
pop3_pipeline_retr(mailpop3 *p, const unsigned int *index, size_t n,
    struct pop3_answer *out, struct err *e)
{
	MMAPString *line = mmap_string_new(""), *body = mmap_string_new("");
	size_t done;
	int rc = 0;

	memset(out, 0, n * sizeof *out);
	for (done = 0; done < n && rc == 0; done += PIPELINE_MAX)
		rc = retr_some(p, index + done, n - done < PIPELINE_MAX ? n - done :
		    PIPELINE_MAX, out + done, line, body, e);
	mmap_string_free(line);
	mmap_string_free(body);
	return rc;
}

int
pop3_pipeline_dele(mailpop3 *p, const unsigned int *index, size_t n, size_t *refused,
    struct err *e)
{
	MMAPString *line = mmap_string_new("");
	char said[128];
	size_t done, i, chunk;
	int rc = 0;

	*refused = 0;
	for (done = 0; done < n && rc == 0; done += chunk) {
		chunk = n - done < PIPELINE_MAX ? n - done : PIPELINE_MAX;
		if ((rc = send_commands(p, "DELE", index + done, chunk, e)) == -1)
			break;
		for (i = 0; i < chunk && rc == 0; i++) {
			int status = read_status(p, line, said);

			if (status == -1)
				rc = err_set(e, "DELE: the connection was lost");
			else if (status == 0)
				(*refused)++;
		}
	}
	mmap_string_free(line);
	return rc;
}
