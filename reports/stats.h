/*
 * stats.h - the statistics reports rest on: Wilson score intervals for
 * pass rates, the exact McNemar test and the paired flip table, Holm and
 * Benjamini-Hochberg adjustment, the cluster (task) paired bootstrap for a
 * drop, pass@k / pass^k, and PDR. See PERTURBATION-LITERATURE.md, part B.
 *
 * Pure functions of their arguments, safe from any thread. Only
 * jolt_holm, jolt_bh and jolt_bootstrap_drop allocate (scratch space,
 * freed before they return). Figures that are undefined for their input
 * (a break rate with no baseline pass, pass^k with fewer than k trials)
 * are NAN, never a made-up 0; formats print them as "n/a" or null.
 */
#ifndef JOLT_STATS_H
#define JOLT_STATS_H

#include <stddef.h>
#include <stdint.h>

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

/* ---- paired flip table ---- */

/* Matched (clean, perturbed) outcome pairs: first digit clean, second
 * perturbed, 1 = pass. */
typedef struct jolt_flips {
	long n11; /* pass -> pass */
	long n10; /* pass -> fail: breaks */
	long n01; /* fail -> pass: fixes */
	long n00; /* fail -> fail */
} jolt_flips;

/* Count one pair. */
void jolt_flips_add(jolt_flips *f, int clean_pass, int perturbed_pass);
/* n11 + n10 + n01 + n00. */
long jolt_flips_total(const jolt_flips *f);
/* (n10 + n01) / N; NAN when N == 0. Consistency is 1 - flip rate. */
double jolt_flip_rate(const jolt_flips *f);
/* n10 / (n11 + n10): the share of clean passes the perturbation broke;
 * NAN when nothing passed clean. */
double jolt_break_rate(const jolt_flips *f);
/* (n10 - n01) / N = clean pass rate - perturbed pass rate over the pairs;
 * NAN when N == 0. */
double jolt_net_drop(const jolt_flips *f);
/* PDR = 1 - sum(perturbed) / sum(clean) over the pairs
 * = 1 - (n11 + n01) / (n11 + n10); negative when the perturbation helps,
 * NAN when nothing passed clean. */
double jolt_flips_pdr(const jolt_flips *f);

/* ---- multiple comparisons ---- */

/* Holm step-down adjustment (family-wise error) of n p-values:
 * adj[i] for p[i], in the input order, each in [0, 1]. adj may alias p.
 * A NAN p is treated as 1. E.g. {0.01, 0.04, 0.03, 0.005} ->
 * {0.03, 0.06, 0.06, 0.02}. */
void jolt_holm(const double *p, size_t n, double *adj);
/* Benjamini-Hochberg step-up adjustment (false discovery rate), same
 * contract as jolt_holm. {0.01, 0.04, 0.03, 0.005} ->
 * {0.02, 0.04, 0.04, 0.02}. */
void jolt_bh(const double *p, size_t n, double *adj);

/* ---- paired cluster bootstrap ---- */

/* The default number of replicates and the fixed seed: a report renders
 * the same intervals every time it is built from the same trials. */
#define JOLT_BOOTSTRAP_REPS 10000
#define JOLT_BOOTSTRAP_SEED 0x6a6f6c74626f6f74ULL /* "joltboot" */
/* Hard cap on replicates (the scratch array is reps doubles). */
#define JOLT_BOOTSTRAP_MAX_REPS 10000000L

/* A point estimate and its interval. */
typedef struct jolt_ci {
	double est;
	double lo;
	double hi;
} jolt_ci;

/* Drop = mean(b) - mean(p) over n clusters (tasks), where b[i] and p[i]
 * are task i's clean and perturbed pass fractions, with a 95% percentile
 * interval from `reps` replicates that resample tasks with replacement
 * (keeping each task's pair together). Replicate r draws from its own
 * splitmix64 stream seeded by jolt_hash_u64(seed, r), and replicates run
 * under OpenMP, so the interval depends only on (b, p, n, reps, seed),
 * never on the thread count. Quantiles interpolate linearly between order
 * statistics (R type 7). n == 0 is JOLT_EINPUT; reps outside
 * [1, JOLT_BOOTSTRAP_MAX_REPS] is JOLT_EUSAGE. */
int jolt_bootstrap_drop(jolt_ci *out, const double *b, const double *p,
			size_t n, long reps, uint64_t seed);

/* ---- pass@k and pass^k ---- */

/* For one task with c passes in n graded trials:
 * pass@k = 1 - C(n-c, k) / C(n, k), the chance that at least one of k
 * trials drawn without replacement passes (Codex, unbiased);
 * pass^k = C(c, k) / C(n, k), the chance that all k pass (tau-bench).
 * NAN unless 1 <= k <= n and 0 <= c <= n. Computed as products of ratios,
 * so large n cannot overflow. */
double jolt_pass_at_k(long n, long c, long k);
double jolt_pass_hat_k(long n, long c, long k);

#endif
