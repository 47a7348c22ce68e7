/*
 * format-googlegroups.c: Google Groups refusing a post: "the group you tried to
 * contact (name) may not exist, or you may not have permission to post messages
 * to the group", in the poster's language, from Gmail's mailer-daemon. The group
 * is named in X-Failed-Recipients. The format itself says the post was refused,
 * so the reason is "rejected" whatever the language.
 */
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "reason.h"
#include "report.h"
#include "text.h"

/* The paragraph after the greeting ("Hello user@example.org,"). */
static void
explanation(struct result *res, const char *text, size_t len)
{
	const char *pos = text, *end = text + len, *start = NULL;
	struct line line;
	int lines = 0;

	while (bodyscan_next(&pos, end, &line)) {
		if (bodyscan_blank(&line)) {
			if (start != NULL) {
				bodyscan_diagnostic(res, start, (size_t)(line.s - start));
				return;
			}
			continue;
		}
		if (start == NULL && lines++ == 1)
			start = line.s;
	}
}

static int
googlegroups_parse(const struct mail *m, struct report *r)
{
	char *failed;
	const char *text;
	struct result *res;
	size_t len;

	if ((failed = mail_header(m, "X-Failed-Recipients")) == NULL)
		return 0;
	if (text_find(failed, strlen(failed), "@googlegroups.com") == NULL ||
	    !bodyscan_from_has(m, "google")) {
		free(failed);
		return 0;
	}
	text = bodyscan_text(m, &len);
	res = text_find(text, len, "groups.google.com") != NULL ?
	    bodyscan_add(r, failed, strlen(failed), "failed") : NULL;
	free(failed);
	if (res == NULL)
		return 0;
	explanation(res, text, len);
	res->reason = reason_lookup("rejected");
	res->rule = "google groups refusal";
	return 1;
}

/* What googlegroups_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"groups.google.com", NULL
};

const struct format format_googlegroups = { "googlegroups", googlegroups_parse, markers, 0 };
