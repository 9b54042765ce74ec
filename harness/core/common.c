/*
 * common.c - error codes and messages, allocation helpers, hashing, clock.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/common.h"

static _Thread_local char err_buf[2048];

const char *jolt_err_name(int code)
{
	switch (code) {
#define JOLT_X_CASE(n, v, s)                                                 \
	case (v):                                                            \
		return s;
		JOLT_ERRORS(JOLT_X_CASE)
#undef JOLT_X_CASE
	}
	return "unknown error";
}

int jolt_err_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return code;
}

int jolt_err_wrap(int code, const char *fmt, ...)
{
	/* Both the old message and the context are formatted away from
	 * err_buf first: the arguments may point into it. */
	char old[sizeof(err_buf)], ctx[sizeof(err_buf)];
	snprintf(old, sizeof(old), "%s", err_buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	size_t n = strlen(ctx);
	memcpy(err_buf, ctx, n + 1);
	if (old[0] && n + 2 < sizeof(err_buf)) {
		size_t k = strnlen(old, sizeof(err_buf) - n - 3);
		memcpy(err_buf + n, ": ", 2);
		memcpy(err_buf + n + 2, old, k);
		err_buf[n + 2 + k] = '\0';
	}
	return code;
}

const char *jolt_err_msg(void)
{
	return err_buf;
}

void jolt_err_clear(void)
{
	err_buf[0] = '\0';
}

int jolt_exit_code(int code)
{
	switch (code) {
	case JOLT_OK:
		return 0;
	case JOLT_EFAILED:
		return 1;
	case JOLT_EUSAGE:
	case JOLT_EINPUT:
	case JOLT_ENOTFOUND:
	case JOLT_ETOOBIG:
		return 2;
	default:
		return 3;
	}
}

static void oom(void)
{
	fputs("jolt: out of memory\n", stderr);
	abort();
}

void *jolt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *jolt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *jolt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *jolt_xstrdup(const char *s)
{
	return jolt_xstrndup(s, strlen(s));
}

char *jolt_xstrndup(const char *s, size_t n)
{
	char *p = jolt_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *jolt_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return p;
}

int64_t jolt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t jolt_hash_str(uint64_t seed, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

uint64_t jolt_hash_u64(uint64_t seed, uint64_t v)
{
	return mix64(mix64(seed) ^ (v + 0x9e3779b97f4a7c15ULL));
}

double jolt_hash_unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

struct pfor {
	size_t n;
	atomic_size_t next;
	void (*fn)(size_t, int, void *);
	void *payload;
};

struct pfor_arg {
	struct pfor *p;
	int worker;
};

static void *pfor_main(void *arg)
{
	struct pfor_arg *a = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&a->p->next, 1);
		if (i >= a->p->n)
			break;
		a->p->fn(i, a->worker, a->p->payload);
	}
	return NULL;
}

void jolt_parallel_for(size_t n, int threads,
		       void (*fn)(size_t i, int worker, void *payload),
		       void *payload)
{
	struct pfor p = {.n = n, .fn = fn, .payload = payload};
	atomic_init(&p.next, 0);
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > n)
		threads = n ? (int)n : 1;
	pthread_t *th = jolt_xcalloc((size_t)threads, sizeof(*th));
	struct pfor_arg *args = jolt_xcalloc((size_t)threads, sizeof(*args));
	int started = 0;
	for (int w = 1; w < threads; w++) {
		args[w].p = &p;
		args[w].worker = w;
		if (pthread_create(&th[w], NULL, pfor_main, &args[w]) != 0)
			break;
		started = w;
	}
	/* The calling thread is worker 0; if no thread could start, it does
	 * all the work itself. */
	args[0].p = &p;
	pfor_main(&args[0]);
	for (int w = 1; w <= started; w++)
		pthread_join(th[w], NULL);
	free(th);
	free(args);
}
