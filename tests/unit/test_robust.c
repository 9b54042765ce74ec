/*
 * test_robust.c - the robustness summary on hand-built trial rows: pairing
 * and infra exclusion, flip tables, drops and their bootstrap intervals,
 * Holm across comparisons, same-as-parent refinements, per-model figures
 * (rates, PDR, worst case, pass^k), determinism across thread counts, the
 * JSON form, and bad options.
 */
#include <math.h>
#include <omp.h>

#include "test.h"

#include "core/common.h"
#include "reports/robust.h"

#define MAX_ROWS 4096

/* Rows under construction; variant names are owned by `names`. */
typedef struct {
	jolt_trial_row rows[MAX_ROWS];
	size_t n;
	char *names[MAX_ROWS];
	size_t nnames;
} rowset;

static rowset *rows_new(void)
{
	return jolt_xcalloc(1, sizeof(rowset));
}

static void rows_free(rowset *rs)
{
	for (size_t i = 0; i < rs->nnames; i++)
		free(rs->names[i]);
	free(rs);
}

/* One trial; op NULL means a baseline trial. */
static void add(rowset *rs, const char *model, const char *task,
		const char *axis, const char *op, int level, int repeat,
		enum jolt_outcome o)
{
	assert_true(rs->n < MAX_ROWS);
	const char *variant = "baseline";
	if (op) {
		char *name =
		    jolt_xasprintf("%s/%s.%s@%d#1", task, axis, op, level);
		rs->names[rs->nnames++] = name;
		variant = name;
	}
	rs->rows[rs->n] = (jolt_trial_row){
	    .id = (int64_t)rs->n + 1,
	    .key = "k",
	    .model = model,
	    .scaffold = "native",
	    .suite = "s",
	    .task = task,
	    .variant = variant,
	    .axis = op ? axis : "baseline",
	    .op = op ? op : "",
	    .level = op ? level : 0,
	    .seed = op ? 1 : 0,
	    .repeat = repeat,
	    .outcome = o,
	    .reward = o == JOLT_OUTCOME_PASS,
	    .steps = 4,
	    .tokens_in = 100,
	    .tokens_out = 10 * (repeat + 1),
	    .latency_ms = 50,
	    .error_class = "",
	    .malformed_calls = (op && level == 2) ? 1 : 0,
	};
	rs->n++;
}

#define P JOLT_OUTCOME_PASS
#define F JOLT_OUTCOME_FAIL
#define I JOLT_OUTCOME_INFRA

/*
 * Model M, 5 tasks, 2 repeats.
 *   baseline:      t1 PP  t2 PP  t3 PF  t4 FF  t5 I P
 *   tool.rename@1: t1 FF  t2 PF  t3 PP  t4 FP
 *   tool.rename@2: t1 FF  t2 FF  t3 FF  t4 FF
 *   user.typo@1:   t1 PP  t2 PP  t3 PF  t4 PF  t5 P I
 * rename@1 pairs: n11 2, n10 3, n01 2, n00 1; rename@2: n10 5, n00 3;
 * tool: n11 2, n10 8, n01 2, n00 4 (16 pairs, drop 6/16 = 0.375);
 * typo: n11 5, n01 1, n00 2, and t5's two trials unpaired (infra on one
 * side each).
 */
static void add_m(rowset *rs)
{
	const char *tasks[] = {"t1", "t2", "t3", "t4", "t5"};
	const char *base = "PPPPPFFFIP";
	const char *r1 = "FFPFPPFP";
	const char *r2 = "FFFFFFFF";
	const char *typo = "PPPPPFPFPI";
	for (int t = 0; t < 5; t++)
		for (int r = 0; r < 2; r++) {
			char c = base[2 * t + r];
			add(rs, "M", tasks[t], NULL, NULL, 0, r,
			    c == 'P'   ? P
			    : c == 'F' ? F
				       : I);
		}
	for (int t = 0; t < 4; t++)
		for (int r = 0; r < 2; r++) {
			add(rs, "M", tasks[t], "tool", "rename", 1, r,
			    r1[2 * t + r] == 'P' ? P : F);
			add(rs, "M", tasks[t], "tool", "rename", 2, r,
			    r2[2 * t + r] == 'P' ? P : F);
		}
	for (int t = 0; t < 5; t++)
		for (int r = 0; r < 2; r++) {
			char c = typo[2 * t + r];
			add(rs, "M", tasks[t], "user", "typo", 1, r,
			    c == 'P'   ? P
			    : c == 'F' ? F
				       : I);
		}
}

/* Model N: 20 tasks, one repeat, every baseline passes and every
 * env.wipe@1 trial fails: 20 breaks, McNemar p = 2 / 2^20. */
static void add_n(rowset *rs)
{
	static const char *tasks[20] = {"n00", "n01", "n02", "n03", "n04",
					"n05", "n06", "n07", "n08", "n09",
					"n10", "n11", "n12", "n13", "n14",
					"n15", "n16", "n17", "n18", "n19"};
	for (int t = 0; t < 20; t++) {
		add(rs, "N", tasks[t], NULL, NULL, 0, 0, P);
		add(rs, "N", tasks[t], "env", "wipe", 1, 0, F);
	}
}

static jolt_robust *build(const rowset *rs, long reps)
{
	jolt_robust *s = NULL;
	jolt_robust_opts o = {.bootstrap_reps = reps};
	assert_int_equal(jolt_robust_build(&s, rs->rows, rs->n, &o), 0);
	assert_non_null(s);
	return s;
}

static void flips_eq(const jolt_flips *f, long n11, long n10, long n01,
		     long n00)
{
	assert_int_equal(f->n11, n11);
	assert_int_equal(f->n10, n10);
	assert_int_equal(f->n01, n01);
	assert_int_equal(f->n00, n00);
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-12)

static void test_comparisons(void **state)
{
	rowset *rs = rows_new();
	add_m(rs);
	add_n(rs);
	jolt_robust *s = build(rs, 2000);

	/* M/tool, M/user, N/env. */
	assert_int_equal(s->nby_axis, 3);
	const jolt_robust_cmp *tool = &s->by_axis[0];
	assert_string_equal(tool->model, "M");
	assert_string_equal(tool->axis, "tool");
	assert_null(tool->op);
	assert_int_equal(tool->level, -1);
	flips_eq(&tool->flips, 2, 8, 2, 4);
	assert_int_equal(tool->variant_trials, 16);
	assert_int_equal(tool->unpaired, 0);
	assert_int_equal(tool->tasks, 4);
	NEAR(tool->clean.rate, 10.0 / 16.0);
	NEAR(tool->perturbed.rate, 4.0 / 16.0);
	assert_int_equal(tool->perturbed.pass, 4);
	assert_int_equal(tool->perturbed.n, 16);
	assert_true(tool->perturbed.lo < 0.25 && tool->perturbed.hi > 0.25);
	/* Per task drops 1, 0.75, 0, -0.25: mean 0.375 = net drop. */
	NEAR(tool->drop.est, 0.375);
	NEAR(tool->net_drop, 0.375);
	assert_true(tool->drop.lo <= 0.375 && 0.375 <= tool->drop.hi);
	assert_true(tool->drop.lo >= -0.25 && tool->drop.hi <= 1.0);
	NEAR(tool->break_rate, 0.8);
	NEAR(tool->flip_rate, 10.0 / 16.0);
	NEAR(tool->pdr, 1.0 - 4.0 / 10.0);
	NEAR(tool->p, 0.109375);

	const jolt_robust_cmp *user = &s->by_axis[1];
	assert_string_equal(user->axis, "user");
	flips_eq(&user->flips, 5, 0, 1, 2);
	assert_int_equal(user->variant_trials, 10);
	assert_int_equal(user->unpaired, 2);
	assert_int_equal(user->tasks, 4);
	NEAR(user->drop.est, -0.125);
	assert_true(isnan(user->break_rate) == false);
	NEAR(user->break_rate, 0.0);
	NEAR(user->p, 1.0);

	const jolt_robust_cmp *env = &s->by_axis[2];
	assert_string_equal(env->model, "N");
	flips_eq(&env->flips, 0, 20, 0, 0);
	NEAR(env->drop.est, 1.0);
	NEAR(env->drop.lo, 1.0);
	NEAR(env->drop.hi, 1.0);
	NEAR(env->p, 2.0 / 1048576.0);

	/* One operator per axis: each refines nothing. */
	assert_int_equal(s->nby_op, 3);
	for (size_t i = 0; i < 3; i++)
		assert_true(s->by_op[i].same_as_parent);
	assert_string_equal(s->by_op[0].op, "rename");
	flips_eq(&s->by_op[0].flips, 2, 8, 2, 4);

	/* rename@1, rename@2, typo@1, wipe@1. */
	assert_int_equal(s->nby_level, 4);
	const jolt_robust_cmp *l1 = &s->by_level[0], *l2 = &s->by_level[1];
	assert_int_equal(l1->level, 1);
	assert_int_equal(l2->level, 2);
	flips_eq(&l1->flips, 2, 3, 2, 1);
	flips_eq(&l2->flips, 0, 5, 0, 3);
	assert_false(l1->same_as_parent);
	assert_false(l2->same_as_parent);
	assert_true(s->by_level[2].same_as_parent);
	assert_true(s->by_level[3].same_as_parent);
	NEAR(l1->p, 1.0);
	NEAR(l2->p, 0.0625);
	/* rename@2: per task drops 1, 1, 0.5, 0. */
	NEAR(l2->drop.est, 0.625);

	/* Holm over the 5 distinct tests: N/env 5p, rename@2 4 x 0.0625,
	 * tool 3 x 0.109375, then 1, 1. */
	assert_int_equal(s->family, 5);
	NEAR(env->p_holm, 5.0 * 2.0 / 1048576.0);
	NEAR(l2->p_holm, 0.25);
	NEAR(tool->p_holm, 0.328125);
	NEAR(l1->p_holm, 1.0);
	NEAR(user->p_holm, 1.0);
	/* BH: 5p, 0.0625 * 5/2, 0.109375 * 5/3, 1, 1. */
	NEAR(env->p_bh, 5.0 * 2.0 / 1048576.0);
	NEAR(l2->p_bh, 0.15625);
	NEAR(tool->p_bh, 0.109375 * 5.0 / 3.0);
	assert_true(env->significant);
	assert_false(tool->significant);
	assert_false(l2->significant);
	/* Refinements share their parent's test. */
	NEAR(s->by_op[0].p_holm, tool->p_holm);
	NEAR(s->by_level[3].p_holm, env->p_holm);
	assert_true(s->by_level[3].significant);

	jolt_robust_free(s);
	rows_free(rs);
}

/* One noisy baseline trial paired with many variants: McNemar over pairs
 * sees 30 "fixes" against 0 breaks (p ~ 2e-9), but they all hang on one
 * baseline trial of one task; the task-clustered interval covers zero,
 * so the comparison is not called significant. */
static void test_shared_baseline_not_significant(void **state)
{
	static const char *const ops[] = {"o0", "o1", "o2", "o3", "o4",
					  "o5", "o6", "o7", "o8", "o9"};
	static const char *const tasks[] = {"t0", "t1", "t2", "t3", "t4"};
	rowset *rs = rows_new();
	for (size_t t = 0; t < 5; t++) {
		add(rs, "M", tasks[t], "baseline", NULL, 0, 0, t == 0 ? F : P);
		for (size_t o = 0; o < 10; o++)
			for (int l = 1; l <= 3; l++)
				add(rs, "M", tasks[t], "tool", ops[o], l, 0, P);
	}
	jolt_robust *s = build(rs, 2000);
	const jolt_robust_cmp *c = &s->by_axis[0];
	flips_eq(&c->flips, 120, 0, 30, 0);
	assert_true(c->p < 1e-6 && c->p_holm < 0.05);
	NEAR(c->drop.est, -0.2);
	assert_true(c->drop.lo < 0.0 && c->drop.hi >= 0.0);
	assert_false(c->significant);
	jolt_robust_free(s);
	rows_free(rs);
}

static void test_models(void **state)
{
	rowset *rs = rows_new();
	add_m(rs);
	add_n(rs);
	jolt_robust *s = build(rs, 500);
	assert_int_equal(s->nmodels, 2);
	const jolt_robust_model *m = &s->models[0];
	assert_string_equal(m->model, "M");
	assert_string_equal(m->scaffold, "native");
	assert_int_equal(m->trials, 36);
	assert_int_equal(m->infra, 2);
	assert_int_equal(m->baseline.pass, 6);
	assert_int_equal(m->baseline.n, 9);
	NEAR(m->baseline.rate, 6.0 / 9.0);
	assert_int_equal(m->perturbed.pass, 11);
	assert_int_equal(m->perturbed.n, 25);
	flips_eq(&m->flips, 7, 8, 3, 6);
	NEAR(m->pdr, 1.0 - 10.0 / 15.0);
	assert_int_equal(m->malformed_calls, 8);
	assert_int_equal(m->steps, 144);
	NEAR(m->malformed_rate, 8.0 / 144.0);
	NEAR(m->mean_tokens_in, 100.0);
	NEAR(m->mean_tokens_out, 15.0);
	NEAR(m->mean_latency_ms, 50.0);
	/* Worst case: t1..t4 each have a variant at 0; t5 has 1/1 and 1/1. */
	assert_int_equal(m->worst_case_tasks, 5);
	NEAR(m->worst_case, 0.2);

	assert_int_equal(m->repeats, 2);
	assert_int_equal(m->npassk, 2);
	/* k = 1: the mean pass fraction over tasks: (1+1+.5+0+1)/5. */
	assert_int_equal(m->passk[0].k, 1);
	NEAR(m->passk[0].base_hat, 0.7);
	NEAR(m->passk[0].base_at, 0.7);
	assert_int_equal(m->passk[0].base_tasks, 5);
	/* k = 2: t5 has one graded trial and drops out; pass^2 = (1+1)/4,
	 * pass@2 = (1+1+1+0)/4. */
	assert_int_equal(m->passk[1].base_tasks, 4);
	NEAR(m->passk[1].base_hat, 0.5);
	NEAR(m->passk[1].base_at, 0.75);
	/* All instances with 2 graded trials: 4 baselines, 8 rename, 4
	 * typo = 16. pass^2 = (2 base + t3 rename@1 + t1 t2 typo) / 16. */
	assert_int_equal(m->passk[1].all_instances, 16);
	NEAR(m->passk[1].all_hat, 5.0 / 16.0);

	const jolt_robust_model *n = &s->models[1];
	assert_string_equal(n->model, "N");
	assert_int_equal(n->repeats, 1);
	assert_null(n->passk);
	assert_int_equal(n->npassk, 0);
	NEAR(n->worst_case, 0.0);
	NEAR(n->pdr, 1.0);
	NEAR(n->baseline.rate, 1.0);
	NEAR(n->perturbed.rate, 0.0);
	jolt_robust_free(s);
	rows_free(rs);
}

/* `ntasks` tasks, `reps` repeats; every baseline passes and the
 * perturbed trials of task t pass on the repeats where pattern says so. */
static void add_pattern(rowset *rs, int ntasks, int reps,
			bool (*pass)(int task, int rep))
{
	for (int t = 0; t < ntasks; t++) {
		char *task = jolt_xasprintf("task%03d", t);
		rs->names[rs->nnames++] = task;
		for (int r = 0; r < reps; r++) {
			add(rs, "M", task, NULL, NULL, 0, r, P);
			add(rs, "M", task, "tool", "rename", 1, r,
			    pass(t, r) ? P : F);
		}
	}
}

static bool two_of_five(int task, int rep)
{
	return rep < 2;
}

static bool mixed(int task, int rep)
{
	/* Per task pass fraction 0, .2, .4, .6, .8, 1 cycling. */
	return rep < task % 6;
}

static void test_bootstrap_constant(void **state)
{
	rowset *rs = rows_new();
	add_pattern(rs, 10, 5, two_of_five);
	jolt_robust *s = build(rs, 10000);
	assert_int_equal(s->nby_axis, 1);
	const jolt_robust_cmp *c = &s->by_axis[0];
	assert_int_equal(c->tasks, 10);
	flips_eq(&c->flips, 20, 30, 0, 0);
	NEAR(c->drop.est, 0.6);
	NEAR(c->drop.lo, 0.6);
	NEAR(c->drop.hi, 0.6);
	jolt_robust_free(s);
	rows_free(rs);
}

static void test_bootstrap_width(void **state)
{
	rowset *small = rows_new(), *big = rows_new();
	add_pattern(small, 12, 5, mixed);
	add_pattern(big, 120, 5, mixed);
	jolt_robust *a = build(small, 5000), *b = build(big, 5000);
	const jolt_robust_cmp *ca = &a->by_axis[0], *cb = &b->by_axis[0];
	/* Tasks pass 0..5 of 5 perturbed repeats, cycling: mean 2.5 / 5. */
	NEAR(ca->drop.est, 0.5);
	NEAR(cb->drop.est, 0.5);
	assert_true(ca->drop.lo < 0.5 && 0.5 < ca->drop.hi);
	assert_true(cb->drop.lo < 0.5 && 0.5 < cb->drop.hi);
	double wa = ca->drop.hi - ca->drop.lo, wb = cb->drop.hi - cb->drop.lo;
	/* Ten times the tasks: about sqrt(10) narrower. */
	assert_true(wb < 0.5 * wa);
	assert_true(wb > 0.2 * wa);
	jolt_robust_free(a);
	jolt_robust_free(b);
	rows_free(small);
	rows_free(big);
}

static void test_deterministic(void **state)
{
	rowset *rs = rows_new();
	add_m(rs);
	add_pattern(rs, 30, 3, mixed);
	int saved = omp_get_max_threads();
	omp_set_num_threads(1);
	jolt_robust *one = build(rs, 4000);
	omp_set_num_threads(2);
	jolt_robust *two = build(rs, 4000);
	omp_set_num_threads(saved);
	jolt_robust *again = build(rs, 4000);
	assert_int_equal(one->nby_level, two->nby_level);
	for (size_t i = 0; i < one->nby_level; i++) {
		const jolt_robust_cmp *x = &one->by_level[i],
				      *y = &two->by_level[i],
				      *z = &again->by_level[i];
		assert_true(x->drop.lo == y->drop.lo);
		assert_true(x->drop.hi == y->drop.hi);
		assert_true(x->drop.lo == z->drop.lo);
		assert_true(x->drop.hi == z->drop.hi);
		assert_true(x->p_holm == z->p_holm);
	}
	jolt_robust_free(one);
	jolt_robust_free(two);
	jolt_robust_free(again);
	rows_free(rs);
}

static void test_json(void **state)
{
	rowset *rs = rows_new();
	add_m(rs);
	add_n(rs);
	jolt_robust *s = build(rs, 500);
	json_t *j = NULL;
	assert_int_equal(jolt_robust_json(&j, s), 0);
	assert_int_equal(json_array_size(json_object_get(j, "models")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "by_axis")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "by_operator")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "by_level")), 4);
	json_t *opts = json_object_get(j, "options");
	assert_int_equal(json_integer_value(json_object_get(opts, "tests")), 5);
	assert_int_equal(
	    json_integer_value(json_object_get(opts, "bootstrap_reps")), 500);

	json_t *tool = json_array_get(json_object_get(j, "by_axis"), 0);
	assert_string_equal(json_string_value(json_object_get(tool, "axis")),
			    "tool");
	assert_null(json_object_get(tool, "operator"));
	assert_int_equal(json_integer_value(json_object_get(tool, "pairs")),
			 16);
	json_t *flips = json_object_get(tool, "flips");
	assert_int_equal(json_integer_value(json_object_get(flips, "n10")), 8);
	json_t *drop = json_object_get(tool, "drop");
	NEAR(json_real_value(json_object_get(drop, "est")), 0.375);
	assert_int_equal(json_array_size(json_object_get(drop, "ci")), 2);
	NEAR(json_real_value(json_object_get(tool, "p_holm")), 0.328125);
	assert_true(json_is_false(json_object_get(tool, "significant")));

	json_t *lvl = json_array_get(json_object_get(j, "by_level"), 1);
	assert_string_equal(json_string_value(json_object_get(lvl, "operator")),
			    "rename");
	assert_int_equal(json_integer_value(json_object_get(lvl, "level")), 2);

	json_t *m = json_array_get(json_object_get(j, "models"), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "infra")), 2);
	NEAR(json_real_value(json_object_get(m, "worst_case")), 0.2);
	json_t *pk = json_object_get(m, "pass_k");
	assert_int_equal(json_array_size(pk), 2);
	json_t *k2 = json_object_get(json_array_get(pk, 1), "baseline");
	NEAR(json_real_value(json_object_get(k2, "pass_hat_k")), 0.5);
	/* N has one repeat: no pass^k. */
	json_t *n = json_array_get(json_object_get(j, "models"), 1);
	assert_int_equal(json_array_size(json_object_get(n, "pass_k")), 0);
	json_decref(j);
	jolt_robust_free(s);
	rows_free(rs);
}

static void test_undefined_and_errors(void **state)
{
	rowset *rs = rows_new();
	/* A variant with no baseline at all, and one whose baseline fails:
	 * no pairs in the first, no break rate in the second. */
	add(rs, "M", "t1", "tool", "rename", 1, 0, P);
	add(rs, "M", "t2", NULL, NULL, 0, 0, F);
	add(rs, "M", "t2", "user", "typo", 1, 0, F);
	jolt_robust *s = build(rs, 100);
	assert_int_equal(s->nby_axis, 2);
	const jolt_robust_cmp *tool = &s->by_axis[0];
	assert_int_equal(jolt_flips_total(&tool->flips), 0);
	assert_int_equal(tool->unpaired, 1);
	assert_int_equal(tool->tasks, 0);
	assert_true(isnan(tool->drop.est) && isnan(tool->drop.lo));
	assert_true(isnan(tool->p) && isnan(tool->p_holm));
	assert_false(tool->significant);
	const jolt_robust_cmp *user = &s->by_axis[1];
	assert_true(isnan(user->break_rate));
	NEAR(user->drop.est, 0.0);
	assert_int_equal(s->family, 1);

	json_t *j = NULL;
	assert_int_equal(jolt_robust_json(&j, s), 0);
	json_t *jt = json_array_get(json_object_get(j, "by_axis"), 0);
	assert_true(json_is_null(json_object_get(jt, "p")));
	assert_true(
	    json_is_null(json_object_get(json_object_get(jt, "drop"), "est")));
	json_t *ju = json_array_get(json_object_get(j, "by_axis"), 1);
	assert_true(json_is_null(json_object_get(ju, "break_rate")));
	json_decref(j);
	jolt_robust_free(s);

	/* No rows: an empty summary. */
	assert_int_equal(jolt_robust_build(&s, rs->rows, 0, NULL), 0);
	assert_int_equal(s->nmodels, 0);
	assert_int_equal(s->nby_axis, 0);
	assert_int_equal(s->opts.bootstrap_reps, JOLT_BOOTSTRAP_REPS);
	jolt_robust_free(s);

	/* Bad options. */
	s = (jolt_robust *)1;
	jolt_robust_opts bad = {.bootstrap_reps = -5};
	assert_int_equal(jolt_robust_build(&s, rs->rows, rs->n, &bad),
			 JOLT_EUSAGE);
	assert_null(s);
	bad = (jolt_robust_opts){.alpha = 1.5};
	assert_int_equal(jolt_robust_build(&s, rs->rows, rs->n, &bad),
			 JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "alpha"));
	rows_free(rs);
}

static void test_not_utf8(void **state)
{
	rowset *rs = rows_new();
	add(rs, "bad\xff", "t1", NULL, NULL, 0, 0, P);
	add(rs, "bad\xff", "t1", "tool", "rename", 1, 0, F);
	jolt_robust *s = build(rs, 100);
	json_t *j = NULL;
	assert_int_equal(jolt_robust_json(&j, s), 0);
	json_t *m = json_array_get(json_object_get(j, "models"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "model")),
			    "bad?");
	json_decref(j);
	jolt_robust_free(s);
	rows_free(rs);
	assert_string_equal(jolt_robust_by_name(JOLT_ROBUST_BY_OP), "operator");
}

/* The noise floor: repeats of one baseline that disagree. t1: 4 repeats,
 * 2 pass: 2 x 2 = 4 of 6 pairs differ; t2: 3 repeats, all pass: 0 of 3;
 * t3: one repeat, no pair; an infra repeat is not graded. So a flip rate
 * of 4 / 9; breaks: 4 of the c(n-1) = 6 + 6 ordered pairs that start
 * with a pass, 1 / 3. */
static void test_noise_floor(void **state)
{
	rowset *rs = rows_new();
	enum jolt_outcome t1[] = {P, F, P, F};
	for (int r = 0; r < 4; r++) {
		add(rs, "A", "t1", NULL, NULL, 0, r, t1[r]);
		add(rs, "A", "t1", "tool", "rename", 1, r, F);
	}
	for (int r = 0; r < 3; r++)
		add(rs, "A", "t2", NULL, NULL, 0, r, P);
	add(rs, "A", "t2", NULL, NULL, 0, 3, I);
	add(rs, "A", "t3", NULL, NULL, 0, 0, F);
	/* B runs once: no noise floor. */
	add(rs, "B", "t1", NULL, NULL, 0, 0, P);
	add(rs, "B", "t1", "tool", "rename", 1, 0, F);
	jolt_robust *s;
	assert_int_equal(jolt_robust_build(&s, rs->rows, rs->n, NULL), 0);
	assert_int_equal(s->nmodels, 2);
	const jolt_robust_model *a = &s->models[0];
	assert_int_equal(a->noise_pairs, 9);
	assert_int_equal(a->noise_tasks, 2);
	assert_true(fabs(a->noise_flip_rate - 4.0 / 9.0) < 1e-12);
	assert_true(fabs(a->noise_break_rate - 1.0 / 3.0) < 1e-12);
	assert_true(isnan(s->models[1].noise_flip_rate));
	assert_int_equal(s->models[1].noise_pairs, 0);
	/* Copied into each comparison of the same model x scaffold. */
	assert_int_equal(s->nby_axis, 2);
	assert_string_equal(s->by_axis[0].model, "A");
	assert_true(fabs(s->by_axis[0].noise_break_rate - 1.0 / 3.0) < 1e-12);
	assert_true(isnan(s->by_axis[1].noise_break_rate));
	assert_true(fabs(s->by_op[0].noise_flip_rate - 4.0 / 9.0) < 1e-12);
	json_t *j;
	assert_int_equal(jolt_robust_json(&j, s), 0);
	json_t *noise = json_object_get(
	    json_array_get(json_object_get(j, "models"), 0), "noise");
	assert_int_equal(json_integer_value(json_object_get(noise, "pairs")), 9);
	assert_true(fabs(json_real_value(json_object_get(noise, "flip_rate")) -
			 4.0 / 9.0) < 1e-12);
	assert_true(json_is_null(json_object_get(
	    json_array_get(json_object_get(j, "by_axis"), 1),
	    "noise_break_rate")));
	json_decref(j);
	jolt_robust_free(s);
	rows_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_comparisons),
	    cmocka_unit_test(test_shared_baseline_not_significant),
	    cmocka_unit_test(test_models),
	    cmocka_unit_test(test_bootstrap_constant),
	    cmocka_unit_test(test_bootstrap_width),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_undefined_and_errors),
	    cmocka_unit_test(test_not_utf8),
	    cmocka_unit_test(test_noise_floor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
