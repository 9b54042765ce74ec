/*
 * common.h - error codes, the thread-local last-error message, and the few
 * allocation helpers every module uses.
 *
 * Rules: actions return int, 0 or a negative JOLT_E* code, and pass codes up
 * unchanged. The human-readable detail goes to jolt_err_set() on the thread
 * that failed; the caller that reports the error reads jolt_err_msg().
 * Predicates return bool. assert() is for programmer errors only.
 */
#ifndef JOLT_COMMON_H
#define JOLT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* The system headers that use the banned names in their own macros must
 * come before banned.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JOLT_VERSION "0.1.0"

/* X(name, value, printable) -- the one list of error codes. */
#define JOLT_ERRORS(X)                                                       \
	X(OK, 0, "ok")                                                       \
	X(ENOMEM, -1, "out of memory")                                       \
	X(EUSAGE, -2, "usage error")                                         \
	X(EINPUT, -3, "bad input")                                           \
	X(EIO, -4, "i/o error")                                              \
	X(ENOTFOUND, -5, "not found")                                        \
	X(ETOOBIG, -6, "over a size cap")                                    \
	X(ETIMEOUT, -7, "timed out")                                         \
	X(EINFRA, -8, "infrastructure failure")                              \
	X(ESANDBOX, -9, "sandbox failure")                                   \
	X(EDENIED, -10, "refused")                                           \
	X(ETOOL, -11, "tool error")                                          \
	X(EMODEL, -12, "malformed model output")                             \
	X(ESTORE, -13, "results store failure")                              \
	X(EINTERNAL, -14, "internal error")                                  \
	X(EFAILED, -15, "check failed")

enum jolt_err {
#define JOLT_X_ENUM(n, v, s) JOLT_##n = (v),
	JOLT_ERRORS(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};

/* Printable name of a code ("bad input"); "unknown error" for others. */
const char *jolt_err_name(int code);

/* Set the thread-local detail message (printf style) and return `code`, so
 * a failing path reads: return jolt_err_set(JOLT_EINPUT, "...", ...). */
int jolt_err_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Wrap the current detail in context: the message becomes "CONTEXT: OLD"
 * (just "CONTEXT" when there was none) and `code` is returned. Use this,
 * never jolt_err_set(code, "...: %s", jolt_err_msg()), which would format
 * the buffer into itself. The arguments may point into the old message. */
int jolt_err_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last detail set on this thread, or "" when none. Borrowed; valid until
 * the next jolt_err_set on this thread. */
const char *jolt_err_msg(void);
void jolt_err_clear(void);

/* Process exit status for an error code (DESIGN.md: 0 ok, 1 check/gate
 * failed, 2 usage or input error, 3 infrastructure failure). JOLT_EFAILED
 * is how a command says "the check or gate did not hold": the program
 * worked, the thing it judged did not pass, and the status is 1. */
int jolt_exit_code(int code);

/* Allocation that aborts on failure: out-of-memory is not something an eval
 * harness can recover from meaningfully, and checking every small strdup
 * would bury the logic. Large or untrusted-size allocations use plain
 * malloc and return JOLT_ENOMEM instead. */
void *jolt_xmalloc(size_t n);
void *jolt_xcalloc(size_t n, size_t size);
void *jolt_xrealloc(void *p, size_t n);
char *jolt_xstrdup(const char *s);
char *jolt_xstrndup(const char *s, size_t n);
/* Allocated printf; the caller owns the result. */
char *jolt_xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Monotonic milliseconds, for latency and timeouts. */
int64_t jolt_now_ms(void);

/* 64-bit FNV-1a then splitmix64 finaliser over a string; stable on every
 * machine, used to derive reproducible decisions from (seed, ids, step). */
uint64_t jolt_hash_str(uint64_t seed, const char *s);
uint64_t jolt_hash_u64(uint64_t seed, uint64_t v);
/* Map a hash to [0, 1). */
double jolt_hash_unit(uint64_t h);

/* Call fn(i, worker, payload) for every i in [0, n) on up to `threads`
 * pthreads (worker in [0, threads), stable for the call: use it as the
 * sandbox slot). Indices are handed out in order; returns when all are
 * done. For work that waits (sandboxes, I/O); CPU-bound batch work uses
 * OpenMP. */
void jolt_parallel_for(size_t n, int threads,
		       void (*fn)(size_t i, int worker, void *payload),
		       void *payload);

/* ThreadSanitizer cannot see libgomp's barriers (libgomp is not
 * instrumented) and reports every OpenMP region as a race. Under TSan,
 * OpenMP regions run on one thread (`#pragma omp parallel for
 * if(JOLT_OMP_PARALLEL)`); the pthread pools, which TSan does check, are
 * unaffected. */
#if defined(__SANITIZE_THREAD__)
#define JOLT_OMP_PARALLEL 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define JOLT_OMP_PARALLEL 0
#endif
#endif
#ifndef JOLT_OMP_PARALLEL
#define JOLT_OMP_PARALLEL 1
#endif

#define JOLT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#include "core/banned.h"

#endif
