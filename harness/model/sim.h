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

/* Who decides the turns. The label-free policies read the request alone
 * (the conversation, and the task's baseline oracle looked up by task id),
 * never the variant: `jolt check` uses them to check the perturbations
 * themselves. */
enum jolt_sim_policy {
	JOLT_SIM_SCRIPTED, /* the variant's oracle, with planted mistakes */
	JOLT_SIM_LITERAL,  /* the baseline's oracle word for word */
	JOLT_SIM_NULL,     /* answers at once, no tool call */
};

/* sim:null's whole reply. */
#define JOLT_SIM_NULL_ANSWER "I don't know."

typedef struct jolt_sim_profile {
	enum jolt_sim_policy policy; /* the axes and the rest are 0 unless
				      * scripted */
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

/* Parse "oracle", "robust", "brittle", "literal", "null" or "k=v,k=v"
 * (keys: the axes, thinking, noise, difficulty, scaffold.NAME for a text
 * scaffold; values in [0,1]).
 * JOLT_EUSAGE with a message if bad. */
int jolt_sim_profile_parse(jolt_sim_profile *out, const char *spec);

/* What sim:literal expects its tool results to look like on task `task`
 * of suite `suite`: `results` is the baseline oracle's tool results in
 * call order (an array of strings, as a replay's trace shows them). The
 * policy keeps their form (runs of letters and digits as one mark, runs
 * of blanks as one blank, punctuation as is), and gives up on a result
 * whose form differs: it reads values where the baseline's format had
 * them. Without an entry it only stops at errors: `jolt check`, `jolt
 * run` and `jolt serve` each give it one from a traced baseline replay
 * (run/visible.h) before it plays the task. Any thread may add an entry
 * while others play; forget only when none plays. */
void jolt_sim_literal_expect(const char *suite, const char *task,
			     const json_t *results);
/* Whether sim:literal has an entry for task `task` of suite `suite`. */
bool jolt_sim_literal_knows(const char *suite, const char *task);
void jolt_sim_literal_forget(void);
/* The form of a tool result, as above (caller frees). */
char *jolt_sim_form(const char *text);

/* Decide the next assistant turn for `req` under profile `p`. Pure: the
 * same (profile, trial, history) gives the same reply on every machine. */
int jolt_sim_decide(jolt_model_reply *out, const jolt_sim_profile *p,
		    const jolt_model_req *req);

#endif
