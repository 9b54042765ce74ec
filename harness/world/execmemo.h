/*
 * execmemo.h - remembering what a sandboxed command did, for replays.
 *
 * `jolt check` replays each task's oracle once per variant, and most
 * variants (every tool, system, user and response operator) leave the
 * working copy exactly as the baseline left it when the tests run: the
 * same command on the same files. A memo runs such a command once and
 * gives its result to the others.
 *
 * A command's result is remembered under a SHA-256 of everything that
 * decides it: the working copy's tree (every entry's relative path,
 * type, permission bits and content, .git included; not times or
 * owners), the command, its extra environment strings, its timeout,
 * output cap and resource limits. What the command changed in the tree
 * is remembered with its output (files written, with their content and
 * mode, and entries removed), and a hit makes the same changes, owned by
 * the slot's sandbox uid as the command's own would be; so a stateful
 * tool (a mock API that writes its state file) is remembered too. Not
 * remembered: a command that timed out, or that changed more than 4 MiB.
 * The working copy's own path, which differs between slots, is stored
 * as a placeholder in the output and put back on a hit.
 *
 * What a memo assumes: a command is a function of the tree and its
 * environment (jolt's sandbox has no network and a private /tmp; the
 * rest of the host is read-only and does not change during one jolt
 * process). A command that reads the clock or a random source gets the
 * first run's output. That is why only replays use a memo, never the
 * trials of a model, and `--no-cache` turns it off.
 */
#ifndef JOLT_EXECMEMO_H
#define JOLT_EXECMEMO_H

#include <stddef.h>

struct jolt_sandbox_opts;
struct jolt_sandbox_result;

typedef struct jolt_execmemo jolt_execmemo;

jolt_execmemo *jolt_execmemo_new(void);
void jolt_execmemo_free(jolt_execmemo *m);

/* jolt_sandbox_run through the memo: a remembered result when one is
 * kept for this tree and command, else a run (remembered when it may
 * be). Thread-safe: while one thread runs a command, another that
 * reaches the same key waits for its result (and runs it itself when it
 * was not remembered). Same returns as jolt_sandbox_run, and JOLT_EIO
 * when a remembered change cannot be made in the working copy. */
int jolt_execmemo_run(jolt_execmemo *m, struct jolt_sandbox_result *out,
		      const struct jolt_sandbox_opts *o);

/* Commands answered from the memo, and commands run through it. */
void jolt_execmemo_counts(const jolt_execmemo *m, size_t *hits,
			  size_t *runs);

/* The tree's hash as the memo takes it (64 hex digits): false when the
 * tree cannot be read or is too big to hash (then nothing is
 * remembered). Exposed for tests. */
int jolt_execmemo_tree_hash(char out[65], const char *dir);

#endif
