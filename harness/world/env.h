/*
 * env.h - working copies: each trial gets a fresh copy of its suite's
 * environment, from a directory or a git repository checked out at a
 * pinned revision with libgit2, and path containment for builtin tools.
 */
#ifndef JOLT_ENV_H
#define JOLT_ENV_H

#include <jansson.h>

#include "core/suite.h"

/* Create a fresh working copy for a trial under `root` (NULL: $TMPDIR or
 * /tmp) and return its absolute path in *out (caller frees). A suite with
 * no environment gets an empty directory. */
int jolt_workdir_create(char **out, const jolt_suite *s, const char *root,
			int slot);
/* Remove a working copy recursively. Refuses paths not made by
 * jolt_workdir_create (they carry a "jolt-wd-" component). */
int jolt_workdir_remove(const char *path);

/* Copy a directory tree (regular files, directories, symlinks as links). */
int jolt_copy_tree(const char *src, const char *dst);

/* Resolve `rel`, a path the agent gave, inside `root`. Refuses with
 * JOLT_EDENIED and an agent-readable message: absolute paths, `..` that
 * leaves root, and symlinks anywhere on the way that resolve outside root.
 * A path to a not-yet-existing file is allowed when its parent resolves
 * inside root (for write_file). *out is absolute, caller frees. */
int jolt_path_resolve(char **out, const char *root, const char *rel);

/* `rel` after the moves in `map` ({OLD: NEW}, json object; NULL = none):
 * a path equal to OLD, or below OLD/, is rewritten to NEW. Always returns
 * a new string (caller frees). */
char *jolt_path_mapped(const json_t *map, const char *rel);

#endif
