/*
 * dialect.h - the wire formats jolt speaks to models: OpenAI-compatible
 * /chat/completions, Anthropic-compatible /v1/messages, and M2's raw
 * /completions with the chat template rendered by jolt. One const
 * descriptor per dialect; the HTTP backend pairs one with the transport.
 *
 * Messages are jolt's neutral form (backend.h). An assistant message that
 * came from a dialect keeps `raw`: exactly what the server returned for
 * that turn (the OpenAI message object, the Anthropic content list, the M2
 * completion text). encode() sends `raw` back unchanged when it is present
 * and of the same dialect (`raw_dialect`), so thinking and signatures
 * survive; otherwise it renders from the neutral fields. The driver
 * removes `raw` and `thinking` for --history strip-thinking.
 *
 * Adding a dialect: write harness/dialect_NAME.c with the hooks below, add
 * it to jolt_dialects[] in dialect.c, a golden encode test and a decode
 * table test in tests/unit/test_dialect_NAME.c, a fuzz target for its
 * decoder in tests/fuzz/, and its `jolt serve` side in harness/serve.c.
 */
#ifndef JOLT_DIALECT_H
#define JOLT_DIALECT_H

#include <jansson.h>
#include <stdbool.h>

#include "model/backend.h"
#include "core/buf.h"

#define JOLT_BODY_CAP (8 * 1024 * 1024) /* largest response body accepted */

typedef struct jolt_dialect_opts {
	const char *model;      /* the MODEL part of --model */
	const jolt_backend_opts *b; /* sampling, stream, reasoning_split... */
} jolt_dialect_opts;

/* Incremental decoding of a streamed (SSE) response. */
typedef struct jolt_stream jolt_stream;

typedef struct jolt_dialect {
	const char *name;   /* "openai", "anthropic", "m2" */
	const char *path;   /* appended to the base URL */
	/* Request body for one turn (caller frees *out). */
	int (*encode)(char **out, const jolt_model_req *req,
		      const jolt_dialect_opts *o);
	/* A whole response body -> reply. JOLT_EINFRA (with a message) for a
	 * body that is not a well-formed response: truncated JSON, a missing
	 * field, an error object (the transport classifies and retries).
	 * Malformed tool calls are the model's: counted in reply->malformed,
	 * never an error here. */
	int (*decode)(jolt_model_reply *out, const char *body, size_t len,
		      const jolt_model_req *req, const jolt_dialect_opts *o);
	/* Streaming: one `data:` payload (and its `event:` name, or NULL) at
	 * a time, then finish. JOLT_EINFRA for a stream that breaks off. */
	int (*stream_new)(jolt_stream **out, const jolt_model_req *req,
			  const jolt_dialect_opts *o);
	int (*stream_event)(jolt_stream *st, const char *event,
			    const char *data, size_t len);
	int (*stream_finish)(jolt_model_reply *out, jolt_stream *st);
	void (*stream_free)(jolt_stream *st);
	/* An error response (any status) -> classification:
	 *   JOLT_EINFRA: retry (rate limit, overload, 5xx, MiniMax 1002...)
	 *   JOLT_EDENIED: stop the whole run (auth 1004, balance 1008, 401,
	 *                 403), with a message saying what to do
	 *   JOLT_EINPUT: the request itself is bad (400, 2013): not retried,
	 *                the trial is infra_error with the server's message.
	 * Also called on 200 bodies: MiniMax reports errors in base_resp with
	 * HTTP 200; returns 0 when the body is not an error. */
	int (*classify)(int http_status, const char *body, size_t len);
} jolt_dialect;

extern const jolt_dialect *const jolt_dialects[]; /* NULL-terminated */

/* One tool declaration {name, description, SCHEMA_KEY: parameters} from
 * a neutral tool {name, description, parameters}; the schema defaults to
 * {"type": "object"}. New object, the caller owns it. */
json_t *jolt_dialect_tool_decl(const json_t *tool, const char *schema_key);

/* The request options every dialect sends, with M2's recommended sampling
 * as the defaults (temperature 1.0, top_p 0.95, top_k 40) where the user
 * gave none; max tokens per turn 8192. top_p 0 is outside every server's
 * range and counts as unset; top_k 0 means "do not send". */
double jolt_dialect_temperature(const jolt_dialect_opts *o);
double jolt_dialect_top_p(const jolt_dialect_opts *o);
int jolt_dialect_top_k(const jolt_dialect_opts *o);
long jolt_dialect_max_tokens(const jolt_dialect_opts *o);
bool jolt_dialect_stream(const jolt_dialect_opts *o);
const jolt_dialect *jolt_dialect_find(const char *name);

/* M2's native chat template (M2-PROTOCOL.md section 1), shared by the m2
 * dialect and `jolt serve`. Renders system, tools, the conversation and
 * the generation prompt ending in "<think>\n". Caller frees *out. */
int jolt_m2_render(char **out, const json_t *messages, const json_t *tools);
/* Parse M2's raw completion text (it starts inside <think>: the prompt
 * ended with "<think>\n") into an assistant message {content, thinking,
 * tool_calls, raw}. Values are typed by the tools' JSON Schema. Malformed
 * invokes are counted in *malformed with a description in *detail (caller
 * frees; NULL when none). */
int jolt_m2_parse(json_t **out, int *malformed, char **detail,
		  const char *text, size_t len, const json_t *tools);

#endif
