/*
 * sim.h - simulated models: a scripted policy that follows the task's
 * oracle and makes planted, reproducible mistakes (DESIGN.md, "Simulated
 * models"). Used by the in-process `sim:` backend and by `jolt serve`.
 */
#ifndef JOLT_SIM_H
#define JOLT_SIM_H

#include <jansson.h>
#include <stdbool.h>

#include "core/vocab.h"
#include "model/backend.h"

/* Room for a sensitivity per registered scaffold (scaffolds/scaffold.h). */
#define JOLT_SIM_SCAFFOLDS 8

typedef struct jolt_sim_profile {
	double axis[JOLT_AXIS_COUNT]; /* P(characteristic mistake | axis perturbed) */
	double thinking; /* P(losing track | own earlier thinking missing) */
	double noise;    /* P(an unforced mistake) per trial */
	/* P(writing its calls in another framework's syntax | presented
	 * through this scaffold), by index in jolt_scaffolds[]; the native
	 * scaffold is the policy's home and has none. */
	double scaffold[JOLT_SIM_SCAFFOLDS];
	/* The share of tasks that are too hard: such a task fails on its
	 * baseline and every variant and repeat (jolt_sim_task_hard), so
	 * the baseline pass rate is about 1 - difficulty and pairs are
	 * correlated within a task, as with a real model. */
	double difficulty;
} jolt_sim_profile;

/* Whether profile p finds task `task_id` too hard: a hash of the id
 * alone (not the run seed, variant or repeat) below p->difficulty. */
bool jolt_sim_task_hard(const jolt_sim_profile *p, const char *task_id);

/* Parse "oracle", "robust", "brittle" or "k=v,k=v" (keys: the axes,
 * thinking, noise, difficulty, scaffold.NAME for a text scaffold; values
 * in [0,1]).
 * JOLT_EUSAGE with a message if bad. */
int jolt_sim_profile_parse(jolt_sim_profile *out, const char *spec);

/* Decide the next assistant turn for `req` under profile `p`. Pure: the
 * same (profile, trial, history) gives the same reply on every machine. */
int jolt_sim_decide(jolt_model_reply *out, const jolt_sim_profile *p,
		    const jolt_model_req *req);

#endif
