/*
 * backend_http.h - the network backends: `openai`, `anthropic` and `m2`.
 * Each pairs a dialect (dialect.h) with the transport (http.h), plus
 * retries with backoff, the run-wide rate limiter (ratelimit.h) and API
 * keys from the environment. backend.c lists them in jolt_backends[].
 *
 * --model PROVIDER:MODEL@URL[,URL...]: several base URLs for one model are
 * served round-robin, one attempt at a time (a retry goes to the next).
 *
 * Keys: JOLT_API_KEY, else the provider's variable (openai: OPENAI_API_KEY
 * then MINIMAX_API_KEY; anthropic: ANTHROPIC_API_KEY then MINIMAX_API_KEY;
 * m2: MINIMAX_API_KEY). openai and anthropic need one unless every URL is
 * on the loopback; m2 never does. A key only ever goes into a request
 * header; every message a backend produces has it masked.
 *
 * Threads: each opened backend owns one jolt_http, i.e. a few loop
 * threads, each with its connection pool, per --model. start() returns at
 * once; done() runs on the thread of the loop the turn's last attempt was
 * dealt to (turns of different trials at the same time), and on error the
 * detail is in jolt_err_msg() of that thread during the call only (copy
 * it there if the work moves to another thread). When start() returns
 * non-zero, done() is not called.
 *
 * Each request carries "X-Jolt-Trial: {suite, variant, key, seed, step,
 * attempt}" (JSON) when the request names a trial, for `jolt serve`.
 */
#ifndef JOLT_BACKEND_HTTP_H
#define JOLT_BACKEND_HTTP_H

#include "model/backend.h"
#include "model/dialect.h"

extern const jolt_backend jolt_backend_openai;
extern const jolt_backend jolt_backend_anthropic;
extern const jolt_backend jolt_backend_m2;

/* open() with an explicit dialect instead of the provider's: for tests
 * that bring their own. The state is used with the hooks of any of the
 * three descriptors above (they differ only in open). */
int jolt_backend_http_open(void **out, const jolt_model_spec *spec,
			   const jolt_dialect *d);

#endif
