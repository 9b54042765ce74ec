/*
 * run.h - the run scheduler: expands suites x models x repeats into
 * trials, skips finished ones on --resume, runs the rest on a bounded
 * worker pool, commits each finished trial to the store, and reports
 * progress on stderr.
 */
#ifndef JOLT_RUN_H
#define JOLT_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "run/driver.h"
#include "core/suite.h"

typedef struct jolt_run_cfg {
	jolt_suite **suites;
	size_t nsuites;
	const char **models;  /* --model specs */
	size_t nmodels;
	int repeats;          /* >= 1 */
	uint64_t seed;
	int concurrency;      /* trials in flight at once; >= 1 */
	int workers;          /* threads for tools and grading; 0 = cores */
	const char *out;      /* database path */
	int resume;
	int shard_index;      /* 0-based; shard_count 1 = all */
	int shard_count;
	/* Perturbation (perturb.h): axes to perturb (NULL/0 = all five; the
	 * single name "none" = baselines only), operators (NULL/0 = every
	 * operator of those axes), levels as a bit mask (bit L = level L; 0 =
	 * all), and seeds per operator and level (seed, seed+1, ...). */
	const char *const *axes;
	size_t naxes;
	const char *const *ops;
	size_t nops;
	unsigned levels;
	int variants;
	/* Task selection (--tasks, --limit): ids or fnmatch(3) globs, a task
	 * is kept when any matches (NULL/0 = every task); then the first
	 * `limit` kept tasks in suite order (0 = all). */
	const char *const *tasks;
	size_t ntasks;
	long limit;
	/* Scaffolds every trial runs under (NULL/0 = the default scaffold
	 * alone); names checked by the caller. */
	const char *const *scaffolds;
	size_t nscaffolds;
	jolt_driver_cfg driver;
	const struct jolt_backend_opts *backend; /* may be NULL */
	/* Where the pre-check's oracle replays are remembered
	 * (run/checkcache.h); NULL = replay them all. Borrowed. */
	struct jolt_checkcache *cache;
	int quiet;            /* no progress output */
} jolt_run_cfg;

/* Expand the variants a run (or `jolt check`) covers for one task, in a
 * fixed order: operators in registry order, then level, then seed. Only
 * operators that apply to the task yield variants. *out is an array of
 * owned variants (free each with jolt_variant_free, then the array).
 * JOLT_EUSAGE names an unknown axis or operator. */
int jolt_run_variants(struct jolt_variant ***out, size_t *n,
		      const jolt_run_cfg *cfg, const jolt_suite *s,
		      const jolt_task *t);

/* A task and the suite that declares it. */
typedef struct jolt_task_ref {
	const jolt_suite *suite;
	const jolt_task *task;
} jolt_task_ref;

/* The tasks cfg selects from cfg->suites, in suite order (suites as given,
 * tasks by id). *out is an owned array of *n refs (free it). A pattern
 * that matches no task is JOLT_EUSAGE naming it. */
int jolt_run_tasks(jolt_task_ref **out, size_t *n, const jolt_run_cfg *cfg);

/* One task's worlds: its baseline, then its variants in
 * jolt_run_variants order. */
typedef struct jolt_task_variants {
	struct jolt_variant **v; /* owned, each and the array */
	size_t n;                /* >= 1 once built */
} jolt_task_variants;

/* Build the baseline and variants of every task in tasks, in parallel
 * over the cores (operators are pure functions). *out is an owned array
 * of ntasks (free with jolt_task_variants_free). On failure nothing is
 * returned and the error names the first task that failed. */
int jolt_run_build(jolt_task_variants **out, const jolt_run_cfg *cfg,
		   const jolt_task_ref *tasks, size_t ntasks);
/* Free what jolt_run_build returned; variants taken out of it are set to
 * NULL there first. */
void jolt_task_variants_free(jolt_task_variants *tv, size_t ntasks);

typedef struct jolt_run_stats {
	long total;     /* trials in this run (after sharding) */
	long skipped;   /* already stored (resume) */
	long done;      /* run now */
	long passed;
	long failed;
	long infra;
	long variants;  /* variants generated */
	long rejected;  /* variants whose oracle failed: not run */
	long inapplicable; /* invariant variants that change nothing the
			    * model is shown (run/visible.h): not run */
} jolt_run_stats;

int jolt_run(jolt_run_stats *out, const jolt_run_cfg *cfg);

/* Whether the trial with this key belongs to shard `index` of `count`
 * (count <= 1: every trial). The test is a hash of the key alone, so the
 * N shards of a run partition its trials exactly, on any machine, and
 * `jolt merge` of their databases gives the unsharded run's trials. */
#define JOLT_SHARD_SEED 0x6a6f6c74736861ULL
bool jolt_run_in_shard(const char *key, int index, int count);

#endif
