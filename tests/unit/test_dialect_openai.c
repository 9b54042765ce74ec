/*
 * test_dialect_openai.c - the /chat/completions dialect: a golden encode,
 * decode tables (inline think, reasoning_details, reasoning_content, good
 * and bad tool-call arguments, error bodies, truncated JSON), streaming
 * (cumulative and incremental reasoning, argument pieces, a broken-off
 * stream) and the error classifier with MiniMax base_resp codes.
 */
#include "test.h"

#include <jansson.h>

#include "core/common.h"
#include "model/dialect.h"

static const jolt_dialect *D(void)
{
	const jolt_dialect *d = jolt_dialect_find("openai");
	assert_non_null(d);
	return d;
}

static void test_registry(void **state)
{
	assert_string_equal(D()->path, "/chat/completions");
	assert_string_equal(jolt_dialect_find("anthropic")->path,
			    "/v1/messages");
	assert_null(jolt_dialect_find("nope"));
	assert_null(jolt_dialect_find(NULL));
	size_t n = 0;
	while (jolt_dialects[n])
		n++;
	assert_int_equal(n, 3);
}

static const char *history =
    "[{\"role\":\"system\",\"content\":\"S\"},"
    "{\"role\":\"user\",\"content\":\"Find it.\"},"
    /* rendered: thinking inline, arguments as a JSON string */
    "{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"grep first\","
    " \"tool_calls\":[{\"id\":\"call_0_0\",\"name\":\"grep\",\"arguments\":{"
    "\"pattern\":\"x\",\"n\":2}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"call_0_0\",\"name\":\"grep\","
    "\"content\":\"a:1\"},"
    /* from the server: sent back unchanged */
    "{\"role\":\"assistant\",\"content\":\"Done\",\"thinking\":\"t\",\"raw_"
    "dialect\":\"openai\","
    " \"raw\":{\"role\":\"assistant\",\"content\":\"Done\",\"reasoning_"
    "details\":"
    "[{\"type\":\"reasoning.text\",\"id\":\"r1\",\"text\":\"t\"}]}},"
    /* raw of another dialect is ignored */
    "{\"role\":\"assistant\",\"content\":\"ok\",\"raw_dialect\":\"anthropic\","
    "\"raw\":[]}]";

static void test_encode_golden(void **state)
{
	json_t *msgs = json_loads(history, 0, NULL);
	json_t *tools = json_loads(
	    "[{\"name\":\"grep\",\"description\":\"Search.\",\"parameters\":"
	    "{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":"
	    "\"string\"}}}}]",
	    0, NULL);
	assert_non_null(msgs);
	jolt_backend_opts bo = {.temperature = -1,
				.top_p = -1,
				.top_k = -1,
				.stream = 1,
				.reasoning_split = 1};
	jolt_dialect_opts o = {.model = "MiniMax-M2", .b = &bo};
	jolt_model_req req = {.messages = msgs, .tools = tools};
	char *body = NULL;
	assert_int_equal(D()->encode(&body, &req, &o), 0);
	json_t *got = json_loads(body, 0, NULL);
	json_t *want = json_loads(
	    "{\"model\":\"MiniMax-M2\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"S\"},"
	    "{\"role\":\"user\",\"content\":\"Find it.\"},"
	    "{\"role\":\"assistant\",\"content\":\"<think>\\ngrep "
	    "first\\n</think>\\n\\n\","
	    " \"tool_calls\":[{\"id\":\"call_0_0\",\"type\":\"function\","
	    "\"function\":"
	    "  "
	    "{\"name\":\"grep\",\"arguments\":\"{\\\"pattern\\\":\\\"x\\\","
	    "\\\"n\\\":2}\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_0_0\",\"content\":\"a:"
	    "1\"},"
	    "{\"role\":\"assistant\",\"content\":\"Done\",\"reasoning_"
	    "details\":"
	    " [{\"type\":\"reasoning.text\",\"id\":\"r1\",\"text\":\"t\"}]},"
	    "{\"role\":\"assistant\",\"content\":\"ok\"}],"
	    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"grep\","
	    "\"description\":"
	    " \"Search.\",\"parameters\":{\"type\":\"object\",\"properties\":{"
	    "\"pattern\":"
	    " {\"type\":\"string\"}}}}}],"
	    "\"temperature\":1.0,\"top_p\":0.95,\"top_k\":40,\"max_tokens\":"
	    "8192,"
	    "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
	    "\"reasoning_split\":true}",
	    0, NULL);
	assert_non_null(want);
	if (!json_equal(got, want))
		fail_msg("encode: %s", body);
	free(body);
	json_decref(got);

	/* no tools, no stream, top_k 0 not sent, explicit sampling */
	jolt_backend_opts b2 = {
	    .temperature = 0.3, .top_p = 0.8, .top_k = 0, .max_tokens = 100};
	o.b = &b2;
	req.tools = NULL;
	assert_int_equal(D()->encode(&body, &req, &o), 0);
	got = json_loads(body, 0, NULL);
	assert_null(json_object_get(got, "tools"));
	assert_null(json_object_get(got, "top_k"));
	assert_null(json_object_get(got, "stream_options"));
	assert_null(json_object_get(got, "reasoning_split"));
	assert_true(json_is_false(json_object_get(got, "stream")));
	assert_int_equal(json_integer_value(json_object_get(got, "max_tokens")),
			 100);
	assert_true(json_real_value(json_object_get(got, "top_p")) == 0.8);
	free(body);
	json_decref(got);
	json_decref(want);
	json_decref(msgs);
	json_decref(tools);
}

typedef struct dcase {
	const char *name;
	const char *body;
	int rc;
	const char *thinking; /* NULL: none */
	const char *content;
	const char *calls; /* expected [{id,name,arguments}] */
	int malformed;
	const char *detail;
} dcase;

#define MSG(m)                                                                 \
	"{\"choices\":[{\"index\":0,\"message\":" m                            \
	",\"finish_reason\":\"stop\"}],"                                       \
	"\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":5}}"

static const dcase dcases[] = {
    {"inline think",
     MSG("{\"role\":\"assistant\",\"content\":\"<think>\\nPlan.\\n</"
	 "think>\\n\\nHi.\"}"),
     0, "Plan.", "Hi.", "[]", 0, NULL},
    {"closing tag only (append_think off)",
     MSG("{\"role\":\"assistant\",\"content\":\"Plan.\\n</think>\\n\\nHi.\"}"),
     0, "Plan.", "Hi.", "[]", 0, NULL},
    {"reasoning_details",
     MSG("{\"role\":\"assistant\",\"content\":\"Hi.\",\"reasoning_details\":[{"
	 "\"type\":"
	 "\"reasoning.text\",\"text\":\"Deep.\"}]}"),
     0, "Deep.", "Hi.", "[]", 0, NULL},
    {"reasoning_content",
     MSG("{\"role\":\"assistant\",\"content\":\"Hi.\",\"reasoning_content\":"
	 "\"RC\"}"),
     0, "RC", "Hi.", "[]", 0, NULL},
    {"reasoning",
     MSG("{\"role\":\"assistant\",\"content\":null,\"reasoning\":\"R\"}"), 0,
     "R", "", "[]", 0, NULL},
    {"good tool calls",
     MSG("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
	 "{\"id\":\"call_abc\",\"type\":\"function\",\"function\":{\"name\":"
	 "\"grep\","
	 "\"arguments\":\"{\\\"pattern\\\": \\\"TODO\\\", \\\"n\\\": 3}\"}},"
	 "{\"id\":\"\",\"type\":\"function\",\"function\":{\"name\":\"ls\","
	 "\"arguments\":\"\"}}]}"),
     0, NULL, "",
     "[{\"id\":\"call_abc\",\"name\":\"grep\",\"arguments\":{\"pattern\":"
     "\"TODO\",\"n\":3}},"
     "{\"id\":\"call_2_1\",\"name\":\"ls\",\"arguments\":{}}]",
     0, NULL},
    {"bad arguments dropped and counted",
     MSG("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
	 "{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"grep\","
	 "\"arguments\":\"{\\\"pattern\\\": \"}},"
	 "{\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"grep\","
	 "\"arguments\":\"[1]\"}},"
	 "{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"ls\","
	 "\"arguments\":\"{}\"}}]}"),
     0, NULL, "", "[{\"id\":\"c\",\"name\":\"ls\",\"arguments\":{}}]", 2,
     "malformed tool call 1 (grep): the arguments must be a JSON object"},
    {"error body",
     "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
     JOLT_EINFRA, NULL, NULL, NULL, 0, "Rate limit reached"},
    {"minimax 200 with base_resp and no choices",
     "{\"choices\":null,\"base_resp\":{\"status_code\":1002,\"status_msg\":"
     "\"rate limit exceeded\"}}",
     JOLT_EINFRA, NULL, NULL, NULL, 0, "rate limit exceeded"},
    {"missing choices", "{\"id\":\"x\"}", JOLT_EINFRA, NULL, NULL, NULL, 0,
     "choices"},
    {"truncated JSON", "{\"choices\":[{\"message\":{\"content\":\"Hel",
     JOLT_EINFRA, NULL, NULL, NULL, 0, "not JSON"},
    {"empty body", "", JOLT_EINFRA, NULL, NULL, NULL, 0, NULL},
};

/* Encode req twice, with the render cache and without: the same bytes. */
static void same_with_cache(jolt_model_req *req, jolt_render_cache *c,
			    const jolt_dialect_opts *o)
{
	char *plain = NULL, *cached = NULL;
	req->cache = NULL;
	assert_int_equal(D()->encode(&plain, req, o), 0);
	req->cache = c;
	assert_int_equal(D()->encode(&cached, req, o), 0);
	assert_string_equal(cached, plain);
	json_t *j = json_loads(cached, 0, NULL);
	assert_non_null(j);
	json_decref(j);
	free(plain);
	free(cached);
}

/* A trajectory's turns: the history grows by appending, and each turn is
 * encoded from the cache plus what is new; a message replaced, a tools
 * list replaced, and another encoder's cache are all encoded anew. */
static void test_encode_incremental(void **state)
{
	json_t *all = json_loads(history, 0, NULL);
	json_t *tools = json_loads(
	    "[{\"name\":\"grep\",\"description\":\"Search.\",\"parameters\":"
	    "{\"type\":\"object\"}}]", 0, NULL);
	assert_non_null(all);
	jolt_backend_opts bo = {.temperature = -1, .top_p = -1, .top_k = -1};
	jolt_dialect_opts o = {.model = "MiniMax-M2", .b = &bo};
	jolt_render_cache c = {0};
	json_t *msgs = json_array();
	jolt_model_req req = {.messages = msgs, .tools = tools};
	for (size_t i = 0; i < json_array_size(all); i++) {
		json_array_append(msgs, json_array_get(all, i));
		same_with_cache(&req, &c, &o);
		assert_int_equal(c.n, i + 1);
	}
	/* A message without a role encodes to nothing, cached or not. */
	json_array_append_new(msgs, json_pack("{s:s}", "content", "stray"));
	same_with_cache(&req, &c, &o);
	/* A different message at index 2: the cache keeps only 0 and 1. */
	json_t *m2 = json_deep_copy(json_array_get(msgs, 2));
	json_object_set_new(m2, "content", json_string("changed"));
	json_array_set_new(msgs, 2, m2);
	same_with_cache(&req, &c, &o);
	assert_non_null(strstr(c.text[2], "changed"));
	/* Other tools, none, and a cache another encoder filled. */
	json_t *tools2 = json_loads("[{\"name\":\"open\"}]", 0, NULL);
	req.tools = tools2;
	same_with_cache(&req, &c, &o);
	req.tools = NULL;
	same_with_cache(&req, &c, &o);
	static const char other;
	jolt_render_cache_cut(&c, c.n, &other);
	assert_int_equal(c.n, 0);
	o.model = NULL;
	same_with_cache(&req, &c, &o);
	jolt_render_cache_release(&c);
	json_decref(tools2);
	json_decref(tools);
	json_decref(msgs);
	json_decref(all);
}

static void test_decode_table(void **state)
{
	jolt_model_req req = {.step = 2};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(dcases); i++) {
		const dcase *c = &dcases[i];
		jolt_model_reply r;
		int rc = D()->decode(&r, c->body, strlen(c->body), &req, NULL);
		if (rc != c->rc)
			fail_msg("%s: rc %d (%s)", c->name, rc, jolt_err_msg());
		if (rc) {
			assert_null(r.message);
			if (c->detail && !strstr(jolt_err_msg(), c->detail))
				fail_msg("%s: message %s", c->name,
					 jolt_err_msg());
			continue;
		}
		const json_t *m = r.message;
		const char *th =
		    json_string_value(json_object_get(m, "thinking"));
		if (c->thinking == NULL ? th != NULL
					: !th || strcmp(th, c->thinking))
			fail_msg("%s: thinking %s", c->name,
				 th ? th : "(none)");
		assert_string_equal(
		    json_string_value(json_object_get(m, "content")),
		    c->content);
		json_t *want = json_loads(c->calls, 0, NULL);
		json_t *got = json_object_get(m, "tool_calls");
		if (!json_equal(got ? got : want, want) ||
		    (!got && json_array_size(want)))
			fail_msg("%s: calls %s", c->name,
				 json_dumps(got, JSON_COMPACT));
		json_decref(want);
		assert_int_equal(r.malformed, c->malformed);
		if (c->detail)
			assert_non_null(strstr(r.malformed_detail, c->detail));
		else
			assert_null(r.malformed_detail);
		assert_string_equal(
		    json_string_value(json_object_get(m, "raw_dialect")),
		    "openai");
		assert_true(json_is_object(json_object_get(m, "raw")));
		assert_int_equal(r.tokens_in, 11);
		assert_int_equal(r.tokens_out, 5);
		jolt_model_reply_release(&r);
	}
}

/* raw is the server's message object, and encode sends it back as is. */
static void test_raw_round_trip(void **state)
{
	const char *body = MSG(
	    "{\"role\":\"assistant\",\"content\":\"x\",\"reasoning_details\":"
	    "[{\"type\":\"reasoning.text\",\"id\":\"rd\",\"format\":\"f\","
	    "\"text\":\"T\"}],"
	    "\"tool_calls\":[{\"id\":\"call_9\",\"type\":\"function\","
	    "\"function\":"
	    "{\"name\":\"ls\",\"arguments\":\"{ \\\"d\\\" : 1 }\"}}]}");
	jolt_model_req req = {.step = 0};
	jolt_model_reply r;
	assert_int_equal(D()->decode(&r, body, strlen(body), &req, NULL), 0);
	json_t *msgs = json_pack("[{s:s, s:s}, O]", "role", "user", "content",
				 "q", r.message);
	req.messages = msgs;
	char *enc = NULL;
	assert_int_equal(D()->encode(&enc, &req, NULL), 0);
	json_t *sent = json_loads(enc, 0, NULL);
	json_t *orig = json_loads(body, 0, NULL);
	const json_t *want = json_object_get(
	    json_array_get(json_object_get(orig, "choices"), 0), "message");
	assert_true(json_equal(
	    json_array_get(json_object_get(sent, "messages"), 1), want));
	json_decref(sent);
	json_decref(orig);
	free(enc);
	json_decref(msgs);
	jolt_model_reply_release(&r);
}

static int feed(jolt_stream *st, const char *data)
{
	return D()->stream_event(st, NULL, data, strlen(data));
}

#define DELTA(d)                                                               \
	"{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"     \
	"\"delta\":" d "}]}"

static void stream_reasoning(const char *const *pieces, size_t n,
			     const char *want)
{
	jolt_model_req req = {.step = 0};
	jolt_stream *st;
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		char ev[256];
		snprintf(ev, sizeof(ev),
			 DELTA("{\"reasoning_details\":[{\"type\":\"reasoning."
			       "text\",\"text\":\"%s\"}]}"),
			 pieces[i]);
		assert_int_equal(feed(st, ev), 0);
	}
	assert_int_equal(feed(st, DELTA("{\"content\":\"Hi\"}")), 0);
	assert_int_equal(
	    feed(st,
		 "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
		 "\"stop\"}],"
		 "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"),
	    0);
	assert_int_equal(feed(st, "[DONE]"), 0);
	jolt_model_reply r;
	assert_int_equal(D()->stream_finish(&r, st), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "thinking")), want);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "Hi");
	const json_t *rd = json_object_get(json_object_get(r.message, "raw"),
					   "reasoning_details");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(rd, 0), "text")),
	    want);
	assert_int_equal(r.tokens_in, 3);
	assert_int_equal(r.tokens_out, 4);
	jolt_model_reply_release(&r);
	D()->stream_free(st);
}

static void test_stream_reasoning_modes(void **state)
{
	const char *cumulative[] = {"The", "The user", "The user wants",
				    "The user wants a file."};
	stream_reasoning(cumulative, 4, "The user wants a file.");
	const char *incremental[] = {"The", " user", " wants", " a file."};
	stream_reasoning(incremental, 4, "The user wants a file.");
	/* incremental, where a later piece repeats the text so far */
	const char *tricky[] = {"ab", "c", "abc"};
	stream_reasoning(tricky, 3, "abcabc");
}

static void test_stream_tool_calls(void **state)
{
	jolt_model_req req = {.step = 4};
	jolt_stream *st;
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(
	    feed(
		st,
		DELTA("{\"role\":\"assistant\",\"content\":\"<think>\\nhm\"}")),
	    0);
	assert_int_equal(feed(st, DELTA("{\"content\":\"\\n</think>\\n\\n\"}")),
			 0);
	assert_int_equal(
	    feed(st,
		 DELTA(
		     "{\"tool_calls\":[{\"index\":0,\"id\":\"call_x\",\"type\":"
		     "\"function\",\"function\":{\"name\":\"grep\","
		     "\"arguments\":\"\"}}]}")),
	    0);
	assert_int_equal(
	    feed(st, DELTA("{\"tool_calls\":[{\"index\":0,\"function\":{"
			   "\"arguments\":\"{\\\"pat\"}}]}")),
	    0);
	assert_int_equal(
	    feed(st, DELTA("{\"tool_calls\":[{\"index\":1,\"id\":\"call_y\","
			   "\"function\":"
			   "{\"name\":\"ls\",\"arguments\":\"{}\"}}]}")),
	    0);
	assert_int_equal(
	    feed(st, DELTA("{\"tool_calls\":[{\"index\":0,\"function\":{"
			   "\"arguments\":\"tern\\\": \\\"a\\\"}\"}}]}")),
	    0);
	assert_int_equal(feed(st, DELTA("{\"reasoning_content\":\"more\"}")),
			 0);
	assert_int_equal(feed(st, "{\"choices\":[{\"index\":0,\"delta\":{},"
				  "\"finish_reason\":\"tool_calls\"}]}"),
			 0);
	jolt_model_reply r;
	assert_int_equal(D()->stream_finish(&r, st), 0);
	json_t *want =
	    json_loads("[{\"id\":\"call_x\",\"name\":\"grep\",\"arguments\":{"
		       "\"pattern\":\"a\"}},"
		       "{\"id\":\"call_y\",\"name\":\"ls\",\"arguments\":{}}]",
		       0, NULL);
	assert_true(json_equal(json_object_get(r.message, "tool_calls"), want));
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "thinking")),
	    "hm\nmore");
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "content")), "");
	const json_t *raw = json_object_get(r.message, "raw");
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(
		    json_array_get(json_object_get(raw, "tool_calls"), 0),
		    "function"),
		"arguments")),
	    "{\"pattern\": \"a\"}");
	assert_string_equal(
	    json_string_value(json_object_get(raw, "reasoning_content")),
	    "more");
	json_decref(want);
	jolt_model_reply_release(&r);
	D()->stream_free(st);
}

static void test_stream_broken(void **state)
{
	jolt_model_req req = {.step = 0};
	jolt_stream *st;
	jolt_model_reply r;
	/* no finish_reason, no [DONE] */
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(feed(st, DELTA("{\"content\":\"Hel\"}")), 0);
	assert_int_equal(D()->stream_finish(&r, st), JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "truncated"));
	assert_null(r.message);
	D()->stream_free(st);
	/* a cut event, and an error event */
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(feed(st, "{\"choices\":[{\"delta\":{\"content\":\"x"),
			 JOLT_EINFRA);
	assert_int_equal(feed(st, "{\"error\":{\"message\":\"overloaded\"}}"),
			 JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "overloaded"));
	D()->stream_free(st);
	/* bad arguments in a stream: malformed, not an error */
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(
	    feed(
		st,
		DELTA("{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":"
		      "{\"name\":\"grep\",\"arguments\":\"{\\\"a\"}}]}")),
	    0);
	assert_int_equal(feed(st, "[DONE]"), 0);
	assert_int_equal(D()->stream_finish(&r, st), 0);
	assert_int_equal(r.malformed, 1);
	assert_null(json_object_get(r.message, "tool_calls"));
	jolt_model_reply_release(&r);
	D()->stream_free(st);
}

static void test_classify(void **state)
{
	static const struct {
		int status;
		const char *body;
		int want;
		const char *msg;
	} cases[] = {
	    {429, "{\"error\":{\"message\":\"slow down\"}}", JOLT_EINFRA,
	     "slow down"},
	    {500, "oops", JOLT_EINFRA, "500"},
	    {502, "", JOLT_EINFRA, NULL},
	    {503, "", JOLT_EINFRA, NULL},
	    {504, "", JOLT_EINFRA, NULL},
	    {408, "", JOLT_EINFRA, NULL},
	    {409, "", JOLT_EINFRA, NULL},
	    {529, "", JOLT_EINFRA, NULL},
	    {401, "{\"error\":{\"message\":\"bad key\"}}", JOLT_EDENIED,
	     "API key"},
	    {403, "", JOLT_EDENIED, NULL},
	    {400, "{\"error\":{\"message\":\"bad field\"}}", JOLT_EINPUT,
	     "bad field"},
	    {404, "", JOLT_EINPUT, NULL},
	    {422, "", JOLT_EINPUT, NULL},
	    {200,
	     "{\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate "
	     "limit\"}}",
	     JOLT_EINFRA, "rate limit"},
	    {200, "{\"base_resp\":{\"status_code\":1001}}", JOLT_EINFRA,
	     "timeout"},
	    {200, "{\"base_resp\":{\"status_code\":1000}}", JOLT_EINFRA, NULL},
	    {200, "{\"base_resp\":{\"status_code\":1024}}", JOLT_EINFRA, NULL},
	    {200,
	     "{\"base_resp\":{\"status_code\":1004,\"status_msg\":\"auth\"}}",
	     JOLT_EDENIED,
	     "the API key was refused (MiniMax 1004): check MINIMAX_API_KEY"},
	    {500, "{\"base_resp\":{\"status_code\":1008}}", JOLT_EDENIED,
	     "insufficient balance (MiniMax 1008)"},
	    {200,
	     "{\"base_resp\":{\"status_code\":2013,\"status_msg\":\"invalid "
	     "params\"}}",
	     JOLT_EINPUT, "invalid params"},
	    {200,
	     "{\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"},"
	     "\"choices\":[]}",
	     0, NULL},
	    {200, "{\"choices\":[]}", 0, NULL},
	    {200, "not json", 0, NULL},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		int rc = D()->classify(cases[i].status, cases[i].body,
				       strlen(cases[i].body));
		if (rc != cases[i].want)
			fail_msg("case %zu (%d %s): %d", i, cases[i].status,
				 cases[i].body, rc);
		if (cases[i].msg && !strstr(jolt_err_msg(), cases[i].msg))
			fail_msg("case %zu: message %s", i, jolt_err_msg());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_encode_golden),
	    cmocka_unit_test(test_encode_incremental),
	    cmocka_unit_test(test_decode_table),
	    cmocka_unit_test(test_raw_round_trip),
	    cmocka_unit_test(test_stream_reasoning_modes),
	    cmocka_unit_test(test_stream_tool_calls),
	    cmocka_unit_test(test_stream_broken),
	    cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
