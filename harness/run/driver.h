/*
 * driver.h - the trajectory driver: runs one trial as a state machine.
 *
 * The machine never blocks on the model itself: jolt_traj_next() says what
 * it needs (a model turn, with the request filled) or that it is done, and
 * the caller obtains the reply however it likes (an in-process policy, a
 * blocking call, or later an event loop) and hands it to jolt_traj_feed(),
 * which executes the tool calls and appends their results. When done,
 * jolt_traj_finish() grades the final state and yields the result.
 *
 *   jolt_traj_new -> (next -> feed)* -> next says DONE -> finish -> free
 */
#ifndef JOLT_DRIVER_H
#define JOLT_DRIVER_H

#include "model/backend.h"
#include "core/trial.h"

typedef struct jolt_driver_cfg {
	int max_steps;         /* 0 = the task's or suite's */
	long max_tokens;       /* total in+out budget; 0 = unlimited */
	double timeout_s;      /* wall clock per trial; 0 = unlimited */
	int strip_thinking;    /* --history strip-thinking */
	const char *workdir_root; /* where working copies go; NULL = /tmp */
	int keep_workdirs;
	/* Replays only (run/replay.c): sandboxed commands answered from a
	 * memo of identical earlier ones (world/execmemo.h); NULL runs
	 * each. */
	struct jolt_execmemo *memo;
} jolt_driver_cfg;

typedef struct jolt_traj jolt_traj;

enum jolt_traj_state { JOLT_TRAJ_NEED_MODEL = 1, JOLT_TRAJ_DONE = 2 };

/* Make the working copy and the opening messages. An environment that
 * cannot be made is an infra fault: returns the error code. */
int jolt_traj_new(jolt_traj **out, const jolt_trial *t,
		  const jolt_driver_cfg *cfg, int slot);
/* JOLT_TRAJ_NEED_MODEL with *req filled (borrowed from the traj, valid
 * until the next feed), or JOLT_TRAJ_DONE. */
int jolt_traj_next(jolt_traj *tr, jolt_model_req *req);
/* Hand over the model's reply (taken: the traj owns reply->message after
 * this) or the backend's error code `err` (non-zero: the trial ends as
 * infra_error). Executes the calls. Nothing here fails the caller: a
 * harness fault while executing (a sandbox that cannot start) ends the
 * trial, and finish reports it as infra_error with its detail. */
void jolt_traj_feed(jolt_traj *tr, jolt_model_reply *reply, int err);
/* Grade and fill *out (caller releases). Removes the working copy unless
 * keep_workdirs. A grader that cannot run is, like every harness fault,
 * an infra_error outcome in *out, not an error return. */
void jolt_traj_finish(jolt_traj *tr, jolt_trial_result *out);
void jolt_traj_free(jolt_traj *tr);

/* Convenience: run a trial to the end against a blocking backend. Returns
 * 0, or the error of making the trajectory (then *out is untouched). */
int jolt_trial_run(jolt_trial_result *out, const jolt_trial *t,
		   const jolt_backend *be, void *be_state,
		   const jolt_driver_cfg *cfg, int slot);

#endif
