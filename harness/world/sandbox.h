/*
 * sandbox.h - run a command contained: bubblewrap with no network, only the
 * working copy writable, a private /tmp, /home and /root hidden, an
 * environment holding only what the tool is given, resource limits, an unprivileged
 * uid, and a wall-clock timeout that kills the whole process group.
 *
 * Used by exec: tools and the `command` grader. Arguments are passed as
 * environment variables, never spliced into the shell string.
 */
#ifndef JOLT_SANDBOX_H
#define JOLT_SANDBOX_H

#include <stddef.h>

#include "core/buf.h"

typedef struct jolt_sandbox_opts {
	const char *workdir;   /* absolute; bound read-write, and the cwd */
	const char *command;   /* run as: /bin/sh -c COMMAND */
	const char *const *env;/* extra "NAME=value" strings, NULL-terminated */
	double timeout_s;      /* wall clock; 0 = 30 s */
	size_t output_cap;     /* bytes of combined stdout+stderr kept; 0 = 64 KiB */
	long cpu_s;            /* RLIMIT_CPU; 0 = 60 */
	long mem_mb;           /* RLIMIT_AS in MiB; 0 = 1024 */
	long nproc;            /* RLIMIT_NPROC; 0 = 128 */
	long fsize_mb;         /* RLIMIT_FSIZE in MiB; 0 = 64 */
	int slot;              /* worker slot: picks a distinct uid per slot */
	/* Replays only: answer from, and remember in, this memo of
	 * commands (world/execmemo.h); NULL runs every command. */
	struct jolt_execmemo *memo;
} jolt_sandbox_opts;

typedef struct jolt_sandbox_result {
	int exit_code;      /* exit status, or 128+signal */
	int timed_out;      /* killed by the wall clock */
	int truncated;      /* output hit output_cap (the rest was drained) */
	char *output;       /* combined stdout+stderr, owned, NUL-terminated */
	long elapsed_ms;
} jolt_sandbox_result;

/* Run and wait. Returns 0 when the command ran (whatever its exit status),
 * JOLT_ESANDBOX when the sandbox itself could not be set up (that is an
 * infrastructure fault, not the agent's). */
int jolt_sandbox_run(jolt_sandbox_result *out, const jolt_sandbox_opts *o);
/* The same, always running the command (o->memo ignored). */
int jolt_sandbox_exec(jolt_sandbox_result *out, const jolt_sandbox_opts *o);
void jolt_sandbox_result_release(jolt_sandbox_result *r);

/* The uid a sandboxed command runs as, when jolt runs as root: distinct
 * per worker slot and per jolt process, so concurrent runs on one machine
 * do not share a process-count limit (RLIMIT_NPROC counts per uid) or
 * their working copies. Slots are 0..JOLT_SANDBOX_SLOTS-1 (the cap on
 * --concurrency); each process claims one of JOLT_SANDBOX_BANDS bands
 * with a lock file under JOLT_SANDBOX_BAND_DIR. */
#define JOLT_SANDBOX_SLOTS 4096
#define JOLT_SANDBOX_BANDS 65536
#define JOLT_SANDBOX_BAND_DIR "/run/jolt-sandbox"
unsigned jolt_sandbox_uid(int slot);
/* Claim the first free band from `start` on (mod JOLT_SANDBOX_BANDS) by
 * locking its file for the life of the process; exposed for tests. */
unsigned jolt_sandbox_claim_band(unsigned start);

/* Prepare a directory for use as a sandbox working copy: make it owned by
 * the sandbox uid for `slot` (when running as root). */
int jolt_sandbox_prepare_dir(const char *dir, int slot);

#endif
