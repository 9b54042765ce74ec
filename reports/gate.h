/*
 * gate.h - `jolt gate`: turn a finished report into a CI decision, a list
 * of checks (one per model x scaffold for the pass rate and the infra
 * errors, one per model x scaffold x axis and per operator for the drops,
 * and with a baseline run one per axis and operator for the regression),
 * rendered as Markdown (a PR comment or a CI step summary) or JUnit XML.
 *
 * The rules (docs/ci.md repeats them for users):
 *
 *  - infra: a model x scaffold whose infra errors exceed max_infra of its
 *    trials makes the verdict JOLT_GATE_INFRA (exit 3): its figures
 *    measured the endpoint, not the model.
 *  - min_pass: a model x scaffold whose baseline (unperturbed) pass rate
 *    is below min_pass fails.
 *  - drop: a comparison of the report (robust.h: axis, operator, scaffold
 *    swap) fails only when its drop is above max_drop AND it is
 *    significant under the report's own rule at alpha: Holm-adjusted
 *    exact McNemar p below alpha and the task-clustered bootstrap
 *    interval of the drop excluding zero. A large drop measured on too
 *    few pairs, or a drop within run-to-run noise, does not fail a
 *    build (noise alone fails one no more often than alpha allows).
 *  - regression (with a baseline run): each candidate trial is paired with
 *    the baseline run's trial of the same scaffold, suite, task, variant
 *    and repeat, under the same model name when the baseline run holds it,
 *    else under the baseline run's only model (a model swap); infra errors
 *    on either side are left out. Per model x scaffold the comparisons are
 *    every trial ("all"), the baselines ("baseline") and each axis and
 *    operator; each gets the flip table, the drop (baseline run minus
 *    candidate, mean over tasks) with a task bootstrap interval, and the
 *    exact McNemar p, Holm-adjusted across the regression comparisons
 *    (their own family). It fails by the same rule as a drop.
 *
 *  - detectable drop: next to each drop and regression, the smallest
 *    drop the check could detect at 80% power (reports/power.h, as the
 *    reports compute it, at the gate's alpha). When it is above
 *    max_drop the check is marked undetectable and the outputs warn: a
 *    drop between the two passes the gate unnoticed, and `jolt plan`
 *    says how many tasks or repeats would close the gap. It never
 *    changes a verdict.
 *
 * The verdict: JOLT_GATE_INFRA if an infra check fails, else
 * JOLT_GATE_FAIL if any check fails, else JOLT_GATE_PASS.
 *
 * Ownership: a jolt_gate owns its cases and their messages; names are
 * borrowed from the reports, which must outlive it.
 */
#ifndef JOLT_GATE_H
#define JOLT_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/report.h"
#include "reports/stats.h"

/* Defaults of the options a caller leaves at zero (see jolt_gate_opts). */
#define JOLT_GATE_MAX_DROP 0.10
#define JOLT_GATE_ALPHA 0.05
#define JOLT_GATE_MAX_INFRA 0.05

typedef struct jolt_gate_opts {
	double min_pass;  /* baseline pass rate floor; 0 = no floor */
	double max_drop;  /* < 0: JOLT_GATE_MAX_DROP */
	double alpha;	  /* 0: JOLT_GATE_ALPHA */
	double max_infra; /* share of trials; < 0: JOLT_GATE_MAX_INFRA */
	const char *const *axes; /* drop checks only on these; NULL = all */
	size_t naxes;
} jolt_gate_opts;

/* X(enum, printable) -- what a check tests. */
#define JOLT_GATE_CHECKS(X)                                                    \
	X(INFRA, "infra")                                                      \
	X(MIN_PASS, "min_pass")                                                \
	X(DROP, "drop")                                                        \
	X(REGRESSION, "regression")

enum jolt_gate_check {
#define JOLT_X_ENUM(n, s) JOLT_GATE_CHECK_##n,
	JOLT_GATE_CHECKS(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};
const char *jolt_gate_check_name(enum jolt_gate_check c);

enum jolt_gate_status {
	JOLT_GATE_OK,
	JOLT_GATE_FAILED,
	JOLT_GATE_SKIPPED, /* nothing to judge: no pairs, no graded trial */
};

typedef struct jolt_gate_case {
	enum jolt_gate_check check;
	enum jolt_gate_status status;
	const char *model;
	const char *scaffold;
	const char *axis; /* NULL for infra and min_pass; "all" for the
			   * whole regression */
	const char *op;	  /* NULL unless per operator */
	const char *ref_model; /* regression: the baseline run's model */
	double value;	  /* the figure judged: rate or drop */
	double lo, hi;	  /* its 95% interval (NAN when none) */
	double limit;	  /* the option it is held to */
	double p_holm;	  /* drop and regression; NAN otherwise */
	bool significant; /* at the gate's alpha, by the report's rule */
	long pairs;	  /* drop and regression: pairs; else trials */
	double noise;	  /* the model's noise floor (break rate between
			   * baseline repeats), NAN without repeats */
	double mdd;	  /* drop and regression: the smallest drop this
			   * check could detect at 80% power, at the gate's
			   * alpha (jolt_robust_mdd); NAN when none up to
			   * the clean pass rate is, or nothing was
			   * measured. Above `limit`, the gate cannot see
			   * every drop it is meant to stop (undetectable) */
	bool undetectable; /* drop and regression with pairs, whose mdd
			    * is above limit or NAN */
	double clean;	  /* drop and regression: the pass rate of the
			   * side compared against (NAN otherwise) */
	char *message;	  /* one line with the numbers (owned) */
} jolt_gate_case;

enum jolt_gate_verdict {
	JOLT_GATE_PASS = 0,
	JOLT_GATE_FAIL = 1,
	JOLT_GATE_INFRA = 3,
};

typedef struct jolt_gate {
	jolt_gate_opts opts; /* as used, defaults filled in */
	jolt_gate_case *cases;
	size_t ncases;
	size_t nfailed;
	enum jolt_gate_verdict verdict;
	const jolt_report *report;   /* the candidate run */
	const jolt_report *baseline; /* NULL without one */
	size_t family; /* regression comparisons in their Holm family */
	size_t nundetectable; /* checks with undetectable set */
} jolt_gate;

/* Judge `r` (and against `baseline` when not NULL) with `opts` (NULL =
 * defaults). Options out of range, or an --axes name that is no axis,
 * are JOLT_EUSAGE; a baseline run that shares no model name with the
 * candidate and holds several models is JOLT_EINPUT. The caller frees
 * *out with jolt_gate_free(). */
int jolt_gate_build(jolt_gate **out, const jolt_report *r,
		    const jolt_report *baseline, const jolt_gate_opts *opts);
void jolt_gate_free(jolt_gate *g);

/* The warning for a check marked undetectable, e.g. "this run can detect
 * drops of 23.4%; the gate's threshold of 10.0% is below that" (caller
 * frees); NULL for any other check. */
char *jolt_gate_undetectable_text(const jolt_gate_case *c);

/* Markdown for a PR comment or a CI step summary: the verdict, the failed
 * checks with their numbers, every check in a collapsed table. */
int jolt_gate_md(FILE *f, const jolt_gate *g);
/* JUnit XML: one testsuite per model x scaffold, one testcase per check;
 * a failed check is a <failure>, a failed infra check an <error>, a
 * check with nothing to judge <skipped/>. */
int jolt_gate_junit(FILE *f, const jolt_gate *g);

#endif
