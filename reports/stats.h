/*
 * stats.h - the statistics reports rest on: Wilson score intervals for
 * pass rates and the exact McNemar test for paired flips.
 *
 * Pure functions of their arguments, no allocation, safe from any thread.
 */
#ifndef JOLT_STATS_H
#define JOLT_STATS_H

/* z for a two-sided 95% interval. */
#define JOLT_Z95 1.959963984540054

/* Wilson score interval for k successes in n trials at quantile z, clamped
 * to [0, 1]. n == 0 gives [0, 1] (nothing is known). k > n is a programmer
 * error and is clamped to n. */
void jolt_wilson(long k, long n, double z, double *lo, double *hi);

/* Exact two-sided McNemar p-value from the discordant pair counts: n10
 * (pass before, fail after) and n01 (fail before, pass after).
 * p = min(1, 2 * P(X <= min(n10, n01))), X ~ Bin(n10 + n01, 1/2).
 * Computed in log space, so counts up to 10^5 and beyond are fine.
 * No discordant pairs gives 1. */
double jolt_mcnemar_exact(long n10, long n01);

#endif
