/*
 * checkcache.h - what an oracle or planted-mistake replay concluded,
 * remembered across processes, so that `jolt check` and `jolt run`'s
 * pre-check pay for each replay once.
 *
 * An entry is keyed by a SHA-256 over everything that decides the replay:
 * jolt's build (the binary's GNU build id, else a hash of the binary
 * itself, so a rebuilt jolt never trusts an older one's results), the
 * suite (suite.yaml's bytes and its environment: the env directory's
 * tree, or the env repository's revision resolved to a commit), the task
 * (its file's bytes and the commit of its own env revision), the variant
 * (name, operator, level, seed), oracle or mistake, and the trajectory
 * limits that can change an outcome (--max-steps, --max-tokens,
 * --history). Editing one task's file changes only that task's keys;
 * editing suite.yaml or the environment changes the whole suite's.
 *
 * Only judged outcomes are kept (pass, or a fail that did not hit the
 * wall clock): a harness fault or an infra outcome is retried next time.
 * A cached result that took longer than the current --timeout is not
 * used.
 *
 * The cache is an optimisation, never a failure: a directory that cannot
 * be made, a database that cannot be opened or written, a corrupt file
 * (set aside as check.db.corrupt and started afresh) are each one warning
 * on stderr and replays that are simply run.
 *
 * Threads: jolt_checkcache_key is for one thread at a time (it memoises
 * per suite and task, by address: the suites keyed must outlive the cache
 * object); get and put may be called from any thread.
 */
#ifndef JOLT_CHECKCACHE_H
#define JOLT_CHECKCACHE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/trial.h"
#include "run/driver.h"

typedef struct jolt_checkcache jolt_checkcache;

struct jolt_variant;

/* The directory the cache lives in when none is given: $JOLT_CACHE_DIR,
 * else $XDG_CACHE_HOME/jolt, else $HOME/.cache/jolt. Owned by the caller;
 * NULL when none of them is set. */
char *jolt_checkcache_default_dir(void);

/* Open (creating as needed) DIR/check.db; dir NULL means the default.
 * Never fails: on trouble it warns on stderr and returns a cache that
 * remembers nothing. Caller closes. */
jolt_checkcache *jolt_checkcache_open(const char *dir);
void jolt_checkcache_close(jolt_checkcache *c);

/* The key of replaying v (its planted mistake when `mistake`) under d,
 * as 64 hex digits. False when it cannot be computed (a file that cannot
 * be read, a revision that cannot be resolved): then the replay is run
 * and not remembered. */
bool jolt_checkcache_key(jolt_checkcache *c, char out[65],
			 const struct jolt_variant *v, bool mistake,
			 const jolt_driver_cfg *d);
/* The same for a replay named `replay`: "oracle", "mistake", or the
 * label-free sim profile replayed ("literal", "null"). */
bool jolt_checkcache_key_as(jolt_checkcache *c, char out[65],
			    const struct jolt_variant *v, const char *replay,
			    const jolt_driver_cfg *d);

/* A remembered result: fills outcome, error_class, reward, steps,
 * latency_ms and detail (owned by *out; no trace). False on a miss, or
 * when the result took longer than d's wall clock allows. */
bool jolt_checkcache_get(jolt_checkcache *c, jolt_trial_result *out,
			 const char key[65], const jolt_driver_cfg *d);

/* Remember r under key when it is a judged outcome (see above). */
void jolt_checkcache_put(jolt_checkcache *c, const char key[65],
			 const struct jolt_variant *v, bool mistake,
			 const jolt_trial_result *r);

/* The trace kept with the result under key (jolt_checkcache_put_trace):
 * *out is a new reference, NULL on a miss. A replay asked for its trace
 * (jolt check's baseline oracles, whose tool results decide the response
 * axis's visible change and sim:literal's expectations) is taken from the
 * cache only when both its result and its trace are kept. */
bool jolt_checkcache_get_trace(jolt_checkcache *c, json_t **out,
			       const char key[65]);
/* Keep the trace of the replay whose result is under key; one whose JSON
 * is over 8 MiB is not kept. */
void jolt_checkcache_put_trace(jolt_checkcache *c, const char key[65],
			       const json_t *trace);

/* Whether the cache remembers anything (false once disabled by a
 * warning); for messages and tests. */
bool jolt_checkcache_usable(const jolt_checkcache *c);

#endif
