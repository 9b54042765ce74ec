/*
 * power.c - the paired design's sample size and detectable drop (see
 * power.h for the formula and the model behind it).
 */
#include <math.h>
#include <stddef.h>

#include "reports/power.h"

double jolt_norm_quantile(double p)
{
	if (!(p > 0.0 && p < 1.0))
		return NAN;
	/* Bisection on Phi(x) = erfc(-x / sqrt 2) / 2: slow but exact to
	 * the last bits of a double, and called a handful of times. */
	double lo = -40.0, hi = 40.0;
	for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
		double mid = 0.5 * (lo + hi);
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

double jolt_power_connor_n(double psi, double d, double alpha, double power)
{
	if (!(d > 0.0 && d * d <= psi && psi <= 1.0 && alpha > 0.0 &&
	      alpha < 1.0 && power > 0.0 && power < 1.0))
		return NAN;
	double za = jolt_norm_quantile(1.0 - alpha / 2.0);
	double zb = jolt_norm_quantile(power);
	double s = za * sqrt(psi) + zb * sqrt(psi - d * d);
	return s * s / (d * d);
}

double jolt_power_noise(double p0, double rho)
{
	if (!(p0 >= 0.0 && p0 <= 1.0 && rho >= 0.0 && rho <= 1.0))
		return NAN;
	return 2.0 * p0 * (1.0 - p0) * (1.0 - rho);
}

/* The level one comparison is tested at: Holm's first step. */
static double test_alpha(const jolt_power_design *d)
{
	double a = d->alpha > 0.0 ? d->alpha : 0.05;
	long m = d->comparisons > 1 ? d->comparisons : 1;
	return a / (double)m;
}

static double power_of(const jolt_power_design *d)
{
	return d->power > 0.0 ? d->power : 0.80;
}

double jolt_power_tasks(const jolt_power_design *d, double drop,
			double repeats)
{
	if (!(drop > 0.0 && drop <= d->p0 && repeats >= 1.0 &&
	      d->noise >= 0.0))
		return NAN;
	double psi = fmin(1.0, drop + d->noise / repeats);
	return jolt_power_connor_n(psi, drop, test_alpha(d), power_of(d));
}

double jolt_power_mdd(const jolt_power_design *d, double tasks,
		      double repeats)
{
	if (!(tasks > 0.0 && d->p0 > 0.0 && d->p0 <= 1.0))
		return NAN;
	double hi = d->p0;
	double need = jolt_power_tasks(d, hi, repeats);
	if (isnan(need) || need > tasks)
		return NAN;
	/* n(d) falls as d grows: bisect for the d where it meets tasks. */
	double lo = 0.0;
	while (hi - lo > 1e-7) {
		double mid = 0.5 * (lo + hi);
		need = jolt_power_tasks(d, mid, repeats);
		if (!isnan(need) && need <= tasks)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

long jolt_power_repeats(const jolt_power_design *d, double drop,
			double tasks, long max_repeats)
{
	for (long k = 1; k <= max_repeats; k++) {
		double need = jolt_power_tasks(d, drop, (double)k);
		if (!isnan(need) && need <= tasks)
			return k;
	}
	return -1;
}

const char *jolt_power_src_name(enum jolt_power_src s)
{
	static const char *const names[] = {
#define JOLT_X_NAME(n, str) str,
		JOLT_POWER_SRCS(JOLT_X_NAME)
#undef JOLT_X_NAME
	};
	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

enum jolt_power_src jolt_power_measure(double *out, double disagree,
				       long rep_pairs, long fixes, long pairs)
{
	if (rep_pairs > 0) {
		*out = disagree / (double)rep_pairs;
		return JOLT_POWER_SRC_REPEATS;
	}
	if (pairs > 0) {
		*out = fmin(1.0, 2.0 * (double)fixes / (double)pairs);
		return JOLT_POWER_SRC_FIXES;
	}
	*out = NAN;
	return JOLT_POWER_SRC_NONE;
}
