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

/* X(enum, printable) -- trial outcomes as stored and reported. */
#define JOLT_OUTCOMES(X)                                                     \
	X(PASS, "pass")                                                      \
	X(FAIL, "fail")                                                      \
	X(INFRA, "infra_error")

enum jolt_outcome {
#define JOLT_X_ENUM(n, s) JOLT_OUTCOME_##n,
	JOLT_OUTCOMES(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};
const char *jolt_outcome_name(enum jolt_outcome o);
/* -1 when `s` names no outcome. */
int jolt_outcome_parse(const char *s);

/* X(enum, printable) -- why a trial ended the way it did. */
#define JOLT_ERROR_CLASSES(X)                                                \
	X(NONE, "")                                                          \
	X(GRADED_FAIL, "graded_fail")   /* finished, a grader failed */      \
	X(MAX_STEPS, "max_steps")       /* step limit hit */                 \
	X(MAX_TOKENS, "max_tokens")     /* token budget hit */               \
	X(WALL_CLOCK, "wall_clock")     /* --timeout hit */                  \
	X(NO_ANSWER, "no_answer")       /* stopped without an answer */      \
	X(INFRA_MODEL, "infra_model")   /* backend unreachable after retries */ \
	X(INFRA_SANDBOX, "infra_sandbox") /* sandbox could not start */      \
	X(INFRA_ENV, "infra_env")       /* working copy could not be made */

enum jolt_error_class {
#define JOLT_X_ENUM(n, s) JOLT_EC_##n,
	JOLT_ERROR_CLASSES(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};
const char *jolt_error_class_name(enum jolt_error_class c);

typedef struct jolt_trial {
	const char *model;     /* the --model spec as given */
	const char *scaffold;  /* "native" until scaffolds land */
	const jolt_suite *suite;
	const jolt_task *task;
	const char *variant;   /* "baseline" or TASK/AXIS.OPERATOR@LEVEL#SEED */
	const char *axis;      /* "baseline" or an axis key */
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
