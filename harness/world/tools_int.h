/*
 * tools_int.h - what the builtin tool files share (tools.c defines them):
 * error and output helpers that keep every builtin's messages and caps
 * alike, and the text builtins of tools_text.c for the registry. Private
 * to harness/world.
 */
#ifndef JOLT_TOOLS_INT_H
#define JOLT_TOOLS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "world/tools.h"

#define FILE_READ_CAP (16 * 1024 * 1024) /* a file a builtin reads */

/* An agent-readable error in *out; returns JOLT_ETOOL. */
int tools_err(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hand b to *out, capped at JOLT_TOOL_OUTPUT_CAP with a note; returns 0. */
int tools_finish(char **out, jolt_buf *b);
/* A string argument: NULL with *rc set (and *out an error) when it is
 * required and missing or not a string. */
const char *tools_arg_string(char **out, const json_t *args, const char *name,
			     bool required, int *rc);
/* rel resolved inside root (*path, caller frees), or JOLT_ETOOL in *out. */
int tools_resolve(char **out, char **path, const char *root, const char *rel);
/* A string option of the tool's `run:` mapping, NULL when absent. */
const char *tools_run_string(const jolt_tool *t, const char *key);
/* A text file of at most cap bytes (*text, caller frees), or JOLT_ETOOL. */
int tools_read_text(char **out, char **text, size_t *len, const char *path,
		    const char *rel, size_t cap);
/* qsort comparator over char *. */
int tools_cmp_str(const void *a, const void *b);

int tools_grep_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		    const json_t *args);
int tools_search_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		      const json_t *args);
int tools_open_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		    const json_t *args);

#endif
