/*
 * format-biglobe.c: bounces from BIGLOBE (Japan): the addresses, then the reason
 *
 *        ----- The following addresses had delivery problems -----
 *     user@example.ne.jp
 *
 *        ----- Non-delivered information -----
 *     The number of messages in recipient's mailbox exceeded the local limit.
 */
#include <string.h>

#include "bodyscan.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "text.h"

static int
biglobe_parse(const struct mail *m, struct report *r)
{
	const char *text, *pos, *end, *info, *stop;
	struct result *res;
	struct line line;
	size_t len, i, first = r->nresults;
	int added = 0;

	if (!bodyscan_from_has(m, "biglobe"))
		return 0;
	text = bodyscan_text(m, &len);
	if ((pos = bodyscan_after(text, len, "----- The following addresses had delivery problems")) == NULL)
		return 0;
	end = text + len;
	while (bodyscan_next(&pos, end, &line) && !bodyscan_blank(&line))
		if ((res = bodyscan_add(r, line.s, line.n, "failed")) != NULL)
			added++;
	if ((info = bodyscan_after(text, len, "----- Non-delivered information")) == NULL)
		return added;
	for (pos = info, stop = end; bodyscan_next(&pos, end, &line);) {
		if (bodyscan_blank(&line)) {
			stop = line.s;
			break;
		}
	}
	for (i = first; i < r->nresults; i++)
		bodyscan_diagnostic(&r->results[i], info, (size_t)(stop - info));
	return added;
}

/* What biglobe_parse requires before it reads anything (see format.h). */
static const char *const markers[] = {
	"----- The following addresses had delivery problems", NULL
};

const struct format format_biglobe = { "biglobe", biglobe_parse, markers, 0 };
