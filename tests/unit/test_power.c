/*
 * test_power.c - the paired design's sample size and detectable drop
 * (reports/power.c) against values computed independently (Python's
 * statistics.NormalDist and the same formula, bisected), and the
 * reference numbers of Connor's formula: a 10-point drop at psi .20 needs
 * 155 tasks, at psi .14 108; a 5-point drop at psi .15 469, at .09 281.
 */
#include <math.h>

#include "test.h"

#include "reports/power.h"

#define near(x, want, tol) assert_true(fabs((x) - (want)) < (tol))

static void test_quantile(void **state)
{
	(void)state;
	near(jolt_norm_quantile(0.975), 1.959963984540054, 1e-9);
	near(jolt_norm_quantile(0.80), 0.8416212335729143, 1e-9);
	near(jolt_norm_quantile(0.5), 0.0, 1e-12);
	near(jolt_norm_quantile(0.995), 2.5758293035489004, 1e-9);
	assert_true(isnan(jolt_norm_quantile(0.0)));
	assert_true(isnan(jolt_norm_quantile(1.0)));
}

static void test_connor_reference(void **state)
{
	(void)state;
	near(jolt_power_connor_n(0.20, 0.10, 0.05, 0.8), 154.59856956, 1e-4);
	near(jolt_power_connor_n(0.14, 0.10, 0.05, 0.8), 107.49588502, 1e-4);
	near(jolt_power_connor_n(0.15, 0.05, 0.05, 0.8), 468.56797946, 1e-4);
	near(jolt_power_connor_n(0.09, 0.05, 0.05, 0.8), 280.19017972, 1e-4);
	assert_int_equal((long)ceil(jolt_power_connor_n(0.20, 0.10, 0.05, 0.8)), 155);
	/* psi < d^2 cannot happen; d = 0 needs infinitely many */
	assert_true(isnan(jolt_power_connor_n(0.001, 0.10, 0.05, 0.8)));
	assert_true(isnan(jolt_power_connor_n(0.2, 0.0, 0.05, 0.8)));
}

static void test_design(void **state)
{
	(void)state;
	double noise = jolt_power_noise(0.7, 0.75);
	near(noise, 0.105, 1e-12);
	assert_true(isnan(jolt_power_noise(1.2, 0.5)));
	jolt_power_design d = {.p0 = 0.7, .noise = noise};
	/* psi = d + noise / K */
	near(jolt_power_tasks(&d, 0.10, 1), 158.52353838, 1e-4);
	near(jolt_power_tasks(&d, 0.10, 3), 103.57026900, 1e-4);
	assert_true(isnan(jolt_power_tasks(&d, 0.8, 1))); /* above p0 */
	/* smallest detectable drop, Python bisection */
	near(jolt_power_mdd(&d, 66, 1), 0.181216, 1e-5);
	near(jolt_power_mdd(&d, 66, 3), 0.142848, 1e-5);
	near(jolt_power_mdd(&d, 102, 1), 0.134072, 1e-5);
	near(jolt_power_mdd(&d, 102, 3), 0.101193, 1e-5);
	/* Holm over 5 comparisons: alpha .01 */
	d.comparisons = 5;
	near(jolt_power_mdd(&d, 73, 1), 0.225366, 1e-5);
	near(jolt_power_mdd(&d, 73, 3), 0.183122, 1e-5);
	/* 12 tasks cannot see any drop up to p0 at alpha .01 */
	assert_true(isnan(jolt_power_mdd(&d, 12, 1)));
	d.comparisons = 1;
	/* more repeats never hurt, and the bound is set by the tasks */
	double prev = 1.0;
	for (int k = 1; k <= 10; k++) {
		double m = jolt_power_mdd(&d, 66, k);
		assert_true(m <= prev);
		prev = m;
	}
	assert_true(prev > jolt_power_mdd(&(jolt_power_design){.p0 = 0.7}, 66, 1));
}

static void test_repeats_needed(void **state)
{
	(void)state;
	jolt_power_design d = {.p0 = 0.7, .noise = 0.105};
	/* 10 points: 159 tasks at K=1, 104 at K=3 */
	assert_int_equal(jolt_power_repeats(&d, 0.10, 159, 50), 1);
	assert_int_equal(jolt_power_repeats(&d, 0.10, 158, 50), 2);
	assert_int_equal(jolt_power_repeats(&d, 0.10, 104, 50), 3);
	/* the noise-free bound: n(psi = d) for d = .10 is 76.1 tasks */
	near(jolt_power_connor_n(0.10, 0.10, 0.05, 0.8), 76.0875, 1e-3);
	assert_int_equal(jolt_power_repeats(&d, 0.10, 76, 1000), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_connor_reference),
		cmocka_unit_test(test_design),
		cmocka_unit_test(test_repeats_needed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
