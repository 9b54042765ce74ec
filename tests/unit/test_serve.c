/*
 * test_serve.c - `jolt serve` over real HTTP on 127.0.0.1: the server runs
 * in process on an ephemeral port and libcurl drives it as any client
 * would. Checks each dialect's response shape (streamed and not) against
 * what the official client libraries require, that the sim's turn is the
 * oracle's, that thinking in the history reaches the sim intact, every
 * injected fault, bad requests, and the --latency/--faults specs.
 * Runs from the repository root (suites/starter).
 */
#include "test.h"

#include <curl/curl.h>
#include <jansson.h>

#include "core/common.h"
#include "model/dialect.h"
#include "perturb/perturb.h"
#include "serve/serve.h"
#include "core/suite.h"
#include "world/load.h"

#define TASK "doc-bridge-year" /* oracle: search, open, answer */

static jolt_suite *suite;
static jolt_variant *base;

static int group_setup(void **st)
{
	(void)st;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (jolt_suite_load(&suite, "suites/starter") ||
	    jolt_variant_from_name(&base, suite, TASK "/baseline")) {
		fprintf(stderr, "setup: %s\n", jolt_err_msg());
		return -1;
	}
	return 0;
}

static int group_teardown(void **st)
{
	(void)st;
	jolt_variant_free(base);
	jolt_suite_free(suite);
	curl_global_cleanup();
	return 0;
}

static jolt_server *start(const char *faults, long stall_ms)
{
	const jolt_suite *suites[] = {suite};
	jolt_serve_opts o = {.listen = "127.0.0.1:0", .suites = suites, .nsuites = 1,
			     .policy = "oracle", .faults = faults, .stall_ms = stall_ms,
			     .seed = 3};
	jolt_server *s = NULL;
	int rc = jolt_serve_start(&s, &o);
	if (rc)
		fprintf(stderr, "start: %s\n", jolt_err_msg());
	assert_int_equal(rc, 0);
	assert_true(jolt_serve_port(s) > 0);
	return s;
}

/* ---- HTTP client ---- */

typedef struct resp {
	CURLcode cc;
	long status;
	jolt_buf body;
	char retry_after[32];
} resp;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	jolt_buf_add(ud, p, sz * n);
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	resp *r = ud;
	size_t len = sz * n;
	if (len > 13 && !strncasecmp(p, "Retry-After: ", 13)) {
		size_t k = len - 13;
		while (k && (p[13 + k - 1] == '\r' || p[13 + k - 1] == '\n'))
			k--;
		if (k < sizeof(r->retry_after)) {
			memcpy(r->retry_after, p + 13, k);
			r->retry_after[k] = '\0';
		}
	}
	return len;
}

static const char *default_trial =
	"{\"suite\": \"starter\", \"variant\": \"" TASK "/baseline\", "
	"\"key\": \"k1\", \"seed\": 1}";

/* POST body to path (GET when body is NULL), with X-Jolt-Trial unless
 * trial is NULL. */
static void request(resp *out, jolt_server *s, const char *path, const char *trial,
		    const char *body, long timeout_ms)
{
	memset(out, 0, sizeof(*out));
	jolt_buf_init(&out->body, 64 * 1024 * 1024);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", jolt_serve_port(s), path);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	char *th = NULL;
	if (trial) {
		th = jolt_xasprintf("X-Jolt-Trial: %s", trial);
		h = curl_slist_append(h, th);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms ? timeout_ms : 30000L);
	out->cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(th);
}

static json_t *body_json(const resp *r)
{
	json_t *j = json_loadb(r->body.s ? r->body.s : "", r->body.len, 0, NULL);
	assert_non_null(j);
	return j;
}

/* ---- building requests from a neutral history ---- */

static const json_t *oracle_call(int step)
{
	return json_object_get(json_array_get(base->oracle, (size_t)step), "call");
}

/* system, user, then `turns` assistant turns that follow the oracle, each
 * answered by a tool result; thinking kept or not. */
static json_t *history(int turns, int thinking)
{
	json_t *m = json_pack("[{s:s, s:s}, {s:s, s:O}]", "role", "system", "content",
			      base->system, "role", "user", "content",
			      json_array_get(base->user, 0));
	for (int i = 0; i < turns; i++) {
		const json_t *call = oracle_call(i);
		char id[32];
		snprintf(id, sizeof(id), "call_%d_0", i);
		json_t *a = json_pack("{s:s, s:s, s:[{s:s, s:O, s:O}]}", "role", "assistant",
				      "content", "", "tool_calls", "id", id, "name",
				      json_object_get(call, "name"), "arguments",
				      json_object_get(call, "args"));
		if (thinking)
			json_object_set_new(a, "thinking",
					    json_string("plan: search first, then open."));
		json_array_append_new(m, a);
		json_array_append_new(m, json_pack("{s:s, s:s, s:O, s:s}", "role", "tool",
						   "tool_call_id", id, "name",
						   json_object_get(call, "name"), "content",
						   "result text"));
	}
	return m;
}

static char *openai_body(const json_t *msgs, const char *model, int stream,
			 int split)
{
	json_t *out = json_array(), *tools = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (strcmp(role, "assistant")) {
			json_t *o = json_pack("{s:s, s:O}", "role", role, "content",
					      json_object_get(m, "content"));
			if (!strcmp(role, "tool"))
				json_object_set(o, "tool_call_id",
						json_object_get(m, "tool_call_id"));
			json_array_append_new(out, o);
			continue;
		}
		const char *th = json_string_value(json_object_get(m, "thinking"));
		json_t *o = json_pack("{s:s}", "role", "assistant");
		if (split) {
			json_object_set_new(o, "content", json_string(""));
			if (th)
				json_object_set_new(o, "reasoning_details",
						    json_pack("[{s:s, s:s}]", "type",
							      "reasoning.text", "text", th));
		} else {
			char *c = th ? jolt_xasprintf("<think>\n%s\n</think>\n\n", th)
				     : jolt_xstrdup("");
			json_object_set_new(o, "content", json_string(c));
			free(c);
		}
		json_t *tcs = json_array();
		size_t k;
		json_t *tc;
		json_array_foreach(json_object_get(m, "tool_calls"), k, tc) {
			char *a = json_dumps(json_object_get(tc, "arguments"), JSON_COMPACT);
			json_array_append_new(tcs, json_pack("{s:O, s:s, s:{s:O, s:s}}", "id",
							     json_object_get(tc, "id"), "type",
							     "function", "function", "name",
							     json_object_get(tc, "name"),
							     "arguments", a));
			free(a);
		}
		json_object_set_new(o, "tool_calls", tcs);
		json_array_append_new(out, o);
	}
	json_array_foreach(base->tools, i, m)
		json_array_append_new(tools, json_pack("{s:s, s:O}", "type", "function",
						       "function", m));
	json_t *req = json_pack("{s:s, s:o, s:o, s:b}", "model", model, "messages", out,
				"tools", tools, "stream", stream);
	if (stream)
		json_object_set_new(req, "stream_options",
				    json_pack("{s:b}", "include_usage", 1));
	if (split)
		json_object_set_new(req, "reasoning_split", json_true());
	char *s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return s;
}

static char *anthropic_body(const json_t *msgs, const char *model, int stream)
{
	json_t *out = json_array(), *tools = json_array();
	const char *system = "";
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (!strcmp(role, "system")) {
			system = json_string_value(json_object_get(m, "content"));
		} else if (!strcmp(role, "user")) {
			json_array_append_new(out, json_pack("{s:s, s:O}", "role", "user",
							     "content",
							     json_object_get(m, "content")));
		} else if (!strcmp(role, "tool")) {
			json_array_append_new(
				out, json_pack("{s:s, s:[{s:s, s:O, s:O}]}", "role", "user",
					       "content", "type", "tool_result", "tool_use_id",
					       json_object_get(m, "tool_call_id"), "content",
					       json_object_get(m, "content")));
		} else {
			json_t *blocks = json_array();
			const char *th = json_string_value(json_object_get(m, "thinking"));
			if (th)
				json_array_append_new(blocks,
						      json_pack("{s:s, s:s, s:s}", "type",
								"thinking", "thinking", th,
								"signature", "sig"));
			size_t k;
			json_t *tc;
			json_array_foreach(json_object_get(m, "tool_calls"), k, tc)
				json_array_append_new(
					blocks, json_pack("{s:s, s:O, s:O, s:O}", "type",
							  "tool_use", "id", json_object_get(tc, "id"),
							  "name", json_object_get(tc, "name"),
							  "input", json_object_get(tc, "arguments")));
			json_array_append_new(out, json_pack("{s:s, s:o}", "role", "assistant",
							     "content", blocks));
		}
	}
	json_array_foreach(base->tools, i, m)
		json_array_append_new(tools, json_pack("{s:O, s:O, s:O}", "name",
						       json_object_get(m, "name"), "description",
						       json_object_get(m, "description"),
						       "input_schema",
						       json_object_get(m, "parameters")));
	json_t *req = json_pack("{s:s, s:i, s:s, s:o, s:o, s:b}", "model", model,
				"max_tokens", 1024, "system", system, "messages", out,
				"tools", tools, "stream", stream);
	char *s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return s;
}

static char *m2_body(const json_t *msgs, const char *model, int stream)
{
	char *prompt = NULL;
	assert_int_equal(jolt_m2_render(&prompt, msgs, base->tools), 0);
	json_t *req = json_pack("{s:s, s:s, s:i, s:b}", "model", model, "prompt", prompt,
				"max_tokens", 1024, "stream", stream);
	char *s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	free(prompt);
	return s;
}

static void assert_args_equal(const json_t *got, int step)
{
	const json_t *want = json_object_get(oracle_call(step), "args");
	assert_non_null(got);
	assert_non_null(want);
	assert_true(json_equal((json_t *)got, (json_t *)want));
}

/* ---- SSE ---- */

typedef struct sse_ev {
	char event[64];
	char *data; /* owned */
} sse_ev;

static size_t sse_split(sse_ev *out, size_t cap, const char *body)
{
	size_t n = 0;
	const char *p = body;
	while (*p && n < cap) {
		const char *end = strstr(p, "\n\n");
		if (!end)
			break;
		sse_ev *e = &out[n];
		e->event[0] = '\0';
		e->data = NULL;
		for (const char *l = p; l < end;) {
			const char *nl = memchr(l, '\n', (size_t)(end - l));
			const char *le = nl ? nl : end;
			if (!strncmp(l, "event: ", 7))
				snprintf(e->event, sizeof(e->event), "%.*s", (int)(le - l - 7),
					 l + 7);
			else if (!strncmp(l, "data: ", 6))
				e->data = jolt_xstrndup(l + 6, (size_t)(le - l - 6));
			l = le + 1;
		}
		n++;
		p = end + 2;
	}
	return n;
}

static void sse_free(sse_ev *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].data);
}

/* ---- tests ---- */

static void test_health_and_routes(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	resp r;
	request(&r, s, "/health", NULL, NULL, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(jolt_buf_cstr(&r.body), "ok");
	jolt_buf_release(&r.body);
	request(&r, s, "/stats", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jolt_buf_cstr(&r.body), "answered 0\ninflight 0\n");
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/nothing", default_trial, "{}", 0);
	assert_int_equal(r.status, 404);
	json_t *j = body_json(&r);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(j, "error"),
								  "message")),
			       "no such route"));
	json_decref(j);
	jolt_buf_release(&r.body);
	jolt_serve_stop(s);
}

static void test_openai(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	json_t *h = history(0, 1);
	char *body = openai_body(h, "sim:oracle", 0, 0);
	resp r;
	request(&r, s, "/v1/chat/completions", default_trial, body, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	json_t *j = body_json(&r);
	assert_true(json_is_string(json_object_get(j, "id")));
	assert_string_equal(json_string_value(json_object_get(j, "object")), "chat.completion");
	assert_true(json_is_integer(json_object_get(j, "created")));
	assert_string_equal(json_string_value(json_object_get(j, "model")), "sim:oracle");
	json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
	assert_int_equal(json_integer_value(json_object_get(ch, "index")), 0);
	assert_string_equal(json_string_value(json_object_get(ch, "finish_reason")),
			    "tool_calls");
	json_t *msg = json_object_get(ch, "message");
	assert_string_equal(json_string_value(json_object_get(msg, "role")), "assistant");
	const char *content = json_string_value(json_object_get(msg, "content"));
	assert_non_null(content);
	assert_true(!strncmp(content, "<think>\nplan:", 13));
	assert_non_null(strstr(content, "\n</think>\n\n"));
	json_t *tc = json_array_get(json_object_get(msg, "tool_calls"), 0);
	assert_true(json_is_string(json_object_get(tc, "id")));
	assert_string_equal(json_string_value(json_object_get(tc, "type")), "function");
	json_t *fn = json_object_get(tc, "function");
	assert_string_equal(json_string_value(json_object_get(fn, "name")),
			    json_string_value(json_object_get(oracle_call(0), "name")));
	const char *args = json_string_value(json_object_get(fn, "arguments"));
	assert_non_null(args);
	json_t *a = json_loads(args, 0, NULL);
	assert_args_equal(a, 0);
	json_decref(a);
	json_t *u = json_object_get(j, "usage");
	assert_true(json_integer_value(json_object_get(u, "prompt_tokens")) > 0);
	assert_int_equal(json_integer_value(json_object_get(u, "total_tokens")),
			 json_integer_value(json_object_get(u, "prompt_tokens")) +
				 json_integer_value(json_object_get(u, "completion_tokens")));
	json_decref(j);
	jolt_buf_release(&r.body);
	/* The bench's counters: one turn answered, none being answered. */
	request(&r, s, "/stats", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jolt_buf_cstr(&r.body), "answered 1\ninflight 0\n");
	jolt_buf_release(&r.body);
	free(body);

	/* reasoning_split: thinking moves out of the content. */
	body = openai_body(h, "sim:oracle", 0, 1);
	request(&r, s, "/v1/chat/completions", default_trial, body, 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	msg = json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
	assert_string_equal(json_string_value(json_object_get(msg, "content")), "");
	json_t *rd = json_array_get(json_object_get(msg, "reasoning_details"), 0);
	assert_string_equal(json_string_value(json_object_get(rd, "type")), "reasoning.text");
	assert_true(!strncmp(json_string_value(json_object_get(rd, "text")), "plan:", 5));
	json_decref(j);
	jolt_buf_release(&r.body);
	free(body);
	json_decref(h);
	jolt_serve_stop(s);
}

static void test_openai_stream(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	json_t *h = history(0, 1);
	char *body = openai_body(h, "sim:oracle", 1, 0);
	resp r;
	request(&r, s, "/v1/chat/completions", default_trial, body, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	sse_ev ev[128];
	size_t n = sse_split(ev, 128, jolt_buf_cstr(&r.body));
	assert_true(n >= 6);
	assert_string_equal(ev[n - 1].data, "[DONE]");
	jolt_buf content, args;
	jolt_buf_init(&content, 0);
	jolt_buf_init(&args, 0);
	int arg_pieces = 0, saw_usage = 0, saw_name = 0;
	const char *finish = NULL;
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *c = json_loads(ev[i].data, 0, NULL);
		assert_non_null(c);
		assert_string_equal(json_string_value(json_object_get(c, "object")),
				    "chat.completion.chunk");
		assert_true(json_is_string(json_object_get(c, "id")));
		if (json_object_get(c, "usage")) {
			saw_usage = 1;
			assert_int_equal(json_array_size(json_object_get(c, "choices")), 0);
			json_decref(c);
			continue;
		}
		json_t *ch = json_array_get(json_object_get(c, "choices"), 0);
		json_t *d = json_object_get(ch, "delta");
		if (i == 0)
			assert_string_equal(json_string_value(json_object_get(d, "role")),
					    "assistant");
		const char *ct = json_string_value(json_object_get(d, "content"));
		if (ct)
			jolt_buf_adds(&content, ct);
		json_t *tc = json_array_get(json_object_get(d, "tool_calls"), 0);
		if (tc) {
			assert_int_equal(json_integer_value(json_object_get(tc, "index")), 0);
			json_t *fn = json_object_get(tc, "function");
			if (json_object_get(tc, "id")) {
				saw_name = 1;
				assert_string_equal(json_string_value(json_object_get(fn, "name")),
						    json_string_value(json_object_get(oracle_call(0),
										      "name")));
			}
			const char *a = json_string_value(json_object_get(fn, "arguments"));
			if (a && a[0]) {
				jolt_buf_adds(&args, a);
				arg_pieces++;
			}
		}
		const char *f = json_string_value(json_object_get(ch, "finish_reason"));
		if (f)
			finish = f[0] == 't' ? "tool_calls" : "stop";
		json_decref(c);
	}
	assert_true(saw_usage && saw_name);
	assert_true(arg_pieces >= 2);
	assert_non_null(finish);
	assert_string_equal(finish, "tool_calls");
	assert_true(!strncmp(jolt_buf_cstr(&content), "<think>\nplan:", 13));
	json_t *a = json_loads(jolt_buf_cstr(&args), 0, NULL);
	assert_args_equal(a, 0);
	json_decref(a);
	jolt_buf_release(&content);
	jolt_buf_release(&args);
	sse_free(ev, n);
	jolt_buf_release(&r.body);
	free(body);
	json_decref(h);
	jolt_serve_stop(s);
}

static void test_anthropic(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	json_t *h = history(0, 1);
	char *body = anthropic_body(h, "sim:oracle", 0);
	resp r;
	request(&r, s, "/anthropic/v1/messages", default_trial, body, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	json_t *j = body_json(&r);
	assert_true(json_is_string(json_object_get(j, "id")));
	assert_string_equal(json_string_value(json_object_get(j, "type")), "message");
	assert_string_equal(json_string_value(json_object_get(j, "role")), "assistant");
	assert_string_equal(json_string_value(json_object_get(j, "stop_reason")), "tool_use");
	json_t *content = json_object_get(j, "content");
	assert_int_equal(json_array_size(content), 2);
	json_t *b0 = json_array_get(content, 0), *b1 = json_array_get(content, 1);
	assert_string_equal(json_string_value(json_object_get(b0, "type")), "thinking");
	assert_true(!strncmp(json_string_value(json_object_get(b0, "thinking")), "plan:", 5));
	assert_true(json_string_length(json_object_get(b0, "signature")) > 0);
	assert_string_equal(json_string_value(json_object_get(b1, "type")), "tool_use");
	assert_true(json_is_string(json_object_get(b1, "id")));
	assert_string_equal(json_string_value(json_object_get(b1, "name")),
			    json_string_value(json_object_get(oracle_call(0), "name")));
	assert_args_equal(json_object_get(b1, "input"), 0);
	json_t *u = json_object_get(j, "usage");
	assert_true(json_integer_value(json_object_get(u, "input_tokens")) > 0);
	assert_true(json_integer_value(json_object_get(u, "output_tokens")) > 0);
	json_decref(j);
	jolt_buf_release(&r.body);
	free(body);
	json_decref(h);
	jolt_serve_stop(s);
}

static void test_anthropic_stream(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	json_t *h = history(0, 1);
	char *body = anthropic_body(h, "sim:oracle", 1);
	resp r;
	request(&r, s, "/v1/messages", default_trial, body, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	sse_ev ev[128];
	size_t n = sse_split(ev, 128, jolt_buf_cstr(&r.body));
	assert_true(n >= 8);
	assert_string_equal(ev[0].event, "message_start");
	assert_string_equal(ev[n - 1].event, "message_stop");
	assert_string_equal(ev[n - 2].event, "message_delta");
	jolt_buf think, args;
	jolt_buf_init(&think, 0);
	jolt_buf_init(&args, 0);
	int json_pieces = 0, saw_sig = 0, starts = 0, stops = 0;
	const char *block_type[8] = {0};
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_loads(ev[i].data, 0, NULL);
		assert_non_null(e);
		/* The event name and the data's type always agree. */
		assert_string_equal(json_string_value(json_object_get(e, "type")), ev[i].event);
		int idx = (int)json_integer_value(json_object_get(e, "index"));
		if (!strcmp(ev[i].event, "message_start")) {
			json_t *m = json_object_get(e, "message");
			assert_string_equal(json_string_value(json_object_get(m, "type")),
					    "message");
			assert_string_equal(json_string_value(json_object_get(m, "role")),
					    "assistant");
		} else if (!strcmp(ev[i].event, "content_block_start")) {
			assert_int_equal(idx, starts);
			assert_true(idx < 8);
			const char *t = json_string_value(json_object_get(
				json_object_get(e, "content_block"), "type"));
			block_type[idx] = !strcmp(t, "thinking")	? "thinking"
					  : !strcmp(t, "tool_use") ? "tool_use"
								   : "text";
			starts++;
		} else if (!strcmp(ev[i].event, "content_block_stop")) {
			stops++;
		} else if (!strcmp(ev[i].event, "content_block_delta")) {
			json_t *d = json_object_get(e, "delta");
			const char *t = json_string_value(json_object_get(d, "type"));
			if (!strcmp(t, "thinking_delta"))
				jolt_buf_adds(&think, json_string_value(json_object_get(d, "thinking")));
			else if (!strcmp(t, "signature_delta"))
				saw_sig = 1;
			else if (!strcmp(t, "input_json_delta")) {
				jolt_buf_adds(&args,
					      json_string_value(json_object_get(d, "partial_json")));
				json_pieces++;
			}
		} else if (!strcmp(ev[i].event, "message_delta")) {
			assert_string_equal(json_string_value(json_object_get(
						    json_object_get(e, "delta"), "stop_reason")),
					    "tool_use");
			assert_true(json_integer_value(json_object_get(
					    json_object_get(e, "usage"), "output_tokens")) > 0);
		}
		json_decref(e);
	}
	assert_int_equal(starts, 2);
	assert_int_equal(stops, 2);
	assert_string_equal(block_type[0], "thinking");
	assert_string_equal(block_type[1], "tool_use");
	assert_true(saw_sig);
	assert_true(json_pieces >= 2);
	assert_true(!strncmp(jolt_buf_cstr(&think), "plan:", 5));
	json_t *a = json_loads(jolt_buf_cstr(&args), 0, NULL);
	assert_args_equal(a, 0);
	json_decref(a);
	jolt_buf_release(&think);
	jolt_buf_release(&args);
	sse_free(ev, n);
	jolt_buf_release(&r.body);
	free(body);
	json_decref(h);
	jolt_serve_stop(s);
}

/* The M2 completion text parsed the way the m2 dialect client parses it. */
static void assert_m2_text_is_call(const char *text, int step)
{
	assert_true(strncmp(text, "<think>", 7)); /* the prompt opened it */
	json_t *m = NULL;
	int bad = 0;
	char *detail = NULL;
	assert_int_equal(jolt_m2_parse(&m, &bad, &detail, text, strlen(text), base->tools), 0);
	assert_int_equal(bad, 0);
	assert_true(!strncmp(json_string_value(json_object_get(m, "thinking")), "plan:", 5));
	json_t *tc = json_array_get(json_object_get(m, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(tc, "name")),
			    json_string_value(json_object_get(oracle_call(step), "name")));
	assert_args_equal(json_object_get(tc, "arguments"), step);
	free(detail);
	json_decref(m);
}

static void test_m2(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	json_t *h = history(0, 1);
	char *body = m2_body(h, "sim:oracle", 0);
	resp r;
	request(&r, s, "/v1/completions", default_trial, body, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	json_t *j = body_json(&r);
	json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
	assert_string_equal(json_string_value(json_object_get(ch, "finish_reason")), "stop");
	assert_true(json_integer_value(json_object_get(json_object_get(j, "usage"),
						       "completion_tokens")) > 0);
	assert_m2_text_is_call(json_string_value(json_object_get(ch, "text")), 0);
	json_decref(j);
	jolt_buf_release(&r.body);
	free(body);

	body = m2_body(h, "sim:oracle", 1);
	request(&r, s, "/v1/completions", default_trial, body, 0);
	assert_int_equal(r.status, 200);
	sse_ev ev[128];
	size_t n = sse_split(ev, 128, jolt_buf_cstr(&r.body));
	assert_true(n >= 3);
	assert_string_equal(ev[n - 1].data, "[DONE]");
	jolt_buf text;
	jolt_buf_init(&text, 0);
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *c = json_loads(ev[i].data, 0, NULL);
		assert_non_null(c);
		jolt_buf_adds(&text, json_string_value(json_object_get(
					     json_array_get(json_object_get(c, "choices"), 0),
					     "text")));
		json_decref(c);
	}
	assert_m2_text_is_call(jolt_buf_cstr(&text), 0);
	jolt_buf_release(&text);
	sse_free(ev, n);
	jolt_buf_release(&r.body);
	free(body);
	json_decref(h);
	jolt_serve_stop(s);
}

/* Step 1 under a sim that always loses track without its thinking: with
 * the thinking in the history it makes the oracle's second call; without,
 * it gives up. Through every dialect. */
static int lost_track(jolt_server *s, int dialect, int thinking, int split)
{
	json_t *h = history(1, thinking);
	const char *model = "sim:thinking=1";
	char *body = dialect == 0   ? openai_body(h, model, 0, split)
		     : dialect == 1 ? anthropic_body(h, model, 0)
				    : m2_body(h, model, 0);
	const char *path = dialect == 0 ? "/v1/chat/completions"
			   : dialect == 1 ? "/v1/messages"
					  : "/v1/completions";
	const char *trial = "{\"suite\": \"starter\", \"variant\": \"" TASK "/baseline\", "
			    "\"key\": \"think\", \"seed\": 1}";
	resp r;
	request(&r, s, path, trial, body, 0);
	assert_int_equal(r.status, 200);
	json_t *j = body_json(&r);
	const char *name = NULL;
	char *text = NULL;
	if (dialect == 0) {
		json_t *m = json_object_get(json_array_get(json_object_get(j, "choices"), 0),
					    "message");
		name = json_string_value(json_object_get(
			json_object_get(json_array_get(json_object_get(m, "tool_calls"), 0),
					"function"),
			"name"));
		text = jolt_xstrdup(json_string_value(json_object_get(m, "content")));
	} else if (dialect == 1) {
		json_t *c = json_object_get(j, "content");
		size_t i;
		json_t *b;
		json_array_foreach(c, i, b) {
			const char *t = json_string_value(json_object_get(b, "type"));
			if (!strcmp(t, "tool_use"))
				name = json_string_value(json_object_get(b, "name"));
			if (!strcmp(t, "text"))
				text = jolt_xstrdup(json_string_value(json_object_get(b, "text")));
		}
	} else {
		text = jolt_xstrdup(json_string_value(json_object_get(
			json_array_get(json_object_get(j, "choices"), 0), "text")));
		if (strstr(text, "<invoke name=\"open\">"))
			name = "open";
	}
	int lost;
	if (name) {
		assert_string_equal(name, json_string_value(json_object_get(oracle_call(1),
									    "name")));
		lost = 0;
	} else {
		assert_non_null(text);
		assert_non_null(strstr(text, "lost track"));
		lost = 1;
	}
	free(text);
	json_decref(j);
	jolt_buf_release(&r.body);
	free(body);
	json_decref(h);
	return lost;
}

static void test_thinking_reaches_sim(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	for (int d = 0; d < 3; d++) {
		assert_int_equal(lost_track(s, d, 1, 0), 0);
		assert_int_equal(lost_track(s, d, 0, 0), 1);
	}
	/* MiniMax's reasoning_details carries it too. */
	assert_int_equal(lost_track(s, 0, 1, 1), 0);
	assert_int_equal(lost_track(s, 0, 0, 1), 1);
	jolt_serve_stop(s);
}

static void test_bad_requests(void **st)
{
	(void)st;
	jolt_server *s = start(NULL, 0);
	json_t *h = history(0, 1);
	char *body = openai_body(h, "sim:oracle", 0, 0);
	resp r;
	request(&r, s, "/v1/chat/completions", NULL, body, 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jolt_buf_cstr(&r.body), "X-Jolt-Trial"));
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/chat/completions", "not json", body, 0);
	assert_int_equal(r.status, 400);
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/chat/completions",
		"{\"suite\": \"nope\", \"variant\": \"x/baseline\", \"key\": \"k\", \"seed\": 1}",
		body, 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jolt_buf_cstr(&r.body), "unknown suite 'nope'"));
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/chat/completions",
		"{\"suite\": \"starter\", \"variant\": \"no-such-task/baseline\", "
		"\"key\": \"k\", \"seed\": 1}",
		body, 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jolt_buf_cstr(&r.body), "no-such-task"));
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/chat/completions", default_trial, "{\"messages\": 3}", 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jolt_buf_cstr(&r.body), "messages"));
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/messages", default_trial, "{\"messages\": [", 0);
	assert_int_equal(r.status, 400);
	json_t *j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "error");
	json_decref(j);
	jolt_buf_release(&r.body);

	request(&r, s, "/v1/completions", default_trial,
		"{\"prompt\": \"]~!b[]~b]bogus\\nx[e~[\\n\"}", 0);
	assert_int_equal(r.status, 400);
	jolt_buf_release(&r.body);

	char *bad_model = openai_body(h, "sim:fragile", 0, 0);
	request(&r, s, "/v1/chat/completions", default_trial, bad_model, 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jolt_buf_cstr(&r.body), "fragile"));
	jolt_buf_release(&r.body);
	free(bad_model);

	/* Over the body cap. */
	size_t big = JOLT_SERVE_BODY_CAP + 16;
	char *huge = jolt_xmalloc(big + 1);
	memset(huge, ' ', big);
	huge[big] = '\0';
	request(&r, s, "/v1/chat/completions", default_trial, huge, 0);
	assert_int_equal(r.status, 413);
	jolt_buf_release(&r.body);
	free(huge);

	free(body);
	json_decref(h);
	jolt_serve_stop(s);
}

static void test_fault_status(void **st)
{
	(void)st;
	json_t *h = history(0, 1);
	char *ob = openai_body(h, "sim:oracle", 0, 0);
	char *ab = anthropic_body(h, "sim:oracle", 0);
	resp r;

	jolt_server *s = start("429:1", 0);
	request(&r, s, "/v1/messages", default_trial, ab, 0);
	assert_int_equal(r.status, 429);
	assert_string_equal(r.retry_after, "1");
	json_t *j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"),
							      "type")),
			    "rate_limit_error");
	json_decref(j);
	jolt_buf_release(&r.body);
	/* OpenAI route: a 429, or MiniMax's base_resp 1002 with HTTP 200;
	 * over a few attempts both forms appear. */
	int plain = 0, minimax = 0;
	for (int i = 0; i < 16; i++) {
		request(&r, s, "/v1/chat/completions", default_trial, ob, 0);
		j = body_json(&r);
		if (r.status == 429) {
			assert_string_equal(r.retry_after, "1");
			assert_non_null(json_object_get(j, "error"));
			plain++;
		} else {
			assert_int_equal(r.status, 200);
			assert_int_equal(json_integer_value(json_object_get(
						 json_object_get(j, "base_resp"), "status_code")),
					 1002);
			minimax++;
		}
		json_decref(j);
		jolt_buf_release(&r.body);
	}
	assert_true(plain > 0 && minimax > 0);
	jolt_serve_stop(s);

	s = start("500:1", 0);
	request(&r, s, "/v1/chat/completions", default_trial, ob, 0);
	assert_int_equal(r.status, 500);
	j = body_json(&r);
	assert_non_null(json_object_get(j, "error"));
	json_decref(j);
	jolt_buf_release(&r.body);
	jolt_serve_stop(s);

	s = start("reset:1", 0);
	request(&r, s, "/v1/chat/completions", default_trial, ob, 0);
	assert_int_not_equal(r.cc, CURLE_OK);
	jolt_buf_release(&r.body);
	jolt_serve_stop(s);

	/* A stall outlasts the client's timeout; stopping the server does not
	 * wait for it. */
	s = start("stall:1", JOLT_SERVE_STALL_MS_MAX);
	request(&r, s, "/v1/chat/completions", default_trial, ob, 300);
	assert_int_equal(r.cc, CURLE_OPERATION_TIMEDOUT);
	jolt_buf_release(&r.body);
	jolt_serve_stop(s);

	/* A retry of the same turn can succeed: the attempt is counted. */
	s = start("500:0.5", 0);
	int ok = 0, failed = 0;
	for (int i = 0; i < 24; i++) {
		request(&r, s, "/v1/chat/completions", default_trial, ob, 0);
		ok += r.status == 200;
		failed += r.status == 500;
		jolt_buf_release(&r.body);
	}
	assert_int_equal(ok + failed, 24);
	assert_true(ok > 0 && failed > 0);
	jolt_serve_stop(s);

	free(ob);
	free(ab);
	json_decref(h);
}

static void test_fault_truncate_malformed(void **st)
{
	(void)st;
	json_t *h = history(0, 1);
	resp r;
	jolt_server *s = start("truncate:1", 0);
	char *b = openai_body(h, "sim:oracle", 0, 0);
	request(&r, s, "/v1/chat/completions", default_trial, b, 0);
	assert_int_equal(r.cc, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 0);
	assert_null(json_loadb(r.body.s, r.body.len, 0, NULL));
	jolt_buf_release(&r.body);
	free(b);
	b = anthropic_body(h, "sim:oracle", 1);
	request(&r, s, "/v1/messages", default_trial, b, 0);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 0);
	assert_null(strstr(jolt_buf_cstr(&r.body), "message_stop"));
	jolt_buf_release(&r.body);
	free(b);
	b = openai_body(h, "sim:oracle", 1, 0);
	request(&r, s, "/v1/chat/completions", default_trial, b, 0);
	assert_true(r.body.len > 0);
	assert_null(strstr(jolt_buf_cstr(&r.body), "[DONE]"));
	jolt_buf_release(&r.body);
	free(b);
	jolt_serve_stop(s);

	s = start("malformed:1", 0);
	b = openai_body(h, "sim:oracle", 0, 0);
	request(&r, s, "/v1/chat/completions", default_trial, b, 0);
	assert_int_equal(r.status, 200);
	json_t *j = body_json(&r);
	json_t *fn = json_object_get(
		json_array_get(json_object_get(json_object_get(json_array_get(json_object_get(j, "choices"), 0),
							       "message"),
					       "tool_calls"),
			       0),
		"function");
	const char *args = json_string_value(json_object_get(fn, "arguments"));
	assert_non_null(args);
	assert_null(json_loads(args, 0, NULL));
	json_decref(j);
	jolt_buf_release(&r.body);
	free(b);

	b = m2_body(h, "sim:oracle", 0);
	request(&r, s, "/v1/completions", default_trial, b, 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	const char *text = json_string_value(json_object_get(
		json_array_get(json_object_get(j, "choices"), 0), "text"));
	json_t *m = NULL;
	int bad = 0;
	char *detail = NULL;
	assert_int_equal(jolt_m2_parse(&m, &bad, &detail, text, strlen(text), base->tools), 0);
	assert_true(bad > 0);
	assert_non_null(detail);
	free(detail);
	json_decref(m);
	json_decref(j);
	jolt_buf_release(&r.body);
	free(b);
	jolt_serve_stop(s);
	json_decref(h);
}

static void test_latency_spec(void **st)
{
	(void)st;
	jolt_latency l;
	assert_int_equal(jolt_latency_parse(&l, NULL), 0);
	assert_int_equal(l.kind, JOLT_LAT_NONE);
	assert_int_equal(jolt_latency_sample(&l, 1, "k", 0), 0);
	assert_int_equal(jolt_latency_parse(&l, "250"), 0);
	assert_int_equal(l.kind, JOLT_LAT_FIXED);
	assert_int_equal(jolt_latency_sample(&l, 1, "k", 3), 250);
	assert_int_equal(jolt_latency_parse(&l, "200-900"), 0);
	assert_int_equal(l.kind, JOLT_LAT_UNIFORM);
	long lo = 100000, hi = 0;
	for (int i = 0; i < 500; i++) {
		long v = jolt_latency_sample(&l, 1, "k", i);
		assert_int_equal(v, jolt_latency_sample(&l, 1, "k", i));
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(lo >= 200 && hi <= 900 && hi - lo > 500);
	assert_int_equal(jolt_latency_parse(&l, "lognormal:800,0.5"), 0);
	assert_int_equal(l.kind, JOLT_LAT_LOGNORMAL);
	/* The median of many draws is the median asked for. */
	int below = 0, n = 4000;
	for (int i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof(key), "t%d", i);
		below += jolt_latency_sample(&l, 9, key, 0) < 800;
	}
	assert_true(below > n / 2 - 130 && below < n / 2 + 130);

	const char *bad[] = {"abc", "-5", "900-200", "lognormal:0,1", "lognormal:800",
			     "lognormal:800,x", "10-", "nan", "inf"};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(bad); i++) {
		assert_int_equal(jolt_latency_parse(&l, bad[i]), JOLT_EUSAGE);
		assert_non_null(strstr(jolt_err_msg(), "--latency"));
	}
}

static void test_faults_spec(void **st)
{
	(void)st;
	jolt_faults f;
	assert_int_equal(jolt_faults_parse(&f, "429:0.05,500:0.02,reset:0.01,stall:0.01,"
					       "truncate:0.01,malformed:0.01"),
			 0);
	assert_true(f.p[JOLT_FAULT_RATE] == 0.05 && f.p[JOLT_FAULT_MALFORMED] == 0.01);
	assert_int_equal(jolt_faults_parse(&f, "500:0.3,reset:0.2"), 0);
	int n = 4000, c500 = 0, creset = 0;
	for (int i = 0; i < n; i++) {
		enum jolt_fault k = jolt_faults_pick(&f, 5, "key", 2, i);
		assert_int_equal(k, jolt_faults_pick(&f, 5, "key", 2, i));
		c500 += k == JOLT_FAULT_SERVER;
		creset += k == JOLT_FAULT_RESET;
	}
	assert_true(c500 > 1200 - 120 && c500 < 1200 + 120);
	assert_true(creset > 800 - 110 && creset < 800 + 110);
	assert_int_equal(jolt_faults_parse(&f, ""), 0);
	assert_int_equal(jolt_faults_pick(&f, 5, "key", 0, 0), JOLT_FAULT_NONE);
	assert_string_equal(jolt_fault_name(JOLT_FAULT_TRUNCATE), "truncate");

	const char *bad[] = {"404:0.1", "429", "429:2", "429:-0.1", "429:0.6,500:0.6",
			     "429:0.1,429:0.2", "reset:abc", ":0.1"};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(bad); i++) {
		assert_int_equal(jolt_faults_parse(&f, bad[i]), JOLT_EUSAGE);
		assert_non_null(strstr(jolt_err_msg(), "--faults"));
	}
}

static void test_bad_opts(void **st)
{
	(void)st;
	const jolt_suite *suites[] = {suite};
	struct {
		jolt_serve_opts o;
		const char *msg;
	} cases[] = {
		{{.listen = ":8080"}, "explicitly"},
		{{.listen = "1.2.3:80"}, "IPv4"},
		{{.listen = "127.0.0.1:70000"}, "port"},
		{{.listen = "127.0.0.1:0", .policy = "fragile"}, "--policy"},
		{{.listen = "127.0.0.1:0", .latency = "x"}, "--latency"},
		{{.listen = "127.0.0.1:0", .faults = "boom:1"}, "--faults"},
		{{.listen = "127.0.0.1:0", .stall_ms = -1}, "--stall-ms"},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		cases[i].o.suites = suites;
		cases[i].o.nsuites = 1;
		jolt_server *s = (jolt_server *)&cases; /* must be reset to NULL */
		assert_int_equal(jolt_serve_start(&s, &cases[i].o), JOLT_EUSAGE);
		assert_null(s);
		assert_non_null(strstr(jolt_err_msg(), cases[i].msg));
	}
}

/* Latency spread over a stream still delivers the whole stream. */
static void test_latency_stream(void **st)
{
	(void)st;
	const jolt_suite *suites[] = {suite};
	jolt_serve_opts o = {.listen = "127.0.0.1:0", .suites = suites, .nsuites = 1,
			     .latency = "40"};
	jolt_server *s = NULL;
	assert_int_equal(jolt_serve_start(&s, &o), 0);
	json_t *h = history(0, 1);
	char *b = anthropic_body(h, "sim:oracle", 1);
	resp r;
	request(&r, s, "/v1/messages", default_trial, b, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(jolt_buf_cstr(&r.body), "event: message_stop"));
	jolt_buf_release(&r.body);
	free(b);
	json_decref(h);
	jolt_serve_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_and_routes),
		cmocka_unit_test(test_openai),
		cmocka_unit_test(test_openai_stream),
		cmocka_unit_test(test_anthropic),
		cmocka_unit_test(test_anthropic_stream),
		cmocka_unit_test(test_m2),
		cmocka_unit_test(test_thinking_reaches_sim),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_fault_status),
		cmocka_unit_test(test_fault_truncate_malformed),
		cmocka_unit_test(test_latency_spec),
		cmocka_unit_test(test_faults_spec),
		cmocka_unit_test(test_bad_opts),
		cmocka_unit_test(test_latency_stream),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
