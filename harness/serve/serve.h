/*
 * serve.h - `jolt serve`: the simulated models behind a local HTTP server
 * that speaks the OpenAI (/chat/completions), Anthropic (/v1/messages) and
 * M2 raw-completion (/completions) dialects, with optional latency and
 * injected faults (DESIGN.md, "Simulated models").
 *
 * The harness names the trial in the header X-Jolt-Trial, a JSON object
 * {"suite": NAME, "variant": TASK/baseline | TASK/AXIS.OP@L#S,
 *  "key": TRIAL_KEY, "seed": N}; the server rebuilds the variant from the
 * loaded suites, decodes the request's history and tools to jolt's neutral
 * form (backend.h), asks jolt_sim_decide() for the turn, and encodes the
 * reply in the request's dialect. Every decision (policy, latency, faults)
 * is a hash of the trial, the step and the attempt, so a run over HTTP is
 * as reproducible as one in process.
 *
 * serve.c holds the server, serve_codec.c the request decoding and the
 * response encoding (declared below for the server and the tests).
 */
#ifndef JOLT_SERVE_H
#define JOLT_SERVE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/suite.h"

#define JOLT_SERVE_BODY_CAP (16 * 1024 * 1024) /* request body; 413 beyond */
#define JOLT_SERVE_HEADER_CAP 4096  /* X-Jolt-Trial; 400 beyond */
#define JOLT_SERVE_STALL_MS_MAX 600000 /* cap on --stall-ms */

typedef struct jolt_serve_opts {
	/* ADDR:PORT, or PORT alone for 127.0.0.1:PORT; NULL = 127.0.0.1:8080.
	 * Port 0 = ephemeral (read it back with jolt_serve_port). Numeric
	 * IPv4 or "localhost". A non-loopback address is bound only when
	 * written out: ":8080" is refused rather than taken to mean every
	 * interface. */
	const char *listen;
	const jolt_suite *const *suites; /* loaded --suite; the array is
	                                  * copied, the suites borrowed */
	size_t nsuites;
	/* Default sim profile when the request's "model" is not "sim:..."; NULL
	 * = "oracle". */
	const char *policy;
	/* --latency: "MS", "MIN-MAX" (uniform) or "lognormal:MEDIAN,SIGMA";
	 * NULL = none. */
	const char *latency;
	/* --faults: "KIND:P,..." with KIND in 429, 500, reset, stall,
	 * truncate, malformed and the P summing to at most 1; NULL = none. */
	const char *faults;
	long stall_ms;   /* how long a stall holds; 0 = 60000 */
	uint64_t seed;   /* mixes into latency and fault draws */
	int verbose;     /* one line per request on stderr */
} jolt_serve_opts;

typedef struct jolt_server jolt_server;

/* Run in the foreground until SIGINT or SIGTERM. */
int jolt_serve(const jolt_serve_opts *o);
/* Start in the background (for tests and embedding). The suites must
 * outlive the server. JOLT_EUSAGE for a bad option, JOLT_EIO when the
 * address cannot be bound. */
int jolt_serve_start(jolt_server **out, const jolt_serve_opts *o);
/* The port actually bound (useful with port 0). */
int jolt_serve_port(const jolt_server *s);
/* Stop (requests in flight, stalls included, end promptly) and free.
 * NULL-safe. */
void jolt_serve_stop(jolt_server *s);

/* --- option specs ------------------------------------------------------ */

enum jolt_latency_kind { JOLT_LAT_NONE, JOLT_LAT_FIXED, JOLT_LAT_UNIFORM,
			 JOLT_LAT_LOGNORMAL };

typedef struct jolt_latency {
	enum jolt_latency_kind kind;
	double a, b; /* fixed: a; uniform: [a, b]; lognormal: median a, sigma b */
} jolt_latency;

/* NULL or "" gives JOLT_LAT_NONE. JOLT_EUSAGE with a message if bad. */
int jolt_latency_parse(jolt_latency *out, const char *spec);
/* Delay in ms for (seed, trial key, step): the same inputs always give the
 * same delay. Capped at 10 minutes. */
long jolt_latency_sample(const jolt_latency *l, uint64_t seed,
			 const char *key, int step);

/* X(enum, name as written in --faults) */
#define JOLT_FAULTS(X)                                                       \
	X(NONE, "none")                                                      \
	X(RATE, "429")                                                       \
	X(SERVER, "500")                                                     \
	X(RESET, "reset")                                                    \
	X(STALL, "stall")                                                    \
	X(TRUNCATE, "truncate")                                              \
	X(MALFORMED, "malformed")

enum jolt_fault {
#define JOLT_X_ENUM(n, s) JOLT_FAULT_##n,
	JOLT_FAULTS(JOLT_X_ENUM)
#undef JOLT_X_ENUM
	JOLT_FAULT_COUNT
};
const char *jolt_fault_name(enum jolt_fault f);

typedef struct jolt_faults {
	double p[JOLT_FAULT_COUNT]; /* p[NONE] unused */
} jolt_faults;

/* NULL or "" gives no faults. JOLT_EUSAGE with a message if bad. */
int jolt_faults_parse(jolt_faults *out, const char *spec);
/* The fault for one request: a hash of (seed, key, step, attempt). */
enum jolt_fault jolt_faults_pick(const jolt_faults *f, uint64_t seed,
				 const char *key, int step, int attempt);

/* --- codec (serve_codec.c) --------------------------------------------- */

/* X(enum, name) -- the dialects the server speaks, by route. */
#define JOLT_SERVE_DIALECTS(X)                                               \
	X(OPENAI, "openai")       /* POST .../chat/completions */            \
	X(ANTHROPIC, "anthropic") /* POST .../v1/messages */                 \
	X(M2, "m2")               /* POST .../completions, raw prompt */

enum jolt_serve_dialect {
#define JOLT_X_ENUM(n, s) JOLT_SERVE_##n,
	JOLT_SERVE_DIALECTS(JOLT_X_ENUM)
#undef JOLT_X_ENUM
};
const char *jolt_serve_dialect_name(enum jolt_serve_dialect d);

/* A decoded request. Owns everything. */
typedef struct jolt_serve_call {
	json_t *messages;    /* neutral history */
	json_t *tools;       /* [{name, description, parameters}] */
	char *model;         /* the request's "model", or NULL */
	int stream;
	int include_usage;   /* OpenAI stream_options.include_usage */
	int reasoning_split; /* MiniMax: thinking in reasoning_details */
	int step;            /* assistant turns in the history */
} jolt_serve_call;

/* Decode a request body of dialect d. JOLT_EINPUT with a message for a
 * body that is not a request of that dialect. */
int jolt_serve_decode(jolt_serve_call *out, enum jolt_serve_dialect d,
		      const char *body, size_t len);
void jolt_serve_call_release(jolt_serve_call *c);

/* What to encode: the sim's turn and the response's identity. */
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

/* Non-streamed response body (caller frees *out). */
int jolt_serve_encode(char **out, enum jolt_serve_dialect d,
		      const jolt_serve_call *c, const jolt_serve_reply *r);

/* A streamed response as its SSE events, each a complete
 * "[event: E\n]data: ...\n\n" string. The last one closes the stream
 * ("data: [DONE]" or message_stop). */
typedef struct jolt_serve_chunks {
	char **v; /* owned strings */
	size_t n;
} jolt_serve_chunks;

int jolt_serve_encode_stream(jolt_serve_chunks *out, enum jolt_serve_dialect d,
			     const jolt_serve_call *c,
			     const jolt_serve_reply *r);
void jolt_serve_chunks_release(jolt_serve_chunks *c);

/* An error body in dialect d's shape (caller frees). */
char *jolt_serve_error_body(enum jolt_serve_dialect d, const char *type,
			    const char *message);

#endif
