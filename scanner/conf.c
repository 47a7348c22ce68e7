/* conf.c: reading bouncescan.conf; see conf.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "xalloc.h"

struct conf_parse {
	struct conf	*conf;
	char		 problem[256];
};

static void
set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int
on_key(void *user, const char *section, const char *key, const char *value)
{
	struct conf_parse *p = user;

	if (strcmp(section, "classifier") == 0 && strcmp(key, "rules") == 0) {
		set_string(&p->conf->rules_file, value);
		return 1;
	}
	if (strcmp(section, "verp") == 0 && strcmp(key, "pattern") == 0) {
		set_string(&p->conf->verp, value);
		return 1;
	}
	snprintf(p->problem, sizeof p->problem, "unknown key \"%s\" in section [%s]",
	    key, section);
	return 0;
}

int
conf_load(struct conf *c, const char *path, struct err *e)
{
	struct conf_parse p;
	FILE *f;
	int line;

	if (path == NULL) {
		if (access(CONF_DEFAULT_PATH, F_OK) != 0)
			return 0;
		path = CONF_DEFAULT_PATH;
	}
	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	memset(&p, 0, sizeof p);
	p.conf = c;
	c->path = xstrdup(path);
	line = ini_parse_file(f, on_key, &p);
	fclose(f);
	if (line > 0)
		return err_set(e, "%s:%d: %s", path, line,
		    p.problem[0] != '\0' ? p.problem : "syntax error (want key = value)");
	if (line < 0)
		return err_set(e, "%s: cannot be read", path);
	return 0;
}

void
conf_free(struct conf *c)
{
	free(c->path);
	free(c->rules_file);
	free(c->verp);
	memset(c, 0, sizeof *c);
}
