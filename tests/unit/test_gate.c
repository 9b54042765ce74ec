/*
 * test_gate.c - the gate on reports built from hand-made rows: a noisy
 * model with no planted drop never fails (20 seeds out of 20, alone and
 * against a baseline run of the same noise), a planted tool drop always
 * fails on the tool axis and nowhere else, the infra and pass-rate
 * limits, bad options, the choice of the baseline run's model, and the
 * JUnit and Markdown renderings (escaping included).
 */
#include <math.h>
#include <omp.h>

#include "test.h"

#include "core/common.h"
#include "reports/gate.h"
#include "reports/report.h"
#include "reports/robust.h"

#define NTASKS 8
#define NREPEATS 3

static const char *const axes[] = {"tool", "system", "user", "env",
				   "response"};
static const char *const ops[][2] = {{"tool_rename", "param_rename"},
				     {"sys_persona", "sys_format"},
				     {"user_typo", "user_case"},
				     {"move_files", "noise_files"},
				     {"transient", "truncate"}};

static void add_row(jolt_report *r, const char *model, int task,
		    const char *axis, const char *op, int repeat,
		    enum jolt_outcome o)
{
	char tname[16], variant[96], key[192];
	snprintf(tname, sizeof(tname), "t%d", task);
	if (op)
		snprintf(variant, sizeof(variant), "%s/%s.%s@1#1", tname, axis,
			 op);
	else
		snprintf(variant, sizeof(variant), "%s/baseline", tname);
	snprintf(key, sizeof(key), "%s|native|s|%s|%s|%d", model, tname,
		 variant, repeat);
	jolt_trial_row row = {
	    .key = key,
	    .model = model,
	    .scaffold = "native",
	    .suite = "s",
	    .task = tname,
	    .variant = variant,
	    .axis = op ? axis : "baseline",
	    .op = op ? op : "",
	    .level = op ? 1 : 0,
	    .repeat = repeat,
	    .outcome = o,
	    .error_class = o == JOLT_OUTCOME_FAIL ? "graded_fail" : "",
	};
	assert_int_equal(jolt_report_add(r, 0, &row), 0);
}

/* A run of `model` in which every trial passes with probability `p`,
 * except tool-axis trials, which pass with `p_tool`; a share `infra` of
 * trials are infra errors. Draws are a hash of (seed, trial). */
static jolt_report *make_run_n(const char *model, uint64_t seed, double p,
			       double p_tool, double infra, int ntasks)
{
	jolt_report *r;
	const char *src[] = {"run.db"};
	assert_int_equal(jolt_report_new(&r, src, 1), 0);
	uint64_t n = 0;
	for (int t = 0; t < ntasks; t++)
		for (int k = 0; k < NREPEATS; k++)
			for (int a = -1; a < 5; a++)
				for (int o = 0; o < (a < 0 ? 1 : 2); o++) {
					double u = jolt_hash_unit(
					    jolt_hash_u64(seed, n++));
					double v = jolt_hash_unit(
					    jolt_hash_u64(seed ^ 0x5a5a, n));
					double pp = a == 0 ? p_tool : p;
					enum jolt_outcome oc =
					    v < infra ? JOLT_OUTCOME_INFRA
					    : u < pp  ? JOLT_OUTCOME_PASS
						      : JOLT_OUTCOME_FAIL;
					add_row(r, model, t,
						a < 0 ? NULL : axes[a],
						a < 0 ? NULL : ops[a][o], k, oc);
				}
	assert_int_equal(jolt_report_finish(r), 0);
	return r;
}

static jolt_report *make_run(const char *model, uint64_t seed, double p,
			     double p_tool, double infra)
{
	return make_run_n(model, seed, p, p_tool, infra, NTASKS);
}

static size_t failed_on(const jolt_gate *g, const char *axis)
{
	size_t n = 0;
	for (size_t i = 0; i < g->ncases; i++)
		n += g->cases[i].status == JOLT_GATE_FAILED &&
		     g->cases[i].axis && !strcmp(g->cases[i].axis, axis);
	return n;
}

static void test_noise_never_fails(void **state)
{
	int passes = 0, with_base = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		jolt_report *r = make_run("noisy", seed, 0.75, 0.75, 0);
		jolt_report *b = make_run("noisy", seed + 1000, 0.75, 0.75, 0);
		/* Noise is there to be seen: repeats disagree. */
		assert_true(r->robust->models[0].noise_flip_rate > 0.05);
		jolt_gate *g;
		assert_int_equal(jolt_gate_build(&g, r, NULL, NULL), 0);
		passes += g->verdict == JOLT_GATE_PASS;
		jolt_gate_free(g);
		assert_int_equal(jolt_gate_build(&g, r, b, NULL), 0);
		with_base += g->verdict == JOLT_GATE_PASS;
		jolt_gate_free(g);
		jolt_report_free(r);
		jolt_report_free(b);
	}
	assert_int_equal(passes, 20);
	assert_int_equal(with_base, 20);
}

/* A planted tool drop fails on the tool axis in every seed. The other
 * axes carry noise only: a false alarm there is what alpha allows (the
 * family-wise error of the Holm family), so it is bounded, not zero:
 * at most one seed in 20. */
static void test_planted_drop_fails(void **state)
{
	int false_alarms = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		jolt_report *r = make_run("brittle", seed, 0.9, 0.2, 0);
		jolt_report *b = make_run("clean", seed + 1000, 0.9, 0.9, 0);
		jolt_gate *g;
		assert_int_equal(jolt_gate_build(&g, r, b, NULL), 0);
		assert_int_equal(g->verdict, JOLT_GATE_FAIL);
		/* drop and regression on the axis, each operator too */
		assert_true(failed_on(g, "tool") >= 2);
		size_t others = failed_on(g, "baseline");
		for (size_t a = 1; a < 5; a++)
			others += failed_on(g, axes[a]);
		false_alarms += others > 0;
		/* The regression was against the baseline run's only model. */
		bool reg = false;
		for (size_t i = 0; i < g->ncases; i++)
			if (g->cases[i].check == JOLT_GATE_CHECK_REGRESSION) {
				assert_string_equal(g->cases[i].ref_model,
						    "clean");
				reg |= g->cases[i].status == JOLT_GATE_FAILED;
			}
		assert_true(reg);
		jolt_gate_free(g);
		/* Judged on the other axes only, the run holds. */
		const char *only[] = {"system", "user", "env", "response"};
		jolt_gate_opts o = {.max_drop = -1, .max_infra = -1,
				    .axes = only, .naxes = 4};
		assert_int_equal(jolt_gate_build(&g, r, b, &o), 0);
		assert_int_equal(failed_on(g, "tool"), 0);
		if (!others)
			assert_int_equal(g->verdict, JOLT_GATE_PASS);
		jolt_gate_free(g);
		jolt_report_free(r);
		jolt_report_free(b);
	}
	assert_true(false_alarms <= 1);
}

static void test_limits(void **state)
{
	jolt_report *r = make_run("m", 7, 0.7, 0.7, 0.2);
	jolt_gate *g;
	assert_int_equal(jolt_gate_build(&g, r, NULL, NULL), 0);
	assert_int_equal(g->verdict, JOLT_GATE_INFRA);
	assert_int_equal(g->cases[0].check, JOLT_GATE_CHECK_INFRA);
	assert_int_equal(g->cases[0].status, JOLT_GATE_FAILED);
	assert_true(g->cases[0].value > 0.1 && g->cases[0].value < 0.3);
	jolt_gate_free(g);
	jolt_gate_opts o = {.max_drop = -1, .max_infra = 0.5, .min_pass = 0.99};
	assert_int_equal(jolt_gate_build(&g, r, NULL, &o), 0);
	assert_int_equal(g->verdict, JOLT_GATE_FAIL);
	assert_int_equal(g->cases[1].check, JOLT_GATE_CHECK_MIN_PASS);
	assert_int_equal(g->cases[1].status, JOLT_GATE_FAILED);
	assert_non_null(strstr(g->cases[1].message, "< min 99.0%"));
	jolt_gate_free(g);
	o.min_pass = 0.5;
	assert_int_equal(jolt_gate_build(&g, r, NULL, &o), 0);
	assert_int_equal(g->verdict, JOLT_GATE_PASS);
	jolt_gate_free(g);

	jolt_gate_opts bad[] = {
	    {.max_drop = 1.5, .max_infra = -1},
	    {.max_drop = -1, .max_infra = -1, .alpha = 1},
	    {.max_drop = -1, .max_infra = 2},
	    {.max_drop = -1, .max_infra = -1, .min_pass = -0.1},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(bad); i++) {
		g = (jolt_gate *)1;
		assert_int_equal(jolt_gate_build(&g, r, NULL, &bad[i]),
				 JOLT_EUSAGE);
		assert_null(g);
	}
	const char *tools[] = {"tools"};
	jolt_gate_opts ax = {.max_drop = -1, .max_infra = -1, .axes = tools,
			     .naxes = 1};
	assert_int_equal(jolt_gate_build(&g, r, NULL, &ax), JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "'tools'"));
	jolt_report_free(r);
}

/* A baseline run of two models, neither the candidate's: ambiguous. */
static void test_ambiguous_baseline(void **state)
{
	jolt_report *r = make_run("cand", 1, 0.9, 0.9, 0);
	jolt_report *b;
	const char *src[] = {"b.db"};
	assert_int_equal(jolt_report_new(&b, src, 1), 0);
	add_row(b, "x", 0, NULL, NULL, 0, JOLT_OUTCOME_PASS);
	add_row(b, "y", 0, NULL, NULL, 0, JOLT_OUTCOME_PASS);
	assert_int_equal(jolt_report_finish(b), 0);
	jolt_gate *g;
	assert_int_equal(jolt_gate_build(&g, r, b, NULL), JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "'cand'"));
	jolt_report_free(b);
	jolt_report_free(r);
}

static char *render(const jolt_gate *g, bool junit)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(junit ? jolt_gate_junit(f, g) : jolt_gate_md(f, g), 0);
	fclose(f);
	return text;
}

static void test_render(void **state)
{
	jolt_report *r = make_run("a<b>&\"c\"|d\x01", 3, 0.9, 0.1, 0);
	jolt_gate *g;
	assert_int_equal(jolt_gate_build(&g, r, NULL, NULL), 0);
	char *x = render(g, true);
	assert_true(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	assert_non_null(strstr(x, "<testsuite name=\"jolt.a&lt;b&gt;&amp;&quot;c&quot;|d?.native\""));
	assert_null(strstr(x, "\x01"));
	assert_non_null(strstr(x, "name=\"drop: tool\">\n      <failure type=\"drop\" message=\"drop "));
	assert_non_null(strstr(x, "name=\"drop: tool/tool_rename\">"));
	assert_non_null(strstr(x, "name=\"drop: user/user_typo\">\n      <system-out>"));
	/* one testcase per check, counted in the header */
	char head[128];
	size_t fails = 0;
	for (size_t i = 0; i < g->ncases; i++)
		fails += g->cases[i].status == JOLT_GATE_FAILED;
	snprintf(head, sizeof(head), "<testsuites name=\"jolt gate\" tests=\"%zu\" failures=\"%zu\"",
		 g->ncases, fails);
	assert_non_null(strstr(x, head));
	size_t cases = 0;
	for (const char *p = x; (p = strstr(p, "<testcase ")); p++)
		cases++;
	assert_int_equal(cases, g->ncases);
	/* 2 per model + 5 axes + 10 operators */
	assert_int_equal(g->ncases, 17);
	free(x);
	char *md = render(g, false);
	assert_true(strncmp(md, "## jolt gate: FAIL\n", 19) == 0);
	assert_non_null(strstr(md, "### Failed checks"));
	assert_non_null(strstr(md, "| FAILED | a\\<b\\>&\"c\"\\|d"));
	assert_non_null(strstr(md, "<details><summary>All 17 checks</summary>"));
	free(md);
	jolt_gate_free(g);
	jolt_report_free(r);
}

static const jolt_gate_case *find_case(const jolt_gate *g,
				       enum jolt_gate_check check,
				       const char *axis, const char *op)
{
	for (size_t i = 0; i < g->ncases; i++) {
		const jolt_gate_case *c = &g->cases[i];
		if (c->check == check && c->axis && !strcmp(c->axis, axis) &&
		    (op ? c->op && !strcmp(c->op, op) : !c->op))
			return c;
	}
	fail_msg("no %s check on %s/%s", jolt_gate_check_name(check), axis,
		 op ? op : "");
	return NULL;
}

/* The detectable drop next to each gated drop: the report's own figure
 * at the same alpha, for the regression too, and a warning wherever the
 * limit is below it (60 tasks, 3 repeats, noisy: it can detect drops of
 * about 27 points, not 10). */
static void test_detectable(void **state)
{
	jolt_report *r = make_run_n("m", 5, 0.9, 0.8, 0, 60);
	jolt_report *b = make_run_n("m", 1005, 0.9, 0.9, 0, 60);
	jolt_gate *g;
	assert_int_equal(jolt_gate_build(&g, r, b, NULL), 0);
	const jolt_gate_case *c = find_case(g, JOLT_GATE_CHECK_DROP, "tool", NULL);
	const jolt_robust_cmp *x = NULL;
	for (size_t i = 0; i < r->robust->nby_axis; i++)
		if (!strcmp(r->robust->by_axis[i].axis, "tool"))
			x = &r->robust->by_axis[i];
	assert_non_null(x);
	assert_true(fabs(c->mdd - 0.267339) < 1e-5);
	assert_true(c->mdd == x->mdd);
	assert_true(fabs(c->clean - 0.888889) < 1e-5);
	assert_true(c->undetectable);
	assert_non_null(strstr(c->message, "; detectable drop 26.7% (above "
					   "the limit: the limit cannot be "
					   "enforced)"));
	const jolt_gate_case *rg =
	    find_case(g, JOLT_GATE_CHECK_REGRESSION, "tool", NULL);
	assert_true(fabs(rg->mdd - 0.271943) < 1e-5);
	assert_true(fabs(rg->clean - 0.913889) < 1e-5);
	assert_true(rg->undetectable);
	/* Every drop and regression check; not infra, not min_pass. */
	assert_int_equal(g->ncases, 34);
	assert_int_equal(g->nundetectable, 32);
	char *md = render(g, false);
	assert_non_null(strstr(md, "**Warning:** 32 of the drop checks cannot "
				   "detect a drop as small as the limit"));
	assert_non_null(strstr(md, "\n- m / native, drop: tool: this run can "
				   "detect drops of 26.7 pts; the gate's "
				   "threshold of 10.0 pts is below that\n"));
	assert_non_null(strstr(md, "\n- m / native, regression: tool vs m: "
				   "this run can detect drops of 27.2 pts;"));
	assert_non_null(strstr(md, "\n- and 20 per-operator checks"));
	assert_non_null(strstr(md, "| drop: tool | 11.9% [6.1%, 17.5%] | "
				   "26.7% (above limit) | <= 10.0% |"));
	assert_non_null(strstr(md, "`jolt plan SUITE --pilot run.db --drop 0.1`"));
	free(md);
	char *xml = render(g, true);
	assert_non_null(strstr(xml, "name=\"drop: tool\">"));
	assert_non_null(strstr(xml, "<system-err>warning: this run can detect "
				    "drops of 26.7 pts; the gate&apos;s "
				    "threshold of 10.0 pts is below "
				    "that</system-err>"));
	free(xml);
	jolt_gate_free(g);

	/* A limit above it: no warning for that check. */
	jolt_gate_opts o = {.max_drop = 0.3, .max_infra = -1};
	assert_int_equal(jolt_gate_build(&g, r, b, &o), 0);
	c = find_case(g, JOLT_GATE_CHECK_DROP, "tool", NULL);
	assert_false(c->undetectable);
	assert_non_null(strstr(c->message, "; detectable drop 26.7%"));
	assert_null(strstr(c->message, "cannot be enforced"));
	md = render(g, false);
	assert_null(strstr(md, "drop: tool: this run"));
	free(md);
	jolt_gate_free(g);

	/* The gate's own alpha: stricter, a larger detectable drop than
	 * the report's at 0.05. */
	o = (jolt_gate_opts){.max_drop = -1, .max_infra = -1, .alpha = 0.01};
	assert_int_equal(jolt_gate_build(&g, r, NULL, &o), 0);
	c = find_case(g, JOLT_GATE_CHECK_DROP, "tool", NULL);
	assert_true(c->mdd > x->mdd + 0.02);
	jolt_gate_free(g);
	jolt_report_free(r);
	jolt_report_free(b);

	/* 8 tasks: no drop up to the clean rate is detectable at 80%. */
	r = make_run("m", 5, 0.9, 0.2, 0);
	assert_int_equal(jolt_gate_build(&g, r, NULL, NULL), 0);
	c = find_case(g, JOLT_GATE_CHECK_DROP, "tool", NULL);
	assert_true(isnan(c->mdd));
	assert_true(c->undetectable);
	char *w = jolt_gate_undetectable_text(c);
	assert_string_equal(w, "this run cannot reliably detect (at 80% power) "
			       "a drop of any size up to the clean pass rate "
			       "of 91.7%; the gate's threshold of 10.0 pts is "
			       "below that");
	free(w);
	assert_null(jolt_gate_undetectable_text(&g->cases[0]));
	jolt_gate_free(g);
	jolt_report_free(r);
}

int main(void)
{
	/* The figures do not depend on the thread count (stats.h); one
	 * thread keeps 160 small reports cheap on a busy machine. */
	omp_set_num_threads(1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_noise_never_fails),
	    cmocka_unit_test(test_planted_drop_fails),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_ambiguous_baseline),
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_detectable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
