/*
 * store.h - the results store: one SQLite database per run, WAL mode.
 *
 * Tables: meta (schema version), runs (configuration JSON, versions,
 * start time), trials (one row per finished trial, unique on its key),
 * traces (the full trace JSON of each trial). Finished trials are written
 * in batches, one transaction each, so a killed run loses at most the trials
 * not yet committed. A jolt_store is used from one thread at a time; the
 * scheduler gives it to one writer thread, and encodes traces
 * (jolt_store_encode_trace, no store needed) on its workers.
 */
#ifndef JOLT_STORE_H
#define JOLT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/columns.h"
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

/* A finished trial to write: everything borrowed. `trace` is r->trace
 * encoded by jolt_store_encode_trace (NULL stores "{}"); r->trace itself
 * is not read. */
typedef struct jolt_store_item {
	const jolt_trial *t;
	const jolt_trial_result *r;
	const char *trace;
} jolt_store_item;

/* Encode r->trace as compact JSON text (caller frees *out; NULL when the
 * trial has no trace). Needs no store: do it off any lock. */
int jolt_store_encode_trace(char **out, const jolt_trial *t,
			    const jolt_trial_result *r);

/* Write n finished trials and their traces in one transaction: all or
 * none. A key already present is replaced (a re-run never duplicates). */
int jolt_store_put_batch(jolt_store *st, int64_t run_id,
			 const jolt_store_item *items, size_t n);

/* Encode and write one finished trial in its own transaction. */
int jolt_store_put_trial(jolt_store *st, int64_t run_id,
			 const jolt_trial *t, const jolt_trial_result *r);

/* The row a finished trial is stored as (core/columns.h): strings are
 * borrowed from key, t and r; a missing name reads "". */
void jolt_store_row_from(jolt_trial_row *out, const char *key,
			 const jolt_trial *t, const jolt_trial_result *r);

/* Call fn for every trial in id order, with strings borrowed for the
 * duration of the call; stops and returns fn's value when it returns
 * non-zero. A stored outcome this jolt does not know is JOLT_EINPUT. */
int jolt_store_foreach(jolt_store *st,
		       int (*fn)(const jolt_trial_row *row, void *payload),
		       void *payload);

/* The stored trace of a trial (caller owns *out). */
int jolt_store_trace(jolt_store *st, int64_t trial_id, json_t **out);
/* The same as the JSON text it was stored as, unparsed (caller owns *out;
 * "" for a NULL trace). */
int jolt_store_trace_text(jolt_store *st, int64_t trial_id, char **out);

/* Read from one snapshot until jolt_store_close(): one read transaction
 * instead of one per statement, which saves the file locking of each
 * when reading many traces. For read-only use. */
int jolt_store_snapshot(jolt_store *st);

/* Count of stored trials. */
int jolt_store_count(jolt_store *st, int64_t *out);
/* How many runs' configurations have the boolean `flag` (a top-level key,
 * e.g. "tls_insecure") set to true. */
int jolt_store_runs_with(jolt_store *st, const char *flag, int64_t *out);
/* Call fn(suite, variant, why, payload) for every variant a run refused
 * because its oracle failed (the configuration's "rejected_variants",
 * which every jolt run records: nothing to migrate, and a database from
 * before "suite" was recorded gives suite NULL). In run order, repeats
 * included (a resumed or sharded run records them again). A non-zero
 * return from fn stops and is returned. */
int jolt_store_refused(jolt_store *st,
		       int (*fn)(const char *suite, const char *variant,
				 const char *why, void *payload),
		       void *payload);
/* The same for every variant a run did not run because it changes
 * nothing the model is shown (the configuration's
 * "inapplicable_variants"; none in a database from before they were
 * recorded). */
int jolt_store_inapplicable(jolt_store *st,
			    int (*fn)(const char *suite, const char *variant,
				      const char *why, void *payload),
			    void *payload);

#endif
