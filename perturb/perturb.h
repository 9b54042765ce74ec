/*
 * perturb.h - perturbation operators and the variants they build
 * (DESIGN.md, "The five perturbation axes").
 *
 * A variant is everything about one trial's world that an operator may
 * change, starting from the baseline (the task as written). Operators are
 * pure functions of (suite, task, level, seed): the same inputs give a
 * byte-identical variant on every machine (jolt_variant_dump is the
 * canonical form golden tests compare). A variant is named
 * TASK/AXIS.OPERATOR@LEVEL#SEED and can be rebuilt anywhere from the name.
 *
 * Semantics are checked, not hoped for. Each variant carries:
 *  - `oracle`: the reference solution as it must be replayed on this
 *    variant (tool and parameter names as shown, moved paths, a retry after
 *    a transient error...); `jolt check` requires it to pass `grade`;
 *  - `mistake`: what a model that is thrown by this perturbation does
 *    instead (calls the old tool name, opens the old path, gives up after
 *    the tool error, obeys the injected text, guesses instead of asking);
 *    `jolt check` requires it to FAIL `grade`. The simulated models make
 *    exactly this mistake with their per-axis probability, which is why a
 *    planted sensitivity is measured exactly.
 *
 * Ownership: a jolt_variant owns every field (json_t: one reference each);
 * jolt_variant_free releases it. Suites and tasks are borrowed and must
 * outlive the variant. Variants are read-only once built and shared by
 * worker threads.
 *
 * Adding an operator: write `static int NAME_apply(jolt_variant *v,
 * const jolt_op_ctx *c)` in perturb/AXIS.c, add a row to that file's table
 * (name, axis, description, max level, kind, expect), make sure
 * `jolt check suites/starter --seeds 1..5` passes every level (an
 * invariant variant must also change what the model is shown: return
 * JOLT_ENOTFOUND where the operator would change nothing; `--teeth` shows
 * whether it changes the task's mechanics or only its looks), and add a
 * golden case under tests/golden/perturb/.
 */
#ifndef JOLT_PERTURB_H
#define JOLT_PERTURB_H

#include <jansson.h>
#include <stdint.h>

#include "core/vocab.h"
#include "core/suite.h"

enum jolt_op_kind {
	JOLT_OP_INVARIANT,   /* the task's answer is unchanged */
	JOLT_OP_DIRECTIONAL, /* correct behaviour changes; `expect` says how */
};

typedef struct jolt_variant {
	char *name;              /* TASK/AXIS.OP@LEVEL#SEED, or TASK/baseline */
	const jolt_suite *suite;
	const jolt_task *task;
	const struct jolt_op *op; /* NULL for the baseline */
	int level;               /* 1..3; 0 for the baseline */
	uint64_t seed;

	/* What the model sees. */
	char *system;            /* the system prompt */
	json_t *user;            /* array of strings: the user message(s) */
	json_t *tools;           /* [{name, description, parameters}] as shown */

	/* How a call the model makes maps back to a suite tool (tool axis):
	 * {SHOWN: {"tool": ORIGINAL, "params": {SHOWN_P: ORIGINAL_P}}} or
	 * {SHOWN: {"distractor": true}}. A shown name absent from the map is
	 * the suite tool of that name. */
	json_t *tool_map;

	/* The environment (env axis). Edits are applied in order to each
	 * fresh working copy, before the model's first turn:
	 *   {"op": "rename", "from": P, "to": Q}   (files or directories)
	 *   {"op": "write", "path": P, "content": S}
	 *   {"op": "delete", "path": P}
	 *   {"op": "git_commit", "message": M}     (commit all, fixed author
	 *                                           and date: reproducible) */
	json_t *env_edits;
	json_t *env_vars;        /* {"TZ": ..., "LANG": ...}: exec tools, graders */
	/* {OLD: NEW} paths moved by env_edits. Applied to builtin tools' `run`
	 * options (file, dir) and to `file` graders' paths, so the harness's
	 * own plumbing follows the move; the model is not told. */
	json_t *path_map;

	/* Tool responses (response axis), applied per call by the driver
	 * through jolt_response_apply(); null when not perturbed. */
	json_t *response;

	/* Correct behaviour. */
	json_t *oracle;          /* steps, as in the task: {call:{name,args}} | {answer} */
	json_t *grade;           /* graders for this variant */
	/* What a thrown model does instead: {"at": K, "steps": [...]} -- it
	 * follows `oracle` for steps 0..K-1, then these steps (the last an
	 * answer). */
	json_t *mistake;
	/* A short human description of what this variant changed. */
	char *summary;
} jolt_variant;

typedef struct jolt_op_ctx {
	const jolt_suite *suite;
	const jolt_task *task;
	int level;
	uint64_t seed;
	/* Reproducible randomness: jolt_op_rand(c, "what", i) in [0, 1). */
} jolt_op_ctx;

double jolt_op_rand(const jolt_op_ctx *c, const char *what, uint64_t i);
/* A reproducible index in [0, n) (n > 0) drawn from jolt_op_rand. */
size_t jolt_op_pick(const jolt_op_ctx *c, const char *what, uint64_t i,
		    size_t n);

/* When a seeded shuffle happens to leave every element in place, an
 * operator that promised a reorder still reorders: */
enum jolt_shuffle_unmoved {
	JOLT_SHUFFLE_ROTATE,  /* out[i] = (i + 1) % n */
	JOLT_SHUFFLE_REVERSE, /* out[i] = n - 1 - i */
};
/* A reproducible permutation of 0..n-1 in out[0..n): Fisher-Yates from
 * the end, element i swapped with jolt_op_pick(c, what, base + i, i + 1);
 * never the identity when n > 1 (see `unmoved`). */
void jolt_op_shuffle(size_t *out, size_t n, const jolt_op_ctx *c,
		     const char *what, uint64_t base,
		     enum jolt_shuffle_unmoved unmoved);

typedef struct jolt_op {
	const char *name;        /* unique across all axes */
	enum jolt_axis axis;
	const char *description; /* one line, for `jolt ops` and the docs */
	int max_level;           /* levels 1..max_level exist (1 to 3) */
	enum jolt_op_kind kind;
	const char *expect;      /* directional: the behaviour that counts as
	                          * correct; NULL for invariant */
	/* Change `v` (a copy of the baseline) in place. JOLT_ENOTFOUND when
	 * the operator does not apply to this task (e.g. nothing to rename):
	 * no variant is made. Other errors are bugs in the operator. */
	int (*apply)(jolt_variant *v, const jolt_op_ctx *c);
} jolt_op;

/* The registry: one table per axis, each terminated by a row with a NULL
 * name, defined in perturb/AXIS.c. jolt_op_at() walks them in axis order
 * (tool, system, user, env, response), then table order. */
extern const jolt_op jolt_ops_tool[];
extern const jolt_op jolt_ops_system[];
extern const jolt_op jolt_ops_user[];
extern const jolt_op jolt_ops_env[];
extern const jolt_op jolt_ops_response[];
size_t jolt_op_count(void);
const jolt_op *jolt_op_at(size_t i);
const jolt_op *jolt_op_find(const char *name);

/* Build the baseline (op NULL) or a variant. JOLT_ENOTFOUND when the
 * operator does not apply to this task; JOLT_EUSAGE for a level the
 * operator lacks. */
int jolt_variant_build(jolt_variant **out, const jolt_suite *s,
		       const jolt_task *t, const jolt_op *op, int level,
		       uint64_t seed);
/* Rebuild from a name TASK/AXIS.OP@LEVEL#SEED or TASK/baseline. */
int jolt_variant_from_name(jolt_variant **out, const jolt_suite *s,
			   const char *name);
void jolt_variant_free(jolt_variant *v);
/* Replace v->mistake with {"at": at, "steps": steps} (steps stolen). */
void jolt_variant_mistake(jolt_variant *v, int at, json_t *steps);
/* The thrown model gives up before its first call (JOLT_GIVE_UP). */
void jolt_variant_give_up(jolt_variant *v);
/* Replace v->summary (printf style); for operators. */
void jolt_variant_summary(jolt_variant *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Canonical JSON of everything the variant holds (for golden tests,
 * --diff and the trace). Caller owns the result. */
json_t *jolt_variant_dump(const jolt_variant *v);
/* A readable unified diff of `v` against `base`, appended to *out
 * (caller frees). */
int jolt_variant_diff(char **out, const jolt_variant *base,
		      const jolt_variant *v);

/* Environment access for operators (envsnap.c): the files task t of s
 * sees (the suite's env directory, or its git tree at the task's revision
 * when the task sets one, else the suite's) as a sorted array of relative
 * paths, and a file's bytes. t may be NULL (the suite's revision). Read
 * once per (repository, revision) per process and cached. */
int jolt_env_list(json_t **out, const jolt_suite *s, const jolt_task *t);
int jolt_env_read(char **out, size_t *len, const jolt_suite *s,
		  const jolt_task *t, const char *path);
/* The edits are applied to a working copy by jolt_env_apply in
 * world/env.h: perturb never touches a working copy. */

/* Per-call tool-response perturbation (called by the driver after each
 * tool call). `state` is per trajectory: NULL-initialised by the driver,
 * freed with jolt_response_state_free. `call_index` counts calls in the
 * trajectory from 0. May replace *output (freeing the old) and flip
 * *is_error. Returns 0; records what it did in *note (caller frees, may
 * be NULL) for the trace. */
typedef struct jolt_response_state jolt_response_state;
int jolt_response_apply(const jolt_variant *v, jolt_response_state **state,
			int call_index, const char *tool, const json_t *args,
			char **output, int *is_error, char **note);
void jolt_response_state_free(jolt_response_state *st);

#endif
