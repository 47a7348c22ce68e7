/*
 * reason.c: the reason vocabulary (Sisimai's names, so that results compare with the
 * reference parser) and the class each reason implies (DESIGN.md, "Classification").
 */
#include <string.h>

#include "reason.h"

static const char *const reasons[] = {
	/* the address is gone */
	"userunknown", "hostunknown", "hasmoved", "notaccept",
	/* recipient-side trouble that may pass */
	"mailboxfull", "exceedlimit", "mesgtoobig", "expired", "networkerror",
	"systemerror", "systemfull", "suspend", "filtered", "mailererror", "onhold",
	"undefined",
	/* the sender side's problem */
	"authfailure", "badreputation", "blocked", "contenterror", "norelaying",
	"notcompliantrfc", "policyviolation", "rejected", "requireptr", "securityerror",
	"spamdetected", "syntaxerror", "virusdetected", "toomanyconn", "speeding",
	"failedstarttls", "ratelimited",
	/* not failures */
	"feedback", "vacation", "delivered",
	NULL
};

static const char *const block_reasons[] = {
	"authfailure", "badreputation", "blocked", "contenterror", "norelaying",
	"notcompliantrfc", "policyviolation", "rejected", "requireptr", "securityerror",
	"spamdetected", "syntaxerror", "virusdetected", "toomanyconn", "speeding",
	"failedstarttls", "ratelimited", NULL
};

const char *
reason_lookup(const char *name)
{
	size_t i;

	for (i = 0; reasons[i] != NULL; i++)
		if (strcmp(reasons[i], name) == 0)
			return reasons[i];
	return NULL;
}

static int
in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
permanent(const char *status, int smtp_code)
{
	if (status != NULL && status[0] != '\0')
		return status[0] == '5';
	return smtp_code >= 500 || smtp_code == 0;
}

enum bounce_class
reason_class(const char *reason, const char *status, int smtp_code, const char *action)
{
	if (reason == NULL)
		return CLASS_NONE;
	if (strcmp(reason, "feedback") == 0)
		return CLASS_COMPLAINT;
	if (strcmp(reason, "vacation") == 0)
		return CLASS_AUTOREPLY;
	if (strcmp(reason, "delivered") == 0)
		return CLASS_DELIVERED;
	if (action != NULL && (strcmp(action, "delivered") == 0 ||
	    strcmp(action, "relayed") == 0 || strcmp(action, "expanded") == 0))
		return CLASS_DELIVERED;
	/*
	 * The MTA is still trying: whatever the reason, nothing has failed yet.
	 * (Sisimai reports expired failures with action "delayed"; our decoders say
	 * "failed" for a message the MTA gave up on.)
	 */
	if (action != NULL && strcmp(action, "delayed") == 0)
		return CLASS_DELAYED;
	/* A 4.x.x "user unknown" is still hard: the address does not exist. */
	if (strcmp(reason, "userunknown") == 0 || strcmp(reason, "hostunknown") == 0 ||
	    strcmp(reason, "hasmoved") == 0)
		return CLASS_HARD;
	if (strcmp(reason, "notaccept") == 0)
		return permanent(status, smtp_code) ? CLASS_HARD : CLASS_SOFT;
	if (in_list(block_reasons, reason))
		return CLASS_BLOCK;
	return CLASS_SOFT;
}

const char *
class_name(enum bounce_class c)
{
	static const char *const names[] = { "none", "hard", "soft", "block",
	    "complaint", "autoreply", "delayed", "delivered" };

	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "none";
}
