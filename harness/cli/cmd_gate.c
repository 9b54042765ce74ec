/*
 * cmd_gate.c - `jolt gate`: load a run (and a baseline run), judge it
 * with reports/gate.c, print the Markdown verdict on stdout, write the
 * JUnit XML, and exit 0 (holds), 1 (fails), 2 (bad input) or 3 (infra
 * errors over the limit).
 */
#include <stddef.h>
#include <stdio.h>

#include "cli/commands.h"
#include "core/common.h"
#include "reports/gate.h"
#include "run/report_load.h"

struct gate_opts {
	const char *baseline;
	double min_pass;
	double max_drop;
	double alpha;
	double max_infra;
	jolt_strlist axis;
	const char *junit;
};

static const jolt_opt gate_options[] = {
	{"baseline", 'b', JOLT_OPT_STR, offsetof(struct gate_opts, baseline), "DB",
	 "also compare every trial with this run's trial of the same task, variant and repeat"},
	{"min-pass", 0, JOLT_OPT_DOUBLE, offsetof(struct gate_opts, min_pass), "P",
	 "fail when a model's baseline pass rate is below P, a fraction (default 0: no floor)"},
	{"max-drop", 0, JOLT_OPT_DOUBLE, offsetof(struct gate_opts, max_drop), "D",
	 "fail on a significant drop above D, a fraction (default 0.10)"},
	{"axis", 0, JOLT_OPT_LIST, offsetof(struct gate_opts, axis), "A,...",
	 "judge drops on these axes only: tool, system, user, env, response, scaffold, baseline (default all)"},
	{"alpha", 0, JOLT_OPT_DOUBLE, offsetof(struct gate_opts, alpha), "A",
	 "significance level of the Holm-adjusted McNemar test (default 0.05)"},
	{"max-infra", 0, JOLT_OPT_DOUBLE, offsetof(struct gate_opts, max_infra), "R",
	 "exit 3 when infra errors exceed R of a model's trials (default 0.05)"},
	{"junit", 0, JOLT_OPT_STR, offsetof(struct gate_opts, junit), "FILE",
	 "also write JUnit XML: one testcase per model, scaffold, axis and operator"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static void gate_init(void *vo)
{
	struct gate_opts *o = vo;
	o->max_drop = -1;
	o->max_infra = -1;
}

static int load_run(jolt_report **out, const char *db)
{
	const char *dbs[] = {db};
	int rc = jolt_report_load(out, dbs, 1);
	if (!rc && (*out)->ntrials == 0)
		rc = jolt_err_set(JOLT_EINPUT,
				  "%s holds no trials: nothing to judge", db);
	return rc;
}

static int write_junit(const jolt_gate *g, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return jolt_err_set(JOLT_EIO, "cannot write %s", path);
	int rc = jolt_gate_junit(f, g);
	if ((fclose(f) != 0) && !rc)
		rc = jolt_err_set(JOLT_EIO, "cannot write %s", path);
	return rc;
}

int jolt_cmd_gate(void *vo, int argc, char **argv)
{
	struct gate_opts *o = vo;
	jolt_report *r = NULL, *base = NULL;
	jolt_gate *g = NULL;
	jolt_gate_opts go = {
	    .min_pass = o->min_pass,
	    .max_drop = o->max_drop,
	    .alpha = o->alpha,
	    .max_infra = o->max_infra,
	    .axes = o->axis.n ? (const char *const *)o->axis.v : NULL,
	    .naxes = o->axis.n,
	};
	int rc = load_run(&r, argv[0]);
	if (!rc && o->baseline)
		rc = load_run(&base, o->baseline);
	if (!rc)
		rc = jolt_gate_build(&g, r, base, &go);
	if (!rc) {
		jolt_gate_md(stdout, g);
		if (fflush(stdout) != 0)
			rc = jolt_err_set(JOLT_EIO, "writing the summary failed");
	}
	if (!rc && o->junit)
		rc = write_junit(g, o->junit);
	if (rc) {
		jolt_cli_fail("gate", rc);
		goto done;
	}
	if (g->verdict == JOLT_GATE_INFRA) {
		rc = JOLT_EINFRA;
		fprintf(stderr, "jolt gate: infra errors exceed --max-infra "
				"%g: fix the endpoint and run again\n",
			g->opts.max_infra);
	} else if (g->verdict == JOLT_GATE_FAIL) {
		rc = JOLT_EFAILED;
		fprintf(stderr, "jolt gate: %zu of %zu checks failed\n",
			g->nfailed, g->ncases);
	}
done:
	jolt_gate_free(g);
	jolt_report_free(r);
	jolt_report_free(base);
	return rc;
}

const jolt_cmd_syntax jolt_gate_syntax = {
	.usage = "DB [--baseline DB] [--min-pass P] [--max-drop D] [--axis A]... "
		 "[--alpha A] [--max-infra R] [--junit FILE]",
	.help =
	 "Judge a run for CI. A drop (an axis, an operator, a scaffold swap, or\n"
	 "with --baseline a regression against the baseline run) fails only when\n"
	 "it is above --max-drop AND significant: Holm-adjusted exact McNemar p\n"
	 "below --alpha and the task-clustered bootstrap interval excluding zero,\n"
	 "so noise alone fails a build no more often than --alpha allows.\n"
	 "--baseline pairs each\n"
	 "trial with the baseline run's trial of the same scaffold, suite, task,\n"
	 "variant and repeat, under the same model name, else the baseline run's\n"
	 "only model. Markdown on stdout (a PR comment or CI step summary).\n"
	 "Next to each drop: the smallest drop the run could detect at 80%\n"
	 "power; where it is above --max-drop, a warning that the limit\n"
	 "cannot be enforced by this run (jolt plan sizes a run that can).\n"
	 "exit status: 0 the run holds, 1 a check failed, 2 bad input, 3 infra\n"
	 "errors over --max-infra. See docs/ci.md.",
	.opts = gate_options,
	.opts_size = sizeof(struct gate_opts),
	.min_args = 1,
	.max_args = 1,
	.init = gate_init,
};
