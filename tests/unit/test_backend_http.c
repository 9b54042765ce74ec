/*
 * test_backend_http.c - the network backends (backend_http.c) over real
 * HTTP to a scripted server on 127.0.0.1: retries and backoff, Retry-After,
 * classification (denied, bad input, infra), streaming, replicas, keys
 * (sent, never shown), and the rate limiter (ratelimit.c).
 *
 * The backend is tested with a small fake dialect defined here, so these
 * tests exercise the retry and classification policy, not a wire format
 * (each dialect has its own tests).
 */
#include "test.h"

#include <pthread.h>

#include "model/backend_http.h"
#include "core/common.h"
#include "model/dialect.h"
#include "mhd_server.h"
#include "model/ratelimit.h"

#define PLANTED "sk-PLANTED-123"

/* ---------------------------------------------------------- fake dialect
 * Request: {"model": M, "step": N}. Response: {"content": S, "usage":
 * {"in": N, "out": N}}; {"base_resp": {"status_code": 1004}} on a 200 is
 * an auth error. Stream: data: {"delta": S} ... data: [DONE]. */

static int fake_encode(char **out, const jolt_model_req *req,
		       const jolt_dialect_opts *o)
{
	json_t *j = json_pack("{s:s, s:i, s:b}", "model", o->model, "step",
			      req->step, "stream", o->b->stream);
	*out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return 0;
}

static int fake_decode(jolt_model_reply *out, const char *body, size_t len,
		       const jolt_model_req *req, const jolt_dialect_opts *o)
{
	memset(out, 0, sizeof(*out));
	json_error_t e;
	json_t *j = json_loadb(body, len, 0, &e);
	const char *content = NULL;
	json_int_t in = 0, outn = 0;
	if (!j || json_unpack(j, "{s:s, s:{s:I, s:I}}", "content", &content,
			      "usage", "in", &in, "out", &outn)) {
		json_decref(j);
		return jolt_err_set(JOLT_EINFRA, "not a fake response");
	}
	out->message =
	    json_pack("{s:s, s:s}", "role", "assistant", "content", content);
	out->tokens_in = (long)in;
	out->tokens_out = (long)outn;
	json_decref(j);
	return 0;
}

struct jolt_stream {
	jolt_buf text;
	int done;
};

static int fake_stream_new(jolt_stream **out, const jolt_model_req *req,
			   const jolt_dialect_opts *o)
{
	*out = calloc(1, sizeof(**out));
	jolt_buf_init(&(*out)->text, 4096);
	return 0;
}

static int fake_stream_event(jolt_stream *st, const char *event,
			     const char *data, size_t len)
{
	if (!strcmp(data, "[DONE]")) {
		st->done = 1;
		return 0;
	}
	json_t *j = json_loadb(data, len, 0, NULL);
	const char *d = NULL;
	if (!j || json_unpack(j, "{s:s}", "delta", &d)) {
		json_decref(j);
		return jolt_err_set(JOLT_EINFRA, "bad stream event");
	}
	jolt_buf_adds(&st->text, d);
	json_decref(j);
	return 0;
}

static int fake_stream_finish(jolt_model_reply *out, jolt_stream *st)
{
	memset(out, 0, sizeof(*out));
	if (!st->done)
		return jolt_err_set(JOLT_EINFRA, "stream ended before [DONE]");
	out->message = json_pack("{s:s, s:s}", "role", "assistant", "content",
				 jolt_buf_cstr(&st->text));
	return 0;
}

static void fake_stream_free(jolt_stream *st)
{
	jolt_buf_release(&st->text);
	free(st);
}

static int fake_classify(int status, const char *body, size_t len)
{
	if (status == 400)
		return jolt_err_set(JOLT_EINPUT, "the request is bad: %.*s",
				    (int)len, body);
	if (status == 401)
		return JOLT_EDENIED; /* no message: the backend writes one */
	if (status == 429 || status >= 500)
		return jolt_err_set(JOLT_EINFRA, "HTTP %d", status);
	if (status == 200 && len && strstr(body, "\"base_resp\"") &&
	    strstr(body, "1004"))
		return jolt_err_set(JOLT_EDENIED,
				    "authentication failed (1004): "
				    "check MINIMAX_API_KEY");
	return 0;
}

static const jolt_dialect fake = {
    .name = "fake",
    .path = "/fake",
    .encode = fake_encode,
    .decode = fake_decode,
    .stream_new = fake_stream_new,
    .stream_event = fake_stream_event,
    .stream_finish = fake_stream_finish,
    .stream_free = fake_stream_free,
    .classify = fake_classify,
};

/* ------------------------------------------------------------- fixture */

#define OK_BODY "{\"content\":\"hello\",\"usage\":{\"in\":12,\"out\":3}}"

static jolt_backend_opts test_opts(int retries)
{
	jolt_backend_opts o = {
	    .temperature = -1,
	    .top_p = -1,
	    .top_k = -1,
	    .max_retries = retries,
	    .request_timeout_s = 10,
	};
	return o;
}

static int open_at(void **out, const char *provider, const char *url,
		   const jolt_backend_opts *o)
{
	jolt_model_spec spec = {
	    .provider = (char *)provider,
	    .model = (char *)"m1",
	    .url = (char *)url,
	    .opts = o,
	};
	return jolt_backend_http_open(out, &spec, &fake);
}

static int turn(jolt_model_reply *out, void *state)
{
	static const jolt_model_req req = {.step = 0};
	return jolt_backend_openai.complete(out, state, &req);
}

static char *url_of(const ts_server *s)
{
	return jolt_xasprintf("http://127.0.0.1:%d/v1", s->port);
}

static int setup_env(void **state)
{
	setenv("JOLT_API_KEY", PLANTED, 1);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_backend_200(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(2);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "hello");
	assert_int_equal(r.tokens_in, 12);
	assert_int_equal(r.tokens_out, 3);
	assert_true(r.latency_ms >= 0);
	jolt_model_reply_release(&r);
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 1);
	assert_string_equal(s->req[0].path, "/v1/fake");
	assert_string_equal(s->req[0].body,
			    "{\"model\":\"m1\",\"step\":0,\"stream\":false}");
	assert_string_equal(s->req[0].authorization, "Bearer " PLANTED);
	assert_null(s->req[0].x_api_key);
	assert_null(s->req[0].anthropic_version);
	free(url);
	ts_stop(s);
}

static void test_backend_anthropic_headers(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(0);
	void *b = NULL;
	assert_int_equal(open_at(&b, "anthropic", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), 0);
	jolt_model_reply_release(&r);
	jolt_backend_anthropic.close(b);
	assert_string_equal(s->req[0].authorization, "Bearer " PLANTED);
	assert_string_equal(s->req[0].x_api_key, PLANTED);
	assert_string_equal(s->req[0].anthropic_version, "2023-06-01");
	free(url);
	ts_stop(s);
}

static void test_backend_500_then_200(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 500, .body = "oops"},
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY},
	};
	ts_server *s = ts_start(steps, 2);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(3);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "hello");
	jolt_model_reply_release(&r);
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 2); /* one failure, one success */
	free(url);
	ts_stop(s);
}

static void test_backend_retry_after(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL,
	     .status = 429,
	     .body = "{\"error\":\"rate\"}",
	     .hname = "Retry-After",
	     .hvalue = "1"},
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY},
	};
	ts_server *s = ts_start(steps, 2);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(3);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), 0);
	jolt_model_reply_release(&r);
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 2);
	/* The server's own clock: the retry waited for Retry-After. */
	assert_true(s->req[1].at_ms - s->req[0].at_ms >= 900);
	free(url);
	ts_stop(s);
}

static void test_backend_refused(void **state)
{
	char *url = jolt_xasprintf("http://127.0.0.1:%d/v1", ts_free_port());
	jolt_backend_opts o = test_opts(2);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EINFRA);
	assert_null(r.message);
	assert_non_null(
	    strstr(jolt_err_msg(), "model unreachable after 3 attempts: "));
	assert_null(strstr(jolt_err_msg(), PLANTED));
	jolt_backend_openai.close(b);
	free(url);
}

static void test_backend_timeout(void **state)
{
	static const ts_step steps[] = {{.mode = TS_STALL, .delay_ms = 20000}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(1);
	o.request_timeout_s = 0.3;
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "after 2 attempts"));
	assert_non_null(strstr(jolt_err_msg(), "timed out"));
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 2);
	free(url);
	ts_stop(s);
}

static void test_backend_denied_not_retried(void **state)
{
	/* The server echoes the key: the message must not. */
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL,
	     .status = 401,
	     .body = "{\"error\":\"bad key " PLANTED "\"}"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(5);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EDENIED);
	assert_non_null(strstr(jolt_err_msg(), "HTTP 401"));
	assert_non_null(strstr(jolt_err_msg(), "API key"));
	assert_non_null(strstr(jolt_err_msg(), "[redacted]"));
	assert_null(strstr(jolt_err_msg(), PLANTED));
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 1);
	free(url);
	ts_stop(s);
}

static void test_backend_bad_input_not_retried(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 400, .body = "context too long"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(5);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "context too long"));
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 1);
	free(url);
	ts_stop(s);
}

static void test_backend_unknown_status_falls_back(void **state)
{
	/* The dialect does not know 404: the status decides (a wrong base
	 * URL stops the run rather than failing every trial). */
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 404, .body = "not found"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(5);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EDENIED);
	assert_non_null(strstr(jolt_err_msg(), "base URL"));
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 1);
	free(url);
	ts_stop(s);
}

static void test_backend_denied_on_200(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL,
	     .status = 200,
	     .body = "{\"base_resp\":{\"status_code\":1004,\"status_msg\":"
		     "\"auth\"}}"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(5);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EDENIED);
	assert_non_null(strstr(jolt_err_msg(), "1004"));
	jolt_backend_openai.close(b);
	free(url);
	ts_stop(s);
}

static void test_backend_garbage_then_truncated_then_ok(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "<html>gateway</html>"},
	    {.mode = TS_TRUNCATE, .status = 200, .body = "{\"content\":\"hel"},
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY},
	};
	ts_server *s = ts_start(steps, 3);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(3);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "hello");
	jolt_model_reply_release(&r);
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 3);
	free(url);
	ts_stop(s);
}

static void test_backend_garbage_exhausts(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = "{\"trunc"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(1);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), JOLT_EINFRA);
	assert_non_null(
	    strstr(jolt_err_msg(), "model unreachable after 2 attempts"));
	assert_non_null(strstr(jolt_err_msg(), "bad response body"));
	jolt_backend_openai.close(b);
	free(url);
	ts_stop(s);
}

static void test_backend_stream(void **state)
{
	static const char *const good[] = {
	    "data: {\"delta\":\"he\"}\n", "\ndata: {\"del", "ta\":\"llo\"}\n\n",
	    "data: [DONE]\n\n", NULL};
	static const char *const broken[] = {"data: {\"delta\":\"x\"}\n\n",
					     NULL};
	static const ts_step steps[] = {
	    {.mode = TS_SSE, .chunks = broken}, /* ends before [DONE] */
	    {.mode = TS_SSE, .chunks = good},
	    /* A server that ignores "stream": true answers in JSON. */
	    {.mode = TS_NORMAL,
	     .status = 200,
	     .body = OK_BODY,
	     .hname = "Content-Type",
	     .hvalue = "application/json"},
	};
	ts_server *s = ts_start(steps, 3);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(2);
	o.stream = 1;
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_reply r;
	assert_int_equal(turn(&r, b), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "hello");
	jolt_model_reply_release(&r);
	assert_int_equal(turn(&r, b), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "hello");
	assert_int_equal(r.tokens_in, 12);
	jolt_model_reply_release(&r);
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s), 3);
	assert_non_null(strstr(s->req[0].body, "\"stream\":true"));
	free(url);
	ts_stop(s);
}

/* Odd base URLs reach the endpoint: a trailing slash, a path prefix, a
 * query string (kept after the path, not glued into it). */
static void test_backend_odd_base_urls(void **state)
{
	static const struct {
		const char *suffix, *path;
	} cases[] = {
	    {"/v1/", "/v1/fake"},
	    {"/gw/minimax/v1//", "/gw/minimax/v1/fake"},
	    {"/v1?api-version=2", "/v1/fake"},
	    {"", "/fake"},
	    {"/v1/fake/", "/v1/fake"},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		static const ts_step steps[] = {
		    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY}};
		ts_server *s = ts_start(steps, 1);
		char *url = jolt_xasprintf("http://127.0.0.1:%d%s", s->port,
					   cases[i].suffix);
		jolt_backend_opts o = test_opts(0);
		void *b = NULL;
		assert_int_equal(open_at(&b, "openai", url, &o), 0);
		jolt_model_reply r;
		assert_int_equal(turn(&r, b), 0);
		jolt_model_reply_release(&r);
		jolt_backend_openai.close(b);
		assert_int_equal(ts_count(s), 1);
		assert_string_equal(s->req[0].path, cases[i].path);
		free(url);
		ts_stop(s);
	}
	void *b = NULL;
	jolt_backend_opts o = test_opts(0);
	assert_int_equal(open_at(&b, "openai", "ftp://127.0.0.1/v1", &o),
			 JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "--model openai:m1: base URL"));
	assert_non_null(strstr(jolt_err_msg(), "must start with http://"));
}

static void test_backend_replicas_round_robin(void **state)
{
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY}};
	ts_server *s1 = ts_start(steps, 1), *s2 = ts_start(steps, 1);
	char *url =
	    jolt_xasprintf("http://127.0.0.1:%d/v1/,http://127.0.0.1:%d/v1",
			   s1->port, s2->port);
	jolt_backend_opts o = test_opts(0);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	for (int i = 0; i < 4; i++) {
		jolt_model_reply r;
		assert_int_equal(turn(&r, b), 0);
		jolt_model_reply_release(&r);
	}
	jolt_backend_openai.close(b);
	assert_int_equal(ts_count(s1), 2);
	assert_int_equal(ts_count(s2), 2);
	assert_string_equal(s1->req[0].path, "/v1/fake");
	free(url);
	ts_stop(s1);
	ts_stop(s2);
}

typedef struct async_box {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, ok;
} async_box;

static void async_done(void *payload, jolt_model_reply *reply, int err)
{
	async_box *a = payload;
	pthread_mutex_lock(&a->mu);
	if (!err && json_is_object(reply->message))
		a->ok++;
	a->done++;
	jolt_model_reply_release(reply);
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static void test_backend_async_many_with_trial_header(void **state)
{
	static const ts_step steps[] = {{.mode = TS_NORMAL,
					 .status = 200,
					 .body = OK_BODY,
					 .delay_ms = 20}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(0);
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_suite suite = {.name = (char *)"starter"};
	jolt_task task = {.id = (char *)"t-001"};
	jolt_trial trial = {.suite = &suite,
			    .task = &task,
			    .variant = "baseline",
			    .key = (char *)"k|1",
			    .seed = 7};
	jolt_model_req req = {.trial = &trial, .step = 2};
	async_box a = {.done = 0};
	pthread_mutex_init(&a.mu, NULL);
	pthread_cond_init(&a.cv, NULL);
	for (int i = 0; i < 50; i++)
		assert_int_equal(
		    jolt_backend_openai.start(b, &req, async_done, &a), 0);
	pthread_mutex_lock(&a.mu);
	while (a.done < 50)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);
	jolt_backend_openai.close(b);
	assert_int_equal(a.ok, 50);
	assert_int_equal(ts_count(s), 50);
	json_t *h = json_loads(s->req[0].trial, 0, NULL);
	assert_non_null(h);
	assert_string_equal(json_string_value(json_object_get(h, "suite")),
			    "starter");
	assert_string_equal(json_string_value(json_object_get(h, "variant")),
			    "t-001/baseline");
	assert_string_equal(json_string_value(json_object_get(h, "key")),
			    "k|1");
	assert_int_equal(json_integer_value(json_object_get(h, "seed")), 7);
	assert_int_equal(json_integer_value(json_object_get(h, "step")), 2);
	json_decref(h);
	pthread_cond_destroy(&a.cv);
	pthread_mutex_destroy(&a.mu);
	free(url);
	ts_stop(s);
}

static void test_backend_real_openai_dialect(void **state)
{
	/* The registered backend end to end: provider -> dialect -> wire. */
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL,
	     .status = 200,
	     .hname = "Content-Type",
	     .hvalue = "application/json",
	     .body = "{\"id\":\"r1\",\"object\":\"chat.completion\",\"model\":"
		     "\"m1\","
		     "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
		     "\"message\":{\"role\":\"assistant\",\"content\":\"hi "
		     "there\"}}],"
		     "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
		     "\"total_tokens\":7}}"}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(0);
	jolt_model_spec spec = {.provider = (char *)"openai",
				.model = (char *)"m1",
				.url = url,
				.opts = &o};
	void *b = NULL;
	assert_int_equal(jolt_backend_openai.open(&b, &spec), 0);
	json_t *msgs =
	    json_pack("[{s:s, s:s}]", "role", "user", "content", "hello");
	json_t *tools = json_array();
	jolt_model_req req = {.messages = msgs, .tools = tools, .step = 0};
	jolt_model_reply r;
	assert_int_equal(jolt_backend_openai.complete(&r, b, &req), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")),
	    "hi there");
	assert_int_equal(r.tokens_in, 5);
	assert_int_equal(r.tokens_out, 2);
	jolt_model_reply_release(&r);
	jolt_backend_openai.close(b);
	assert_string_equal(s->req[0].path, "/v1/chat/completions");
	json_t *sent = json_loads(s->req[0].body, 0, NULL);
	assert_non_null(sent);
	assert_string_equal(json_string_value(json_object_get(sent, "model")),
			    "m1");
	json_decref(sent);
	json_decref(msgs);
	json_decref(tools);
	free(url);
	ts_stop(s);
}

static void test_backend_open_errors(void **state)
{
	void *b = NULL;
	jolt_backend_opts o = test_opts(0);
	assert_int_equal(open_at(&b, "openai", NULL, &o), JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "needs a base URL, e.g."));
	assert_int_equal(open_at(&b, "openai", "ftp://x/v1", &o), JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "http://"));

	/* No key at all: fine on the loopback, refused for a remote URL
	 * (open does not connect, so no traffic leaves the machine). */
	unsetenv("JOLT_API_KEY");
	unsetenv("OPENAI_API_KEY");
	unsetenv("MINIMAX_API_KEY");
	assert_int_equal(open_at(&b, "openai", "http://127.0.0.1:1/v1", &o), 0);
	jolt_backend_openai.close(b);
	assert_int_equal(
	    open_at(&b, "openai", "https://api.example.invalid/v1", &o),
	    JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "OPENAI_API_KEY"));
	assert_int_equal(
	    open_at(&b, "m2", "https://api.example.invalid/v1", &o), 0);
	jolt_backend_m2.close(b);

	/* A key with a newline would inject a header: refused, not shown. */
	setenv("OPENAI_API_KEY", PLANTED "\r\nX-Evil: 1", 1);
	assert_int_equal(open_at(&b, "openai", "http://127.0.0.1:1/v1", &o),
			 JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "OPENAI_API_KEY"));
	assert_null(strstr(jolt_err_msg(), PLANTED));
	unsetenv("OPENAI_API_KEY");
	setenv("JOLT_API_KEY", PLANTED, 1);
}

static void test_ratelimit_rpm(void **state)
{
	/* 60 rpm: a burst of 10 (ten seconds' worth), then one a second. */
	jolt_ratelimit *rl = jolt_ratelimit_new(60, 0);
	int64_t t = jolt_now_ms();
	for (int i = 0; i < 10; i++)
		assert_int_equal(jolt_ratelimit_reserve(rl, 100, t), 0);
	assert_int_equal(jolt_ratelimit_reserve(rl, 100, t), 1000);
	assert_int_equal(jolt_ratelimit_reserve(rl, 100, t), 2000);
	/* Three seconds later the debt (2) is paid and one more is free. */
	assert_int_equal(jolt_ratelimit_reserve(rl, 100, t + 3000), 0);
	jolt_ratelimit_free(rl);

	/* Off: never a delay. */
	assert_int_equal(jolt_ratelimit_reserve(NULL, 1e9, t), 0);
}

static void test_ratelimit_tpm(void **state)
{
	/* 6000 tpm = 100 tokens/s, bucket of 1000. */
	jolt_ratelimit *rl = jolt_ratelimit_new(0, 6000);
	int64_t t = jolt_now_ms();
	assert_int_equal(jolt_ratelimit_reserve(rl, 1000, t), 0);
	assert_int_equal(jolt_ratelimit_reserve(rl, 500, t), 5000);
	/* The first request really used 200 tokens: 800 come back, so the
	 * next 300 fit with no wait. */
	jolt_ratelimit_correct(rl, 1000, 200, t);
	assert_int_equal(jolt_ratelimit_reserve(rl, 300, t), 0);
	/* Used more than estimated: the debt grows. */
	jolt_ratelimit_correct(rl, 0, 1000, t);
	assert_int_equal(jolt_ratelimit_reserve(rl, 0, t), 10000);
	jolt_ratelimit_free(rl);
	assert_int_equal((long)jolt_ratelimit_estimate(400), 100);
}

static void test_backend_rate_limited_requests_are_spaced(void **state)
{
	/* 600 rpm: a burst of 100, then 10 a second. 105 requests: the last
	 * ones must arrive spread out (protocol, not speed: a lower bound). */
	static const ts_step steps[] = {
	    {.mode = TS_NORMAL, .status = 200, .body = OK_BODY}};
	ts_server *s = ts_start(steps, 1);
	char *url = url_of(s);
	jolt_backend_opts o = test_opts(0);
	o.rpm = 600;
	void *b = NULL;
	assert_int_equal(open_at(&b, "openai", url, &o), 0);
	jolt_model_req req = {.step = 0};
	async_box a = {.done = 0};
	pthread_mutex_init(&a.mu, NULL);
	pthread_cond_init(&a.cv, NULL);
	int64_t t0 = jolt_now_ms();
	for (int i = 0; i < 105; i++)
		assert_int_equal(
		    jolt_backend_openai.start(b, &req, async_done, &a), 0);
	pthread_mutex_lock(&a.mu);
	while (a.done < 105)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);
	jolt_backend_openai.close(b);
	assert_int_equal(a.ok, 105);
	int64_t last = 0;
	for (size_t i = 0; i < 105; i++)
		if (s->req[i].at_ms > last)
			last = s->req[i].at_ms;
	assert_true(last - t0 >= 450); /* 5 beyond the burst at 100 ms each */
	pthread_cond_destroy(&a.cv);
	pthread_mutex_destroy(&a.mu);
	free(url);
	ts_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backend_200),
	    cmocka_unit_test(test_backend_anthropic_headers),
	    cmocka_unit_test(test_backend_500_then_200),
	    cmocka_unit_test(test_backend_retry_after),
	    cmocka_unit_test(test_backend_refused),
	    cmocka_unit_test(test_backend_timeout),
	    cmocka_unit_test(test_backend_denied_not_retried),
	    cmocka_unit_test(test_backend_bad_input_not_retried),
	    cmocka_unit_test(test_backend_unknown_status_falls_back),
	    cmocka_unit_test(test_backend_denied_on_200),
	    cmocka_unit_test(test_backend_garbage_then_truncated_then_ok),
	    cmocka_unit_test(test_backend_garbage_exhausts),
	    cmocka_unit_test(test_backend_stream),
	    cmocka_unit_test(test_backend_replicas_round_robin),
	    cmocka_unit_test(test_backend_odd_base_urls),
	    cmocka_unit_test(test_backend_async_many_with_trial_header),
	    cmocka_unit_test(test_backend_real_openai_dialect),
	    cmocka_unit_test(test_backend_open_errors),
	    cmocka_unit_test(test_ratelimit_rpm),
	    cmocka_unit_test(test_ratelimit_tpm),
	    cmocka_unit_test(test_backend_rate_limited_requests_are_spaced),
	};
	return cmocka_run_group_tests(tests, setup_env, NULL);
}
