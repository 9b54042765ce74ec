/*
 * test_known_answer.c - the measurement reproduces what was planted.
 *
 * Simulated models make each axis's characteristic mistake with a planted
 * probability (and `jolt check` proves every mistake fails its graders),
 * so the expected drop per axis is exactly the planted sensitivity. These
 * tests run the starter suite with every operator through the real
 * scheduler, driver, sandbox and store, then compute the drops with the
 * report's statistics, and require each planted value to lie inside the
 * measured 95% interval.
 */
#include "known_answer.h"

static const jolt_robust_cmp *axis(const jolt_robust *rb, const char *name)
{
	for (size_t i = 0; i < rb->nby_axis; i++)
		if (!strcmp(rb->by_axis[i].axis, name))
			return &rb->by_axis[i];
	fail_msg("no comparison for axis %s", name);
	return NULL;
}

/* A 95% interval misses the truth 5% of the time by design, so one run
 * proves little either way. Each repeat is an independent replication
 * (the simulator's draws depend on it; the variants do not): every one
 * gets its own interval, and a correct harness covers the planted value
 * in at least 3 of 4 (probability 0.986 when coverage is 95%). Axes with
 * a planted 0 must measure exactly 0: the simulator never errs there. */
static void test_planted_drops(void **st)
{
	(void)st;
	enum { REPS = 4 };
	char *db = run("sim:tool=0.6,env=0.3,response=0.0", "tool,env,response", NULL, REPS);
	jolt_report *r = NULL;
	jolt_robust *rb = NULL;
	summary(&r, &rb, db);
	static const struct {
		const char *axis;
		double planted;
	} want[] = {{"tool", 0.6}, {"env", 0.3}, {"response", 0.0}};
	int covered[3] = {0};
	jolt_trial_row *rows = jolt_xcalloc(r->ntrials, sizeof(*rows));
	for (int rep = 0; rep < REPS; rep++) {
		size_t n = ka_repeat_rows(rows, r, rep);
		jolt_robust *one = NULL;
		assert_int_equal(jolt_robust_build(&one, rows, n, NULL), 0);
		for (size_t i = 0; i < JOLT_ARRAY_LEN(want); i++) {
			const jolt_robust_cmp *c = axis(one, want[i].axis);
			bool in = c->drop.lo <= want[i].planted + 1e-9 &&
				  c->drop.hi >= want[i].planted - 1e-9;
			fprintf(stderr, "# repeat %d %-8s planted %.2f measured %.3f [%.3f, %.3f] "
				"pairs %ld%s\n", rep, want[i].axis, want[i].planted,
				c->drop.est, c->drop.lo, c->drop.hi, (long)c->clean.n,
				in ? "" : "  (not covered)");
			assert_true(c->clean.n >= 100);
			covered[i] += in;
			if (want[i].planted == 0.0) {
				assert_true(c->drop.est == 0.0);
				assert_true(c->flips.n10 == 0 && c->flips.n01 == 0);
			}
		}
		jolt_robust_free(one);
	}
	free(rows);
	for (size_t i = 0; i < JOLT_ARRAY_LEN(want); i++)
		assert_true(covered[i] >= REPS - 1);
	/* Pooled over the replications, the real drops are found and the
	 * null one is not. */
	assert_true(axis(rb, "tool")->significant);
	assert_true(axis(rb, "env")->significant);
	assert_false(axis(rb, "response")->significant);
	/* The baseline is untouched by the axis sensitivities. */
	assert_true(rb->models[0].baseline.rate == 1.0);
	jolt_robust_free(rb);
	jolt_report_free(r);
	free(db);
}

static void test_robust_shows_no_drop(void **st)
{
	(void)st;
	char *db = run("sim:robust", NULL, NULL, 1);
	jolt_report *r = NULL;
	jolt_robust *rb = NULL;
	summary(&r, &rb, db);
	assert_true(rb->nby_axis >= 5);
	for (size_t i = 0; i < rb->nby_axis; i++) {
		const jolt_robust_cmp *c = &rb->by_axis[i];
		fprintf(stderr, "# robust %-8s drop %.3f [%.3f, %.3f] p_holm %.3g\n",
			c->axis, c->drop.est, c->drop.lo, c->drop.hi, c->p_holm);
		assert_false(c->significant);
		assert_true(c->drop.lo <= 0.0 && c->drop.hi >= 0.0);
	}
	jolt_robust_free(rb);
	jolt_report_free(r);
	free(db);
}

/* Thinking retention: with the history kept, a thinking-sensitive model
 * scores like the oracle; with thinking stripped, it loses track with the
 * planted probability. */
static void test_thinking_retention(void **st)
{
	(void)st;
	for (int strip = 0; strip < 2; strip++) {
		char *db = run("sim:thinking=0.5", "none",
			       strip ? "strip-thinking" : "full", 8);
		jolt_report *r = NULL;
		jolt_robust *rb = NULL;
		summary(&r, &rb, db);
		const jolt_rate *b = &rb->models[0].baseline;
		fprintf(stderr, "# thinking=0.5 %s: pass %.3f [%.3f, %.3f] of %ld\n",
			strip ? "strip-thinking" : "full", b->rate, b->lo, b->hi, b->n);
		assert_int_equal(b->n, ka_ntasks * 8);
		if (!strip) {
			assert_true(b->rate == 1.0);
		} else {
			/* drop = 1 - rate must cover the planted 0.5 */
			assert_true(1.0 - b->hi <= 0.5 && 1.0 - b->lo >= 0.5);
		}
		jolt_robust_free(rb);
		jolt_report_free(r);
		free(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thinking_retention),
		cmocka_unit_test(test_planted_drops),
		cmocka_unit_test(test_robust_shows_no_drop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
