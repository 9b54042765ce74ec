/*
 * test_stats.c - Wilson intervals and exact McNemar against reference
 * values, and the edges.
 */
#include <math.h>

#include "test.h"

#include "stats.h"

static void check_wilson(long k, long n, double lo_ref, double hi_ref)
{
	double lo = -1, hi = -1;
	jolt_wilson(k, n, JOLT_Z95, &lo, &hi);
	/* Reference values to 3 decimals. */
	assert_true(fabs(lo - lo_ref) < 0.0005);
	assert_true(fabs(hi - hi_ref) < 0.0005);
}

static void test_wilson_reference(void **state)
{
	check_wilson(40, 50, 0.670, 0.888);
	check_wilson(160, 200, 0.739, 0.850);
	check_wilson(8, 10, 0.490, 0.943);
	check_wilson(1, 2, 0.095, 0.905);
}

static void test_wilson_edges(void **state)
{
	double lo = -1, hi = -1;
	jolt_wilson(0, 0, JOLT_Z95, &lo, &hi);
	assert_true(lo == 0.0 && hi == 1.0);

	jolt_wilson(0, 10, JOLT_Z95, &lo, &hi);
	assert_true(lo == 0.0);
	assert_true(fabs(hi - 0.2775) < 0.0005); /* z^2/(n+z^2) */

	jolt_wilson(10, 10, JOLT_Z95, &lo, &hi);
	assert_true(hi == 1.0);
	assert_true(fabs(lo - 0.7225) < 0.0005);

	/* Intervals shrink with n and always contain the point estimate. */
	double lo2, hi2;
	jolt_wilson(800, 1000, JOLT_Z95, &lo2, &hi2);
	jolt_wilson(8, 10, JOLT_Z95, &lo, &hi);
	assert_true(hi2 - lo2 < hi - lo);
	assert_true(lo2 < 0.8 && 0.8 < hi2);

	/* Bad counts clamp instead of producing NaN. */
	jolt_wilson(12, 10, JOLT_Z95, &lo, &hi);
	assert_true(hi == 1.0 && !isnan(lo));
}

static void test_mcnemar_reference(void **state)
{
	assert_true(fabs(jolt_mcnemar_exact(15, 5) - 0.041) < 0.0005);
	assert_true(fabs(jolt_mcnemar_exact(5, 15) - 0.041) < 0.0005);
	assert_true(fabs(jolt_mcnemar_exact(8, 2) - 0.109) < 0.0005);
	/* Exact: 2 * 21700 / 2^20. */
	assert_true(fabs(jolt_mcnemar_exact(15, 5) - 43400.0 / 1048576.0) <
		    1e-12);
}

static void test_mcnemar_edges(void **state)
{
	assert_true(jolt_mcnemar_exact(0, 0) == 1.0);
	assert_true(jolt_mcnemar_exact(5, 5) == 1.0);
	assert_true(jolt_mcnemar_exact(1, 0) == 1.0);
	/* All ten flips one way: 2 / 2^10. */
	assert_true(fabs(jolt_mcnemar_exact(10, 0) - 2.0 / 1024.0) < 1e-15);
	/* Large n in log space: no overflow, no NaN. */
	double p = jolt_mcnemar_exact(50000, 50000);
	assert_true(p == 1.0);
	p = jolt_mcnemar_exact(50500, 49500);
	assert_true(!isnan(p) && p > 0.0 && p < 0.01);
	/* Normal approximation: z = 1000/sqrt(100000) = 3.162, p ~ 0.00157. */
	assert_true(fabs(p - 0.00157) < 0.0002);
	p = jolt_mcnemar_exact(100000, 0);
	assert_true(p == 0.0 || (p > 0.0 && p < 1e-300));
	p = jolt_mcnemar_exact(60000, 40000);
	assert_true(!isnan(p) && p >= 0.0 && p < 1e-80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wilson_reference),
	    cmocka_unit_test(test_wilson_edges),
	    cmocka_unit_test(test_mcnemar_reference),
	    cmocka_unit_test(test_mcnemar_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
