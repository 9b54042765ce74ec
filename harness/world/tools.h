/*
 * tools.h - executing the agent's tool calls: the builtin tools written in
 * C and exec: tools run in the sandbox.
 *
 * A call returns 0 with the text the agent sees in *out, or JOLT_ETOOL with
 * an agent-readable error text in *out (bad arguments, file not found, path
 * refused, non-zero exit, timeout...). Only faults of the harness itself
 * (sandbox could not start) return other codes; those are infra errors.
 *
 * Adding a builtin: write `static int NAME_call(...)` and, when its `run:`
 * mapping takes options, `NAME_check`; add a row to the table in tools.c;
 * document it in README.md; add a case to tests/unit/test_tools.c.
 */
#ifndef JOLT_TOOLS_H
#define JOLT_TOOLS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/suite.h"
#include "core/vocab.h" /* JOLT_TOOL_OUTPUT_CAP */

/* What a running tool may touch. */
typedef struct jolt_tool_ctx {
	const jolt_suite *suite;
	const char *workdir; /* the trial's working copy, absolute */
	int slot;            /* worker slot, for the sandbox uid */
	char *final_answer;  /* set by `submit` (owned by the ctx user) */
	bool submitted;
	/* Variant plumbing (perturb.h), both may be NULL: paths moved in the
	 * working copy ({OLD: NEW}), applied to builtin tools' `file`/`dir`
	 * options; and extra "NAME=value" strings for exec tools (TZ, LANG),
	 * NULL-terminated. */
	const json_t *path_map;
	const char *const *env_vars;
	struct jolt_execmemo *memo; /* exec: tools go through it; may be NULL */
} jolt_tool_ctx;

typedef struct jolt_builtin {
	const char *name;
	const char *description;
	/* Validate the tool's `run:` mapping at load time; NULL = none taken.
	 * Returns 0 or JOLT_EINPUT with a message. */
	int (*check)(const json_t *run, const jolt_suite *s);
	/* Execute. `args` is the call's argument object. *out is owned by
	 * the caller. */
	int (*call)(char **out, jolt_tool_ctx *ctx, const jolt_tool *tool,
		    const json_t *args);
	/* Never writes to the working copy (the pool then skips looking
	 * for changes after a trial that called only such tools). */
	bool read_only;
} jolt_builtin;

const jolt_builtin *jolt_builtin_find(const char *name);
/* The registry, NULL-name terminated (for docs and --help). */
extern const jolt_builtin jolt_builtins[];

/* Run one call of `tool` with `args` (an object; anything else is a tool
 * error). Validates required arguments and their JSON types against the
 * tool's schema first. */
int jolt_tool_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *tool,
		   const json_t *args);
/* Whether a call of `tool` can leave the working copy as it found it
 * for sure: a builtin marked read_only (a command may write anything). */
bool jolt_tool_read_only(const jolt_tool *tool);

#endif
