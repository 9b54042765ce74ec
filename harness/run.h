/*
 * run.h - the run scheduler: expands suites x models x repeats into
 * trials, skips finished ones on --resume, runs the rest on a bounded
 * worker pool, commits each finished trial to the store, and reports
 * progress on stderr.
 */
#ifndef JOLT_RUN_H
#define JOLT_RUN_H

#include <stdint.h>

#include "driver.h"
#include "suite.h"

typedef struct jolt_run_cfg {
	jolt_suite **suites;
	size_t nsuites;
	const char **models;  /* --model specs */
	size_t nmodels;
	int repeats;          /* >= 1 */
	uint64_t seed;
	int concurrency;      /* worker threads; >= 1 */
	const char *out;      /* database path */
	int resume;
	int shard_index;      /* 0-based; shard_count 1 = all */
	int shard_count;
	jolt_driver_cfg driver;
	int quiet;            /* no progress output */
} jolt_run_cfg;

typedef struct jolt_run_stats {
	long total;     /* trials in this run (after sharding) */
	long skipped;   /* already stored (resume) */
	long done;      /* run now */
	long passed;
	long failed;
	long infra;
} jolt_run_stats;

int jolt_run(jolt_run_stats *out, const jolt_run_cfg *cfg);

#endif
