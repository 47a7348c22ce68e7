/* text.c: helpers for reading bounce prose; see text.h. */
#include <ctype.h>
#include <string.h>

#include "ac.h"
#include "text.h"
#include "xalloc.h"

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/*
 * How common each byte is in bounce text, lower is rarer: text_find looks for the
 * needle's rarest byte with memchr (vectorised) and compares only around its hits.
 * Letters are ranked by English frequency; punctuation other than space is rare.
 */
static const unsigned char *
commonness(void)
{
	static const char by_frequency[] = "zqxjkvbpygfwmucldrhsnioate";
	static unsigned char table[256];
	static int ready;
	int i;

	if (!ready) {
		for (i = 0; i < 256; i++)
			table[i] = (i == ' ' || i == '\n') ? 40 : (i >= '0' && i <= '9') ? 20 : 0;
		for (i = 0; by_frequency[i] != '\0'; i++)
			table[(unsigned char)by_frequency[i]] =
			    table[(unsigned char)by_frequency[i] - 32] = (unsigned char)(10 + i);
		ready = 1;
	}
	return table;
}

/* Where the next lower-case and upper-case copies of one byte are. */
struct byte_search {
	int		 byte[2];
	const char	*at[2];		/* next hit, or NULL */
	int		 gone[2];	/* no hit left */
};

/* The next place in [p, end) holding either byte, or NULL. */
static const char *
next_either(struct byte_search *b, const char *p, const char *end)
{
	const char *best = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		if (b->gone[i])
			continue;
		if (b->at[i] == NULL || b->at[i] < p) {
			b->at[i] = memchr(p, b->byte[i], (size_t)(end - p));
			b->gone[i] = b->at[i] == NULL;
		}
		if (b->at[i] != NULL && (best == NULL || b->at[i] < best))
			best = b->at[i];
	}
	return best;
}

/*
 * Decoders call this on every message to reject what is not theirs, so it must not
 * walk the text byte by byte: see commonness().
 */
const char *
text_find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), pick = 0, i;
	const unsigned char *rank;
	struct byte_search b;
	const char *p, *end, *hit;

	if (k == 0)
		return s;
	if (k > n)
		return NULL;
	rank = commonness();
	for (i = 1; i < k; i++)
		if (rank[(unsigned char)needle[i]] < rank[(unsigned char)needle[pick]])
			pick = i;
	memset(&b, 0, sizeof b);
	b.byte[0] = lower((unsigned char)needle[pick]);
	b.byte[1] = (b.byte[0] >= 'a' && b.byte[0] <= 'z') ? b.byte[0] - 32 : b.byte[0];
	b.gone[1] = b.byte[1] == b.byte[0];
	end = s + n - (k - 1 - pick);	/* past the last place the byte can match */
	for (p = s + pick; p < end; p = hit + 1) {
		if ((hit = next_either(&b, p, end)) == NULL)
			return NULL;
		/* The ends first: most hits of one byte fail there, without a call. */
		if ((((hit - pick)[0] ^ needle[0]) & ~0x20) == 0 &&
		    (((hit - pick)[k - 1] ^ needle[k - 1]) & ~0x20) == 0 &&
		    strncasecmp(hit - pick, needle, k) == 0)
			return hit - pick;
	}
	return NULL;
}

int
text_starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return k <= n && strncasecmp(s, prefix, k) == 0;
}

/* The white space text_unfold() collapses: space, \t, \n, \v, \f and \r. */
static int
unfold_space(unsigned char c)
{
	return c <= ' ' && (c == ' ' || (c >= '\t' && c <= '\r'));
}

/*
 * Word by word: the copy loop tests one comparison a byte for anything above
 * space, where testing the six spaces on every byte cost twice the instructions.
 */
char *
text_unfold(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	const char *p = s, *end = s + n;

	for (;;) {
		while (p < end && unfold_space((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (o != out)
			*o++ = ' ';
		while (p < end && !unfold_space((unsigned char)*p))
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

char *
text_trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i);
	s[n - i] = '\0';
	return s;
}

const char *
text_eol(const char *s, const char *end)
{
	const char *p = memchr(s, '\n', (size_t)(end - s));

	return p != NULL ? p : end;
}

/* Digits starting at s (at most max), or 0. */
static size_t
digits(const char *s, const char *end, size_t max)
{
	size_t k = 0;

	while (s + k < end && k <= max && isdigit((unsigned char)s[k]))
		k++;
	return k > max ? 0 : k;
}

int
text_status(const char *s, size_t n, char out[16])
{
	const char *end = s + n, *p;

	for (p = s; p + 5 <= end; p++) {
		size_t a, b;

		if (*p != '2' && *p != '4' && *p != '5')
			continue;
		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '.'))
			continue;
		if (p[1] != '.')
			continue;
		/*
		 * RFC 3463 defines subjects 0 to 7, one digit: "2.753.1" (Apple Mail's
		 * version) or "2.10.10" (a list manager's) is no status.
		 */
		a = digits(p + 2, end, 1);
		if (a == 0 || p[2] > '7' || p + 2 + a >= end || p[2 + a] != '.')
			continue;
		b = digits(p + 3 + a, end, 3);
		if (b == 0)
			continue;
		if (p + 3 + a + b < end && (isalnum((unsigned char)p[3 + a + b]) ||
		    (p[3 + a + b] == '.' && p + 4 + a + b < end &&
		    isdigit((unsigned char)p[4 + a + b]))))
			continue;
		memcpy(out, p, 3 + a + b);
		out[3 + a + b] = '\0';
		return 1;
	}
	return 0;
}

static int
code_at(const char *p, const char *end)
{
	if (end - p < 3 || (p[0] != '2' && p[0] != '4' && p[0] != '5') ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
		return 0;
	if (p + 3 < end && p[3] != ' ' && p[3] != '-' && p[3] != '\t' &&
	    p[3] != '\n' && p[3] != '.' && p[3] != ',' && p[3] != ']' && p[3] != ')')
		return 0;
	/* "203.0.113.7" is an address, not reply code 203. */
	if (p + 4 < end && p[3] == '.' && isdigit((unsigned char)p[4]))
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* What the reply to each SMTP command is called in bounce text. */
static const struct {
	const char	*phrase;	/* lower case */
	const char	*command;
} command_phrases[] = {
	{ "in reply to end of data command", "DATA" },
	{ "in reply to data command", "DATA" },
	{ "after end of data", "DATA" },
	{ "after data", "DATA" },
	{ ">>> data", "DATA" },
	{ "failed after i sent the message", "DATA" },
	{ "in reply to rcpt to command", "RCPT" },
	{ "after rcpt to", "RCPT" },
	{ ">>> rcpt to", "RCPT" },
	{ "does not like recipient", "RCPT" },
	{ "in reply to mail from command", "MAIL" },
	{ "after mail from", "MAIL" },
	{ ">>> mail from", "MAIL" },
	{ "does not like sender", "MAIL" },
	{ "in reply to ehlo command", "EHLO" },
	{ "in reply to helo command", "EHLO" },
	{ "after ehlo", "EHLO" },
	{ "after helo", "EHLO" },
	{ "after pipelined mail from", "MAIL" },
	{ "after pipelined rcpt to", "RCPT" },
	{ "after pipelined end of data", "DATA" },
	{ "in reply to bdat command", "DATA" },
	{ "after bdat", "DATA" },
	{ "after initial connection", "CONN" },
};

#define COMMAND_PHRASES	(sizeof command_phrases / sizeof command_phrases[0])

/* The phrase that starts last so far, in text_smtp_command(). */
struct command_best {
	size_t	 start;
	int	 phrase;	/* -1 while none */
};

static int
phrase_found(int id, size_t end, void *arg)
{
	struct command_best *best = arg;
	size_t start = end - strlen(command_phrases[id].phrase);

	if (best->phrase == -1 || start > best->start ||
	    (start == best->start && id < best->phrase)) {
		best->start = start;
		best->phrase = id;
	}
	return 0;
}

/*
 * The command of the phrase that starts last; the first in the table on a tie. One
 * pass of an automaton built on first use: looking for seven hint words one by one
 * cost 6.0M instructions over the corpus. The automaton tells where each phrase
 * ends, so a text that repeats a phrase 100,000 times is still read once (a
 * text_find() per occurrence made a 16 MB text take seconds).
 */
const char *
text_smtp_command(const char *s, size_t n)
{
	static struct ac *phrases;
	struct command_best best = { 0, -1 };
	size_t i;

	if (phrases == NULL) {
		phrases = ac_new();
		for (i = 0; i < COMMAND_PHRASES; i++)
			ac_add(phrases, command_phrases[i].phrase, (int)i);
		ac_compile(phrases);
	}
	ac_scan_where(phrases, s, n, 1, phrase_found, &best);
	return best.phrase == -1 ? NULL : command_phrases[best.phrase].command;
}

/* Does an enhanced status of class c start at p ("5.1.1", "#5.1.1", "'5.1.1")? */
static int
status_follows(const char *p, const char *end, char c)
{
	char found[16];

	if (p < end && (*p == '#' || *p == '\'' || *p == '"' || *p == '('))
		p++;
	if (p >= end || *p != c)
		return 0;
	return text_status(p, (size_t)(end - p < 16 ? end - p : 16), found) &&
	    found[0] == c;
}

/* Does "<local@domain>" start at p, as in a reply "554 <kim@example.net>... "? */
static int
address_follows(const char *p, const char *end)
{
	const char *gt;

	if (p >= end || *p != '<')
		return 0;
	gt = memchr(p, '>', (size_t)(end - p < 256 ? end - p : 256));
	return gt != NULL && memchr(p, '@', (size_t)(gt - p)) != NULL;
}

/*
 * Does the word after a number at p make it a quantity ("500 messages", "552 bytes",
 * "450 seconds") rather than a reply code?
 */
static int
quantity_follows(const char *p, const char *end)
{
	static const char *const units[] = { "byte", "kb", "mb", "gb", "kib", "mib",
	    "message", "mail", "recipient", "rcpt", "second", "sec", "minute", "min",
	    "hour", "day", "time", "connection", "attempt", "percent", "%", NULL };
	size_t i, k;

	while (p < end && *p == ' ')
		p++;
	for (i = 0; units[i] != NULL; i++) {
		k = strlen(units[i]);
		if (text_starts(p, (size_t)(end - p), units[i]) &&
		    (p + k == end || !isalpha((unsigned char)p[k]) || p[k] == 's'))
			return 1;
	}
	return 0;
}

/*
 * Before the '=' or '/' at sep: a label that names a reply code ("code=", "reply=",
 * "response="), or an enhanced status of class c ("5.1.1/550")?
 */
static int
labelled_or_after_status(const char *s, const char *sep, char c)
{
	static const char *const labels[] = { "code", "reply", "response", "smtp",
	    NULL };
	const char *w = sep;
	char found[16];
	size_t i;

	while (w > s && w[-1] != ' ' && w[-1] != '\t' && w[-1] != ',' && w[-1] != ';' &&
	    w[-1] != '(' && w[-1] != '[' && sep - w < 16)
		w--;
	if (*sep == '=') {
		for (i = 0; labels[i] != NULL; i++)
			if ((size_t)(sep - w) >= strlen(labels[i]) &&
			    strncasecmp(sep - strlen(labels[i]), labels[i],
			    strlen(labels[i])) == 0)
				return 1;
		return 0;
	}
	return text_status(w, (size_t)(sep - w), found) && found[0] == c &&
	    strlen(found) == (size_t)(sep - w) - (*w == '#');
}

/*
 * A 4xx or 5xx reply code anywhere in the text, where a reply stands: the server's
 * words are quoted after a host ("host mx.example.net [192.0.2.1]: 550 ..."), after
 * the command that drew them ("did not like our RCPT TO: 550 ..."), after a
 * transcript marker ("<<< 550", "----- 550", "Out: 451"), in brackets ("[550 5.1.1
 * User unknown]"), with a label ("ERROR_CODE :550,", "code=550") or after its
 * status ("5.1.1/550"). Where a word precedes the
 * number it must look like a reply by itself: followed by an enhanced status of its
 * class ("... problem 550 5.1.1"), by '-' as a multi-line reply ("550-'Unknown
 * user"), or by the address it is about ("... kim 554 <kim@example.net>... ").
 * The first such code; 0 when none. 2xx are left out: in a failure report they are
 * a greeting or an earlier command's answer. When paired, only a code followed by
 * a status of its class counts.
 */
static int
code_anywhere(const char *s, size_t n, int paired)
{
	const char *end = s + n, *p, *q;
	int strong;

	for (p = s; p + 3 <= end; p++) {
		if ((*p != '4' && *p != '5') || p[1] < '0' || p[1] > '5' ||
		    !isdigit((unsigned char)p[2]))
			continue;
		if (p > s && (isalnum((unsigned char)p[-1]) || strchr(".,_+@%$",
		    p[-1]) != NULL))
			continue;
		/* "code=550", "5.1.1/550": a label or the status the code goes with. */
		if (p > s && (p[-1] == '=' || p[-1] == '/')) {
			if (!labelled_or_after_status(s, p - 1, *p))
				continue;
			strong = 1;
		} else {
			/* Before it: nothing, or punctuation that introduces a reply. */
			for (q = p; q > s && (q[-1] == ' ' || q[-1] == '\t' ||
			    q[-1] == '\n' || q[-1] == '\r'); q--)
				;
			strong = q == s || strchr(":>-<[(*#]", q[-1]) != NULL;
		}
		q = p + 3;
		if (q == end) {
			if (strong)
				return code_at(p, end);
			continue;
		}
		if (isalnum((unsigned char)*q) || (*q == '.' && q + 1 < end &&
		    isdigit((unsigned char)q[1])))
			continue;
		if ((*q == ' ' || *q == '-') && status_follows(q + 1, end, *p))
			return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (paired)
			continue;
		if ((*q == '-' && q + 1 < end && !isdigit((unsigned char)q[1]) &&
		    q[1] != ' ') || (*q == ' ' && address_follows(q + 1, end)))
			return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (strong && strchr(" \t\n\r-:,;)]", *q) != NULL &&
		    !quantity_follows(q, end))
			return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	}
	return 0;
}

/*
 * The code at p is followed by a status of another class ("554 4.4.7 Message
 * expired ... <421 4.4.2 Connection timed out>"): it is the reporting MTA's verdict
 * around the remote reply, which is the later code paired with a status of its own
 * class. That one, or code.
 */
static int
settle(const char *p, const char *end, int code)
{
	const char *q = p + 3;
	int inner;

	if (q >= end || (*q != ' ' && *q != '-'))
		return code;
	q++;
	if (status_follows(q, end, p[0]) || (!status_follows(q, end, '2') &&
	    !status_follows(q, end, '4') && !status_follows(q, end, '5')))
		return code;
	inner = code_anywhere(q, (size_t)(end - q), 1);
	return inner != 0 ? inner : code;
}

int
text_smtp_code(const char *s, size_t n)
{
	static const char *const leads[] = {
		"said: ", "said:", "said ", "error: ", "error:", "response: ",
		"response:", "answer: ", "reply: ", "smtp; ", "smtp;", "reason: ",
		"replied: ", "replied ", "answered: ", "status: ", "returned: ",
		"returned:", "error code: ", "error code ", "was: ", "was:", NULL
	};
	const char *end = s + n, *p = s;
	int code, i;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '<' || *p == '(' ||
	    *p == '#' || *p == '"'))
		p++;
	/*
	 * A greeting ("220-mx.example.net 421 4.2.1 Service refused") is not the
	 * reply that failed: a 4xx or 5xx later in the text is.
	 */
	if ((code = code_at(p, end)) != 0)
		return code >= 400 ? settle(p, end, code) : (i = code_anywhere(p + 3,
		    (size_t)(end - p - 3), 0)) != 0 ? i : code;
	/*
	 * The first few places a lead occurs, not only the first: a relay quotes
	 * another ("Remote host said: host mx.example.com said: 550 ..."). A few:
	 * each text_find may read to the end, and hostile text repeats a lead.
	 */
	for (i = 0; leads[i] != NULL; i++) {
		const char *q = s;
		int seen = 0;

		while (seen++ < 4 && (q = text_find(q, (size_t)(end - q), leads[i])) != NULL) {
			q += strlen(leads[i]);
			while (q < end && (*q == ' ' || *q == '\n' || *q == '\t' ||
			    *q == '<' || *q == '('))
				q++;
			if ((code = code_at(q, end)) != 0)
				return settle(q, end, code);
		}
	}
	return code_anywhere(s, n, 0);
}

/*
 * The small letter of the code point c, for the scripts bounces are written in
 * with capitals of the same UTF-8 length: Latin-1 and Latin Extended-A (German,
 * French, Spanish, Portuguese, Italian, Dutch, Polish, Czech...) and Cyrillic. c
 * itself otherwise.
 */
static unsigned
small_letter(unsigned c)
{
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x410 && c <= 0x42f))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	/* Latin Extended-A: pairs, capital first, shifted by one at 0x139 and 0x179. */
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
		return (c & 1) ? c : c + 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (c & 1) ? c + 1 : c;
	return c;
}

void
text_lower(const char *s, size_t n, char *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	unsigned char *o = (unsigned char *)out;
	unsigned c;

	while (p < end) {
		if (*p < 0x80) {
			*o++ = (unsigned char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
			p++;
			continue;
		}
		/* Two-byte sequences only: every capital handled here is one. */
		if ((*p & 0xe0) != 0xc0 || p + 1 >= end || (p[1] & 0xc0) != 0x80) {
			*o++ = *p++;
			continue;
		}
		c = small_letter(((unsigned)(p[0] & 0x1f) << 6) | (p[1] & 0x3f));
		*o++ = (unsigned char)(0xc0 | (c >> 6));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
		p += 2;
	}
}
