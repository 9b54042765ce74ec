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
#include "model/sim.h"
#include "perturb/perturb.h"
#include "run/checkcache.h"
#include "run/replay.h"
#include "run/visible.h"
#include "world/execmemo.h"

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
	int teeth;
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
	{"teeth", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, teeth), NULL,
	 "also replay sim:literal and list each operator's teeth per level"},
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

/* What check learns per operator (registry index) and level. */
struct op_tally {
	long built[4];    /* variants the operator built, by level (0: all) */
	long visible[4];  /* of those, ones that change what is shown */
	long broken[4];   /* of those, ones sim:literal fails (--teeth) */
	size_t *tasks;    /* per task: 1 built, 2 visible (applicability) */
};

static size_t op_index(const jolt_op *op)
{
	for (size_t i = 0; i < jolt_op_count(); i++)
		if (jolt_op_at(i) == op)
			return i;
	return 0;
}

/* Whether the variant's operator takes part in applicability and teeth. */
static bool invariant(const jolt_variant *v)
{
	return v->op && v->op->kind == JOLT_OP_INVARIANT;
}

/* Whether declining may be the right behaviour on v's task: its own
 * oracle makes no tool call and a grader requires none (an irrelevance
 * task). A task that merely needs no call (a plain question) is not one:
 * "I don't know." must still fail it. */
static bool declining_task(const jolt_variant *v)
{
	size_t i;
	const json_t *st;
	json_array_foreach(v->oracle, i, st)
		if (json_object_get(st, "call"))
			return false;
	json_array_foreach(v->grade, i, st)
		if (json_is_true(json_object_get(st, "no_calls")))
			return true;
	return false;
}

/* sim:null's replay of a baseline or variant: a do-nothing agent must
 * fail every baseline and invariant variant. A directional variant whose
 * correct behaviour is to decline, and a task about declining, are
 * listed apart. */
static void report_null(const jolt_replay *r, bool quiet_ok, long *fails,
			long *errors, long *apart, long *held)
{
	const jolt_variant *v = r->v;
	if (jolt_replay_infra(r)) {
		(*errors)++;
		printf("ERROR %s/%s (sim:null): %s\n", v->suite->name, v->name,
		       jolt_replay_why(r));
		return;
	}
	if (!jolt_replay_passed(r)) {
		(*held)++;
		if (!quiet_ok)
			printf("ok    %s/%s (sim:null fails)\n", v->suite->name,
			       v->name);
		return;
	}
	if ((v->op && v->op->kind == JOLT_OP_DIRECTIONAL) ||
	    declining_task(v)) {
		(*apart)++;
		printf("note  %s/%s: sim:null passes (it answers \"%s\" "
		       "without a call): %s\n", v->suite->name, v->name,
		       JOLT_SIM_NULL_ANSWER,
		       v->op ? "a directional variant where declining is right"
			     : "the task's own oracle declines, and a grader "
			       "requires no call");
		return;
	}
	(*fails)++;
	printf("FAIL  %s/%s: sim:null passes its graders: a grader that passes "
	       "a do-nothing agent (it answers \"%s\" without a call)\n",
	       v->suite->name, v->name, JOLT_SIM_NULL_ANSWER);
}

/* Whether sim:null's replay of v is its replay of the baseline: it makes
 * no call, so only the graders and the working copy they judge can tell
 * the two apart (the request, the tools and their results cannot). Saves
 * replaying every tool, system, user and response variant. */
static bool null_as_baseline(const jolt_variant *base, const jolt_variant *v)
{
	return json_equal(base->grade, v->grade) &&
	       json_equal(base->env_edits, v->env_edits) &&
	       json_equal(base->env_vars, v->env_vars) &&
	       json_equal(base->path_map, v->path_map);
}

static void print_ratio(long num, long den)
{
	if (den)
		printf("  %4ld/%-4ld %4.0f%%", num, den,
		       100.0 * (double)num / (double)den);
	else
		printf("  %15s", "-");
}

/* Applicability per operator: tasks where it changes what the model is
 * shown, of the tasks selected; an operator that built variants and
 * changed nothing on any is a failure (a no-op). Teeth with --teeth. */
static void report_ops(const struct op_tally *t, size_t ntasks, bool teeth,
		       long *fails)
{
	printf("applicability (tasks where the invariant operator changes what "
	       "the model is shown / tasks):\n");
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *op = jolt_op_at(i);
		if (op->kind != JOLT_OP_INVARIANT || !t[i].built[0])
			continue;
		long built = 0, vis = 0;
		for (size_t k = 0; k < ntasks; k++) {
			built += t[i].tasks[k] >= 1;
			vis += t[i].tasks[k] == 2;
		}
		printf("  %-20s %4ld/%zu", op->name, vis, ntasks);
		if (vis < built)
			printf("  (%ld built but change nothing)", built - vis);
		printf("\n");
	}
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *op = jolt_op_at(i);
		if (op->kind != JOLT_OP_INVARIANT || !t[i].built[0] ||
		    t[i].visible[0])
			continue;
		(*fails)++;
		printf("FAIL  operator %s: its %ld variants change nothing the "
		       "model is shown on any task (a no-op)\n", op->name,
		       t[i].built[0]);
	}
	if (!teeth)
		return;
	printf("teeth (variants sim:literal fails / applicable variants):\n");
	printf("  %-20s  %15s  %15s  %15s  %15s\n", "operator", "level 1",
	       "level 2", "level 3", "all");
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *op = jolt_op_at(i);
		if (op->kind != JOLT_OP_INVARIANT || !t[i].visible[0])
			continue;
		printf("  %-20s", op->name);
		for (int l = 1; l <= 3; l++)
			print_ratio(t[i].broken[l], t[i].visible[l]);
		print_ratio(t[i].broken[0], t[i].visible[0]);
		printf("\n");
	}
}

static void tally(struct op_tally *t, const jolt_variant *v, size_t ti,
		  bool vis)
{
	struct op_tally *o = &t[op_index(v->op)];
	o->built[0]++;
	o->built[v->level]++;
	if (vis) {
		o->visible[0]++;
		o->visible[v->level]++;
	}
	if (o->tasks[ti] < (vis ? 2u : 1u))
		o->tasks[ti] = vis ? 2 : 1;
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
	jolt_replay *base = NULL, *items = NULL;
	const jolt_variant **bases = NULL; /* per item */
	jolt_task_variants *per = NULL;
	jolt_task_ref *tasks = NULL;
	jolt_checkcache *cache = NULL;
	jolt_execmemo *memo = NULL;
	struct op_tally *ops = jolt_xcalloc(jolt_op_count(), sizeof(*ops));
	long *inherit = NULL; /* per task: sim:null replays as its baseline's */
	size_t *first = NULL; /* per task: its baseline's first item */
	size_t ntasks = 0, nitems = 0;
	long fails = 0, errors = 0, variants = 0, inapplicable = 0;
	long null_held = 0, null_apart = 0, nnull = 0;
	bool teeth = o->teeth, need_trace = o->teeth;

	rc = jolt_run_tasks(&tasks, &ntasks, &sel);
	if (!rc)
		rc = jolt_run_build(&per, &sel, tasks, ntasks);
	if (rc)
		goto done;
	for (size_t i = 0; i < jolt_op_count(); i++)
		ops[i].tasks = jolt_xcalloc(ntasks + 1, sizeof(*ops[i].tasks));
	/* First every task's baseline: its oracle (with the trace when a
	 * verdict or sim:literal needs its tool results) and sim:null. */
	for (size_t ti = 0; ti < ntasks; ti++) {
		variants += (long)per[ti].n - 1;
		for (size_t k = 1; k < per[ti].n; k++)
			need_trace = need_trace ||
				     jolt_visible_needs_trace(per[ti].v[k]);
	}
	/* The baseline oracles' tool results, when a response variant's
	 * verdict or sim:literal needs them: replayed apart (the cache keeps
	 * their traces, and their results for the replays below), without a
	 * line of output. */
	cache = jolt_cli_open_cache(o->cache, o->no_cache);
	/* One memo for both passes: the variants' commands on the trees the
	 * baselines left are the baselines'. */
	memo = o->no_cache ? NULL : jolt_execmemo_new();
	if (need_trace) {
		base = jolt_xcalloc(ntasks + 1, sizeof(*base));
		for (size_t ti = 0; ti < ntasks; ti++) {
			base[ti].v = per[ti].v[0];
			base[ti].trace = true;
		}
		jolt_replay_opts to = {.cache = cache,
				       .workers = (int)o->workers,
				       .no_memo = o->no_cache,
				       .memo = memo};
		rc = jolt_replay_run(base, ntasks, &d, &to);
		if (rc)
			goto done;
	}
	/* Every task's baseline (its oracle, sim:null), then each variant
	 * that changes what the model is shown: its oracle, its planted
	 * mistake, sim:null unless it must do as on the baseline, and
	 * sim:literal (--teeth). */
	size_t per_variant = 3 + (teeth ? 1 : 0);
	size_t cap = (size_t)variants * per_variant + 3 * ntasks + 1;
	items = jolt_xcalloc(cap, sizeof(*items));
	bases = jolt_xcalloc(cap, sizeof(*bases));
	inherit = jolt_xcalloc(ntasks + 1, sizeof(*inherit));
	first = jolt_xcalloc(ntasks + 1, sizeof(*first));
	for (size_t ti = 0; ti < ntasks; ti++) {
		const jolt_variant *b0 = per[ti].v[0];
		const json_t *trace = base ? base[ti].res.trace : NULL;
		first[ti] = nitems;
		if (base) /* its oracle, replayed above for the trace */
			jolt_replay_take(&items[nitems], &base[ti]);
		items[nitems++].v = b0;
		items[nitems].v = b0;
		items[nitems++].policy = "null";
		if (teeth && trace) {
			jolt_visible_expect_literal(b0, trace);
			items[nitems].v = b0;
			items[nitems++].policy = "literal";
		}
		for (size_t k = 1; k < per[ti].n; k++) {
			const jolt_variant *v = per[ti].v[k];
			char *why = NULL;
			bool vis = jolt_visible(&why, b0, v, trace);
			if (invariant(v))
				tally(ops, v, ti, vis);
			if (!vis) {
				inapplicable++;
				if (!o->quiet_ok)
					printf("n/a   %s/%s: %s\n",
					       v->suite->name, v->name, why);
				free(why);
				continue;
			}
			for (size_t m = 0; m < per_variant; m++) {
				static const char *const policy[] = {
					NULL, NULL, "null", "literal"};
				if (m == 2 && null_as_baseline(b0, v)) {
					inherit[ti]++;
					continue;
				}
				items[nitems].v = v;
				items[nitems].mistake = m == 1;
				items[nitems].policy = policy[m];
				bases[nitems++] = b0;
			}
		}
	}
	jolt_replay_opts ro = {
		.cache = cache, .workers = (int)o->workers, .progress = "check",
		.no_memo = o->no_cache, .memo = memo,
	};
	rc = jolt_replay_run(items, nitems, &d, &ro);
	if (rc)
		goto done;
	for (size_t ti = 0; ti < ntasks; ti++) {
		nnull += inherit[ti];
		if (!jolt_replay_passed(&items[first[ti] + 1]))
			null_held += inherit[ti];
	}
	for (size_t i = 0; i < nitems; i++) {
		const jolt_replay *r = &items[i];
		if (r->policy && !strcmp(r->policy, "null")) {
			nnull++;
			report_null(r, o->quiet_ok, &fails, &errors,
				    &null_apart, &null_held);
		} else if (r->policy && !bases[i]) {
			/* sim:literal on a baseline: it must pass, or its
			 * teeth on that task would measure nothing. */
			if (!jolt_replay_passed(r))
				printf("note  %s/%s: sim:literal fails the "
				       "baseline (%s); its teeth there are not "
				       "meaningful\n", r->v->suite->name,
				       r->v->name, jolt_replay_why(r));
		} else if (r->policy) {
			if (invariant(r->v) && !jolt_replay_infra(r) &&
			    !jolt_replay_passed(r)) {
				struct op_tally *t = &ops[op_index(r->v->op)];
				t->broken[0]++;
				t->broken[r->v->level]++;
			}
		} else {
			report_item(r, bases[i], o->quiet_ok, &fails, &errors);
		}
	}
	report_ops(ops, ntasks, teeth, &fails);
	printf("sim:null fails %ld of %ld baselines and variants", null_held,
	       nnull);
	if (null_apart)
		printf(" (%ld where declining is right, listed above)",
		       null_apart);
	printf("\n");
	if (inapplicable)
		printf("%ld variants not applicable (they change nothing the "
		       "model is shown): not checked, not run\n", inapplicable);
	printf("%ld tasks and %ld variants checked: %ld failures, %ld errors\n",
	       (long)ntasks, variants - inapplicable, fails, errors);
done:
	if (rc)
		jolt_cli_fail("check", rc);
	jolt_sim_literal_forget();
	jolt_replay_release(base, base ? ntasks : 0);
	free(inherit);
	free(first);
	free(base);
	jolt_replay_release(items, nitems);
	free(items);
	free(bases);
	for (size_t i = 0; i < jolt_op_count(); i++)
		free(ops[i].tasks);
	free(ops);
	jolt_task_variants_free(per, ntasks);
	free(tasks);
	jolt_checkcache_close(cache);
	jolt_execmemo_free(memo);
	jolt_cli_free_suites(suites, argc);
	if (rc)
		return rc;
	if (errors)
		return JOLT_EINFRA;
	return fails ? JOLT_EFAILED : 0;
}

const jolt_cmd_syntax jolt_check_syntax = {
	.usage = "SUITE... [--tasks ID,GLOB,...] [--baseline-only | --axes ... --ops ...] [--levels ...]\n"
		 "       [--seeds A..B] [--teeth] [--workers N] [--cache DIR | --no-cache]",
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
	 "Three checks read no label, so they check the perturbations\n"
	 "themselves. Visible change: every invariant variant must change what\n"
	 "the model is shown: the request (tools, system prompt, user turns) on\n"
	 "the tool, system and user axes, the working copy's tree or a file's\n"
	 "contents on the env axis, a tool result along the oracle's path on the\n"
	 "response axis. A variant that changes nothing is listed as n/a: not\n"
	 "applicable to that task, not checked, and not run by jolt run either.\n"
	 "The applicability table gives, per operator, the tasks it changes of\n"
	 "the tasks checked; an operator that builds variants and changes\n"
	 "nothing on any task fails (a no-op). sim:null, which answers \"I don't\n"
	 "know.\" at once, must fail every baseline and invariant variant: a\n"
	 "task it passes has a grader that passes a do-nothing agent and fails\n"
	 "the check; where declining is right (a directional variant, or a task\n"
	 "whose oracle makes no call and whose graders require none) it is a\n"
	 "note instead. --teeth also\n"
	 "replays sim:literal, which follows the task's own oracle word for word\n"
	 "(original tool and parameter names, paths, answer) whatever the\n"
	 "variant shows, stops at the first tool error, and gives up on a result\n"
	 "whose form (its punctuation and layout, letters and digits aside) is not\n"
	 "the baseline's; an operator's teeth per level are the share of its\n"
	 "applicable variants that sim:literal fails: how much it changes the\n"
	 "mechanics of the task for an agent that ignores the change. Renames,\n"
	 "moved files and format changes have teeth; cosmetic operators none.\n\n"
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
