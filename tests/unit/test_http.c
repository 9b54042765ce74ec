/*
 * test_http.c - the transport (http.c) against a scripted server on
 * 127.0.0.1, and the SSE parser fed in every way a network can cut it.
 */
#include "test.h"

#include <pthread.h>

#include "core/common.h"
#include "model/http.h"
#include "mhd_server.h"

#define PLANTED "sk-PLANTED-123"

/* ----------------------------------------------------------- SSE parser */

typedef struct events {
	char log[8192]; /* "event|data\n" per event */
	size_t n;
	int fail_at; /* return an error at this event (1-based); 0 never */
} events;

static int collect(void *payload, const char *event, const char *data,
		   size_t len)
{
	events *e = payload;
	e->n++;
	if (e->fail_at && (int)e->n == e->fail_at)
		return jolt_err_set(JOLT_EINFRA, "stop here");
	assert_int_equal(strlen(data), len); /* NUL-terminated, no NUL inside */
	size_t used = strlen(e->log);
	snprintf(e->log + used, sizeof(e->log) - used, "%s|%.*s\n",
		 event ? event : "-", (int)len, data);
	return 0;
}

static const char sse_stream[] =
    "\xEF\xBB\xBF: a comment first\r\n"
    "data: one\n\n"
    "event: delta\r\n"
    "data: two\r\n"
    "data:  three\r\n\r\n"
    "data\r\r" /* no colon: an empty data field, CR lines */
    "id: 7\nretry: 100\nfoo: bar\n\n" /* no data: not dispatched */
    "event: x\n:ping\ndata:{\"a\":1}\n\n"
    "data: [DONE]\n\n"
    "data: unfinished\n"; /* no blank line: never dispatched */

static const char sse_expected[] = "-|one\n"
				   "delta|two\n three\n"
				   "-|\n"
				   "x|{\"a\":1}\n"
				   "-|[DONE]\n";

static void test_sse_whole(void **state)
{
	events e = {0};
	jolt_sse *s = jolt_sse_new(collect, &e);
	assert_int_equal(jolt_sse_feed(s, sse_stream, sizeof(sse_stream) - 1),
			 0);
	assert_string_equal(e.log, sse_expected);
	assert_int_equal(e.n, 5);
	jolt_sse_free(s);
}

static void test_sse_byte_by_byte(void **state)
{
	events e = {0};
	jolt_sse *s = jolt_sse_new(collect, &e);
	for (size_t i = 0; i < sizeof(sse_stream) - 1; i++)
		assert_int_equal(jolt_sse_feed(s, sse_stream + i, 1), 0);
	assert_string_equal(e.log, sse_expected);
	jolt_sse_free(s);
}

static void test_sse_every_split(void **state)
{
	/* Two chunks, cut at every position: a CR at the end of one chunk
	 * and the LF at the start of the next are one line break. */
	size_t n = sizeof(sse_stream) - 1;
	for (size_t cut = 0; cut <= n; cut++) {
		events e = {0};
		jolt_sse *s = jolt_sse_new(collect, &e);
		assert_int_equal(jolt_sse_feed(s, sse_stream, cut), 0);
		assert_int_equal(jolt_sse_feed(s, sse_stream + cut, n - cut),
				 0);
		assert_string_equal(e.log, sse_expected);
		jolt_sse_free(s);
	}
}

static void test_sse_cap(void **state)
{
	events e = {0};
	jolt_sse *s = jolt_sse_new(collect, &e);
	size_t big = 600 * 1024;
	char *line = malloc(big + 8);
	memcpy(line, "data: ", 6);
	memset(line + 6, 'x', big);
	line[6 + big] = '\n';
	/* Two data lines of 600 KiB: one event over the 1 MiB cap. */
	assert_int_equal(jolt_sse_feed(s, line, big + 7), 0);
	assert_int_equal(jolt_sse_feed(s, line, big + 7), JOLT_ETOOBIG);
	assert_non_null(strstr(jolt_err_msg(), "larger than"));
	/* Sticky: a failed stream stays failed. */
	assert_int_equal(jolt_sse_feed(s, "\n", 1), JOLT_ETOOBIG);
	assert_int_equal(e.n, 0);
	jolt_sse_free(s);

	/* One endless line without a break hits the cap too. */
	s = jolt_sse_new(collect, &e);
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++)
		rc = jolt_sse_feed(s, line + 6, big);
	assert_int_equal(rc, JOLT_ETOOBIG);
	jolt_sse_free(s);
	free(line);
}

static void test_sse_callback_error(void **state)
{
	events e = {.fail_at = 2};
	jolt_sse *s = jolt_sse_new(collect, &e);
	static const char in[] = "data: a\n\ndata: b\n\ndata: c\n\n";
	assert_int_equal(jolt_sse_feed(s, in, sizeof(in) - 1), JOLT_EINFRA);
	assert_int_equal(e.n, 2); /* stopped at the failing event */
	jolt_sse_free(s);
}

/* ------------------------------------------------------------ transport */

typedef struct waitbox {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
	jolt_http_resp resp;
	events ev;
	pthread_t thread; /* where the callback ran */
} waitbox;

static void box_init(waitbox *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
}

static void box_release(waitbox *b)
{
	jolt_http_resp_release(&b->resp);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

static void box_done(void *payload, jolt_http_resp *resp)
{
	waitbox *b = payload;
	pthread_mutex_lock(&b->mu);
	b->resp = *resp; /* take the owned fields */
	b->thread = pthread_self();
	b->done = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static int box_event(void *payload, const char *event, const char *data,
		     size_t len)
{
	waitbox *b = payload;
	return collect(&b->ev, event, data, len);
}

static void box_wait(waitbox *b)
{
	pthread_mutex_lock(&b->mu);
	while (!b->done)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

/* Submit one request and wait for it. */
static void roundtrip(waitbox *b, const jolt_http_opts *o, jolt_http_req *req)
{
	jolt_http *h = NULL;
	box_init(b);
	assert_int_equal(jolt_http_new(&h, o), 0);
	assert_int_equal(jolt_http_submit(h, req, box_done, b), 0);
	box_wait(b);
	jolt_http_free(h);
}

static char *url_of(const ts_server *s, const char *path)
{
	return jolt_xasprintf("http://127.0.0.1:%d%s", s->port, path);
}

static void test_http_200(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "{\"ok\":true}"}};
	ts_server *s = ts_start(steps, 1);
	assert_non_null(s);
	char *url = url_of(s, "/v1/chat/completions");
	const char *hdrs[] = {"Authorization: Bearer " PLANTED, NULL};
	jolt_http_req req = {.url = url, .body = "{\"q\":1}", .headers = hdrs};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, 0);
	assert_null(b.resp.errmsg);
	assert_int_equal(b.resp.status, 200);
	assert_string_equal(b.resp.body, "{\"ok\":true}");
	assert_int_equal(b.resp.len, 11);
	assert_int_equal(b.resp.retry_after_ms, -1);
	assert_true(b.resp.latency_ms >= 0);
	assert_int_equal(ts_count(s), 1);
	assert_string_equal(s->req[0].path, "/v1/chat/completions");
	assert_string_equal(s->req[0].body, "{\"q\":1}");
	assert_string_equal(s->req[0].content_type, "application/json");
	assert_string_equal(s->req[0].authorization, "Bearer " PLANTED);
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_error_status_is_not_a_transport_error(void **state)
{
	static const ts_step steps[] = {{.mode = TS_NORMAL,
					 .status = 429,
					 .body = "{\"error\":\"slow down\"}",
					 .hname = "Retry-After",
					 .hvalue = "7"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/x");
	jolt_http_req req = {.url = url, .body = "{}"};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, 0);
	assert_int_equal(b.resp.status, 429);
	assert_int_equal(b.resp.retry_after_ms, 7000);
	assert_string_equal(b.resp.body, "{\"error\":\"slow down\"}");
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_retry_after_date(void **state)
{
	char date[64];
	time_t t = time(NULL) + 100;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	ts_step steps[] = {{.mode = TS_NORMAL,
			    .status = 503,
			    .body = "busy",
			    .hname = "Retry-After",
			    .hvalue = date}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/x");
	jolt_http_req req = {.url = url, .body = "{}"};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.status, 503);
	assert_in_range(b.resp.retry_after_ms, 90000, 101000);
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_refused(void **state)
{
	int port = ts_free_port();
	assert_true(port > 0);
	char *url =
	    jolt_xasprintf("http://127.0.0.1:%d/v1?key=%s", port, PLANTED);
	const char *hdrs[] = {"Authorization: Bearer " PLANTED, NULL};
	jolt_http_req req = {.url = url, .body = "{}", .headers = hdrs};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, JOLT_EINFRA);
	assert_int_equal(b.resp.status, 0);
	assert_non_null(b.resp.errmsg);
	assert_non_null(strstr(b.resp.errmsg, "127.0.0.1"));
	assert_null(strstr(b.resp.errmsg, PLANTED));
	box_release(&b);
	free(url);
}

static void test_http_timeout(void **state)
{
	static const ts_step steps[] = {{.mode = TS_STALL, .delay_ms = 20000}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/stall");
	const char *hdrs[] = {"x-api-key: " PLANTED, NULL};
	jolt_http_req req = {
	    .url = url, .body = "{}", .headers = hdrs, .timeout_s = 0.3};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, JOLT_ETIMEOUT);
	assert_non_null(strstr(b.resp.errmsg, "timed out"));
	assert_null(strstr(b.resp.errmsg, PLANTED));
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_too_big(void **state)
{
	char *big = malloc(5001);
	memset(big, 'a', 5000);
	big[5000] = '\0';
	ts_step steps[] = {{.mode = TS_NORMAL, .status = 200, .body = big}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/big");
	jolt_http_opts o = {.max_body = 1000};
	jolt_http_req req = {.url = url, .body = "{}"};
	waitbox b;
	roundtrip(&b, &o, &req);
	assert_int_equal(b.resp.err, JOLT_ETOOBIG);
	assert_non_null(
	    strstr(b.resp.errmsg, "response body larger than 1000 bytes"));
	assert_true(b.resp.len <= 1000);
	box_release(&b);

	/* Exactly at the cap is fine. */
	big[1000] = '\0';
	roundtrip(&b, &o, &req);
	assert_int_equal(b.resp.err, 0);
	assert_int_equal(b.resp.len, 1000);
	box_release(&b);
	free(url);
	ts_stop(s);
	free(big);
}

static void test_http_truncated_and_closed(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_TRUNCATE,
	     .status = 200,
	     .body = "{\"choices\":[{\"mess"},
	    {.mode = TS_CLOSE},
	};
	ts_server *s = ts_start(steps, 2);
	char *url = url_of(s, "/x");
	jolt_http_req req = {.url = url, .body = "{}"};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, JOLT_EINFRA); /* CURLE_PARTIAL_FILE */
	assert_non_null(b.resp.errmsg);
	box_release(&b);
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, JOLT_EINFRA); /* empty reply */
	assert_int_equal(b.resp.status, 0);
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_sse(void **state)
{
	/* Pieces cut mid-field, mid-CRLF and mid-event. */
	static const char *const chunks[] = {
	    "da",
	    "ta: {\"d\":\"he\"}\r",
	    "\n\r\nevent: de",
	    "lta\ndata: llo\n",
	    "\n: keepalive\n\ndata: [DONE]\n\n",
	    NULL};
	static const ts_step steps[] = {{.mode = TS_SSE, .chunks = chunks}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/stream");
	jolt_http_req req = {.url = url, .body = "{}", .on_event = box_event};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.err, 0);
	assert_int_equal(b.resp.status, 200);
	assert_int_equal(b.resp.len, 0); /* streamed, not accumulated */
	assert_string_equal(b.ev.log,
			    "-|{\"d\":\"he\"}\ndelta|llo\n-|[DONE]\n");
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_sse_error_body_is_kept(void **state)
{
	/* A stream request answered with an error: the body is for the
	 * classifier, not the event parser. */
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 500, .body = "data: no\n\n"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/stream");
	jolt_http_req req = {.url = url, .body = "{}", .on_event = box_event};
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.status, 500);
	assert_string_equal(b.resp.body, "data: no\n\n");
	assert_int_equal(b.ev.n, 0);
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_stream_abort_by_callback(void **state)
{
	static const char *const chunks[] = {"data: 1\n\n", "data: 2\n\n",
					     "data: 3\n\n", NULL};
	static const ts_step steps[] = {{.mode = TS_SSE, .chunks = chunks}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/stream");
	jolt_http_req req = {.url = url, .body = "{}", .on_event = box_event};
	waitbox b;
	jolt_http *h = NULL;
	box_init(&b);
	b.ev.fail_at = 1;
	assert_int_equal(jolt_http_new(&h, NULL), 0);
	assert_int_equal(jolt_http_submit(h, &req, box_done, &b), 0);
	box_wait(&b);
	jolt_http_free(h);
	assert_int_equal(b.resp.err, JOLT_EINFRA);
	assert_non_null(strstr(b.resp.errmsg, "stop here"));
	box_release(&b);
	free(url);
	ts_stop(s);
}

#define MANY_MAX 256

typedef struct many many;

typedef struct one {
	many *m;
	int i;
} one;

struct many {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, ok, down; /* callbacks, 200 "ok" ones, "shutting down" */
	pthread_t threads[MANY_MAX];
	int calls[MANY_MAX]; /* callbacks per request: exactly one each */
	one ones[MANY_MAX];
};

static void many_done(void *payload, jolt_http_resp *resp)
{
	one *o = payload;
	many *m = o->m;
	pthread_mutex_lock(&m->mu);
	m->threads[o->i] = pthread_self();
	m->calls[o->i]++;
	if (resp->err == 0 && resp->status == 200 && !strcmp(resp->body, "ok"))
		m->ok++;
	if (resp->err == JOLT_EINFRA && strstr(resp->errmsg, "shutting down"))
		m->down++;
	m->done++;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	jolt_http_resp_release(resp);
}

static many *many_new(void)
{
	many *m = jolt_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	return m;
}

static void many_free(many *m)
{
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* Submit requests from..to-1 of m to url, each after delay_ms. */
static void many_submit(jolt_http *h, many *m, const char *url, int from,
			int to, long delay_ms)
{
	for (int i = from; i < to; i++) {
		m->ones[i] = (one){m, i};
		jolt_http_req req = {
		    .url = url, .body = "{}", .delay_ms = delay_ms};
		assert_int_equal(
		    jolt_http_submit(h, &req, many_done, &m->ones[i]), 0);
	}
}

static void many_wait(many *m, int n)
{
	pthread_mutex_lock(&m->mu);
	while (m->done < n)
		pthread_cond_wait(&m->cv, &m->mu);
	pthread_mutex_unlock(&m->mu);
}

/* Each of the n requests called back exactly once. */
static void assert_once_each(const many *m, int n)
{
	assert_int_equal(m->done, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(m->calls[i], 1);
}

static void test_http_100_concurrent(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "ok", .delay_ms = 50}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/x");
	jolt_http *h = NULL;
	/* One loop: every callback on the same thread. */
	jolt_http_opts opts = {.loops = 1};
	assert_int_equal(jolt_http_new(&h, &opts), 0);
	assert_int_equal(jolt_http_nloops(h), 1);
	many *m = many_new();
	many_submit(h, m, url, 0, 100, 0);
	many_wait(m, 100);
	jolt_http_free(h);
	assert_once_each(m, 100);
	assert_int_equal(m->ok, 100);
	assert_int_equal(ts_count(s), 100);
	for (int i = 1; i < 100; i++)
		assert_true(pthread_equal(m->threads[i], m->threads[0]));
	assert_false(pthread_equal(m->threads[0], pthread_self()));
	many_free(m);
	free(url);
	ts_stop(s);
}

/* Distinct threads among m->threads[0..n). */
static int distinct_threads(const many *m, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = pthread_equal(m->threads[i], m->threads[j]);
		k += !seen;
	}
	return k;
}

static void test_http_loops_spread(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "ok", .delay_ms = 20}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/x");
	jolt_http *h = NULL;
	jolt_http_opts opts = {.loops = 4, .max_conns_per_host = 16};
	assert_int_equal(jolt_http_new(&h, &opts), 0);
	assert_int_equal(jolt_http_nloops(h), 4);
	many *m = many_new();
	enum { N = 200 };
	many_submit(h, m, url, 0, N, 0);
	many_wait(m, N);
	jolt_http_free(h);
	assert_once_each(m, N);
	assert_int_equal(m->ok, N);
	assert_int_equal(ts_count(s), N);
	/* Dealt in turn: every loop carried some, on its own thread. */
	assert_int_equal(distinct_threads(m, N), 4);
	for (int i = 0; i < N; i++)
		assert_false(pthread_equal(m->threads[i], pthread_self()));
	many_free(m);
	free(url);
	ts_stop(s);
}

static void test_http_free_with_requests_in_flight(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "ok", .delay_ms = 300}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/x");
	jolt_http *h = NULL;
	jolt_http_opts opts = {.loops = 3};
	assert_int_equal(jolt_http_new(&h, &opts), 0);
	many *m = many_new();
	enum { N = 30, D = 6 };
	many_submit(h, m, url, 0, N, 0);
	/* D more wait ten minutes before going out: never sent. */
	many_submit(h, m, url, N, N + D, 600000);
	/* Free at once: what is in flight on every loop finishes first. */
	jolt_http_free(h);
	assert_once_each(m, N + D);
	assert_int_equal(m->ok, N);
	assert_int_equal(m->down, D);
	assert_int_equal(ts_count(s), N);
	many_free(m);
	free(url);
	ts_stop(s);
}

static void test_http_loops_default(void **state)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t ncores = cores < 1 ? 1 : (size_t)cores;
	/* One loop up to 512 in flight, then one per 512, at most a core
	 * each. */
	size_t want = ncores < 2 ? ncores : 2;
	assert_int_equal(jolt_http_loops_default(0), 1);
	assert_int_equal(jolt_http_loops_default(1), 1);
	assert_int_equal(jolt_http_loops_default(64), 1);
	assert_int_equal(jolt_http_loops_default(512), 1);
	assert_int_equal(jolt_http_loops_default(513), want);
	assert_int_equal(jolt_http_loops_default(1024), want);
	size_t many = ncores < JOLT_HTTP_LOOPS_MAX ? ncores : JOLT_HTTP_LOOPS_MAX;
	assert_int_equal(jolt_http_loops_default(512L * 64), many);
	jolt_http *h = NULL;
	jolt_http_opts opts = {.max_conns_per_host = 1024};
	assert_int_equal(jolt_http_new(&h, &opts), 0);
	assert_int_equal(jolt_http_nloops(h), want);
	jolt_http_free(h);
	opts.loops = 1000; /* capped */
	assert_int_equal(jolt_http_new(&h, &opts), 0);
	assert_int_equal(jolt_http_nloops(h), JOLT_HTTP_LOOPS_MAX);
	jolt_http_free(h);
}

static void test_http_delay(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "ok"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s, "/x");
	jolt_http_req req = {.url = url, .body = "{}", .delay_ms = 400};
	int64_t t0 = jolt_now_ms();
	waitbox b;
	roundtrip(&b, NULL, &req);
	assert_int_equal(b.resp.status, 200);
	/* Protocol check, not performance: it did not go out early. */
	assert_true(s->req[0].at_ms - t0 >= 380);
	box_release(&b);
	free(url);
	ts_stop(s);
}

static void test_http_free_aborts_delayed(void **state)
{
	jolt_http *h = NULL;
	assert_int_equal(jolt_http_new(&h, NULL), 0);
	waitbox b[3];
	for (int i = 0; i < 3; i++) {
		box_init(&b[i]);
		jolt_http_req req = {.url = "http://127.0.0.1:9/never",
				     .body = "{}",
				     .delay_ms = 600000};
		assert_int_equal(jolt_http_submit(h, &req, box_done, &b[i]), 0);
	}
	jolt_http_free(h); /* must not wait ten minutes */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(b[i].done, 1);
		assert_int_equal(b[i].resp.err, JOLT_EINFRA);
		assert_non_null(strstr(b[i].resp.errmsg, "shutting down"));
		box_release(&b[i]);
	}
}

static void test_http_bad_url(void **state)
{
	jolt_http *h = NULL;
	assert_int_equal(jolt_http_new(&h, NULL), 0);
	jolt_http_req req = {.url = "file:///etc/passwd", .body = "{}"};
	assert_int_equal(jolt_http_submit(h, &req, box_done, NULL),
			 JOLT_EUSAGE);
	jolt_http_free(h);
}


/* Retry-After forms curl reads as "now", and one it cannot read. */
static void test_http_retry_after_now(void **state)
{
	char past[64];
	time_t t = time(NULL) - 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(past, sizeof(past), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	const char *values[] = {"0", past, "soon", "99999999"};
	const long want[] = {0, 0, 0, 86400L * 1000};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(values); i++) {
		ts_step steps[] = {{.mode = TS_NORMAL,
				    .status = 429,
				    .body = "{}",
				    .hname = "Retry-After",
				    .hvalue = values[i]}};
		ts_server *s = ts_start(steps, 1);
		char *url = url_of(s, "/x");
		jolt_http_req req = {.url = url, .body = "{}"};
		waitbox b;
		roundtrip(&b, NULL, &req);
		assert_int_equal(b.resp.status, 429);
		if (b.resp.retry_after_ms != want[i])
			fail_msg("Retry-After '%s': got %ld, want %ld", values[i],
				 b.resp.retry_after_ms, want[i]);
		box_release(&b);
		free(url);
		ts_stop(s);
	}
}

static void test_url_join(void **state)
{
	static const struct {
		const char *base, *path, *want;
	} cases[] = {
	    {"http://127.0.0.1:8000/v1", "/chat/completions",
	     "http://127.0.0.1:8000/v1/chat/completions"},
	    /* trailing slash, several */
	    {"http://127.0.0.1:8000/v1/", "/chat/completions",
	     "http://127.0.0.1:8000/v1/chat/completions"},
	    {"https://api.minimax.io/v1//", "/chat/completions",
	     "https://api.minimax.io/v1/chat/completions"},
	    /* no path at all */
	    {"http://localhost:8080", "/completions",
	     "http://localhost:8080/completions"},
	    {"http://localhost:8080/", "/completions",
	     "http://localhost:8080/completions"},
	    /* a path prefix */
	    {"https://gw.example.com/proxy/minimax/anthropic", "/v1/messages",
	     "https://gw.example.com/proxy/minimax/anthropic/v1/messages"},
	    /* the path already there */
	    {"http://h/v1/chat/completions", "/chat/completions",
	     "http://h/v1/chat/completions"},
	    {"http://h/v1/chat/completions/", "/chat/completions",
	     "http://h/v1/chat/completions"},
	    /* a query string stays at the end */
	    {"https://h.example/openai?api-version=2024-06-01", "/chat/completions",
	     "https://h.example/openai/chat/completions?api-version=2024-06-01"},
	    {"https://h.example/v1/?k=v&x=1", "/completions",
	     "https://h.example/v1/completions?k=v&x=1"},
	    /* IPv6 literals */
	    {"http://[::1]:8000/v1", "/chat/completions",
	     "http://[::1]:8000/v1/chat/completions"},
	    {"http://[2001:db8::7]/", "/v1/messages",
	     "http://[2001:db8::7]/v1/messages"},
	    /* a /messages that is not the endpoint's whole path is extended */
	    {"http://h/messages", "/v1/messages", "http://h/messages/v1/messages"},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		char *got = NULL;
		int rc = jolt_http_url_join(&got, cases[i].base, cases[i].path);
		if (rc)
			fail_msg("%s: %s", cases[i].base, jolt_err_msg());
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	static const char *const bad[] = {"ftp://h/v1", "127.0.0.1:8000/v1",
					  "file:///etc", "http://", "", "http://[::1/v1"};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(bad); i++) {
		char *got = (char *)"unset";
		if (jolt_http_url_join(&got, bad[i], "/x") != JOLT_EUSAGE)
			fail_msg("'%s' was accepted", bad[i]);
		assert_null(got);
		assert_non_null(strstr(jolt_err_msg(), "http://"));
	}
}

static void test_url_loopback(void **state)
{
	static const struct {
		const char *url;
		bool want;
	} cases[] = {
	    {"http://127.0.0.1:8000/v1", true},
	    {"http://localhost/v1", true},
	    {"http://LOCALHOST:1/", true},
	    {"http://[::1]:8000/v1/chat/completions", true},
	    {"http://user:pw@127.0.0.1/v1", true},
	    {"http://127.0.0.1.example.com/v1", false},
	    {"http://localhost.evil.example/", false},
	    {"https://api.minimax.io/v1", false},
	    {"http://[2001:db8::1]/", false},
	    {"http://example.com/?h=127.0.0.1", false},
	    {"not a url", false},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++)
		if (jolt_http_url_is_loopback(cases[i].url) != cases[i].want)
			fail_msg("%s: want %d", cases[i].url, cases[i].want);
}

static void test_url_shown(void **state)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
	    {"http://127.0.0.1:8000/v1/chat/completions",
	     "http://127.0.0.1:8000/v1/chat/completions"},
	    {"https://user:" PLANTED "@h.example/v1?key=" PLANTED "#frag",
	     "https://h.example/v1"},
	    {"http://[::1]:9/v1/messages?x=1", "http://[::1]:9/v1/messages"},
	    {"http://h.example", "http://h.example/"},
	    {"no scheme " PLANTED, "(a URL curl cannot parse)"},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		char *got = jolt_http_url_shown(cases[i].url);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	char long_url[600];
	snprintf(long_url, sizeof(long_url), "http://h/%0500d", 7);
	char *got = jolt_http_url_shown(long_url);
	assert_int_equal(strlen(got), 200);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sse_whole),
	    cmocka_unit_test(test_sse_byte_by_byte),
	    cmocka_unit_test(test_sse_every_split),
	    cmocka_unit_test(test_sse_cap),
	    cmocka_unit_test(test_sse_callback_error),
	    cmocka_unit_test(test_http_200),
	    cmocka_unit_test(test_http_error_status_is_not_a_transport_error),
	    cmocka_unit_test(test_http_retry_after_date),
	    cmocka_unit_test(test_http_refused),
	    cmocka_unit_test(test_http_timeout),
	    cmocka_unit_test(test_http_too_big),
	    cmocka_unit_test(test_http_truncated_and_closed),
	    cmocka_unit_test(test_http_sse),
	    cmocka_unit_test(test_http_sse_error_body_is_kept),
	    cmocka_unit_test(test_http_stream_abort_by_callback),
	    cmocka_unit_test(test_http_100_concurrent),
	    cmocka_unit_test(test_http_loops_spread),
	    cmocka_unit_test(test_http_free_with_requests_in_flight),
	    cmocka_unit_test(test_http_loops_default),
	    cmocka_unit_test(test_http_delay),
	    cmocka_unit_test(test_http_free_aborts_delayed),
	    cmocka_unit_test(test_http_bad_url),
	    cmocka_unit_test(test_http_retry_after_now),
	    cmocka_unit_test(test_url_join),
	    cmocka_unit_test(test_url_loopback),
	    cmocka_unit_test(test_url_shown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
