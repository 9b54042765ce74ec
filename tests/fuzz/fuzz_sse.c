/*
 * fuzz_sse.c - libFuzzer target for the SSE parser (http.c): any bytes,
 * cut into chunks of sizes taken from the input itself, must give the
 * same events as the whole stream fed at once, or the same classified
 * error; never a crash, a leak or a hang. Every event's data is
 * NUL-terminated at its length and smaller than the 1 MiB cap.
 *
 * Input layout: the first byte seeds the chunk sizes (1..16 bytes, or
 * whole when 0), the rest is the stream.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct trace {
	jolt_buf log; /* event NUL name NUL len data ... */
	size_t n;
} trace;

static int record(void *payload, const char *event, const char *data,
		  size_t len)
{
	trace *t = payload;
	if (data[len] != '\0' || len > 1024 * 1024)
		abort();
	t->n++;
	jolt_buf_adds(&t->log, event ? event : "-");
	jolt_buf_addc(&t->log, '\0');
	jolt_buf_addf(&t->log, "%zu:", len);
	jolt_buf_add(&t->log, data, len);
	return 0;
}

static int run(trace *t, const uint8_t *d, size_t n, unsigned seed)
{
	jolt_buf_init(&t->log, 0);
	t->n = 0;
	jolt_sse *s = jolt_sse_new(record, t);
	int rc = 0;
	size_t i = 0;
	while (i < n && rc == 0) {
		size_t step = seed ? 1 + (seed + i * 7) % 16 : n;
		if (step > n - i)
			step = n - i;
		rc = jolt_sse_feed(s, (const char *)d + i, step);
		i += step;
	}
	jolt_sse_free(s);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned seed = data[0];
	trace whole, cut;
	int a = run(&whole, data + 1, size - 1, 0);
	int b = run(&cut, data + 1, size - 1, seed);
	if (a != b)
		abort();
	if (a == 0 && (whole.n != cut.n || whole.log.len != cut.log.len ||
		       memcmp(jolt_buf_cstr(&whole.log),
			      jolt_buf_cstr(&cut.log), whole.log.len)))
		abort();
	jolt_buf_release(&whole.log);
	jolt_buf_release(&cut.log);
	return 0;
}
