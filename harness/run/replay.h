/*
 * replay.h - replay variants' reference solutions on the in-process
 * simulator. `jolt run` does it before any trial, to refuse a variant
 * whose oracle fails; `jolt check` does it for every baseline and variant,
 * together with each variant's planted mistake, which must fail.
 */
#ifndef JOLT_REPLAY_H
#define JOLT_REPLAY_H

#include <signal.h>
#include <stdbool.h>

#include "core/trial.h"
#include "run/driver.h"

typedef struct jolt_replay {
	const struct jolt_variant *v; /* in: borrowed, outlives the replay */
	bool mistake;         /* in: replay the planted mistake (a model
			       * thrown by every axis) instead of the oracle */
	const char *policy;   /* in: a label-free sim profile to replay
			       * instead ("literal", "null": model/sim.h);
			       * NULL: the oracle or the mistake */
	bool trace;           /* in: keep its trace (taken from the cache
			       * only when it kept the trace too) */
	bool given;           /* in: rc, err, res and cached are already
			       * set (jolt_replay_take): neither looked up
			       * nor run, counted as cached or run as it
			       * was */
	int rc;               /* out: harness fault of this replay, or 0 */
	char *err;            /* out: rc's message, owned */
	jolt_trial_result res; /* out: meaningful when rc is 0; its trace
				* only when `trace` was asked */
	bool cached;          /* out: res came from the cache */
} jolt_replay;

struct jolt_checkcache;

typedef struct jolt_replay_opts {
	struct jolt_checkcache *cache; /* NULL: replay everything */
	/* The memo of sandboxed commands to use, shared by several calls
	 * (borrowed); NULL: one of the call's own, unless no_memo. */
	struct jolt_execmemo *memo;
	int workers;          /* replays at once; 0 = the online cores */
	/* Progress on stderr, lines starting "LABEL: " (updated in place on
	 * a terminal, every few seconds otherwise) and a closing line saying
	 * how many were cached; NULL = silent. */
	const char *progress;
	/* Run every sandboxed command, even one already run on the same
	 * tree (world/execmemo.h): --no-cache. */
	bool no_memo;
	/* When set and it turns nonzero (a signal handler's flag), the
	 * replays not yet started are not run: each is left with rc
	 * JOLT_EINFRA, and jolt_replay_run returns JOLT_EINFRA. What was
	 * run is in the cache all the same. */
	const volatile sig_atomic_t *stop;
} jolt_replay_opts;

/* Replay every item, taking what the cache remembers and running the
 * rest in parallel (replays mostly wait on sandboxes); what was run is
 * remembered. o may be NULL (no cache, every core, silent). Returns 0, or
 * the error of opening the simulator (then no item ran); each item's own
 * fault is in the item. Items come back in their order whatever the
 * number of workers. */
int jolt_replay_run(jolt_replay *items, size_t n, const jolt_driver_cfg *d,
		    const jolt_replay_opts *o);

/* The replay ran and its graders passed. */
bool jolt_replay_passed(const jolt_replay *it);
/* The replay could not be judged: a harness fault or an infra outcome. */
bool jolt_replay_infra(const jolt_replay *it);
/* One line on why an item did not pass: the fault, else the graders'
 * detail, else the error class. Borrowed from the item. */
const char *jolt_replay_why(const jolt_replay *it);

/* Give it src's outcome (a replay of the same thing made earlier in this
 * process): rc, err, res (its trace shared) and cached, and set `given`. */
void jolt_replay_take(jolt_replay *it, const jolt_replay *src);

/* Free what the replays produced (not the array). */
void jolt_replay_release(jolt_replay *items, size_t n);

#endif
