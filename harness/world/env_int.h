/*
 * env_int.h - what env.c (copies, checkouts, snapshots) and workpool.c
 * (the per-slot pool of working copies) share inside harness/world/.
 * Not for other folders: they use world/env.h.
 */
#ifndef JOLT_ENV_INT_H
#define JOLT_ENV_INT_H

#include <sys/types.h>

#include "core/suite.h"

/* One entry of a snapshot, recorded once when the snapshot is made. */
struct jolt_snap_entry {
	char *rel;   /* path under the snapshot, never "" (the top is apart) */
	mode_t mode; /* st_mode: type and permission bits */
	off_t size;  /* regular files: bytes */
	char *link;  /* symlinks: the target; else NULL */
};

/* A suite environment at one revision, prepared once per process under a
 * root: the pristine tree every working copy of it is made from. Nothing
 * writes to it after it is made; it is removed at exit. */
typedef struct jolt_snap {
	char *key;    /* "dir:PATH", "git:REPO@REV" or "none" */
	char *root;   /* the directory it lives under */
	char *path;   /* ROOT/jolt-wd-XXXXXX; NULL for "none" (empty) */
	mode_t mode;  /* permission bits of its top directory */
	struct jolt_snap_entry *e; /* sorted by rel (strcmp): parents first */
	size_t n;
	struct jolt_snap *next;
} jolt_snap;

/* The snapshot of s's environment for task t (NULL: the suite's revision)
 * under root, made on first use (borrowed; lives until exit). */
int jolt_snap_get(const jolt_snap **out, const jolt_suite *s,
		  const jolt_task *t, const char *root);

/* Copy one regular file to dst (which must not exist), with mode. */
int jolt_copy_file(const char *src, const char *dst, mode_t mode);

/* Make a new, empty ROOT/jolt-wd-XXXXXX; its real path in *out (caller
 * frees). */
int jolt_workdir_mkdir(char **out, const char *root);

/* jolt_workdir_remove without telling the pool. */
int jolt_workdir_rm(const char *path);

/* A pooled copy at path is being removed: the pool makes its slot a new
 * one next time (workpool.c). */
void jolt_pool_forget(const char *path);

#endif
