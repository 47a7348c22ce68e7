/*
 * mail.c: a message split into MIME parts; see mail.h for why the walk is our own.
 *
 * Bounds: the input size is capped by the caller; here the nesting depth and the
 * number of parts are capped, and a message that hits either is still read as far
 * as the cap (the delivery report is nearly always at the top).
 *
 * Input need not be a whole message: text with no header is read as a bounce body
 * (message_start() says where a message starts and what it holds).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "charset.h"
#include "classifier.h"
#include "mail.h"
#include "text.h"
#include "xalloc.h"

/* Copy bytes with CRLF and lone CR turned into LF. */
static char *
normalize_newlines(const char *s, size_t n, size_t *out_len)
{
	char *out = xmalloc(n + 1), *o = out;
	const char *end = s + n, *cr;

	/* Runs without CR are copied whole: most mail has LF line ends already. */
	while (s < end && (cr = memchr(s, '\r', (size_t)(end - s))) != NULL) {
		memcpy(o, s, (size_t)(cr - s));
		o += cr - s;
		*o++ = '\n';
		s = cr + 1;
		if (s < end && *s == '\n')
			s++;
	}
	memcpy(o, s, (size_t)(end - s));
	o += end - s;
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

/*
 * normalize_newlines() on s[0..n) in its own buffer (the output is never longer),
 * which must have room for the NUL at s[n]. Returns the new length.
 */
static size_t
normalize_in_place(char *s, size_t n)
{
	char *o = s, *p = s, *end = s + n, *cr;

	while (p < end && (cr = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		memmove(o, p, (size_t)(cr - p));
		o += cr - p;
		*o++ = '\n';
		p = cr + 1;
		if (p < end && *p == '\n')
			p++;
	}
	memmove(o, p, (size_t)(end - p));
	o += end - p;
	*o = '\0';
	return (size_t)(o - s);
}

/*
 * The characters of a header field name as real ones are spelled: letters, digits,
 * '-', '_' and '.'. RFC 5322 allows any printable but ':', and by it body text
 * such as "<alice@example.com>:" or "Note (1):" would start a header.
 */
static const unsigned char name_char[256] = {
	['-'] = 1, ['_'] = 1, ['.'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2,
	['H'] = 2, ['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2,
	['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['U'] = 2,
	['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2,
	['a'] = 2, ['b'] = 2, ['c'] = 2, ['d'] = 2, ['e'] = 2, ['f'] = 2, ['g'] = 2,
	['h'] = 2, ['i'] = 2, ['j'] = 2, ['k'] = 2, ['l'] = 2, ['m'] = 2, ['n'] = 2,
	['o'] = 2, ['p'] = 2, ['q'] = 2, ['r'] = 2, ['s'] = 2, ['t'] = 2, ['u'] = 2,
	['v'] = 2, ['w'] = 2, ['x'] = 2, ['y'] = 2, ['z'] = 2,
};

/*
 * Does the line at p start a header field: a name that starts with a letter, then
 * a colon (after blanks, which obsolete syntax allows)?
 */
static int
field_line(const char *p, const char *end)
{
	if (p >= end || name_char[(unsigned char)*p] != 2)
		return 0;
	while (p < end && name_char[(unsigned char)*p] != 0)
		p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p == ':';
}

/* Is the line at p an mbox "From " line? */
static int
mbox_line(const char *p, const char *end)
{
	return end - p > 5 && memcmp(p, "From ", 5) == 0;
}

/*
 * The text that ends the header block [s, end) (which starts with a field): the
 * first of the lines after its last field line that are neither fields nor their
 * continuations. NULL when the block ends in a field, as nearly all do: read
 * backwards, that is known at the last line or two.
 */
static const char *
text_tail(const char *s, const char *end)
{
	const char *line, *text = NULL, *eol = end;

	while (eol > s) {
		if (eol[-1] == '\n')
			eol--;
		line = memrchr(s, '\n', (size_t)(eol - s));
		line = line != NULL ? line + 1 : s;
		if (*line != ' ' && *line != '\t') {
			if (field_line(line, eol))
				return text;
			text = line;
		}
		eol = line;
	}
	return NULL;
}

#define SPLIT_FROM_LINE	0x1	/* skip a leading mbox "From " line */
#define SPLIT_TEXT_ENDS	0x2	/* text after the last field starts the body */

/*
 * Split s[0..n) into header block and body. The header ends at the first empty
 * line; a block with no empty line is all header. Input whose first line is not a
 * field has an empty header: it is all body (a MIME part that starts with its
 * text). With SPLIT_TEXT_ENDS, the header ends earlier when its lines turn from
 * fields to text and no field follows before the empty line: a gateway that wrote
 * "Return-Path:" and then the body, with no empty line between. Text between
 * fields stays in the header, whose fields are never given up for it. Only the
 * top level is read so: in returned messages, Exchange writes field values on a
 * line of their own without the indent, and the message's own header follows
 * after an empty line.
 */
static void
split_header(const char *s, size_t n, int flags, const char **hdr,
    size_t *hdr_len, const char **body, size_t *body_len)
{
	const char *end = s + n, *p, *text;

	if ((flags & SPLIT_FROM_LINE) && mbox_line(s, end)) {
		p = memchr(s, '\n', n);
		s = p != NULL ? p + 1 : end;
	}
	*hdr = s;
	*hdr_len = 0;
	*body = s;
	*body_len = (size_t)(end - s);
	if (s < end && *s == '\n') {
		*body = s + 1;
		*body_len = (size_t)(end - s - 1);
		return;
	}
	if (!field_line(s, end))
		return;
	for (p = s; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		if (p + 1 < end && p[1] == '\n')
			break;
	/* The header is [s, p], the LF of its last line included. */
	if (p == NULL)
		p = end - 1;
	if ((flags & SPLIT_TEXT_ENDS) && (text = text_tail(s, p + 1)) != NULL) {
		*hdr_len = (size_t)(text - s);
		*body = text;
		*body_len = (size_t)(end - text);
	} else {
		*hdr_len = (size_t)(p + 1 - s);
		*body = p + 1 < end ? p + 2 : end;
		*body_len = (size_t)(end - *body);
	}
}

/* Is there a field `name:` starting at p (a line start)? Returns the value start. */
static const char *
field_at(const char *p, const char *end, const char *name, size_t name_len)
{
	const char *q;

	/* Most lines differ in the first letter: skip the call for them. */
	if ((size_t)(end - p) <= name_len ||
	    (name_len > 0 && ((*p ^ *name) & ~0x20) != 0) ||
	    strncasecmp(p, name, name_len) != 0)
		return NULL;
	q = p + name_len;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	return (q < end && *q == ':') ? q + 1 : NULL;
}

/* End of the field whose value starts at v: the LF before a non-continuation line. */
static const char *
field_end(const char *v, const char *end)
{
	const char *p = v;

	while ((p = text_eol(p, end)) < end) {
		if (p + 1 >= end || (p[1] != ' ' && p[1] != '\t'))
			return p;
		p++;
	}
	return end;
}

static const char *
header_find(const char *headers, size_t len, const char *name, const char **vend)
{
	const char *end = headers + len, *p = headers, *v;
	size_t name_len = strlen(name);

	while (p < end) {
		if ((v = field_at(p, end, name, name_len)) != NULL) {
			*vend = field_end(v, end);
			return v;
		}
		p = text_eol(p, end);
		if (p < end)
			p++;
	}
	return NULL;
}

char *
header_get(const char *headers, size_t len, const char *name)
{
	const char *v, *vend;

	if (headers == NULL || (v = header_find(headers, len, name, &vend)) == NULL)
		return NULL;
	return text_unfold(v, (size_t)(vend - v));
}

void
header_get_each(const char *headers, size_t len, const char *const names[],
    char *values[], size_t count)
{
	const char *end = headers + len, *p = headers, *v;
	size_t lens[8], left = count, i;

	for (i = 0; i < count; i++) {
		values[i] = NULL;
		lens[i] = i < 8 ? strlen(names[i]) : 0;
	}
	if (count > 8) {	/* more than the pass keeps track of */
		for (i = 0; i < count; i++)
			values[i] = header_get(headers, len, names[i]);
		return;
	}
	while (headers != NULL && p < end && left > 0) {
		for (i = 0; i < count; i++)
			if (values[i] == NULL &&
			    (v = field_at(p, end, names[i], lens[i])) != NULL) {
				values[i] = text_unfold(v,
				    (size_t)(field_end(v, end) - v));
				left--;
			}
		p = text_eol(p, end);
		if (p < end)
			p++;
	}
}

int
header_has(const char *headers, size_t len, const char *name)
{
	const char *vend;

	return headers != NULL && header_find(headers, len, name, &vend) != NULL;
}

static const struct header_field *
mail_field(const struct mail *m, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].name_len == n && strncasecmp(m->fields[i].name, name, n) == 0)
			return &m->fields[i];
	return NULL;
}

char *
mail_header(const struct mail *m, const char *name)
{
	const struct header_field *f = mail_field(m, name);

	return f != NULL ? text_unfold(f->value, f->value_len) : NULL;
}

int
mail_header_has(const struct mail *m, const char *name)
{
	return mail_field(m, name) != NULL;
}

/* Index the top-level header: one pass, instead of one per question asked. */
static void
index_fields(struct mail *m)
{
	const char *p = m->headers, *end = m->headers + m->headers_len, *colon, *eol, *vend;
	size_t cap = 0;

	while (p < end && m->nfields < MAIL_MAX_FIELDS) {
		eol = text_eol(p, end);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (*p == ' ' || *p == '\t' || colon == NULL || colon == p) {
			p = eol < end ? eol + 1 : end;
			continue;
		}
		vend = field_end(colon + 1, end);
		if (m->nfields == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			m->fields = xreallocarray(m->fields, cap, sizeof *m->fields);
		}
		m->fields[m->nfields].name = p;
		m->fields[m->nfields].name_len = (size_t)(colon - p);
		while (m->fields[m->nfields].name_len > 0 &&
		    (p[m->fields[m->nfields].name_len - 1] == ' ' ||
		    p[m->fields[m->nfields].name_len - 1] == '\t'))
			m->fields[m->nfields].name_len--;
		m->fields[m->nfields].value = colon + 1;
		m->fields[m->nfields].value_len = (size_t)(vend - colon - 1);
		m->nfields++;
		p = vend < end ? vend + 1 : end;
	}
}

static void
lower_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

struct content_type {
	char	type[64];
	char	charset[32];
	char	boundary[128];
};

/* The RFC 2045 tspecials. */
static const unsigned char tspecial[256] = {
	['('] = 1, [')'] = 1, ['<'] = 1, ['>'] = 1, ['@'] = 1, [','] = 1, [';'] = 1,
	[':'] = 1, ['\\'] = 1, ['"'] = 1, ['/'] = 1, ['['] = 1, [']'] = 1, ['?'] = 1,
	['='] = 1,
};

/*
 * An RFC 2045 token character: printable ASCII but space and the tspecials (a
 * strchr() per byte here cost 0.75M instructions over the corpus).
 */
static int
token_char(int c)
{
	return c > 0x20 && c < 0x7f && !tspecial[c];
}

/* Skip a token at p; returns its end (p itself when there is none). */
static const char *
token_end(const char *p)
{
	while (token_char((unsigned char)*p))
		p++;
	return p;
}

/*
 * Copy s[0..n) (no NUL inside) to dst as a string, cut to fit: what
 * snprintf(dst, size, "%.*s", n, s) does, at a fraction of its cost.
 */
static void
copy_bounded(char *dst, size_t size, const char *s, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * One `name=value` or `name="value"` parameter at p, kept when it is the charset
 * or the boundary. Returns the end, or NULL when it is not that simple: RFC 2231
 * `*` names, escapes, non-ASCII or encoded words inside quotes.
 */
static const char *
simple_parameter(const char *p, struct content_type *ct)
{
	const char *name = p, *name_end = token_end(p), *v, *v_end;
	int quoted;

	if (name_end == name || memchr(name, '*', (size_t)(name_end - name)) != NULL ||
	    *name_end != '=')
		return NULL;
	v = name_end + 1;
	if ((quoted = *v == '"')) {
		for (v_end = ++v; *v_end >= 0x20 && *v_end < 0x7f && *v_end != '"' &&
		    *v_end != '\\'; v_end++)
			;
		if (*v_end != '"' || v_end == v)
			return NULL;
	} else if ((v_end = token_end(v)) == v)
		return NULL;
	if (memmem(v, (size_t)(v_end - v), "=?", 2) != NULL)
		return NULL;
	if (name_end - name == 7 && strncasecmp(name, "charset", 7) == 0)
		copy_bounded(ct->charset, sizeof ct->charset, v, (size_t)(v_end - v));
	else if (name_end - name == 8 && strncasecmp(name, "boundary", 8) == 0)
		copy_bounded(ct->boundary, sizeof ct->boundary, v, (size_t)(v_end - v));
	return quoted ? v_end + 1 : v_end;
}

/*
 * Is s[0..n) one of the top-level media types libetpan knows? It reads any other
 * type starting with one of these names oddly ("textual/plain" as text/unknown),
 * so those are left to it.
 */
static int
known_media_type(const char *s, size_t n)
{
	static const char *const names[] = { "text", "image", "audio", "video",
	    "application", "message", "multipart", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

/*
 * The common values ("text/plain; charset=us-ascii", a quoted boundary) read
 * without libetpan, whose parser cost 9.2M of the 35M instructions mail_parse()
 * took over the corpus. Returns 0, leaving the rest to libetpan, for anything less
 * plain: comments, spaces around '/' or '=', RFC 2231 parameters, escapes, other
 * top-level types. The value is unfolded and trimmed, so spaces come one at a time.
 * Both readings were compared on every Content-Type in the corpus, the fixtures
 * and the seeds, and on edge cases.
 */
static int
content_type_simple(const char *value, struct content_type *ct)
{
	const char *slash = token_end(value), *p;

	if (*slash != '/' || !known_media_type(value, (size_t)(slash - value)) ||
	    (p = token_end(slash + 1)) == slash + 1)
		return 0;
	copy_bounded(ct->type, sizeof ct->type, value, (size_t)(p - value));
	while (*p != '\0') {
		if (*p == ' ')
			p++;
		if (*p++ != ';')
			return 0;
		if (*p == ' ')
			p++;
		if ((p = simple_parameter(p, ct)) == NULL)
			return 0;
	}
	lower_copy(ct->type, sizeof ct->type, ct->type);
	lower_copy(ct->charset, sizeof ct->charset, ct->charset);
	return 1;
}

/*
 * Read a Content-Type value; defaults to text/plain. libetpan is the parser of
 * record: content_type_simple() only takes the values whose reading is not in doubt.
 */
static void
content_type_parse(const char *value, struct content_type *ct)
{
	struct mailmime_content *c = NULL;
	size_t idx = 0;
	clistiter *it;
	char buf[160];

	copy_bounded(ct->type, sizeof ct->type, "text/plain", 10);
	ct->charset[0] = ct->boundary[0] = '\0';
	if (value == NULL)
		return;
	if (content_type_simple(value, ct))
		return;
	snprintf(ct->type, sizeof ct->type, "text/plain");
	ct->charset[0] = ct->boundary[0] = '\0';
	if (mailmime_content_parse(value, strlen(value), &idx, &c) != MAILIMF_NO_ERROR)
		return;
	if (c->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		struct mailmime_discrete_type *d = c->ct_type->tp_data.tp_discrete_type;
		static const char *const names[] = { "", "text", "image", "audio",
		    "video", "application" };

		if (d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION)
			snprintf(buf, sizeof buf, "%s/%s", d->dt_extension, c->ct_subtype);
		else
			snprintf(buf, sizeof buf, "%s/%s", names[d->dt_type], c->ct_subtype);
	} else {
		struct mailmime_composite_type *k = c->ct_type->tp_data.tp_composite_type;

		snprintf(buf, sizeof buf, "%s/%s",
		    k->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE ? "message" :
		    k->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART ? "multipart" :
		    k->ct_token, c->ct_subtype);
	}
	lower_copy(ct->type, sizeof ct->type, buf);
	for (it = clist_begin(c->ct_parameters); it != NULL; it = clist_next(it)) {
		struct mailmime_parameter *p = clist_content(it);

		if (strcasecmp(p->pa_name, "charset") == 0)
			lower_copy(ct->charset, sizeof ct->charset, p->pa_value);
		else if (strcasecmp(p->pa_name, "boundary") == 0)
			snprintf(ct->boundary, sizeof ct->boundary, "%s", p->pa_value);
	}
	mailmime_content_free(c);
}

/* The libetpan mechanism for a Content-Transfer-Encoding value (NULL: none). */
static int
transfer_encoding(const char *v)
{
	if (v == NULL)
		return MAILMIME_MECHANISM_8BIT;
	if (text_starts(v, strlen(v), "base64"))
		return MAILMIME_MECHANISM_BASE64;
	if (text_starts(v, strlen(v), "quoted-printable"))
		return MAILMIME_MECHANISM_QUOTED_PRINTABLE;
	return MAILMIME_MECHANISM_8BIT;
}

/*
 * Content-Type (unfolded, NULL when absent) and the transfer encoding of a part,
 * in one pass over its header: two header_get() calls per part cost 3M
 * instructions over the corpus. The first field of each name counts, as there.
 */
static char *
part_fields(const char *headers, size_t len, int *encoding)
{
	const char *end = headers + len, *p = headers, *type = NULL, *te = NULL;
	const char *type_end = NULL, *te_end = NULL, *v;
	char *value;

	while (p < end && (type == NULL || te == NULL)) {
		if (type == NULL && (v = field_at(p, end, "Content-Type", 12)) != NULL)
			type_end = field_end((type = v), end);
		else if (te == NULL && (v = field_at(p, end,
		    "Content-Transfer-Encoding", 25)) != NULL)
			te_end = field_end((te = v), end);
		p = text_eol(p, end);
		if (p < end)
			p++;
	}
	value = te != NULL ? text_unfold(te, (size_t)(te_end - te)) : NULL;
	*encoding = transfer_encoding(value);
	free(value);
	return type != NULL ? text_unfold(type, (size_t)(type_end - type)) : NULL;
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The value of each base64 digit, -1 for other bytes. */
static const signed char base64_values[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int
base64_value(int c)
{
	return base64_values[c];
}

/*
 * Four digits at s as one 24-bit group, or -1 when any of them is not a digit
 * (padding, a line end): the decoder's fast path.
 */
static long
base64_group(const unsigned char *s)
{
	long a = base64_values[s[0]], b = base64_values[s[1]], c = base64_values[s[2]],
	    d = base64_values[s[3]];

	if ((a | b | c | d) < 0)
		return -1;
	return a << 18 | b << 12 | c << 6 | d;
}

/*
 * Quoted-printable where every '=' starts a soft line break or a hex pair. Line
 * breaks come out as CRLF, as libetpan gives them. Each line is copied up to its
 * first '=' with memchr and memcpy: a loop testing every byte cost 2.7M
 * instructions over the corpus (QP bodies are mostly plain bytes).
 */
static int
qp_decode_simple(const char *s, size_t n, char *out, size_t *out_len)
{
	const char *end = s + n, *eol, *eq;
	char *o = out;
	int high, low;

	/* The input comes from the LF-only message: a CR means it did not. */
	if (memchr(s, '\r', n) != NULL)
		return 0;
	while (s < end) {
		eol = text_eol(s, end);
		while ((eq = memchr(s, '=', (size_t)(eol - s))) != NULL) {
			memcpy(o, s, (size_t)(eq - s));
			o += eq - s;
			s = eq;
			if (end - s >= 2 && s[1] == '\n') {
				s += 2;		/* a soft break: on with the next line */
				eol = text_eol(s, end);
			} else if (end - s >= 3 &&
			    (high = hex_value((unsigned char)s[1])) >= 0 &&
			    (low = hex_value((unsigned char)s[2])) >= 0) {
				*o++ = (char)(high * 16 + low);
				s += 3;	/* hex digits are no LF: still on this line */
			} else
				return 0;
		}
		memcpy(o, s, (size_t)(eol - s));
		o += eol - s;
		s = eol;
		if (s < end) {
			*o++ = '\r';
			*o++ = '\n';
			s++;
		}
	}
	*out_len = (size_t)(o - out);
	return 1;
}

/*
 * Base64 in whole groups of four, lines of any length, padding only at the end.
 * The two simple decoders exist because libetpan's cost 9.8M instructions over
 * the corpus (40 a byte for base64); anything unusual (stray bytes, a CR, a bad
 * '=') returns 0 and goes to libetpan. On everything they accept, they give its
 * bytes exactly: compared on the corpus, the seeds and two million random inputs.
 */
static int
base64_decode_simple(const char *s, size_t n, char *out, size_t *out_len)
{
	const char *end = s + n;
	unsigned long group = 0;
	int have = 0, pad = 0, value;
	long fast;
	char *o = out;

	for (; s < end; s++) {
		if (have == 0 && end - s >= 4 &&
		    (fast = base64_group((const unsigned char *)s)) >= 0) {
			*o++ = (char)(fast >> 16);
			*o++ = (char)(fast >> 8 & 0xff);
			*o++ = (char)(fast & 0xff);
			s += 3;
			continue;
		}
		if (*s == '\n')
			continue;
		if (*s == '=' && have >= 2) {
			pad++;
			group <<= 6;
		} else if (pad > 0 || (value = base64_value((unsigned char)*s)) < 0)
			return 0;
		else
			group = group << 6 | (unsigned long)value;
		if (++have < 4)
			continue;
		*o++ = (char)(group >> 16);
		if (pad < 2)
			*o++ = (char)(group >> 8 & 0xff);
		if (pad < 1)
			*o++ = (char)(group & 0xff);
		have = 0;
		group = 0;
		if (pad > 0)
			break;
	}
	if (s < end)
		s++;
	while (s < end && *s == '\n')
		s++;
	if (have != 0 || s < end)
		return 0;
	*out_len = (size_t)(o - out);
	return 1;
}

/*
 * Is a part of this type text for the rules to read, so to be made UTF-8? The
 * delivery-status fields are: a Diagnostic-Code in Japanese comes in whatever
 * charset the reporting MTA wrote it in, with no label.
 */
static int
readable_type(const char *type)
{
	return strncmp(type, "text/", 5) == 0 ||
	    strcmp(type, "message/delivery-status") == 0 ||
	    strcmp(type, "message/global-delivery-status") == 0;
}

struct walk {
	struct mail		*m;
	size_t			 cap;
	struct charset_hint	 hint;
};

/*
 * Decode the transfer encoding and, for text, the charset. A body that needs
 * neither and runs to the end of the message (every message that is not
 * multipart) is its own text: the message was made LF-only and NUL-terminated
 * by mail_parse(), so a copy would change nothing. Other parts are copied, as
 * a part's text must end in a NUL.
 */
static void
part_decode(struct walk *w, struct part *pt, int enc)
{
	const char *data_end = w->m->data + w->m->len;
	char *dec = NULL, *conv = NULL, *simple = NULL;
	size_t dec_len = 0, conv_len = 0, idx = 0;
	const char *src = pt->body;
	size_t src_len = pt->body_len;

	if (enc != MAILMIME_MECHANISM_8BIT) {
		simple = xmalloc(2 * pt->body_len + 1);	/* QP: LF becomes CRLF */
		if ((enc == MAILMIME_MECHANISM_BASE64 ? base64_decode_simple :
		    qp_decode_simple)(pt->body, pt->body_len, simple, &src_len))
			src = simple;
		else if (mailmime_part_parse(pt->body, pt->body_len, &idx, enc, &dec,
		    &dec_len) == MAILIMF_NO_ERROR) {
			src = dec;
			src_len = dec_len;
		}
	}
	if (readable_type(pt->type) && charset_decode(pt->charset, &w->hint, src,
	    src_len, &conv, &conv_len) == 1) {
		pt->text = normalize_newlines(conv, conv_len, &pt->text_len);
		free(conv);
	} else if (src == pt->body && pt->body + pt->body_len == data_end) {
		pt->text = (char *)pt->body;
		pt->text_len = pt->body_len;
		pt->text_in_data = 1;
	} else if (src == simple) {
		/* Our own buffer: made LF-only where it is, not copied again. */
		pt->text = simple;
		pt->text_len = normalize_in_place(simple, src_len);
		simple = NULL;
	} else
		pt->text = normalize_newlines(src, src_len, &pt->text_len);
	if (dec != NULL)
		mailmime_decoded_part_free(dec);
	free(simple);
}

static struct part *
add_part(struct walk *w)
{
	struct mail *m = w->m;

	if (m->nparts >= CLASSIFIER_MAX_PARTS) {
		if (!m->truncated)
			snprintf(m->error, sizeof m->error,
			    "more than %d MIME parts; the rest were not read",
			    CLASSIFIER_MAX_PARTS);
		m->truncated = 1;
		return NULL;
	}
	if (m->nparts == w->cap) {
		w->cap = w->cap == 0 ? 8 : w->cap * 2;
		m->parts = xreallocarray(m->parts, w->cap, sizeof *m->parts);
	}
	memset(&m->parts[m->nparts], 0, sizeof m->parts[0]);
	return &m->parts[m->nparts++];
}

static char *decoded_header(const struct mail *, struct charset_hint *, const char *);
static void walk_entity(struct walk *, const char *, size_t, const char *, size_t,
    int, int);

/*
 * Find "--boundary" at a line start in [p, end). memchr finds the next '-'; one
 * inside a line sends the search to the next line, as a delimiter only starts
 * one. memmem over the whole body cost 1.5M instructions over the corpus.
 */
static const char *
find_boundary(const char *start, const char *p, const char *end, const char *delim,
    size_t dlen)
{
	const char *q;

	while ((size_t)(end - p) >= dlen && (q = memchr(p, '-', (size_t)(end - p) -
	    dlen + 1)) != NULL) {
		if (q == start || q[-1] == '\n') {
			if (memcmp(q, delim, dlen) == 0)
				return q;
			p = q + 1;
		} else if ((p = memchr(q, '\n', (size_t)(end - q))) == NULL)
			return NULL;
	}
	return NULL;
}

static void
walk_multipart(struct walk *w, const char *body, size_t len, const char *boundary,
    int depth, int in_original)
{
	const char *end = body + len, *p, *next, *start;
	char delim[140];
	size_t dlen;

	/* A boundary is at most 127 bytes (struct content_type): it fits. */
	dlen = strlen(boundary);
	delim[0] = delim[1] = '-';
	memcpy(delim + 2, boundary, dlen + 1);
	dlen += 2;
	p = find_boundary(body, body, end, delim, dlen);
	while (p != NULL && !w->m->truncated) {
		if (p + dlen + 1 < end && p[dlen] == '-' && p[dlen + 1] == '-')
			return;		/* the closing delimiter */
		start = text_eol(p, end);
		if (start < end)
			start++;
		next = find_boundary(body, start, end, delim, dlen);
		{
			const char *stop = next != NULL ? next : end;
			const char *h, *b;
			size_t hl, bl;

			/* The LF before the delimiter belongs to the delimiter. */
			if (next != NULL && stop > start && stop[-1] == '\n')
				stop--;
			split_header(start, (size_t)(stop - start), SPLIT_FROM_LINE, &h, &hl,
			    &b, &bl);
			walk_entity(w, h, hl, b, bl, depth + 1, in_original);
		}
		p = next;
	}
}

static void
walk_entity(struct walk *w, const char *hdr, size_t hdr_len, const char *body,
    size_t body_len, int depth, int in_original)
{
	struct content_type ct;
	struct part *pt;
	char *value;
	int enc;

	if (depth > CLASSIFIER_MAX_DEPTH) {
		if (!w->m->truncated)
			snprintf(w->m->error, sizeof w->m->error,
			    "MIME nesting deeper than %d levels; the rest was not read",
			    CLASSIFIER_MAX_DEPTH);
		w->m->truncated = 1;
		return;
	}
	value = part_fields(hdr, hdr_len, &enc);
	content_type_parse(value, &ct);
	free(value);
	if ((pt = add_part(w)) == NULL)
		return;
	memcpy(pt->type, ct.type, sizeof pt->type);
	memcpy(pt->charset, ct.charset, sizeof pt->charset);
	pt->headers = hdr;
	pt->headers_len = hdr_len;
	pt->body = body;
	pt->body_len = body_len;
	pt->depth = depth;
	pt->in_original = in_original;
	if (strncmp(ct.type, "multipart/", 10) == 0 && ct.boundary[0] != '\0' &&
	    find_boundary(body, body, body + body_len, "--", 2) != NULL) {
		walk_multipart(w, body, body_len, ct.boundary, depth, in_original);
		return;
	}
	if (strcmp(ct.type, "message/rfc822") == 0 || strcmp(ct.type, "message/global") == 0) {
		const char *h, *b;
		size_t hl, bl;

		if (enc != MAILMIME_MECHANISM_8BIT || in_original) {
			part_decode(w, pt, enc);
			return;
		}
		split_header(body, body_len, SPLIT_FROM_LINE, &h, &hl, &b, &bl);
		walk_entity(w, h, hl, b, bl, depth + 1, 1);
		return;
	}
	if (in_original && strncmp(ct.type, "text/", 5) != 0)
		return;		/* attachments of the returned message: never read */
	part_decode(w, pt, enc);
}

/* Fields only a message header has: not a delivery-status block, not prose. */
static int
message_field(const char *p, const char *end)
{
	static const char *const names[] = { "From", "To", "Cc", "Subject", "Date",
	    "Received", "Return-Path", "Delivered-To", "Message-ID", "MIME-Version",
	    "Content-Type", "Sender", "Reply-To", "X-Failed-Recipients",
	    "Auto-Submitted", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (field_at(p, end, names[i], strlen(names[i])) != NULL)
			return 1;
	return 0;
}

/*
 * Does a message header start at p: fields and their continuation lines, one of
 * them a field that only a message header has?
 */
static int
message_header_at(const char *p, const char *end)
{
	const char *eol;

	if (!field_line(p, end))
		return 0;
	for (; p < end; p = eol + 1) {
		eol = text_eol(p, end);
		if (p == eol)
			return 0;
		if (*p != ' ' && *p != '\t') {
			if (!field_line(p, eol))
				return 0;
			if (message_field(p, eol))
				return 1;
		}
		if (eol == end)
			break;
	}
	return 0;
}

/*
 * Where the message starts in data[0..len), or NULL when there is nothing but
 * blank lines. The first line that is not blank decides, and a message header
 * wins every doubt: a field (or an mbox "From " line, then a field) starts the
 * header, as does a message header after blank lines that some tools write in
 * front of a saved message. Anything else starts the body of a message without
 * a header: a bounce body pasted into a tool, or handed on so by a gateway; the
 * leading blank lines are then the empty header section (RFC 5322: an empty
 * line first means no header fields).
 */
static const char *
message_start(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *q, *eol, *next;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a byte order mark, from a Windows editor */
	for (q = p; q < end; q = eol + 1) {
		const char *r = q;

		eol = text_eol(q, end);
		while (r < eol && (*r == ' ' || *r == '\t'))
			r++;
		if (r < eol)
			break;
		if (eol == end)
			return NULL;
	}
	if (q >= end)
		return NULL;
	if (q == p && field_line(q, end))
		return q;		/* nearly every message */
	next = text_eol(q, end);
	next = next < end ? next + 1 : end;
	if (q == p && mbox_line(q, end) && field_line(next, end))
		return next;
	if (q > p && message_header_at(q, end))
		return q;
	return p;
}

/*
 * Is s[0..n) text, as input without a header must be to be read as a message?
 * No NUL, and at most one other control character in a hundred bytes (tab, form
 * feed, and the ESC, SO and SI of ISO 2022 text are not counted). Random or
 * binary data has a NUL in about every 256 bytes, and one byte in eight is a
 * control character.
 */
static int
looks_like_text(const char *s, size_t n)
{
	size_t controls = 0, i;
	unsigned char c;

	if (memchr(s, '\0', n) != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != 0x1b &&
		    c != 0x0e && c != 0x0f) || c == 0x7f)
			controls++;
	}
	return controls <= n / 100;
}

int
mail_parse(struct mail *m, const char *bytes, size_t len)
{
	struct walk w;
	const char *start;

	memset(&w, 0, sizeof w);
	w.m = m;
	if (len > CLASSIFIER_MAX_BYTES) {
		snprintf(m->error, sizeof m->error,
		    "message is %zu bytes, over the cap of %u", len, CLASSIFIER_MAX_BYTES);
		return -1;
	}
	m->data = normalize_newlines(bytes, len, &m->len);
	if ((start = message_start(m->data, m->len)) == NULL) {
		snprintf(m->error, sizeof m->error, "empty message");
		return -1;
	}
	split_header(start, (size_t)(m->data + m->len - start), SPLIT_TEXT_ENDS, &m->headers,
	    &m->headers_len, &m->body, &m->body_len);
	/* No header: the input is a bounce body, if it is text at all. */
	if (m->headers_len == 0 && !looks_like_text(m->body, m->body_len)) {
		snprintf(m->error, sizeof m->error,
		    "not a message: no header, and binary data rather than text");
		return -1;
	}
	w.hint.message = m->data;
	w.hint.len = m->len;
	index_fields(m);
	m->subject = decoded_header(m, &w.hint, "Subject");
	m->from = decoded_header(m, &w.hint, "From");
	walk_entity(&w, m->headers, m->headers_len, m->body, m->body_len, 0, 0);
	return 0;
}

void
mail_free(struct mail *m)
{
	size_t i;

	for (i = 0; i < m->nparts; i++)
		if (!m->parts[i].text_in_data)
			free(m->parts[i].text);
	free(m->parts);
	free(m->fields);
	free(m->subject);
	free(m->from);
	free(m->data);
	memset(m, 0, sizeof *m);
}

const struct part *
mail_part(const struct mail *m, const char *type, int outside_original)
{
	size_t i;

	for (i = 0; i < m->nparts; i++) {
		const struct part *pt = &m->parts[i];

		if (outside_original && pt->in_original)
			continue;
		if (strcmp(pt->type, type) == 0)
			return pt;
	}
	return NULL;
}

const char *
mail_text(const struct mail *m, size_t *len)
{
	const struct part *pt = mail_part(m, "text/plain", 1);
	size_t i;

	if (pt == NULL || pt->text == NULL) {
		pt = NULL;
		for (i = 0; i < m->nparts && pt == NULL; i++)
			if (!m->parts[i].in_original && m->parts[i].text != NULL &&
			    strncmp(m->parts[i].type, "text/", 5) == 0)
				pt = &m->parts[i];
	}
	if (pt != NULL) {
		*len = pt->text_len;
		return pt->text;
	}
	*len = m->body_len;
	return m->body != NULL ? m->body : "";
}

/*
 * A header with RFC 2047 encoded words decoded to UTF-8; "" when absent. Text
 * that is not encoded but is not UTF-8 either (raw ISO-2022-JP or 8-bit text, as
 * some Japanese carriers and old gateways write it) is read as unlabelled text.
 */
static char *
decoded_header(const struct mail *m, struct charset_hint *hint, const char *name)
{
	char *v = mail_header(m, name), *out;

	if (v == NULL)
		return xstrdup("");
	if (strstr(v, "=?") == NULL && charset_plain_ascii(v, strlen(v)))
		return v;
	out = charset_decode_header(v, hint);
	free(v);
	return out;
}

char *
mail_subject(const struct mail *m)
{
	return xstrdup(m->subject != NULL ? m->subject : "");
}

char *
mail_from(const struct mail *m)
{
	return xstrdup(m->from != NULL ? m->from : "");
}

int
mail_auto_submitted(const struct mail *m)
{
	char *v = mail_header(m, "Auto-Submitted");
	int yes = v != NULL && !text_starts(v, strlen(v), "no");

	free(v);
	return yes;
}
