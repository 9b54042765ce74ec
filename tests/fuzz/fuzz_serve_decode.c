/*
 * fuzz_serve_decode.c - libFuzzer target for the server half of every
 * dialect (what `jolt serve` reads from a client): any bytes as a request
 * body must decode to a neutral history and tool list, or fail with a
 * message and nothing left allocated; a decoded request must then encode
 * a reply, plain and streamed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "model/dialect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *turn = json_loads(
	    "{\"role\":\"assistant\",\"content\":\"ok\",\"thinking\":\"t\","
	    "\"tool_calls\":[{\"id\":\"c\",\"name\":\"grep\",\"arguments\":"
	    "{\"q\":1}}]}",
	    0, NULL);
	for (size_t k = 0; jolt_dialects[k]; k++) {
		const jolt_dialect *d = jolt_dialects[k];
		jolt_serve_call c;
		jolt_err_clear();
		int rc = jolt_dialect_serve_decode(&c, d, (const char *)data, size);
		if (rc) {
			if (jolt_err_msg()[0] == '\0' || c.messages || c.tools ||
			    c.model)
				abort();
			continue;
		}
		if (!json_is_array(c.messages) || !json_is_array(c.tools) ||
		    c.step < 0 || (size_t)c.step > json_array_size(c.messages))
			abort();
		jolt_serve_reply r = {.message = turn, .model = "m", .id = "i"};
		char *body = NULL;
		if (d->serve_encode(&body, &c, &r) || !body)
			abort();
		free(body);
		jolt_serve_chunks ch = {0};
		if (d->serve_stream(&ch, &c, &r) || ch.n == 0)
			abort();
		jolt_serve_chunks_release(&ch);
		jolt_serve_call_release(&c);
	}
	json_decref(turn);
	return 0;
}
