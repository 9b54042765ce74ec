/*
 * trial.h - one trial = (model, scaffold, task, variant, repeat), and what
 * running it produced. Shared by the driver, the backends, the store and
 * the reports.
 */
#ifndef JOLT_TRIAL_H
#define JOLT_TRIAL_H

#include <jansson.h>
#include <stdint.h>

#include "core/suite.h"
#include "core/vocab.h"

typedef struct jolt_trial {
	const char *model;     /* the --model spec as given */
	const char *scaffold;  /* scaffold name, JOLT_SCAFFOLD_DEFAULT unless chosen */
	const jolt_suite *suite;
	const jolt_task *task;
	const char *variant;   /* JOLT_BASELINE or TASK/AXIS.OPERATOR@LEVEL#SEED */
	const char *axis;      /* JOLT_BASELINE or an axis key */
	const char *op;        /* operator name, "" for baseline */
	int level;             /* 0 for baseline */
	uint64_t vseed;        /* variant seed, 0 for baseline */
	int repeat;            /* 0-based */
	uint64_t seed;         /* the run's --seed */
	char *key;             /* unique: model|scaffold|suite|task|variant|repeat */
	/* The world this trial runs in (perturb.h); NULL means the baseline
	 * built on the fly. Borrowed, outlives the trial. */
	const struct jolt_variant *v;
} jolt_trial;

/* Build trial->key from the fields (caller frees it). */
char *jolt_trial_key(const jolt_trial *t);

typedef struct jolt_trial_result {
	enum jolt_outcome outcome;
	enum jolt_error_class error_class;
	double reward;        /* 1.0 pass, 0.0 fail */
	int steps;            /* model turns taken */
	long tokens_in;
	long tokens_out;
	long latency_ms;      /* wall clock of the whole trial */
	int malformed_calls;  /* tool calls the model got wrong in form */
	char *answer;         /* final answer, owned, may be NULL */
	char *detail;         /* grader or error detail, owned, may be NULL */
	json_t *trace;        /* {messages: [...], events: [...]}, owned */
} jolt_trial_result;

void jolt_trial_result_release(jolt_trial_result *r);

#endif
