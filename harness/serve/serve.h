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
 * serve.c holds the server; each dialect's request decoding and response
 * encoding is the server half of its descriptor (model/dialect.h), so the
 * server knows dialects only as the descriptor the route picked.
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
	/* PEM files: serve HTTPS (both or neither), for testing TLS to a
	 * private deployment behind an internal CA. */
	const char *tls_cert;
	const char *tls_key;
	/* Give sim:literal the form of task t's baseline tool results
	 * (jolt_sim_literal_expect, model/sim.h), by replaying its baseline:
	 * called once per task, the first time sim:literal plays it, from a
	 * request's thread (one call at a time). NULL: sim:literal stops
	 * only at tool errors. The replay belongs to run/, above serve, so
	 * the command that starts the server supplies it. */
	void (*literal_forms)(const jolt_suite *s, const jolt_task *t,
			      void *payload);
	void *literal_payload;
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

#endif
