/*
 * power.h - how large a drop a paired run can detect: the sample size of
 * the paired McNemar test (Connor 1987) turned around, for `jolt plan`
 * and for the "detectable drop" every report shows next to its drops.
 *
 * The formula. For n paired units (tasks), discordance psi = p10 + p01
 * (the share of pairs that flip, either way) and drop d = p10 - p01, a
 * two-sided test at level alpha has power 1 - beta when
 *
 *     n = [z(1 - alpha/2) sqrt(psi) + z(1 - beta) sqrt(psi - d^2)]^2 / d^2
 *
 * (Connor, Biometrics 1987). At alpha .05 and 80% power a 10-point drop
 * with psi .20 needs 155 tasks, with psi .14 108 tasks.
 *
 * The design model. A task's outcome with K repeats is its pass fraction
 * over them, and the drop is the mean over tasks of (clean - perturbed)
 * fraction, as robust.h computes it. Two things make a task's pair
 * discordant: the perturbation (a systematic break, the drop d: the same
 * tasks break on every repeat) and sampling noise (two repeats of the
 * same baseline disagree on a share `noise` of pairs: the report's noise
 * floor, noise_flip_rate). Averaging K repeats divides the noise part by
 * K and leaves the systematic part, so the discordance of one task is
 *
 *     psi(d, K) = d + noise / K
 *
 * which for K = 1 is psi = d + 2 p01, the usual "p01 of the pairs fix by
 * chance" assumption. Repeats therefore shrink the detectable drop only
 * down to the bound set by the number of tasks (noise -> 0).
 *
 * Without a pilot run the noise comes from an assumed baseline pass rate
 * p0 and within-task correlation rho between two repeats of a task:
 * noise = 2 p0 (1 - p0) (1 - rho) (rho = 1: a task passes every repeat or
 * none; rho = 0: repeats are independent coin flips at p0).
 *
 * Multiple comparisons: reports call a drop significant on its Holm-
 * adjusted p-value; Holm's first (strictest) step tests at alpha / m over
 * a family of m comparisons, so a plan for a family of m uses alpha / m.
 *
 * Pure functions, safe from any thread. Undefined answers (no drop up to
 * p0 is detectable, no number of repeats is enough) are NAN or -1.
 */
#ifndef JOLT_POWER_H
#define JOLT_POWER_H

/* The standard normal quantile z(p) for 0 < p < 1; NAN outside. */
double jolt_norm_quantile(double p);

/* Connor's n for discordance psi and drop d at two-sided level alpha
 * and power `power`: real, not rounded up. NAN unless 0 < d, d^2 <= psi
 * <= 1, 0 < alpha < 1 and 0 < power < 1. */
double jolt_power_connor_n(double psi, double d, double alpha, double power);

/* A design to plan for. */
typedef struct jolt_power_design {
	double alpha;	  /* two-sided, family-wise; 0: 0.05 */
	long comparisons; /* Holm family m (tests at alpha / m); 0: 1 */
	double power;	  /* 0: 0.80 */
	double p0;	  /* baseline pass rate: a drop cannot exceed it */
	double noise;	  /* share of pairs of repeats that disagree */
} jolt_power_design;

/* noise = 2 p0 (1 - p0) (1 - rho), NAN outside [0, 1]. */
double jolt_power_noise(double p0, double rho);

/* Tasks needed to detect `drop` with `repeats` pairs per task (a real
 * number, not rounded; repeats may be fractional: the mean pairs per
 * task of a comparison). NAN when the drop is not in (0, p0]. */
double jolt_power_tasks(const jolt_power_design *d, double drop,
			double repeats);

/* The smallest drop in (0, p0] detectable with `tasks` tasks and
 * `repeats` pairs per task (to 1e-6), NAN when none is. */
double jolt_power_mdd(const jolt_power_design *d, double tasks,
		      double repeats);

/* The fewest repeats (1..max_repeats) that detect `drop` with `tasks`
 * tasks, or -1 when even max_repeats do not. */
long jolt_power_repeats(const jolt_power_design *d, double drop,
			double tasks, long max_repeats);

/* X(enum, printable) -- where a measured noise comes from. */
#define JOLT_POWER_SRCS(X)                                                     \
	X(NONE, "none")                                                        \
	X(REPEATS, "repeats")                                                  \
	X(FIXES, "fixes")

enum jolt_power_src {
#define JOLT_X_ENUM(n, s) JOLT_POWER_SRC_##n,
	JOLT_POWER_SRCS(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};
const char *jolt_power_src_name(enum jolt_power_src s);

/* The noise a run measured: the share of pairs of baseline repeats that
 * disagree (`disagree` of `rep_pairs`, the report's noise floor) when it
 * has any; else twice the share of (clean, perturbed) pairs that fix,
 * fail -> pass (`fixes` of `pairs`): with one repeat, a fix is chance,
 * and chance flips both ways. *out is NAN with neither (source NONE). */
enum jolt_power_src jolt_power_measure(double *out, double disagree,
				       long rep_pairs, long fixes, long pairs);

#endif
