/*
 * path.h - relative paths confined to a root directory (what the agent,
 * the operators and the graders may name), and moved-path rewriting.
 */
#ifndef JOLT_PATH_H
#define JOLT_PATH_H

#include <jansson.h>
#include <stdbool.h>

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

/* Whether a relative path has a ".git" component: environment edits and
 * the operators that plan them never reach into a repository's own
 * metadata. */
bool jolt_path_in_git_dir(const char *rel);

#endif
