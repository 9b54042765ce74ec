/*
 * merge.h - `jolt merge` and `jolt export`: combine the databases of a
 * sharded run into one, and write a database's trials out for other
 * tools.
 *
 * Merging. Every source must be a jolt results database, and all of them
 * the same run: their recorded configurations (the runs table) must be
 * equal once the fields that only say how a shard was run are set aside
 * (shard_index, shard_count, concurrency, workers); otherwise the merge
 * is refused (JOLT_EINPUT naming the first field that differs) unless
 * `force`. A trial key present in several sources is one trial, kept
 * once, provided its graded result is the same in each (outcome, reward,
 * steps, tokens_in, tokens_out, error_class, malformed_calls, answer:
 * everything but the timing and the free-text detail); if it differs the
 * merge fails with JOLT_EINPUT naming the key, even with `force`. The
 * output is written in one transaction per source: a failed merge
 * leaves no partial file behind (it is removed). `out` must not exist.
 */
#ifndef JOLT_MERGE_H
#define JOLT_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct jolt_merge_stats {
	long trials;	 /* trials in the output */
	long duplicates; /* trials found in more than one source */
	long runs;	 /* runs rows copied */
} jolt_merge_stats;

int jolt_merge(jolt_merge_stats *out, const char *dest,
	       const char *const *srcs, size_t n, bool force);

/* Write every trial of `db` on `f`, in id order, one JSON object per
 * line: the stored columns (core/columns.h, answer and detail included)
 * and its full trace under "trace". */
int jolt_export_jsonl(FILE *f, const char *db);

#endif
