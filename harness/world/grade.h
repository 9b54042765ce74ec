/*
 * grade.h - grading a finished trial on its final state. Never an LLM.
 *
 * A task's `grade:` list holds graders; all must pass. Each is a one-key
 * mapping:
 *   answer:  {regex: RE} | {exact: STR} | {contains: STR}
 *            | {number: X, tolerance: T}  (on the final answer)
 *   command: {run: CMD, exit: 0, timeout: SEC}  (sandboxed, in the workdir)
 *   file:    {path: P, exists: BOOL | equals: STR | regex: RE | sha256: HEX}
 *   calls:   {must: [CALL...], must_not: [CALL...]}  CALL = {name, args?}
 *            (args listed must match the call's values; others ignored)
 *   no_calls: true   (the agent made no tool call)
 */
#ifndef JOLT_GRADE_H
#define JOLT_GRADE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/suite.h"

typedef struct jolt_grade_input {
	const jolt_suite *suite;
	const jolt_task *task;
	const json_t *graders; /* the array to apply (usually task->grade) */
	const char *workdir;   /* final state of the working copy */
	const char *answer;    /* final answer text, "" when none */
	const json_t *calls;   /* array of {name, arguments} made, in order */
	int slot;
	/* Variant plumbing, may be NULL: moved paths ({OLD: NEW}) applied to
	 * `file` graders, and extra "NAME=value" strings (TZ, LANG) for
	 * `command` graders, NULL-terminated. */
	const json_t *path_map;
	const char *const *env_vars;
	struct jolt_execmemo *memo; /* command graders go through it; may be NULL */
} jolt_grade_input;

/* Validate a grader list at load time (regexes compile, keys known). */
int jolt_grade_check(const json_t *graders, const char *file);

/* Run the graders. *pass is true iff all pass; *detail (caller frees)
 * says which failed and why, one line each, or "" on pass. Returns non-zero
 * only for harness faults (sandbox could not start): infra, not fail. */
int jolt_grade_run(bool *pass, char **detail, const jolt_grade_input *in);

/* Numbers in free text: signs, decimals, thousands separators; dates
 * (2024-03-15, 03/15/2024) and times (12:30) are not numbers. Returns the
 * count found (up to max) in out[]. Exposed for tests. */
size_t jolt_grade_numbers(double *out, size_t max, const char *text);
/* The next number in `text` from byte *pos on (grade_number.c); false
 * when there is none. *pos moves past what was read. */
bool jolt_grade_number_next(double *out, const char *text, size_t *pos);

#endif
