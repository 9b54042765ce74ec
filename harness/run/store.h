/*
 * store.h - the results store: one SQLite database per run, WAL mode.
 *
 * Tables: meta (schema version), runs (configuration JSON, versions,
 * start time), trials (one row per finished trial, unique on its key),
 * traces (the full trace JSON of each trial). Each finished trial is
 * written in its own transaction, so a killed run loses at most the trials
 * in flight. A jolt_store is used from one thread at a time; the caller
 * serialises (the scheduler holds a mutex around put).
 */
#ifndef JOLT_STORE_H
#define JOLT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/trial.h"

typedef struct jolt_store jolt_store;

/* Open or create the database at `path`. */
int jolt_store_open(jolt_store **out, const char *path);
/* Open an existing database read-only (reports, export). */
int jolt_store_open_ro(jolt_store **out, const char *path);
void jolt_store_close(jolt_store *st);

/* Record a run's configuration (a JSON object, written as given: it must
 * hold no secret). *run_id receives the new run's id. */
int jolt_store_begin_run(jolt_store *st, const json_t *config,
			 int64_t *run_id);

/* Whether a trial with this key is already stored (for --resume). */
int jolt_store_has_trial(jolt_store *st, const char *key, bool *out);

/* Write one finished trial and its trace in one transaction. A key that is
 * already present is replaced (so a re-run never duplicates). */
int jolt_store_put_trial(jolt_store *st, int64_t run_id,
			 const jolt_trial *t, const jolt_trial_result *r);

/* One stored trial, flat, as reports and exports read it. Strings are
 * borrowed for the duration of the callback. */
typedef struct jolt_trial_row {
	int64_t id;
	const char *key;
	const char *model;
	const char *scaffold;
	const char *suite;
	const char *task;
	const char *variant;
	const char *axis;
	const char *op;
	int level;
	int64_t seed;
	int repeat;
	const char *outcome;
	double reward;
	int steps;
	long tokens_in;
	long tokens_out;
	long latency_ms;
	const char *error_class;
	int malformed_calls;
	const char *answer;
	const char *detail;
} jolt_trial_row;

/* Call fn for every trial in id order; stops and returns fn's value when
 * it returns non-zero. */
int jolt_store_foreach(jolt_store *st,
		       int (*fn)(const jolt_trial_row *row, void *payload),
		       void *payload);

/* The stored trace of a trial (caller owns *out). */
int jolt_store_trace(jolt_store *st, int64_t trial_id, json_t **out);

/* Count of stored trials. */
int jolt_store_count(jolt_store *st, int64_t *out);

#endif
