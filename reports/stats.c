/*
 * stats.c - Wilson intervals and the exact McNemar test (see stats.h).
 */
#include <math.h>

#include "common.h"
#include "stats.h"

void jolt_wilson(long k, long n, double z, double *lo, double *hi)
{
	if (n <= 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	if (k < 0)
		k = 0;
	if (k > n)
		k = n;
	double nn = (double)n;
	double p = (double)k / nn;
	double z2 = z * z;
	double denom = 1.0 + z2 / nn;
	double centre = (p + z2 / (2.0 * nn)) / denom;
	double half =
	    z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
	/* At the edges the interval touches 0 or 1 exactly; rounding must not
	 * make 0/n look like a small positive rate. */
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
}

/* log C(n, k) via lgamma_r (thread-safe, unlike lgamma's signgam). */
static double log_choose(long n, long k)
{
	int sign;
	return lgamma_r((double)n + 1.0, &sign) -
	       lgamma_r((double)k + 1.0, &sign) -
	       lgamma_r((double)(n - k) + 1.0, &sign);
}

double jolt_mcnemar_exact(long n10, long n01)
{
	if (n10 < 0 || n01 < 0)
		return 1.0;
	long n = n10 + n01;
	long k = n10 < n01 ? n10 : n01;
	if (n == 0)
		return 1.0;
	/* P(X <= k) for k <= n/2: the largest term is C(n, k); sum the
	 * terms relative to it walking down, using
	 * C(n, i-1) = C(n, i) * i / (n - i + 1), and stop once they no
	 * longer change the sum. */
	double sum = 1.0, term = 1.0;
	for (long i = k; i > 0; i--) {
		term *= (double)i / (double)(n - i + 1);
		sum += term;
		if (term < sum * 1e-17)
			break;
	}
	double log_tail = log_choose(n, k) - (double)n * M_LN2 + log(sum);
	double p = 2.0 * exp(log_tail);
	return p > 1.0 ? 1.0 : p;
}
