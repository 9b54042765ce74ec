/*
 * vocab.h - the words every layer shares: perturbation axes, trial
 * outcomes, error classes, and the names of the baseline and the default
 * scaffold. Each list is one X-macro, so an enum and its printable names
 * never drift apart. This header depends on nothing: perturb/, reports/
 * and scaffolds/ name these things through it alone, without reaching
 * into the simulator, the driver or the store.
 */
#ifndef JOLT_VOCAB_H
#define JOLT_VOCAB_H

/* The `axis` of an unperturbed trial, and its `variant` name. */
#define JOLT_BASELINE "baseline"

/* The scaffold a trial runs under when none is chosen: the API's own
 * tools field and tool-call objects. */
#define JOLT_SCAFFOLD_DEFAULT "native"

/* The system prompt of a task and suite that give none. */
#define JOLT_DEFAULT_SYSTEM "You are a helpful assistant."

/* What an agent says when it gives up: the simulator's noise, and the
 * planted mistakes of the operators whose characteristic failure is
 * giving up. */
#define JOLT_GIVE_UP "I could not complete this task."

/* X(key) -- the perturbation axes, in DESIGN order. */
#define JOLT_AXES(X) X(tool) X(system) X(user) X(env) X(response)

enum jolt_axis {
#define JOLT_X_ENUM(n) JOLT_AXIS_##n,
	JOLT_AXES(JOLT_X_ENUM)
#undef JOLT_X_ENUM
	JOLT_AXIS_COUNT
};
/* "?" for a value outside the list. */
const char *jolt_axis_name(enum jolt_axis a);
/* -1 when `s` names no axis. */
int jolt_axis_parse(const char *s);

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

/* Bytes of one tool result the agent sees at most: the builtin tools cap
 * their output here and the response axis must not push a result past it,
 * so the two sides share one number. */
#define JOLT_TOOL_OUTPUT_CAP (64 * 1024)

#endif
