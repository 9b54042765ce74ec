/*
 * cmd_check.c - `jolt check`: replay the oracle on every selected task's
 * baseline and variants (it must pass) and each variant's planted mistake
 * (it must fail), through run/replay.c (in parallel, through the check
 * cache), and list what does not hold, in a fixed order.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/common.h"
#include "perturb/perturb.h"
#include "run/checkcache.h"
#include "run/replay.h"

struct check_opts {
	jolt_strlist axes;
	jolt_strlist ops;
	jolt_strlist levels;
	const char *seeds;
	jolt_strlist tasks;
	long limit;
	int baseline_only;
	int keep_workdirs;
	int quiet_ok;
	const char *workdir_root;
	long workers;
	const char *cache;
	int no_cache;
};

static const jolt_opt check_options[] = {
	{"axes", 0, JOLT_OPT_LIST, offsetof(struct check_opts, axes), "A,B",
	 "axes whose variants to check (default all; none = baselines only)"},
	{"baseline-only", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, baseline_only), NULL,
	 "only the baselines' oracles, the same as --axes none: a quick check for CI"},
	{"ops", 0, JOLT_OPT_LIST, offsetof(struct check_opts, ops), "NAME,...",
	 "only these operators"},
	{"levels", 0, JOLT_OPT_LIST, offsetof(struct check_opts, levels), "1,2,3",
	 "levels to check (default all)"},
	{"seeds", 0, JOLT_OPT_STR, offsetof(struct check_opts, seeds), "A..B",
	 "variant seeds to check (default 1)"},
	{"tasks", 0, JOLT_OPT_LIST, offsetof(struct check_opts, tasks), "ID,GLOB,...",
	 JOLT_TASKS_HELP},
	{"limit", 0, JOLT_OPT_INT, offsetof(struct check_opts, limit), "N",
	 JOLT_LIMIT_HELP},
	{"failures-only", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, quiet_ok), NULL,
	 "print only what fails"},
	{"workdir-root", 0, JOLT_OPT_STR, offsetof(struct check_opts, workdir_root), "DIR",
	 "where working copies go (default /dev/shm when it is a tmpfs with room, else $TMPDIR or /tmp)"},
	{"keep-workdirs", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, keep_workdirs), NULL,
	 "keep each working copy, for debugging an oracle"},
	{"workers", 0, JOLT_OPT_INT, offsetof(struct check_opts, workers), "N",
	 "replays at once (default: number of online cores)"},
	{"cache", 0, JOLT_OPT_STR, offsetof(struct check_opts, cache), "DIR",
	 JOLT_CACHE_HELP},
	{"no-cache", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, no_cache), NULL,
	 JOLT_NO_CACHE_HELP},
	{NULL, 0, 0, 0, NULL, NULL},
};

static void check_init(void *vo)
{
	struct check_opts *o = vo;
	o->limit = -1; /* not given */
}

static void print_diff(const jolt_replay *r, const jolt_variant *base)
{
	char *diff = NULL;
	if (!base || jolt_variant_diff(&diff, base, r->v))
		return;
	for (char *line = diff, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		printf("      | %.*s\n", (int)(nl ? nl - line : (long)strlen(line)), line);
	}
	free(diff);
}

/* One line per replay, or more for a failure; counts what does not hold.
 * base is what the variant is shown against, NULL for a baseline. */
static void report_item(const jolt_replay *r, const jolt_variant *base,
			bool quiet_ok, long *fails, long *errors)
{
	const jolt_variant *v = r->v;
	const char *what = !base ? "baseline oracle"
			   : r->mistake ? "planted mistake" : "variant oracle";
	bool passed = jolt_replay_passed(r);
	bool infra = jolt_replay_infra(r);
	/* The oracle must pass; the planted mistake must fail, or a
	 * simulated model's sensitivity would not be what it measures. */
	bool good = !infra && (r->mistake ? !passed : passed);
	if (infra) {
		(*errors)++;
		printf("ERROR %s/%s (%s): %s\n", v->suite->name, v->name, what,
		       r->err ? r->err : r->res.detail ? r->res.detail : "");
	} else if (!good) {
		(*fails)++;
		printf("FAIL  %s/%s: the %s %s\n", v->suite->name, v->name, what,
		       r->mistake ? "passes its graders (it must fail them)"
				  : "does not pass its graders");
		const char *why = r->res.detail ? r->res.detail : "";
		if (!r->mistake)
			printf("      %s\n", why[0] ? why
				      : jolt_error_class_name(r->res.error_class));
		if (v->op)
			printf("      operator %s, level %d, seed %llu: %s\n",
			       v->op->name, v->level, (unsigned long long)v->seed,
			       v->summary ? v->summary : "");
		print_diff(r, base);
	} else if (!quiet_ok) {
		printf("ok    %s/%s%s\n", v->suite->name, v->name,
		       r->mistake ? " (mistake fails)" : "");
	}
}

int jolt_cmd_check(void *vo, int argc, char **argv)
{
	struct check_opts *o = vo;
	jolt_suite **suites = NULL;
	jolt_run_cfg sel;
	memset(&sel, 0, sizeof(sel));
	long seed = 1, nseeds = 1;
	int rc = 0;
	if (o->workers < 0 || o->workers > 1024)
		rc = jolt_err_set(JOLT_EUSAGE, "--workers %ld: expected 1..1024",
				  o->workers);
	if (!rc)
		rc = jolt_cli_parse_levels(&sel.levels, &o->levels);
	if (!rc && o->baseline_only && (o->axes.n || o->ops.n))
		rc = jolt_err_set(JOLT_EUSAGE, "--baseline-only checks no variant: "
				  "it cannot be given with --axes or --ops");
	if (!rc && o->baseline_only)
		jolt_strlist_add(&o->axes, "none");
	if (!rc && o->seeds)
		rc = jolt_cli_parse_seeds(&seed, &nseeds, o->seeds);
	if (!rc)
		rc = jolt_cli_select_tasks(&sel, &o->tasks, o->limit);
	if (rc) {
		jolt_cli_fail("check", rc);
		return rc;
	}
	sel.axes = (const char *const *)o->axes.v;
	sel.naxes = o->axes.n;
	sel.ops = (const char *const *)o->ops.v;
	sel.nops = o->ops.n;
	sel.seed = (uint64_t)seed;
	sel.variants = (int)nseeds;
	rc = jolt_cli_load_suites(&suites, "check", argc, argv);
	if (rc)
		return rc;
	sel.suites = suites;
	sel.nsuites = (size_t)argc;
	jolt_driver_cfg d;
	jolt_cli_driver_cfg(&d, -1, -1, 600, "full", o->workdir_root, o->keep_workdirs);
	jolt_replay *items = NULL;
	const jolt_variant **bases = NULL; /* per item */
	jolt_task_variants *per = NULL;
	jolt_task_ref *tasks = NULL;
	jolt_checkcache *cache = NULL;
	size_t ntasks = 0, nitems = 0;
	long fails = 0, errors = 0, variants = 0;

	rc = jolt_run_tasks(&tasks, &ntasks, &sel);
	if (!rc)
		rc = jolt_run_build(&per, &sel, tasks, ntasks);
	if (rc)
		goto done;
	/* Every task's baseline, then its variants: the oracle, then the
	 * planted mistake. */
	for (size_t ti = 0; ti < ntasks; ti++)
		variants += (long)per[ti].n - 1;
	items = jolt_xcalloc((size_t)(ntasks + 2 * variants) + 1, sizeof(*items));
	bases = jolt_xcalloc((size_t)(ntasks + 2 * variants) + 1, sizeof(*bases));
	for (size_t ti = 0; ti < ntasks; ti++) {
		const jolt_variant *base = per[ti].v[0];
		items[nitems++].v = base;
		for (size_t k = 1; k < per[ti].n; k++)
			for (int m = 0; m < 2; m++) {
				items[nitems].v = per[ti].v[k];
				items[nitems].mistake = m == 1;
				bases[nitems++] = base;
			}
	}
	cache = jolt_cli_open_cache(o->cache, o->no_cache);
	jolt_replay_opts ro = {
		.cache = cache, .workers = (int)o->workers, .progress = "check",
		.no_memo = o->no_cache,
	};
	rc = jolt_replay_run(items, nitems, &d, &ro);
	if (rc)
		goto done;
	for (size_t i = 0; i < nitems; i++)
		report_item(&items[i], bases[i], o->quiet_ok, &fails, &errors);
	printf("%ld tasks and %ld variants checked: %ld failures, %ld errors\n",
	       (long)ntasks, variants, fails, errors);
done:
	if (rc)
		jolt_cli_fail("check", rc);
	jolt_replay_release(items, nitems);
	free(items);
	free(bases);
	jolt_task_variants_free(per, ntasks);
	free(tasks);
	jolt_checkcache_close(cache);
	jolt_cli_free_suites(suites, argc);
	if (rc)
		return rc;
	if (errors)
		return JOLT_EINFRA;
	return fails ? JOLT_EFAILED : 0;
}

const jolt_cmd_syntax jolt_check_syntax = {
	.usage = "SUITE... [--tasks ID,GLOB,...] [--baseline-only | --axes ... --ops ...] [--levels ...]\n"
		 "       [--seeds A..B]"
		 " [--workers N] [--cache DIR | --no-cache]",
	.help =
	 "Also replays each variant's planted mistake (what a model thrown by it\n"
	 "does), which must fail: that is what makes a simulated sensitivity\n"
	 "measure exactly. Failures are listed with operator, level, seed and a\n"
	 "diff of the variant. --tasks and --limit check a part of the suites; a\n"
	 "--tasks pattern that matches no task is a usage error.\n\n"
	 "--baseline-only (the same as --axes none) replays only each task's\n"
	 "oracle on the unperturbed task: the quick check for CI that a change\n"
	 "to the environment has not left an oracle failing (oracle drift).\n"
	 "jolt run refuses the variants whose oracle fails, and every report\n"
	 "lists them.\n\n"
	 "Replays run in parallel (--workers); the output is in the same order\n"
	 "whatever their number. What a replay concluded is remembered in a cache\n"
	 "keyed by a hash of everything that decides it (jolt's build, suite.yaml,\n"
	 "the environment, the task's file, the variant), so a repeated check\n"
	 "replays only what changed: editing one task re-checks that task alone.\n"
	 "jolt run's pre-check shares the cache (its --max-steps, --max-tokens and\n"
	 "--history are part of the key). A cache that cannot be used is a\n"
	 "warning, never a failure. Progress goes to stderr, closing with how\n"
	 "many replays were cached.\n\n"
	 "A sandboxed command (an exec: tool or a command grader) runs once per\n"
	 "distinct working tree, command and environment: variants that leave\n"
	 "the files as the baseline left them take its result (--no-cache runs\n"
	 "every command). A closing line says how many were run and answered.\n"
	 "Variants that come out identical (an operator that ignores its seed)\n"
	 "are replayed once and each listed with that result.\n\n"
	 "Exits 0 when all hold, 1 when any fails, 2 when a suite file is invalid\n"
	 "or an option is wrong, 3 when a sandbox or working copy cannot be made.",
	.opts = check_options,
	.opts_size = sizeof(struct check_opts),
	.min_args = 1,
	.max_args = -1,
	.init = check_init,
};
