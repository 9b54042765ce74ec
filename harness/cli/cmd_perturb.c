/*
 * cmd_perturb.c - `jolt perturb`: show the variants the operators make of
 * a suite's tasks, as names, diffs against the baseline, or full JSON.
 */
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/common.h"
#include "perturb/perturb.h"
#include "world/load.h"

struct perturb_opts {
	const char *task;
	jolt_strlist axes;
	jolt_strlist ops;
	jolt_strlist levels;
	long seed;
	long variants;
	int diff;
	int dump;
	jolt_strlist tasks;
	long limit;
};

static const jolt_opt perturb_options[] = {
	{"task", 't', JOLT_OPT_STR, offsetof(struct perturb_opts, task), "ID",
	 "only this task (default every task)"},
	{"tasks", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, tasks), "ID,GLOB,...",
	 JOLT_TASKS_HELP},
	{"limit", 0, JOLT_OPT_INT, offsetof(struct perturb_opts, limit), "N",
	 JOLT_LIMIT_HELP},
	{"axes", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, axes), "A,B",
	 "axes (default all)"},
	{"ops", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, ops), "NAME,...",
	 "only these operators"},
	{"levels", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, levels), "1,2,3",
	 "levels (default all)"},
	{"seed", 0, JOLT_OPT_INT, offsetof(struct perturb_opts, seed), "S",
	 "first variant seed (default 1)"},
	{"variants", 0, JOLT_OPT_INT, offsetof(struct perturb_opts, variants), "N",
	 "seeds per operator and level (default 1)"},
	{"diff", 'd', JOLT_OPT_FLAG, offsetof(struct perturb_opts, diff), NULL,
	 "show each variant as a diff against the baseline"},
	{"json", 0, JOLT_OPT_FLAG, offsetof(struct perturb_opts, dump), NULL,
	 "print each variant in full as canonical JSON"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static void perturb_init(void *vo)
{
	struct perturb_opts *o = vo;
	o->limit = -1; /* not given */
	o->seed = 1;
	o->variants = 1;
}

int jolt_cmd_perturb(void *vo, int argc, char **argv)
{
	struct perturb_opts *o = vo;
	jolt_suite *su = NULL;
	jolt_task_ref *tasks = NULL;
	size_t ntasks = 0;
	jolt_run_cfg sel;
	memset(&sel, 0, sizeof(sel));
	if (o->task)
		jolt_strlist_add(&o->tasks, o->task);
	int rc = jolt_cli_parse_levels(&sel.levels, &o->levels);
	if (!rc)
		rc = jolt_cli_select_tasks(&sel, &o->tasks, o->limit);
	if (rc)
		goto done;
	rc = jolt_cli_range("--variants", o->variants, 1, 1000);
	if (!rc)
		rc = jolt_cli_range("--seed", o->seed, 1, LONG_MAX);
	if (rc)
		goto done;
	sel.axes = (const char *const *)o->axes.v;
	sel.naxes = o->axes.n;
	sel.ops = (const char *const *)o->ops.v;
	sel.nops = o->ops.n;
	sel.seed = (uint64_t)o->seed;
	sel.variants = (int)o->variants;
	rc = jolt_suite_load(&su, argv[0]);
	if (rc)
		goto done;
	if (o->task && !jolt_suite_task(su, o->task)) {
		rc = jolt_err_set(JOLT_EUSAGE, "--task '%s': no such task in %s", o->task,
				  su->name);
		goto done;
	}
	sel.suites = &su;
	sel.nsuites = 1;
	rc = jolt_run_tasks(&tasks, &ntasks, &sel);
	for (size_t ti = 0; ti < ntasks && !rc; ti++) {
		const jolt_task *t = tasks[ti].task;
		jolt_variant *base = NULL;
		jolt_variant **vs = NULL;
		size_t nv = 0;
		rc = jolt_variant_build(&base, su, t, NULL, 0, 0);
		if (!rc)
			rc = jolt_run_variants(&vs, &nv, &sel, su, t);
		for (size_t k = 0; !rc && k < nv; k++) {
			const jolt_variant *v = vs[k];
			if (o->dump) {
				json_t *j = jolt_variant_dump(v);
				char *txt = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
				printf("%s\n", txt ? txt : "");
				free(txt);
				json_decref(j);
			} else if (o->diff) {
				char *diff = NULL;
				printf("=== %s  (%s, %s)\n", v->name, v->summary ? v->summary : "",
				       v->op->kind == JOLT_OP_DIRECTIONAL ? "directional"
									  : "invariant");
				if (!jolt_variant_diff(&diff, base, v))
					fputs(diff, stdout);
				free(diff);
			} else {
				printf("%s\t%s\n", v->name, v->summary ? v->summary : "");
			}
		}
		for (size_t k = 0; k < nv; k++)
			jolt_variant_free(vs[k]);
		free(vs);
		jolt_variant_free(base);
	}
done:
	if (rc)
		jolt_cli_fail("perturb", rc);
	free(tasks);
	jolt_suite_free(su);
	return rc;
}

const jolt_cmd_syntax jolt_perturb_syntax = {
	.usage = "SUITE [--tasks ID,GLOB,...] [--ops ...] [--levels ...] [--seed S] [--diff]",
	.help =
	 "Without --diff, one line per variant: its name and what changed.\n"
	 "Variants are named TASK/AXIS.OPERATOR@LEVEL#SEED and rebuilt\n"
	 "identically from that name on any machine. --tasks and --limit show\n"
	 "a part of the suite; a --tasks pattern that matches no task is a\n"
	 "usage error.",
	.opts = perturb_options,
	.opts_size = sizeof(struct perturb_opts),
	.min_args = 1,
	.max_args = 1,
	.init = perturb_init,
};
