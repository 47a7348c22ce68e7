/*
 * format-chinese.c: the plain bounces of Chinese providers (QQ/Tencent, NetEase
 * 163/126/yeah, Sina, Sohu, Aliyun/HiChina, 139, 189, 21cn). No DSN part; a
 * labelled notice in Chinese, often with English alongside, sometimes HTML only:
 *
 *     很抱歉您发送的邮件被退回，以下是该邮件的相关信息：
 *     收件人：user@example.com
 *     退信原因：收件人地址不存在
 *     服务器返回：550 Mailbox not found
 *
 *     您的邮件未能送达以下收件人：
 *     user@example.com
 *     错误原因：邮箱空间不足
 *
 * Recipients are read only from labelled lines or the list after "以下收件人"
 * ("the following recipients"); never from the quoted original. The remote
 * server's reply, when quoted, is the diagnostic; the provider's reason line
 * otherwise (the rule table knows the Chinese phrases).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "format.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define CN_MAX_LINES	1000
#define CN_MAX_HTML	(256 * 1024)
#define FW_COLON	"\xef\xbc\x9a"	/* U+FF1A FULLWIDTH COLON */

/*
 * Subjects and provider domains, written once: is_chinese_bounce() checks them and
 * the marker list (format.h) gates the decoder on them, so the two cannot drift.
 * Not "退回" or "发送失败" among the subjects: people write those in subjects too.
 */
#define CN_SUBJECTS \
	"\xe9\x80\x80\xe4\xbf\xa1",				/* 退信 */ \
	"\xe6\x8a\x95\xe9\x80\x92\xe5\xa4\xb1\xe8\xb4\xa5",	/* 投递失败 */ \
	"\xe6\x9c\xaa\xe8\x83\xbd\xe9\x80\x81\xe8\xbe\xbe",	/* 未能送达 */ \
	"\xe6\x97\xa0\xe6\xb3\x95\xe6\x8a\x95\xe9\x80\x92",	/* 无法投递 */ \
	"Systems bounce"
#define CN_DOMAINS \
	"qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "netease.com", \
	"sina.com", "sina.cn", "sohu.com", "aliyun.com", "mxhichina.com", "139.com", \
	"189.cn", "21cn.com", "263.net", "tom.com"

static const char *const cn_subjects[] = { CN_SUBJECTS, NULL };
static const char *const cn_domains[] = { CN_DOMAINS, NULL };

/* Labels of the recipient line. */
static const char *const rcpt_labels[] = {
	"\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba",			/* 收件人 */
	"\xe6\x94\xb6\xe4\xbf\xa1\xe4\xba\xba",			/* 收信人 */
	"\xe6\x94\xb6\xe4\xbb\xb6\xe5\x9c\xb0\xe5\x9d\x80",	/* 收件地址 */
	"Recipient", NULL
};

/* Labels of the provider's reason line. */
static const char *const reason_labels[] = {
	"\xe9\x80\x80\xe4\xbf\xa1\xe5\x8e\x9f\xe5\x9b\xa0",	/* 退信原因 */
	"\xe9\x94\x99\xe8\xaf\xaf\xe5\x8e\x9f\xe5\x9b\xa0",	/* 错误原因 */
	"\xe5\xa4\xb1\xe8\xb4\xa5\xe5\x8e\x9f\xe5\x9b\xa0",	/* 失败原因 */
	"\xe9\x94\x99\xe8\xaf\xaf\xe4\xbf\xa1\xe6\x81\xaf",	/* 错误信息 */
	"\xe5\x8e\x9f\xe5\x9b\xa0",				/* 原因 */
	"Reason", NULL
};

/* Labels of the quoted remote reply. */
static const char *const reply_labels[] = {
	"\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8\xe8\xbf\x94\xe5\x9b\x9e",	/* 服务器返回 */
	"\xe8\xbf\x94\xe5\x9b\x9e\xe4\xbf\xa1\xe6\x81\xaf",		/* 返回信息 */
	"\xe8\xaf\xa6\xe7\xbb\x86\xe4\xbf\xa1\xe6\x81\xaf",		/* 详细信息 */
	"\xe9\x94\x99\xe8\xaf\xaf\xe4\xbb\xa3\xe7\xa0\x81",		/* 错误代码 */
	"Remote server replied", "Remote server said", NULL
};

/* The start of a list of recipients on the following lines. */
static const char *const list_openers[] = {
	"\xe4\xbb\xa5\xe4\xb8\x8b\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba",	/* 以下收件人 */
	"\xe4\xb8\x8b\xe5\x88\x97\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba",	/* 下列收件人 */
	"\xe4\xbb\xa5\xe4\xb8\x8b\xe5\x9c\xb0\xe5\x9d\x80",		/* 以下地址 */
	"following recipient", "following address", NULL
};

/* Where the quoted original starts. */
static const char *const original_markers[] = {
	"\xe5\x8e\x9f\xe5\xa7\x8b\xe9\x82\xae\xe4\xbb\xb6",	/* 原始邮件 */
	"\xe5\x8e\x9f\xe9\x82\xae\xe4\xbb\xb6",			/* 原邮件 */
	"Original message", "----- Original", NULL
};

static int
find_any(const char *s, size_t n, const char *const *needles)
{
	int i;

	for (i = 0; needles[i] != NULL; i++)
		if (text_find(s, n, needles[i]) != NULL)
			return 1;
	return 0;
}

/* A provider's postmaster, or a bounce subject in Chinese. */
static int
is_chinese_bounce(const struct mail *m)
{
	char *subject = mail_subject(m), *from;
	int yes = find_any(subject, strlen(subject), cn_subjects);

	free(subject);
	if (yes)
		return 1;
	from = mail_from(m);
	yes = (text_find(from, strlen(from), "postmaster") != NULL ||
	    text_find(from, strlen(from), "mailer-daemon") != NULL) &&
	    find_any(from, strlen(from), cn_domains);
	free(from);
	return yes;
}

/* HTML-only notices: the first text/html part outside the original, tags dropped. */
static char *
html_text(const struct mail *m, size_t *len)
{
	const struct part *pt = mail_part(m, "text/html", 1);
	char *out;
	size_t i, o = 0, n;
	int in_tag = 0;

	if (pt == NULL || pt->text == NULL)
		return NULL;
	n = pt->text_len < CN_MAX_HTML ? pt->text_len : CN_MAX_HTML;
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		char c = pt->text[i];

		if (c == '<') {
			/* Block elements end a line, so labels stay on lines of their own. */
			if (i + 3 < n && (text_starts(pt->text + i + 1, n - i - 1, "br") ||
			    text_starts(pt->text + i + 1, n - i - 1, "p") ||
			    text_starts(pt->text + i + 1, n - i - 1, "/p") ||
			    text_starts(pt->text + i + 1, n - i - 1, "tr") ||
			    text_starts(pt->text + i + 1, n - i - 1, "div") ||
			    text_starts(pt->text + i + 1, n - i - 1, "/div")))
				out[o++] = '\n';
			in_tag = 1;
		} else if (c == '>' && in_tag)
			in_tag = 0;
		else if (!in_tag)
			out[o++] = c == '\r' ? '\n' : c;
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* After a label: skip spaces and an ASCII or full-width colon. NULL if none. */
static const char *
after_label(const char *p, const char *eol, const char *const *labels)
{
	int i;

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	for (i = 0; labels[i] != NULL; i++) {
		size_t k = strlen(labels[i]);
		const char *q;

		if (!text_starts(p, (size_t)(eol - p), labels[i]))
			continue;
		q = p + k;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q < eol && *q == ':')
			return q + 1;
		if (eol - q >= 3 && memcmp(q, FW_COLON, 3) == 0)
			return q + 3;
	}
	return NULL;
}

/* A line that starts with a 4xx/5xx reply code. */
static int
is_reply(const char *p, const char *eol)
{
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	return eol - p >= 4 && (p[0] == '4' || p[0] == '5') &&
	    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    (p[3] == ' ' || p[3] == '-');
}

struct cn_scan {
	const char	*reason, *reason_end;
	const char	*reply, *reply_end;
};

/* The value of a labelled line, or the next line when the label stands alone. */
static void
label_value(const char *v, const char *eol, const char *end, const char **s,
    const char **e)
{
	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	if (v == eol && eol < end) {
		v = eol + 1;
		eol = text_eol(v, end);
	}
	*s = v;
	*e = eol;
}

static void
scan_diagnostic(struct cn_scan *s, const char *p, const char *eol, const char *end)
{
	const char *v;

	if (s->reply == NULL && (v = after_label(p, eol, reply_labels)) != NULL)
		label_value(v, eol, end, &s->reply, &s->reply_end);
	else if (s->reason == NULL && (v = after_label(p, eol, reason_labels)) != NULL)
		label_value(v, eol, end, &s->reason, &s->reason_end);
	else if (s->reply == NULL && is_reply(p, eol)) {
		s->reply = p;
		s->reply_end = eol;
	}
}

static int
add_recipient(struct report *r, const char *p, const char *eol)
{
	struct result *res;
	char *rcpt;

	if (memchr(p, '@', (size_t)(eol - p)) == NULL ||
	    (rcpt = address_find(p, (size_t)(eol - p))) == NULL)
		return 0;
	res = report_add(r, rcpt);
	free(rcpt);
	if (res == NULL || res->action != NULL)
		return 0;
	res->action = xstrdup("failed");
	return 1;
}

static int
scan(const char *t, size_t len, struct report *r, struct cn_scan *s)
{
	const char *end = t + len, *p, *eol, *v;
	int added = 0, n, in_list = 0;

	for (p = t, n = 0; p < end && n < CN_MAX_LINES; p = eol + 1, n++) {
		size_t ll;

		eol = text_eol(p, end);
		ll = (size_t)(eol - p);
		if (find_any(p, ll, original_markers))
			break;
		if ((v = after_label(p, eol, rcpt_labels)) != NULL && v < eol &&
		    memchr(v, '@', (size_t)(eol - v)) != NULL)
			added += add_recipient(r, v, eol);
		else if (find_any(p, ll, list_openers)) {
			in_list = 1;
			/* "...以下收件人：a@b" names the first on the same line. */
			added += add_recipient(r, p, eol);
		}
		else if (in_list && is_reply(p, eol) == 0 && add_recipient(r, p, eol))
			added++;
		else if (in_list && ll == 0 && added > 0)
			in_list = 0;
		scan_diagnostic(s, p, eol, end);
		if (eol >= end)
			break;
	}
	return added;
}

static int
chinese_parse(const struct mail *m, struct report *r)
{
	struct cn_scan s;
	size_t len, i, first = r->nresults;
	const char *t;
	char *html = NULL;
	int added;

	if (!is_chinese_bounce(m))
		return 0;
	memset(&s, 0, sizeof s);
	t = mail_text(m, &len);
	added = scan(t, len, r, &s);
	if (added == 0 && (html = html_text(m, &len)) != NULL) {
		memset(&s, 0, sizeof s);
		added = scan(html, len, r, &s);
	}
	for (i = first; i < r->nresults; i++) {
		struct result *res = &r->results[i];

		if (res->diagnostic != NULL)
			continue;
		if (s.reply != NULL && s.reply_end > s.reply)
			result_set(&res->diagnostic, s.reply, (size_t)(s.reply_end - s.reply));
		else if (s.reason != NULL && s.reason_end > s.reason)
			result_set(&res->diagnostic, s.reason,
			    (size_t)(s.reason_end - s.reason));
	}
	free(html);
	return added;
}

/*
 * What is_chinese_bounce requires (see format.h): a subject, or a sender at one of
 * the domains.
 */
static const char *const markers[] = { CN_SUBJECTS, CN_DOMAINS, NULL };

const struct format format_chinese = { "chinese", chinese_parse, markers, 0 };
