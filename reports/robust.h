/*
 * robust.h - the robustness summary of a report: every figure computed
 * from the trial rows that the formats (md, json) and the gate show.
 *
 * Pairing. A comparison is (model, scaffold, axis[, operator[, level]]).
 * Its paired units are the perturbed trials: a trial of task t (suite and
 * task id), repeat r, some variant, is paired with the baseline trial (axis
 * "baseline") of the same model, scaffold, task and repeat. A pair is left
 * out (counted in `unpaired`) when either side is an infra error or there
 * is no baseline trial. When several databases hold the same baseline
 * trial, the first graded one in load order is used.
 *
 * Per comparison: the flip table over pairs, the clean and perturbed pass
 * rates over pairs (Wilson), the drop with a paired cluster bootstrap
 * interval (each task's clean and perturbed pass fractions over its pairs,
 * tasks resampled, stats.h), break rate, PDR, the exact McNemar p, and the
 * Holm- and BH-adjusted p across every comparison in the report.
 * A comparison whose pair set is the same as the coarser one it refines
 * (an axis with one operator, an operator with one level) is the same
 * hypothesis: it takes its parent's figures and is not counted again in
 * the adjustment family (`same_as_parent`).
 *
 * Per model x scaffold: baseline and perturbed pass rates (Wilson), infra
 * count, malformed-call rate, mean tokens and latency (over every trial,
 * infra errors included, because they cost), PDR over all pairs,
 * HELM-style worst-case robustness (per task the minimum pass fraction
 * over its baseline and each of its variants, averaged over tasks), and
 * the noise floor (the flip rate between repeats of the same baseline),
 * pass^k / pass@k for k = 1..repeats when repeats > 1: on baseline trials
 * per task, and on all trials per instance (a task's baseline or one of
 * its variants), averaged over the instances with at least k graded
 * trials.
 *
 * Ownership: a jolt_robust owns its arrays; every string in it is
 * borrowed from the rows it was built from, which must outlive it (a
 * jolt_report owns both). Read-only after building. Figures that are
 * undefined for their data are NAN (JSON null).
 */
#ifndef JOLT_ROBUST_H
#define JOLT_ROBUST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/power.h"
#include "reports/report.h"
#include "reports/stats.h"

/* Options; zero fields take the defaults, so {0} (or NULL) is the
 * default report. */
typedef struct jolt_robust_opts {
	long bootstrap_reps; /* 0: JOLT_BOOTSTRAP_REPS */
	uint64_t seed;	     /* bootstrap seed; 0: JOLT_BOOTSTRAP_SEED */
	double alpha;	     /* threshold on p_holm for `significant`; 0: 0.05 */
} jolt_robust_opts;

/* X(enum, printable) -- how finely a comparison is grouped. */
#define JOLT_ROBUST_BY(X)                                                      \
	X(AXIS, "axis")                                                        \
	X(OP, "operator")                                                      \
	X(LEVEL, "level")                                                      \
	X(SCAFFOLD, "scaffold")

enum jolt_robust_by {
#define JOLT_X_ENUM(n, s) JOLT_ROBUST_BY_##n,
	JOLT_ROBUST_BY(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};
const char *jolt_robust_by_name(enum jolt_robust_by by);

/* A rate with its Wilson 95% interval; all NAN when n == 0. */
typedef struct jolt_rate {
	long pass;
	long n; /* graded: pass + fail */
	double rate;
	double lo;
	double hi;
} jolt_rate;

typedef struct jolt_robust_cmp {
	enum jolt_robust_by by;
	const char *model;
	const char *scaffold;
	/* By scaffold: the scaffold of the clean side (the model's native
	 * one); the perturbed side is `scaffold`. NULL otherwise. */
	const char *ref_scaffold;
	const char *axis;    /* "scaffold" when by scaffold */
	const char *op;	     /* NULL when by axis */
	int level;	     /* -1 unless by level */
	long variant_trials; /* perturbed trials in the group, infra too */
	long unpaired;	     /* of those, left out of the pairs */
	long tasks;	     /* tasks (clusters) with at least one pair */
	jolt_flips flips;    /* over the pairs; pairs = jolt_flips_total */
	jolt_rate clean;     /* baseline side of the pairs */
	jolt_rate perturbed; /* perturbed side of the pairs */
	jolt_ci drop;	     /* mean over tasks of (clean - perturbed) */
	double flip_rate;
	double break_rate;
	double net_drop; /* over pairs, (n10 - n01) / pairs */
	double pdr;
	double p;	  /* exact McNemar; NAN with no pairs */
	double p_holm;	  /* Holm across the report */
	double p_bh;	  /* Benjamini-Hochberg across the report */
	/* p_holm < alpha AND the clustered drop interval excludes 0 (pairs
	 * share baseline trials, so McNemar alone overstates evidence). */
	bool significant;
	bool same_as_parent;
	/* The noise floor of this comparison's model x scaffold, copied from
	 * its jolt_robust_model (NAN without repeats): what the break and
	 * flip rates above would be if the perturbation changed nothing. */
	double noise_break_rate;
	double noise_flip_rate;
	/* The smallest drop this comparison could detect at 80% power
	 * (power.h): its tasks; as K the harmonic mean of its model's
	 * repeats (the baseline side's noise averages over those only)
	 * and its pairs per task (the perturbed side's); its clean pass
	 * rate as p0; its model's measured noise (plan_noise); tested at
	 * Holm's first step, alpha / family. Like `jolt plan`, it assumes
	 * the drop breaks the same tasks on every repeat (the
	 * conservative case): a drop that strikes trials at random may be
	 * found significant below it. NAN when no drop up to the
	 * clean rate is detectable, or nothing was measured. A drop that is
	 * not significant and smaller than this says "too small a run", not
	 * "no drop". */
	double mdd;
} jolt_robust_cmp;

/* Scaffold x axis interaction: is an axis's drop larger when the task is
 * presented through `scaffold` than through `ref_scaffold`? Over the tasks
 * with pairs under both: per task, the drop (clean - perturbed pass
 * fraction over its pairs) under each scaffold; `diff` is the mean of
 * (drop under scaffold - drop under ref) with a task bootstrap interval. */
typedef struct jolt_robust_inter {
	const char *model;
	const char *scaffold;
	const char *ref_scaffold;
	const char *axis;
	long tasks;
	double drop;	 /* mean task drop under scaffold */
	double ref_drop; /* mean task drop under ref_scaffold */
	jolt_ci diff;
} jolt_robust_inter;

/* pass^k and pass@k at one k. */
typedef struct jolt_robust_k {
	int k;
	double base_hat;    /* pass^k over baseline, per task */
	double base_at;	    /* pass@k over baseline, per task */
	long base_tasks;    /* tasks with >= k graded baseline trials */
	double all_hat;	    /* pass^k over every instance */
	double all_at;	    /* pass@k over every instance */
	long all_instances; /* instances with >= k graded trials */
} jolt_robust_k;

typedef struct jolt_robust_model {
	const char *model;
	const char *scaffold;
	long trials; /* every trial, infra included */
	long infra;
	jolt_rate baseline;  /* baseline trials */
	jolt_rate perturbed; /* all perturbed trials */
	jolt_flips flips;    /* over all pairs of every variant */
	double pdr;	     /* from flips */
	long malformed_calls;
	long steps;
	double malformed_rate; /* malformed_calls / steps */
	double mean_tokens_in;
	double mean_tokens_out;
	double mean_latency_ms;
	double worst_case;     /* HELM worst case, mean over tasks */
	long worst_case_tasks; /* tasks with at least one graded trial */
	int repeats;	       /* max repeat + 1 */
	/* The noise floor: how often two repeats of the same baseline (same
	 * task, baseline variant, different repeat) disagree. Over every
	 * baseline with n >= 2 graded repeats, c of them passing:
	 * noise_flip_rate = sum c(n-c) / sum n(n-1)/2, the share of repeat
	 * pairs that disagree, comparable to a comparison's flip_rate;
	 * noise_break_rate = sum c(n-c) / sum c(n-1), the share of ordered
	 * pairs (a passing repeat, another repeat) whose second fails,
	 * comparable to break_rate (breaks over clean passes). NAN when no
	 * baseline has two graded repeats (or, for the break rate, none of
	 * them passed). */
	double noise_flip_rate;
	double noise_break_rate;
	long noise_pairs; /* unordered repeat pairs: sum n(n-1)/2 */
	long noise_tasks; /* baselines with n >= 2 */
	/* The noise a plan of the next run would assume (power.h,
	 * jolt_power_measure): the noise floor with repeats, else twice
	 * the fix rate over all pairs; NAN (source NONE) with neither. */
	double plan_noise;
	enum jolt_power_src plan_noise_from;
	jolt_robust_k *passk;  /* k = 1..repeats when repeats > 1, or NULL */
	size_t npassk;
} jolt_robust_model;

typedef struct jolt_robust {
	jolt_robust_opts opts;	   /* as used, defaults filled in */
	jolt_robust_model *models; /* sorted by model, scaffold */
	size_t nmodels;
	/* Comparisons, each sorted by model, scaffold, axis, operator,
	 * level (byte order). */
	jolt_robust_cmp *by_axis;
	size_t nby_axis;
	jolt_robust_cmp *by_op;
	size_t nby_op;
	jolt_robust_cmp *by_level;
	size_t nby_level;
	/* Each non-native scaffold's baselines against the same model's
	 * native baselines (same suite, task and repeat): the scaffold swap
	 * measured like an axis. Empty unless a model ran under native and
	 * another scaffold. */
	jolt_robust_cmp *by_scaffold;
	size_t nby_scaffold;
	jolt_robust_inter *inter; /* by model, scaffold, axis */
	size_t ninter;
	size_t family; /* comparisons in the Holm / BH family */
} jolt_robust;

/* What a comparison lets a reader conclude, from its significance, its
 * interval and its detectable drop (mdd): "drop" (significant), "no drop
 * of the detectable size" (not significant, and the interval's upper end
 * is below mdd), or "too small a run to tell" (not significant, and a
 * drop as large as the run could detect is still inside the interval,
 * or none could be detected). */
const char *jolt_robust_verdict(const jolt_robust_cmp *c);

/* The smallest drop detectable at 80% power (power.h) by a comparison
 * of model m's trials over `tasks` tasks and `pairs` pairs whose clean
 * side passes at p0, tested at Holm's first step (alpha / family), with
 * m's measured noise: what a comparison's `mdd` holds, and what `jolt
 * gate` shows next to each drop it judges (at its own alpha and family).
 * NAN when no drop up to p0 is detectable or nothing was measured. */
double jolt_robust_mdd(const jolt_robust_model *m, double p0, long tasks,
		       long pairs, double alpha, size_t family);

/* The summary of model x scaffold in s, or NULL. */
const jolt_robust_model *jolt_robust_find_model(const jolt_robust *s,
						const char *model,
						const char *scaffold);

/* Compute the summary of `n` rows (opts may be NULL). Bad options are
 * JOLT_EUSAGE. The caller frees *out with jolt_robust_free(). */
int jolt_robust_build(jolt_robust **out, const jolt_trial_row *rows, size_t n,
		      const jolt_robust_opts *opts);
void jolt_robust_free(jolt_robust *s);

/* The summary as a JSON object (the caller owns *out):
 * {"options": {...}, "models": [...], "by_axis": [...],
 *  "by_operator": [...], "by_level": [...], "by_scaffold": [...],
 *  "scaffold_x_axis": [...]}; NAN figures are null. */
int jolt_robust_json(json_t **out, const jolt_robust *s);

/* A JSON string for `s` that never fails on bad bytes: text that is not
 * UTF-8 has its non-ASCII bytes replaced by '?'. NULL gives null. The
 * caller owns the result. */
json_t *jolt_robust_json_str(const char *s);

#endif
