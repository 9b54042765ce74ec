/*
 * test_known_answer_scaffold.c - the scaffold swap measures what was
 * planted: a policy thrown by a text scaffold with probability p fails
 * there, so its drop against native is p; a policy not thrown shows no
 * significant drop. Its own binary, so each known-answer group keeps its
 * own time budget.
 */
#include "known_answer.h"

static const jolt_robust_cmp *scaffold(const jolt_robust *rb, const char *name)
{
	for (size_t i = 0; i < rb->nby_scaffold; i++)
		if (!strcmp(rb->by_scaffold[i].scaffold, name))
			return &rb->by_scaffold[i];
	fail_msg("no comparison for scaffold %s", name);
	return NULL;
}

/* The scaffold swap: a policy thrown by a text scaffold with probability
 * p writes its calls in another framework's syntax and fails, so its drop
 * against native is p on tasks that need a call (every starter task).
 * With 16 tasks a replication of one repeat is too small for a calibrated
 * interval, so the check is on the pooled run: 8 repeats, 128 pairs per
 * scaffold, clustered by task; every draw is seeded, so the run is the
 * same on every machine. */
static void test_planted_scaffold_drops(void **st)
{
	(void)st;
	enum { REPS = 8 };
	static const char *const scs[] = {"native", "xml", "json", "react"};
	char *db = run_in("sim:scaffold.xml=0.4,scaffold.json=0.2", "none", NULL,
			  REPS, scs, JOLT_ARRAY_LEN(scs));
	jolt_report *r = NULL;
	jolt_robust *rb = NULL;
	summary(&r, &rb, db);
	static const struct {
		const char *scaffold;
		double planted;
	} want[] = {{"xml", 0.4}, {"json", 0.2}, {"react", 0.0}};
	assert_int_equal(rb->nby_scaffold, 3);
	for (size_t i = 0; i < JOLT_ARRAY_LEN(want); i++) {
		const jolt_robust_cmp *c = scaffold(rb, want[i].scaffold);
		fprintf(stderr, "# %-6s planted %.2f measured %.3f [%.3f, %.3f] pairs %ld\n",
			want[i].scaffold, want[i].planted, c->drop.est, c->drop.lo,
			c->drop.hi, (long)c->clean.n);
		assert_int_equal(c->clean.n, ka_ntasks * REPS);
		assert_string_equal(c->ref_scaffold, "native");
		assert_true(c->drop.lo <= want[i].planted + 1e-9 &&
			    c->drop.hi >= want[i].planted - 1e-9);
		if (want[i].planted == 0.0)
			assert_true(c->drop.est == 0.0 && c->flips.n10 == 0);
	}
	assert_true(scaffold(rb, "xml")->significant);
	assert_true(scaffold(rb, "json")->significant);
	assert_false(scaffold(rb, "react")->significant);
	/* native itself is untouched */
	for (size_t i = 0; i < rb->nmodels; i++)
		if (!strcmp(rb->models[i].scaffold, "native"))
			assert_true(rb->models[i].baseline.rate == 1.0);
	jolt_robust_free(rb);
	jolt_report_free(r);
	free(db);
}

/* A policy not thrown by scaffolds shows no significant scaffold drop. */
static void test_robust_no_scaffold_drop(void **st)
{
	(void)st;
	static const char *const scs[] = {"native", "xml", "react"};
	char *db = run_in("sim:robust", "none", NULL, 2, scs, JOLT_ARRAY_LEN(scs));
	jolt_report *r = NULL;
	jolt_robust *rb = NULL;
	summary(&r, &rb, db);
	assert_int_equal(rb->nby_scaffold, 2);
	for (size_t i = 0; i < rb->nby_scaffold; i++) {
		const jolt_robust_cmp *c = &rb->by_scaffold[i];
		fprintf(stderr, "# robust %-6s drop %.3f [%.3f, %.3f] p_holm %.3g\n",
			c->scaffold, c->drop.est, c->drop.lo, c->drop.hi, c->p_holm);
		assert_false(c->significant);
		assert_true(c->drop.lo <= 0.0 && c->drop.hi >= 0.0);
	}
	jolt_robust_free(rb);
	jolt_report_free(r);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_scaffold_drops),
		cmocka_unit_test(test_robust_no_scaffold_drop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
