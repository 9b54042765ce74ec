/*
 * dialect.h - the wire formats jolt speaks to models, and that `jolt
 * serve` speaks back: OpenAI-compatible /chat/completions,
 * Anthropic-compatible /v1/messages, and M2's raw /completions with the
 * chat template rendered by jolt. One const descriptor per dialect, in one
 * file per dialect (dialect_NAME.c), found by name (jolt_dialect_find) or
 * by route (jolt_dialect_for_route).
 *
 * A descriptor has two halves:
 *
 *  - the client half (the HTTP backend pairs it with the transport):
 *    encode a request from jolt's neutral history, decode a response body
 *    or an SSE stream into a reply, classify an error response. The
 *    classification every dialect shares (HTTP statuses, MiniMax
 *    base_resp codes) is jolt_dialect_classify() below; a dialect only
 *    adds what its own error shape says first.
 *
 *  - the server half (`jolt serve` dispatches through it, never on the
 *    dialect's name): decode a request into a jolt_serve_call, encode the
 *    simulator's turn as a response body or as SSE chunks, and shape an
 *    error body, plus the route it answers and the names its errors use.
 *    These hooks take plain types only (jansson, the neutral message,
 *    the structs below), so model/ needs nothing from serve/.
 *
 * Messages are jolt's neutral form (backend.h). An assistant message that
 * came from a dialect keeps `raw`: exactly what the server returned for
 * that turn (the OpenAI message object, the Anthropic content list, the M2
 * completion text). encode() sends `raw` back unchanged when it is present
 * and of the same dialect (`raw_dialect`), so thinking and signatures
 * survive; otherwise it renders from the neutral fields. The driver
 * removes `raw` and `thinking` for --history strip-thinking. The server
 * half must read thinking from every place a client may carry it and
 * from nowhere else: the sim decides from it whether its earlier thinking
 * survived, which is how --history strip-thinking is measured over HTTP.
 *
 * Adding a dialect:
 *  1. harness/model/dialect_NAME.c with both halves and one
 *     `const jolt_dialect jolt_dialect_NAME` (split it into two files with
 *     clear names rather than pass 1,200 lines, as m2 does with
 *     dialect_m2_template.c);
 *  2. add it to jolt_dialects[] in dialect.c;
 *  3. classify: call jolt_dialect_classify() for whatever the dialect's
 *     own error shape does not decide; never borrow another dialect's hook;
 *  4. reuse the server helpers in dialect_serve.h before writing new ones;
 *  5. tests/unit/test_dialect_NAME.c (golden encode, decode table,
 *     classify table), a case in test_serve.c that round-trips the HTTP
 *     backend through `jolt serve` on the new route, and a fuzz target for
 *     its decoder in tests/fuzz/.
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

/* ---- server half types ------------------------------------------------ */

/* A request `jolt serve` decoded. Owns everything. */
typedef struct jolt_serve_call {
	json_t *messages;    /* neutral history */
	json_t *tools;       /* [{name, description, parameters}] */
	char *model;         /* the request's "model", or NULL */
	int stream;
	int include_usage;   /* OpenAI stream_options.include_usage */
	int reasoning_split; /* MiniMax: thinking in reasoning_details */
	int step;            /* assistant turns in the history */
} jolt_serve_call;

void jolt_serve_call_release(jolt_serve_call *c);

/* What to encode: the sim's turn and the response's identity. Borrowed. */
typedef struct jolt_serve_reply {
	const json_t *message; /* neutral assistant message */
	long tokens_in, tokens_out;
	const char *model;     /* echoed back */
	const char *id;        /* response id */
	long created;          /* unix seconds */
	/* The malformed fault: break the tool call's form (the model's
	 * failure, not the transport's). */
	int malformed;
} jolt_serve_reply;

/* A streamed response as its SSE events, each a complete
 * "[event: E\n]data: ...\n\n" string. The last one closes the stream
 * ("data: [DONE]" or message_stop). */
typedef struct jolt_serve_chunks {
	char **v;     /* owned strings */
	size_t n;
	size_t alloc; /* capacity of v */
} jolt_serve_chunks;

void jolt_serve_chunks_release(jolt_serve_chunks *c);

/* Incremental decoding of a streamed (SSE) response. */
typedef struct jolt_stream jolt_stream;

typedef struct jolt_dialect {
	const char *name;   /* "openai", "anthropic", "m2" */
	const char *path;   /* appended to the base URL */

	/* ---- client half (the HTTP backend) ---- */
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

	/* ---- server half (`jolt serve`) ----
	 * A client-only descriptor (a test's) leaves these NULL; `jolt
	 * serve` routes only to dialects with a route. */
	const char *route;        /* URL suffix served; the longest match wins */
	const char *id_prefix;    /* of response ids: "chatcmpl-", "msg_"... */
	const char *rate_error;   /* error type of an injected 429 */
	const char *server_error; /* error type of an injected 500 */
	/* MiniMax servers may report a rate limit as base_resp 1002 with
	 * HTTP 200, so `jolt serve` injects half its 429s that way. */
	bool base_resp_limits;
	/* Fill messages, tools and the dialect's flags of c from the request
	 * object (jolt_dialect_serve_decode has set model and stream and
	 * sets step). JOLT_EINPUT with a message for a body that is not a
	 * request of this dialect. */
	int (*serve_decode)(jolt_serve_call *c, const json_t *root);
	/* Non-streamed response body (caller frees *out). */
	int (*serve_encode)(char **out, const jolt_serve_call *c,
			    const jolt_serve_reply *r);
	/* The same response as SSE chunks (out starts zeroed). */
	int (*serve_stream)(jolt_serve_chunks *out, const jolt_serve_call *c,
			    const jolt_serve_reply *r);
	/* An error body of this dialect's shape (caller frees). */
	char *(*serve_error)(const char *type, const char *message);
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
/* The dialect whose route is the longest suffix of url, or NULL. */
const jolt_dialect *jolt_dialect_for_route(const char *url);

/* Decode a request body for dialect d: the common fields, then
 * d->serve_decode. On error *out is released. */
int jolt_dialect_serve_decode(jolt_serve_call *out, const jolt_dialect *d,
			      const char *body, size_t len);

/* ---- error classification every dialect shares ------------------------ */

#define JOLT_DIALECT_MSG_CAP 512 /* bytes of a server error message kept */

/* The server's own words in an error body: error.message, error as a
 * string, base_resp.status_msg or message; NULL when none. Borrowed. */
const char *jolt_dialect_server_message(const json_t *root);
/* MiniMax base_resp.status_code, which arrives with any HTTP status:
 * 1000/1001/1002/1024 retry (JOLT_EINFRA), 1004 and 1008 stop the run
 * (JOLT_EDENIED), 2013 and anything else is the request (JOLT_EINPUT).
 * 0 when root carries no code. msg is the server's message for the
 * error text. */
int jolt_dialect_classify_base_resp(const json_t *root, const char *msg);
/* An HTTP status: 2xx is 0; 401/403 JOLT_EDENIED; 400/404/422 and other
 * 4xx JOLT_EINPUT; 408, 409, 429, 5xx and anything else JOLT_EINFRA. */
int jolt_dialect_classify_status(int status, const char *msg);
/* The classify hook for a body that has nothing dialect-specific to say:
 * base_resp first, then the status (see the hook's contract above). */
int jolt_dialect_classify(int http_status, const char *body, size_t len);

/* M2 template tokens: begin of sequence, role marker, end of turn. */
#define JOLT_M2_BOS "]~!b["
#define JOLT_M2_ROLE "]~b]"
#define JOLT_M2_EOS "[e~["

/* M2's native chat template (M2-PROTOCOL.md section 1), shared by the m2
 * dialect and `jolt serve`. Renders system, tools, the conversation and
 * the generation prompt ending in "<think>\n". Caller frees *out. */
int jolt_m2_render(char **out, const json_t *messages, const json_t *tools);
/* Its pieces, for an encoder that renders turn by turn (the prompt is
 * the head, each message's turn, JOLT_M2_EOS "\n" after each message
 * that ends a run of tool results, then JOLT_M2_GEN):
 *  - the head: system message (or the default) and the tools section;
 *  - message i's turn (nothing for a system message), its reasoning
 *    rendered when `think` is jolt_m2_turn_think() (the last-user rule:
 *    no user message after it; last_user from jolt_m2_last_user(), the
 *    index of the last user message, n when there is none); JOLT_EINPUT
 *    for a tool result that no earlier assistant call asked for. */
void jolt_m2_render_head(jolt_buf *b, const json_t *messages,
			 const json_t *tools);
int jolt_m2_render_turn(jolt_buf *b, const json_t *messages, size_t i,
			bool think);
size_t jolt_m2_last_user(const json_t *messages);
bool jolt_m2_turn_think(size_t i, size_t last_user, size_t n);
bool jolt_m2_turn_ends_run(const json_t *messages, size_t i);
#define JOLT_M2_GEN JOLT_M2_ROLE "ai\n<think>\n" /* the generation prompt */
/* Parse M2's raw completion text (it starts inside <think>: the prompt
 * ended with "<think>\n") into an assistant message {content, thinking,
 * tool_calls, raw}. Values are typed by the tools' JSON Schema. Malformed
 * invokes are counted in *malformed with a description in *detail (caller
 * frees; NULL when none). */
int jolt_m2_parse(json_t **out, int *malformed, char **detail,
		  const char *text, size_t len, const json_t *tools);

#endif
