/*
 * env.h - working copies: each trial gets a copy of its suite's
 * environment, from a directory or a git repository checked out at a
 * pinned revision with libgit2, identical to a per-process snapshot of it
 * and shared with no other trial, and the edits a variant makes to them.
 */
#ifndef JOLT_ENV_H
#define JOLT_ENV_H

#include <jansson.h>

#include "core/path.h" /* jolt_path_resolve, jolt_path_mapped */
#include "core/suite.h"

/* Where working copies of s go when the user names no root (`root` NULL
 * or empty; else `root` itself): /dev/shm when it is a tmpfs that every
 * sandbox uid can reach and that has room (64 MiB plus 16 times the
 * environment's size on disk free), else $TMPDIR or /tmp. Borrowed. */
const char *jolt_workdir_root(const char *root, const jolt_suite *s);

/* Create a fresh working copy for a trial of task t (NULL: the suite's
 * own revision) under `root` (NULL: jolt_workdir_root) and return its
 * absolute path in *out (caller frees). A git environment is checked out
 * at jolt_task_env_rev(s, t) once per process (the snapshot) and copied.
 * A suite with no environment gets an empty directory. Remove it with
 * jolt_workdir_remove. */
int jolt_workdir_create(char **out, const jolt_suite *s, const jolt_task *t,
			const char *root, int slot);
/* Remove a working copy recursively. Refuses paths not made by
 * jolt_workdir_create (they carry a "jolt-wd-" component). A pooled copy
 * (jolt_workdir_acquire) leaves the pool. */
int jolt_workdir_remove(const char *path);

/* Like jolt_workdir_create, but from the pool: each (root, slot) keeps one
 * copy for the process's life, and handing it to the next trial costs what
 * the previous trial changed (see workpool.c): every entry that differs
 * from the snapshot is restored, every entry the snapshot lacks is
 * deleted. The copy belongs to the caller until jolt_workdir_release; a
 * slot whose copy is still out gets a fresh, unpooled copy. */
int jolt_workdir_acquire(char **out, const jolt_suite *s, const jolt_task *t,
			 const char *root, int slot);
/* Give back a copy from jolt_workdir_acquire (a fresh copy is removed).
 * Frees nothing: the caller still frees `path`. */
int jolt_workdir_release(const char *path);
/* jolt_workdir_release of a copy acquired for `slot` (-1: unknown), where
 * `untouched` vouches that nothing wrote to the copy since it was acquired
 * (no command ran in it, no builtin wrote, no edit was applied): the next
 * trial of the slot then gets it without the walk that finds what
 * changed. */
int jolt_workdir_give_back(const char *path, int slot, bool untouched);

/* The snapshot copies of s for task t are made from, under `root` as in
 * jolt_workdir_create (borrowed; NULL when s has no environment). For
 * tests and benchmarks: nothing may write to it. */
int jolt_workdir_snapshot(const char **out, const jolt_suite *s,
			  const jolt_task *t, const char *root);

/* Copy a directory tree (regular files, directories, symlinks as links). */
int jolt_copy_tree(const char *src, const char *dst);

/* Apply v->env_edits, in order, to the working copy `workdir` (called by
 * the driver and `jolt check` before the first turn). JOLT_EDENIED for a
 * path outside the copy or inside its .git; JOLT_EINPUT for a malformed
 * edit or a git_commit on a copy that is not a repository. */
struct jolt_variant;
int jolt_env_apply(const struct jolt_variant *v, const char *workdir);

#endif
