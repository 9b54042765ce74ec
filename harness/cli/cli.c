/*
 * cli.c - option parsing and help from the option tables (see cli.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/common.h"

void jolt_strlist_add(jolt_strlist *l, const char *s)
{
	l->v = jolt_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = jolt_xstrdup(s);
}

void jolt_strlist_release(jolt_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static const jolt_opt *find_long(const jolt_cmd *cmd, const char *name,
				 size_t len)
{
	for (const jolt_opt *o = cmd->syntax->opts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static const jolt_opt *find_short(const jolt_cmd *cmd, char c)
{
	for (const jolt_opt *o = cmd->syntax->opts; o && o->name; o++)
		if (o->shortname == c)
			return o;
	return NULL;
}

static int set_value(const jolt_cmd *cmd, const jolt_opt *o, void *opts,
		     const char *val)
{
	char *field = (char *)opts + o->off;
	char *end;
	switch (o->kind) {
	case JOLT_OPT_FLAG:
		*(int *)field = 1;
		return 0;
	case JOLT_OPT_STR:
		*(const char **)field = val;
		return 0;
	case JOLT_OPT_INT: {
		errno = 0;
		long v = strtol(val, &end, 10);
		/* No option takes a negative number, which leaves -1 free to
		 * mean "not given" in the options structs. */
		if (errno || end == val || *end || v < 0) {
			fprintf(stderr, "jolt %s: --%s '%s': expected a whole number, 0 or more\n",
				cmd->name, o->name, val);
			return JOLT_EUSAGE;
		}
		*(long *)field = v;
		return 0;
	}
	case JOLT_OPT_DOUBLE: {
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !(v >= 0) || isinf(v)) {
			fprintf(stderr, "jolt %s: --%s '%s': expected a number, 0 or more\n",
				cmd->name, o->name, val);
			return JOLT_EUSAGE;
		}
		*(double *)field = v;
		return 0;
	}
	case JOLT_OPT_LIST: {
		jolt_strlist *l = (jolt_strlist *)field;
		const char *p = val;
		for (;;) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			if (n) {
				char *item = jolt_xstrndup(p, n);
				jolt_strlist_add(l, item);
				free(item);
			}
			if (!comma)
				break;
			p = comma + 1;
		}
		return 0;
	}
	case JOLT_OPT_MULTI:
		jolt_strlist_add((jolt_strlist *)field, val);
		return 0;
	}
	return JOLT_EINTERNAL;
}

int jolt_cli_parse(jolt_cli_args *out, const jolt_cmd *cmd, void *opts,
		   int argc, char **argv)
{
	const jolt_cmd_syntax *syn = cmd->syntax;
	memset(out, 0, sizeof(*out));
	char **p = jolt_xcalloc((size_t)argc + 1, sizeof(*p));
	int np = 0;
	int rc = 0;
	bool only_pos = false;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		const jolt_opt *o = NULL;
		const char *val = NULL;
		if (only_pos || a[0] != '-' || !a[1]) {
			p[np++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			jolt_cli_help(cmd, stdout);
			out->help = true;
			goto done;
		}
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			o = find_long(cmd, name, eq ? (size_t)(eq - name) : strlen(name));
			if (eq)
				val = eq + 1;
		} else if (!a[2]) {
			o = find_short(cmd, a[1]);
		}
		if (!o) {
			fprintf(stderr, "jolt %s: unknown option '%s'; see 'jolt %s --help'\n",
				cmd->name, a, cmd->name);
			rc = JOLT_EUSAGE;
			goto done;
		}
		if (o->kind == JOLT_OPT_FLAG) {
			if (val) {
				fprintf(stderr, "jolt %s: --%s takes no value\n",
					cmd->name, o->name);
				rc = JOLT_EUSAGE;
				goto done;
			}
		} else if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "jolt %s: --%s needs a value (%s)\n",
					cmd->name, o->name, o->metavar ? o->metavar : "VALUE");
				rc = JOLT_EUSAGE;
				goto done;
			}
			val = argv[++i];
		}
		rc = set_value(cmd, o, opts, val);
		if (rc)
			goto done;
	}
	if (np < syn->min_args || (syn->max_args >= 0 && np > syn->max_args)) {
		fprintf(stderr, "jolt %s: expected %s; see 'jolt %s --help'\n",
			cmd->name, syn->usage, cmd->name);
		rc = JOLT_EUSAGE;
		goto done;
	}
done:
	if (rc || out->help) {
		free(p);
		return rc;
	}
	out->pos = p;
	out->npos = np;
	return 0;
}

void jolt_cli_args_release(jolt_cli_args *a)
{
	free(a->pos);
	a->pos = NULL;
	a->npos = 0;
}

void jolt_cli_help(const jolt_cmd *cmd, FILE *f)
{
	const jolt_cmd_syntax *syn = cmd->syntax;
	fprintf(f, "usage: jolt %s %s\n\n%s\n", cmd->name, syn->usage, cmd->summary);
	if (syn->help)
		fprintf(f, "\n%s\n", syn->help);
	if (syn->opts && syn->opts->name)
		fprintf(f, "\noptions:\n");
	for (const jolt_opt *o = syn->opts; o && o->name; o++) {
		char left[64];
		if (o->shortname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shortname,
				 o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		if (strlen(left) > 26)
			fprintf(f, "  %s\n  %-26s %s\n", left, "", o->help);
		else
			fprintf(f, "  %-26s %s\n", left, o->help);
	}
	fprintf(f, "  %-26s %s\n", "-h, --help", "show this help");
}

void jolt_cli_release(const jolt_cmd *cmd, void *opts)
{
	for (const jolt_opt *o = cmd->syntax->opts; o && o->name; o++)
		if (o->kind == JOLT_OPT_LIST || o->kind == JOLT_OPT_MULTI)
			jolt_strlist_release((jolt_strlist *)((char *)opts + o->off));
}
