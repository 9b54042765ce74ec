/*
 * sim.h - simulated models: a scripted policy that follows the task's
 * oracle and makes planted, reproducible mistakes (DESIGN.md, "Simulated
 * models"). Used by the in-process `sim:` backend and by `jolt serve`.
 */
#ifndef JOLT_SIM_H
#define JOLT_SIM_H

#include <jansson.h>

#include "core/vocab.h"
#include "model/backend.h"

typedef struct jolt_sim_profile {
	double axis[JOLT_AXIS_COUNT]; /* P(characteristic mistake | axis perturbed) */
	double thinking; /* P(losing track | own earlier thinking missing) */
	double noise;    /* P(an unforced mistake) per trial */
} jolt_sim_profile;

/* Parse "oracle", "robust", "brittle" or "k=v,k=v" (keys: the axes,
 * thinking, noise; values in [0,1]). JOLT_EUSAGE with a message if bad. */
int jolt_sim_profile_parse(jolt_sim_profile *out, const char *spec);

/* Decide the next assistant turn for `req` under profile `p`. Pure: the
 * same (profile, trial, history) gives the same reply on every machine. */
int jolt_sim_decide(jolt_model_reply *out, const jolt_sim_profile *p,
		    const jolt_model_req *req);

#endif
