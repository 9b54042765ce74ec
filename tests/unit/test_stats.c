/*
 * test_stats.c - Wilson intervals, exact McNemar, flip tables, Holm/BH,
 * pass@k / pass^k and the cluster bootstrap against reference values,
 * and the edges.
 */
#include <math.h>
#include <omp.h>

#include "test.h"

#include "core/common.h"
#include "reports/stats.h"

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

static void test_flips(void **state)
{
	jolt_flips f = {0};
	/* 6 pass->pass, 3 breaks, 1 fix, 2 fail->fail. */
	for (int i = 0; i < 6; i++)
		jolt_flips_add(&f, 1, 1);
	for (int i = 0; i < 3; i++)
		jolt_flips_add(&f, 1, 0);
	jolt_flips_add(&f, 0, 1);
	jolt_flips_add(&f, 0, 0);
	jolt_flips_add(&f, 0, 0);
	assert_int_equal(f.n11, 6);
	assert_int_equal(f.n10, 3);
	assert_int_equal(f.n01, 1);
	assert_int_equal(f.n00, 2);
	assert_int_equal(jolt_flips_total(&f), 12);
	assert_true(fabs(jolt_flip_rate(&f) - 4.0 / 12.0) < 1e-15);
	assert_true(fabs(jolt_break_rate(&f) - 3.0 / 9.0) < 1e-15);
	/* Clean 9/12, perturbed 7/12. */
	assert_true(fabs(jolt_net_drop(&f) - 2.0 / 12.0) < 1e-15);
	assert_true(fabs(jolt_flips_pdr(&f) - (1.0 - 7.0 / 9.0)) < 1e-15);

	jolt_flips empty = {0};
	assert_true(isnan(jolt_flip_rate(&empty)));
	assert_true(isnan(jolt_break_rate(&empty)));
	assert_true(isnan(jolt_net_drop(&empty)));
	/* Only fixes: PDR undefined (nothing passed clean), drop negative. */
	jolt_flips fixes = {.n01 = 2, .n00 = 2};
	assert_true(isnan(jolt_flips_pdr(&fixes)));
	assert_true(jolt_net_drop(&fixes) == -0.5);
}

static void check_adj(const double *got, const double *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_true(fabs(got[i] - want[i]) < 1e-12);
}

static void test_holm_bh(void **state)
{
	const double p[] = {0.01, 0.04, 0.03, 0.005};
	double adj[4];
	jolt_holm(p, 4, adj);
	check_adj(adj, (const double[]){0.03, 0.06, 0.06, 0.02}, 4);
	jolt_bh(p, 4, adj);
	check_adj(adj, (const double[]){0.02, 0.04, 0.04, 0.02}, 4);

	/* Capped at 1, NAN counts as 1, in place. */
	double q[] = {0.5, NAN, 0.2};
	jolt_holm(q, 3, q);
	check_adj(q, (const double[]){1.0, 1.0, 0.6}, 3);
	double r[] = {0.5, NAN, 0.2};
	jolt_bh(r, 3, r);
	check_adj(r, (const double[]){0.75, 1.0, 0.6}, 3);

	/* One test: unchanged. Zero tests: nothing touched. */
	double one = 0.03;
	jolt_holm(&one, 1, &one);
	assert_true(one == 0.03);
	jolt_holm(NULL, 0, NULL);
	jolt_bh(NULL, 0, NULL);
}

static void test_pass_k(void **state)
{
	/* n = 10, c = 7: pass^2 = C(7,2)/C(10,2) = 21/45, pass@2 = 1 - 3/45. */
	assert_true(fabs(jolt_pass_hat_k(10, 7, 2) - 21.0 / 45.0) < 1e-12);
	assert_true(fabs(jolt_pass_hat_k(10, 7, 2) - 0.4667) < 0.00005);
	assert_true(fabs(jolt_pass_at_k(10, 7, 2) - (1.0 - 3.0 / 45.0)) <
		    1e-12);
	assert_true(fabs(jolt_pass_at_k(10, 7, 2) - 0.9333) < 0.00005);
	/* k = 1: both are the pass fraction. */
	assert_true(fabs(jolt_pass_hat_k(10, 7, 1) - 0.7) < 1e-12);
	assert_true(fabs(jolt_pass_at_k(10, 7, 1) - 0.7) < 1e-12);
	/* Edges. */
	assert_true(jolt_pass_at_k(10, 9, 2) == 1.0);
	assert_true(jolt_pass_hat_k(10, 1, 2) == 0.0);
	assert_true(jolt_pass_hat_k(4, 4, 4) == 1.0);
	assert_true(isnan(jolt_pass_hat_k(3, 2, 4)));
	assert_true(isnan(jolt_pass_at_k(3, 2, 0)));
	assert_true(isnan(jolt_pass_at_k(3, 4, 1)));
	/* Large n: no overflow. */
	assert_true(fabs(jolt_pass_hat_k(100000, 50000, 2) - 0.25) < 1e-5);

	/* tau-bench: when every trial passes with p = 0.7, pass^k = p^k
	 * (0.49, 0.24, 0.058 at k = 2, 4, 8), because C(c,k)/C(n,k) is
	 * unbiased: average it over c ~ Bin(n, p). */
	const long n = 8;
	const long ks[] = {2, 4, 8};
	const double want[] = {0.49, 0.2401, 0.05764801};
	for (size_t j = 0; j < 3; j++) {
		double e = 0.0;
		for (long c = 0; c <= n; c++) {
			double pmf = exp(lgamma(n + 1.0) - lgamma(c + 1.0) -
					 lgamma(n - c + 1.0)) *
				     pow(0.7, (double)c) *
				     pow(0.3, (double)(n - c));
			e += pmf * jolt_pass_hat_k(n, c, ks[j]);
		}
		assert_true(fabs(e - want[j]) < 1e-9);
	}
}

static void test_bootstrap_constant(void **state)
{
	/* Every task at b = 1, p = 0.4: every replicate is 0.6. */
	double b[25], p[25];
	for (int i = 0; i < 25; i++) {
		b[i] = 1.0;
		p[i] = 0.4;
	}
	jolt_ci ci;
	assert_int_equal(
	    jolt_bootstrap_drop(&ci, b, p, 25, 10000, JOLT_BOOTSTRAP_SEED), 0);
	assert_true(fabs(ci.est - 0.6) < 1e-12);
	assert_true(fabs(ci.lo - 0.6) < 1e-12);
	assert_true(fabs(ci.hi - 0.6) < 1e-12);
	assert_true(ci.lo == ci.est && ci.hi == ci.est);
}

/* A mixed set of n tasks: drops spread between -0.2 and 0.8. */
static void mixed(double *b, double *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		b[i] = (double)((i * 7) % 5) / 4.0;	   /* 0 .. 1 */
		p[i] = b[i] - 0.2 * (double)(i % 6) + 0.2; /* drop -0.2..0.8 */
	}
}

static void test_bootstrap_mixed(void **state)
{
	double b[200], p[200];
	mixed(b, p, 200);
	double mean = 0.0;
	for (int i = 0; i < 20; i++)
		mean += b[i] - p[i];
	mean /= 20.0;

	jolt_ci small, big;
	assert_int_equal(jolt_bootstrap_drop(&small, b, p, 20, 10000, 7), 0);
	assert_true(fabs(small.est - mean) < 1e-12);
	assert_true(small.lo < small.est && small.est < small.hi);
	assert_true(small.hi - small.lo > 0.05);
	/* Same distribution, ten times the tasks: a narrower interval
	 * (roughly by sqrt(10)). */
	assert_int_equal(jolt_bootstrap_drop(&big, b, p, 200, 10000, 7), 0);
	assert_true(big.lo < big.est && big.est < big.hi);
	assert_true(big.hi - big.lo < 0.6 * (small.hi - small.lo));

	/* Percentile interval of a mean: close to est +- 1.96 sd/sqrt(n). */
	double sd = 0.0;
	for (int i = 0; i < 200; i++) {
		double d = b[i] - p[i] - big.est;
		sd += d * d;
	}
	sd = sqrt(sd / 200.0);
	double half = JOLT_Z95 * sd / sqrt(200.0);
	assert_true(fabs((big.hi - big.lo) / 2.0 - half) < 0.1 * half);
}

static void test_bootstrap_deterministic(void **state)
{
	double b[50], p[50];
	mixed(b, p, 50);
	jolt_ci a, c, one, two, other;
	assert_int_equal(jolt_bootstrap_drop(&a, b, p, 50, 5000, 42), 0);
	assert_int_equal(jolt_bootstrap_drop(&c, b, p, 50, 5000, 42), 0);
	assert_true(a.lo == c.lo && a.hi == c.hi && a.est == c.est);

	int saved = omp_get_max_threads();
	omp_set_num_threads(1);
	assert_int_equal(jolt_bootstrap_drop(&one, b, p, 50, 5000, 42), 0);
	omp_set_num_threads(2);
	assert_int_equal(jolt_bootstrap_drop(&two, b, p, 50, 5000, 42), 0);
	omp_set_num_threads(7);
	assert_int_equal(jolt_bootstrap_drop(&other, b, p, 50, 5000, 42), 0);
	omp_set_num_threads(saved);
	assert_true(one.lo == two.lo && one.hi == two.hi);
	assert_true(one.lo == other.lo && one.hi == other.hi);
	assert_true(one.lo == a.lo && one.hi == a.hi);

	/* A different seed moves the interval a little, not the estimate. */
	assert_int_equal(jolt_bootstrap_drop(&other, b, p, 50, 5000, 43), 0);
	assert_true(other.est == a.est);
	assert_true(other.lo != a.lo || other.hi != a.hi);
}

static void test_bootstrap_errors(void **state)
{
	double b[1] = {1.0}, p[1] = {0.0};
	jolt_ci ci = {-1, -1, -1};
	assert_int_equal(jolt_bootstrap_drop(&ci, b, p, 0, 100, 1),
			 JOLT_EINPUT);
	assert_int_equal(jolt_bootstrap_drop(&ci, b, p, 1, 0, 1), JOLT_EUSAGE);
	assert_int_equal(
	    jolt_bootstrap_drop(&ci, b, p, 1, JOLT_BOOTSTRAP_MAX_REPS + 1, 1),
	    JOLT_EUSAGE);
	assert_true(ci.est == -1);
	/* One task, one replicate: everything is that task's drop. */
	assert_int_equal(jolt_bootstrap_drop(&ci, b, p, 1, 1, 1), 0);
	assert_true(ci.est == 1.0 && ci.lo == 1.0 && ci.hi == 1.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wilson_reference),
	    cmocka_unit_test(test_wilson_edges),
	    cmocka_unit_test(test_mcnemar_reference),
	    cmocka_unit_test(test_mcnemar_edges),
	    cmocka_unit_test(test_flips),
	    cmocka_unit_test(test_holm_bh),
	    cmocka_unit_test(test_pass_k),
	    cmocka_unit_test(test_bootstrap_constant),
	    cmocka_unit_test(test_bootstrap_mixed),
	    cmocka_unit_test(test_bootstrap_deterministic),
	    cmocka_unit_test(test_bootstrap_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
