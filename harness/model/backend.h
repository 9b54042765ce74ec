/*
 * backend.h - the model behind a trial, as a const descriptor table.
 *
 * Messages use jolt's neutral form (one json object each):
 *   {role: "system"|"user", content: STR}
 *   {role: "assistant", content: STR, thinking: STR?,
 *    tool_calls: [{id: STR, name: STR, arguments: OBJECT}]?, raw: ANY?}
 *   {role: "tool", tool_call_id: STR, name: STR, content: STR,
 *    is_error: BOOL?}
 * `raw` keeps the turn exactly as the dialect returned it, so HTTP backends
 * can send it back byte for byte; the driver never edits it.
 *
 * Adding a backend: write open/complete/close in harness/backend_NAME.c,
 * add a row to jolt_backends[] in backend.c, document the --model form in
 * README.md and `jolt run --help`, add tests/unit/test_backend_NAME.c.
 */
#ifndef JOLT_BACKEND_H
#define JOLT_BACKEND_H

#include <jansson.h>

#include "core/trial.h"

typedef struct jolt_model_spec {
	char *provider; /* "sim", "openai", ... */
	char *model;    /* after the colon, before any @ */
	char *url;      /* after the @, or NULL */
	/* Options that apply to network backends, set from `jolt run` flags
	 * (NULL/0: the backend's default). */
	const struct jolt_backend_opts *opts;
} jolt_model_spec;

typedef struct jolt_backend_opts {
	int stream;             /* --stream: SSE */
	int reasoning_split;    /* --reasoning-split (MiniMax OpenAI dialect) */
	double temperature;     /* <0: default 1.0 */
	double top_p;           /* <0: default 0.95 */
	int top_k;              /* <0: default 40; 0 = not sent */
	long max_tokens;        /* per turn; 0 = default 8192 */
	int max_retries;        /* infra retries per turn; <0 = default 6 */
	double rpm;             /* requests per minute across the run; 0 = no limit */
	double tpm;             /* tokens per minute; 0 = no limit */
	double request_timeout_s; /* total per HTTP attempt; 0 = 300 */
	double connect_timeout_s; /* 0 = 10 */
	const char *cacert;     /* --cacert: CA bundle (else the environment's) */
	int insecure;           /* --insecure: TLS verification off */
	/* Turns the run keeps in flight: a network backend opens that many
	 * connections to its host (HTTP/1.1 carries one request at a time),
	 * so none waits on another's connection. 0 = 64. */
	int max_inflight;
} jolt_backend_opts;

/* Parse PROVIDER:MODEL[@BASE_URL]. JOLT_EUSAGE with a message if bad. */
int jolt_model_spec_parse(jolt_model_spec *out, const char *spec);
void jolt_model_spec_release(jolt_model_spec *s);

/* What a request encoder keeps between the turns of one trajectory, so
 * that a turn encodes only what is new instead of the whole history: the
 * messages already encoded, each referenced (a pointer seen again is the
 * same, unchanged message: a trajectory never edits a message once a
 * turn was asked for with it), with their text, and the tools likewise.
 * Owned by the trajectory, whose turns are never encoded concurrently. */
typedef struct jolt_render_cache {
	const void *owner; /* the encoder that filled it; another resets it */
	json_t **msg;
	char **text;
	int *tag;          /* the encoder's note on how each was rendered */
	size_t n, alloc;
	json_t *tools;
	char *tools_text;
} jolt_render_cache;

/* Keep the first n messages; forget the rest (n = 0 and a new owner:
 * everything). */
void jolt_render_cache_cut(jolt_render_cache *c, size_t n, const void *owner);
void jolt_render_cache_release(jolt_render_cache *c);
/* Append message m (referenced) with its text (taken; NULL: it encodes
 * to nothing). */
void jolt_render_cache_push(jolt_render_cache *c, json_t *m, char *text);
/* The same, with a tag the encoder reads back (how m was rendered, e.g.
 * the role it went to). */
void jolt_render_cache_push_tag(jolt_render_cache *c, json_t *m, char *text,
				int tag);

typedef struct jolt_model_req {
	const jolt_trial *trial;
	const json_t *messages; /* history as the model should see it */
	const json_t *tools;    /* [{name, description, parameters}] */
	int step;               /* 0-based model turn */
	jolt_render_cache *cache; /* the trajectory's; NULL: encode it all */
} jolt_model_req;

typedef struct jolt_model_reply {
	json_t *message;   /* owned assistant message, neutral form */
	long tokens_in;
	long tokens_out;
	long latency_ms;
	int malformed;     /* malformed tool calls in this turn */
	char *malformed_detail; /* owned; what was wrong, shown to the agent */
} jolt_model_reply;

void jolt_model_reply_release(jolt_model_reply *r);

typedef struct jolt_backend {
	const char *name;        /* the PROVIDER part of --model */
	const char *description; /* one line, for --help */
	/* Create per-model state (shared by all trials of that model; must
	 * be thread-safe for complete()). */
	int (*open)(void **out, const jolt_model_spec *spec);
	/* One model turn. JOLT_EINFRA (or ETIMEOUT) when the model could not
	 * be reached after retries: the trial becomes infra_error. */
	int (*complete)(jolt_model_reply *out, void *state,
			const jolt_model_req *req);
	/* Asynchronous form, for backends that wait on the network: start
	 * the turn and return at once; call done(payload, reply, err) exactly
	 * once, from any thread, with the reply (the callee takes it) or the
	 * error code. NULL when the backend is only synchronous; the
	 * scheduler then calls complete() on a worker thread. `req` and what
	 * it points to stay valid until done() is called. */
	int (*start)(void *state, const jolt_model_req *req,
		     void (*done)(void *payload, jolt_model_reply *reply, int err),
		     void *payload);
	void (*close)(void *state);
} jolt_backend;

const jolt_backend *jolt_backend_find(const char *name);
extern const jolt_backend *const jolt_backends[]; /* NULL-terminated */

#endif
