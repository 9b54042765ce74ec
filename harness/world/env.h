/*
 * env.h - working copies: each trial gets a fresh copy of its suite's
 * environment, from a directory or a git repository checked out at a
 * pinned revision with libgit2, and the edits a variant makes to them.
 */
#ifndef JOLT_ENV_H
#define JOLT_ENV_H

#include <jansson.h>

#include "core/path.h" /* jolt_path_resolve, jolt_path_mapped */
#include "core/suite.h"

/* Create a fresh working copy for a trial of task t (NULL: the suite's
 * own revision) under `root` (NULL: $TMPDIR or /tmp) and return its
 * absolute path in *out (caller frees). A git environment is checked out
 * at jolt_task_env_rev(s, t). A suite with no environment gets an empty
 * directory. */
int jolt_workdir_create(char **out, const jolt_suite *s, const jolt_task *t,
			const char *root, int slot);
/* Remove a working copy recursively. Refuses paths not made by
 * jolt_workdir_create (they carry a "jolt-wd-" component). */
int jolt_workdir_remove(const char *path);

/* Copy a directory tree (regular files, directories, symlinks as links). */
int jolt_copy_tree(const char *src, const char *dst);

/* Apply v->env_edits, in order, to the working copy `workdir` (called by
 * the driver and `jolt check` before the first turn). JOLT_EDENIED for a
 * path outside the copy or inside its .git; JOLT_EINPUT for a malformed
 * edit or a git_commit on a copy that is not a repository. */
struct jolt_variant;
int jolt_env_apply(const struct jolt_variant *v, const char *workdir);

#endif
