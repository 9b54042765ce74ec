/*
 * http.h - the HTTP transport: one or a few event-loop threads (a second
 * from 513 turns in flight, at most one per core, by default), each driving a libcurl multi interface, so hundreds of model
 * turns in flight share a handful of threads and no one thread is the
 * ceiling. Connection reuse, HTTP/2 where offered, TLS verification on,
 * connect and total timeouts, a hard cap on every body, SSE delivery for
 * streams.
 *
 * Requests are submitted from any thread and dealt to the loops in turn;
 * a request's completion callback runs on the thread of the loop it was
 * dealt to, and must not block (hand work to a worker). Callbacks of
 * different requests may run at the same time on different loops.
 */
#ifndef JOLT_HTTP_H
#define JOLT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct jolt_http jolt_http;

/* Loop threads one jolt_http runs, at most. */
#define JOLT_HTTP_LOOPS_MAX 16
/* Connections (turns in flight) a loop takes before a second is added. */
#define JOLT_HTTP_CONNS_PER_LOOP 512

typedef struct jolt_http_opts {
	double connect_timeout_s; /* 0 = 10 */
	size_t max_body;          /* 0 = JOLT_BODY_CAP */
	long max_conns_per_host;  /* 0 = 64; each loop's own cap */
	int loops;                /* loop threads; 0 = jolt_http_loops_default,
	                           * at most JOLT_HTTP_LOOPS_MAX */
	const char *cacert;       /* CA bundle (PEM); NULL: jolt_http_cacert */
	bool insecure;            /* skip TLS verification (--insecure) */
} jolt_http_opts;

/* The CA bundle to verify servers with: `flag` (--cacert) when set, else
 * $CURL_CA_BUNDLE, else $SSL_CERT_FILE, else NULL (the system's). */
const char *jolt_http_cacert(const char *flag);

typedef struct jolt_http_req {
	const char *url;
	const char *body;          /* POSTed as JSON; copied at submit */
	const char *const *headers;/* "Name: value", NULL-terminated; copied */
	double timeout_s;          /* total for this attempt; 0 = 300 */
	long delay_ms;             /* start no earlier than this from now */
	/* Streaming: when set, each SSE event is delivered as it arrives
	 * (on the loop thread); the body is not accumulated. */
	int (*on_event)(void *payload, const char *event, const char *data,
			size_t len);
} jolt_http_req;

typedef struct jolt_http_resp {
	int err;            /* 0, or JOLT_ETIMEOUT / JOLT_EINFRA (connection,
	                     * reset, truncated) / JOLT_ETOOBIG (cap) */
	char *errmsg;       /* owned, when err */
	long status;        /* HTTP status; 0 when none was received */
	char *body;         /* owned, NUL-terminated (non-stream) */
	size_t len;
	long retry_after_ms;/* from Retry-After (seconds or HTTP date, read
	                     * by curl); -1 none; 0 for a past date or a
	                     * value curl cannot read: "now" */
	long latency_ms;
} jolt_http_resp;

int jolt_http_new(jolt_http **out, const jolt_http_opts *o);
/* Stop the loops after the requests in flight finish (their callbacks
 * run; a request still waiting out its delay_ms fails at once with
 * JOLT_EINFRA), then free. */
void jolt_http_free(jolt_http *h);
/* Loops when none is asked for: one per JOLT_HTTP_CONNS_PER_LOOP
 * connections (conns <= 0: one), at most one per online core and
 * JOLT_HTTP_LOOPS_MAX. */
size_t jolt_http_loops_default(long conns);
/* The loops h runs. */
size_t jolt_http_nloops(const jolt_http *h);
/* Queue a request. done() runs exactly once, on the thread of the loop
 * the request was dealt to; the response is the callee's to release with
 * jolt_http_resp_release. */
int jolt_http_submit(jolt_http *h, const jolt_http_req *req,
		     void (*done)(void *payload, jolt_http_resp *resp),
		     void *payload);
void jolt_http_resp_release(jolt_http_resp *r);

/* URLs, parsed by curl's URL API (what curl will send is what these see).
 *
 * Join a base URL and an endpoint path: a trailing slash on the base is
 * dropped, a path prefix kept, a query string stays at the end, and a
 * base already ending in the path is kept as it is. *out is the caller's.
 * JOLT_EUSAGE with a message for a base that is not an http(s) URL. */
int jolt_http_url_join(char **out, const char *base, const char *path);
/* The host is 127.0.0.1, localhost or [::1]. */
bool jolt_http_url_is_loopback(const char *url);
/* What a message may show of a URL: no userinfo, query or fragment (a
 * query string can carry a key), at most 200 bytes. Caller frees. */
char *jolt_http_url_shown(const char *url);

/* Parse an SSE byte stream incrementally (for the transport and tests):
 * feed arbitrary chunks; complete events are delivered to fn. */
typedef struct jolt_sse jolt_sse;
jolt_sse *jolt_sse_new(int (*fn)(void *payload, const char *event,
				 const char *data, size_t len),
		       void *payload);
int jolt_sse_feed(jolt_sse *s, const char *chunk, size_t len);
void jolt_sse_free(jolt_sse *s);

#endif
