/*
 * fuzz_openai_decode.c - libFuzzer target for the openai dialect's response
 * decoder, its SSE event decoder and its error classifier: any bytes as
 * a body, or as a stream of `data:` payloads (one per line), must give a
 * reply or a classified error with a message; never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "model/dialect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, jolt_model_reply *r)
{
	if (rc == 0 && !json_is_object(r->message))
		abort();
	if (rc != 0 && (r->message != NULL || jolt_err_msg()[0] == '\0'))
		abort();
	if (rc == 0 && (r->malformed > 0) != (r->malformed_detail != NULL))
		abort();
	jolt_model_reply_release(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const jolt_dialect *d = jolt_dialect_find("openai");
	json_t *tools = json_loads(
	    "[{\"name\":\"grep\",\"parameters\":{\"type\":\"object\"}}]", 0,
	    NULL);
	jolt_model_req req = {.tools = tools, .step = 1};
	jolt_model_reply r;
	jolt_err_clear();
	check(d->decode(&r, (const char *)data, size, &req, NULL), &r);

	/* The same bytes as an SSE stream, one event per line. */
	jolt_stream *st = NULL;
	if (d->stream_new(&st, &req, NULL) != 0)
		abort();
	const char *p = (const char *)data, *end = p + size;
	int rc = 0;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		rc = d->stream_event(st, NULL, p, (size_t)(e - p));
		if (rc != 0 && jolt_err_msg()[0] == '\0')
			abort();
		p = e + 1;
	}
	if (rc == 0) {
		memset(&r, 0, sizeof(r));
		check(d->stream_finish(&r, st), &r);
	}
	d->stream_free(st);

	static const int statuses[] = {200, 400, 401, 429, 500, 529};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		rc = d->classify(statuses[i], (const char *)data, size);
		if (rc != 0 && rc != JOLT_EINFRA && rc != JOLT_EDENIED &&
		    rc != JOLT_EINPUT)
			abort();
	}
	json_decref(tools);
	return 0;
}
