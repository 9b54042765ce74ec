/*
 * test_dialect_anthropic.c - the /v1/messages dialect: a golden encode
 * (system split out, consecutive tool results in one user message, two
 * user messages merged, thinking with its signature sent back exactly),
 * the same bytes encoded turn by turn from the render cache,
 * decode tables, streaming with signature and input_json deltas, a
 * broken-off stream, and the classifier's error.type table.
 */
#include "test.h"

#include <jansson.h>

#include "core/common.h"
#include "model/dialect.h"

static const jolt_dialect *D(void)
{
	const jolt_dialect *d = jolt_dialect_find("anthropic");
	assert_non_null(d);
	return d;
}

static const char *history =
    "[{\"role\":\"system\",\"content\":\"S\"},"
    "{\"role\":\"user\",\"content\":\"Part one.\"},"
    "{\"role\":\"user\",\"content\":\"Part two.\"},"
    "{\"role\":\"assistant\",\"content\":\"Looking.\",\"thinking\":\"two "
    "calls\","
    " \"tool_calls\":[{\"id\":\"t1\",\"name\":\"grep\",\"arguments\":{\"p\":"
    "\"x\"}},"
    "                {\"id\":\"t2\",\"name\":\"ls\",\"arguments\":{}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"name\":\"grep\",\"content\":"
    "\"a:1\"},"
    "{\"role\":\"tool\",\"tool_call_id\":\"t2\",\"name\":\"ls\",\"content\":"
    "\"no dir\",\"is_error\":true},"
    "{\"role\":\"assistant\",\"content\":\"Done\",\"thinking\":\"ok\",\"raw_"
    "dialect\":\"anthropic\","
    " \"raw\":[{\"type\":\"thinking\",\"thinking\":\"ok\",\"signature\":\"SIG=="
    "\"},"
    "         {\"type\":\"text\",\"text\":\"Done\"}]},"
    "{\"role\":\"user\",\"content\":\"Thanks.\"}]";

static void test_encode_golden(void **state)
{
	json_t *msgs = json_loads(history, 0, NULL);
	json_t *tools = json_loads(
	    "[{\"name\":\"grep\",\"description\":\"Search.\",\"parameters\":"
	    "{\"type\":\"object\"}}]",
	    0, NULL);
	assert_non_null(msgs);
	jolt_backend_opts bo = {
	    .temperature = -1, .top_p = -1, .top_k = -1, .max_tokens = 1000};
	jolt_dialect_opts o = {.model = "MiniMax-M2", .b = &bo};
	jolt_model_req req = {.messages = msgs, .tools = tools};
	char *body = NULL;
	assert_int_equal(D()->encode(&body, &req, &o), 0);
	json_t *got = json_loads(body, 0, NULL);
	json_t *want = json_loads(
	    "{\"model\":\"MiniMax-M2\",\"max_tokens\":1000,\"system\":\"S\","
	    "\"messages\":["
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"Part one.\"},"
	    "                               {\"type\":\"text\",\"text\":\"Part "
	    "two.\"}]},"
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
	    "\"thinking\":\"two calls\"},"
	    "  {\"type\":\"text\",\"text\":\"Looking.\"},"
	    "  "
	    "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"grep\",\"input\":{"
	    "\"p\":\"x\"}},"
	    "  "
	    "{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"ls\",\"input\":{}}"
	    "]},"
	    "{\"role\":\"user\",\"content\":["
	    "  "
	    "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"a:"
	    "1\"},"
	    "  "
	    "{\"type\":\"tool_result\",\"tool_use_id\":\"t2\",\"content\":\"no "
	    "dir\",\"is_error\":true}]},"
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
	    "\"thinking\":\"ok\","
	    "  "
	    "\"signature\":\"SIG==\"},{\"type\":\"text\",\"text\":\"Done\"}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"Thanks.\"}]}],"
	    "\"tools\":[{\"name\":\"grep\",\"description\":\"Search.\",\"input_"
	    "schema\":{\"type\":\"object\"}}],"
	    "\"temperature\":1.0,\"top_p\":0.95,\"stream\":false}",
	    0, NULL);
	assert_non_null(want);
	if (!json_equal(got, want))
		fail_msg("encode: %s", body);
	/* Byte for byte what json_dumps spells of the whole object: the
	 * piecewise encoder adds no space and keeps every key's place. */
	char *exact = json_dumps(want, JSON_COMPACT);
	assert_string_equal(body, exact);
	free(exact);
	free(body);
	json_decref(got);
	json_decref(want);
	json_decref(msgs);
	json_decref(tools);
}

/* Encode req with the render cache and without: the same bytes. */
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

/* A trajectory's turns, each encoded from the cache plus what is new:
 * runs of one role still merge across turns (a tool result joins the
 * one before it), an empty assistant turn neither makes a message nor
 * splits a run, a late system message still goes to "system", and a
 * replaced message, other tools or another encoder's cache are encoded
 * anew. */
static void test_encode_incremental(void **state)
{
	json_t *all = json_loads(history, 0, NULL);
	json_array_append_new(all, json_pack("{s:s, s:s}", "role", "assistant",
					     "content", ""));
	json_array_append_new(all, json_pack("{s:s, s:s}", "role", "user",
					     "content", "Again."));
	json_array_append_new(all, json_pack("{s:s, s:s}", "role", "system",
					     "content", "Late."));
	json_array_append_new(all, json_pack("{s:s}", "content", "no role"));
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
	char *body = NULL;
	req.cache = &c;
	assert_int_equal(D()->encode(&body, &req, &o), 0);
	assert_non_null(strstr(body, "\"system\":\"S\\n\\nLate.\""));
	assert_non_null(strstr(body, "\"text\":\"Thanks.\"},{\"type\":\"text\","
				     "\"text\":\"Again.\"}]}]"));
	free(body);
	/* The third message replaced: the cache keeps the first two. */
	json_t *m = json_deep_copy(json_array_get(msgs, 2));
	json_object_set_new(m, "content", json_string("changed"));
	json_array_set_new(msgs, 2, m);
	same_with_cache(&req, &c, &o);
	assert_non_null(strstr(c.text[2], "changed"));
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
	(void)state;
}

#define BODY(content)                                                          \
	"{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","       \
	"\"content\":" content ",\"stop_reason\":\"end_turn\",\"usage\":{"     \
			       "\"input_tokens\":12,\"output_tokens\":6}}"

static void test_decode_table(void **state)
{
	static const struct {
		const char *name, *body;
		int rc;
		const char *thinking, *content, *calls;
		int malformed;
		const char *msg;
	} cases[] = {
	    {"thinking, text, tool_use",
	     BODY("[{\"type\":\"thinking\",\"thinking\":\"Hm.\",\"signature\":"
		  "\"abc\"},"
		  "{\"type\":\"text\",\"text\":\"Reading.\"},"
		  "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"read_"
		  "file\",\"input\":{\"path\":\"a\"}}]"),
	     0, "Hm.", "Reading.",
	     "[{\"id\":\"toolu_1\",\"name\":\"read_file\",\"arguments\":{"
	     "\"path\":\"a\"}}]",
	     0, NULL},
	    {"text only", BODY("[{\"type\":\"text\",\"text\":\"Hi\"}]"), 0,
	     NULL, "Hi", "[]", 0, NULL},
	    {"input not an object",
	     BODY("[{\"type\":\"tool_use\",\"id\":\"x\",\"name\":\"ls\","
		  "\"input\":\"{}\"},"
		  "{\"type\":\"tool_use\",\"id\":\"y\",\"name\":\"ls\","
		  "\"input\":{}}]"),
	     0, NULL, "", "[{\"id\":\"y\",\"name\":\"ls\",\"arguments\":{}}]",
	     1, "JSON object"},
	    {"error body",
	     "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	     "\"message\":\"Overloaded\"}}",
	     JOLT_EINFRA, NULL, NULL, NULL, 0, "Overloaded"},
	    {"no content", "{\"type\":\"message\"}", JOLT_EINFRA, NULL, NULL,
	     NULL, 0, "content"},
	    {"truncated", "{\"type\":\"message\",\"content\":[{\"type\":\"te",
	     JOLT_EINFRA, NULL, NULL, NULL, 0, "not JSON"},
	};
	jolt_model_req req = {.step = 1};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		jolt_model_reply r;
		int rc = D()->decode(&r, cases[i].body, strlen(cases[i].body),
				     &req, NULL);
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d %s", cases[i].name, rc,
				 jolt_err_msg());
		if (rc) {
			assert_null(r.message);
			assert_non_null(strstr(jolt_err_msg(), cases[i].msg));
			continue;
		}
		const char *th =
		    json_string_value(json_object_get(r.message, "thinking"));
		if (cases[i].thinking ? !th || strcmp(th, cases[i].thinking)
				      : th != NULL)
			fail_msg("%s: thinking", cases[i].name);
		assert_string_equal(
		    json_string_value(json_object_get(r.message, "content")),
		    cases[i].content);
		json_t *want = json_loads(cases[i].calls, 0, NULL);
		const json_t *got = json_object_get(r.message, "tool_calls");
		if (!(got ? json_equal(got, want) : json_array_size(want) == 0))
			fail_msg("%s: calls", cases[i].name);
		json_decref(want);
		assert_int_equal(r.malformed, cases[i].malformed);
		if (cases[i].msg)
			assert_non_null(
			    strstr(r.malformed_detail, cases[i].msg));
		assert_int_equal(r.tokens_in, 12);
		assert_int_equal(r.tokens_out, 6);
		assert_string_equal(json_string_value(json_object_get(
					r.message, "raw_dialect")),
				    "anthropic");
		jolt_model_reply_release(&r);
	}
}

/* The signature of a thinking block comes back byte for byte. */
static void test_signature_round_trip(void **state)
{
	const char *content =
	    "[{\"type\":\"thinking\",\"thinking\":\"Plan.\",\"signature\":"
	    "\"EqQBCkYIBRgCIkBx/"
	    "+==\"},{\"type\":\"tool_use\",\"id\":\"toolu_9\","
	    "\"name\":\"ls\",\"input\":{\"d\":\".\"}}]";
	char body[1024];
	snprintf(body, sizeof(body), BODY("%s"), content);
	jolt_model_req req = {.step = 0};
	jolt_model_reply r;
	assert_int_equal(D()->decode(&r, body, strlen(body), &req, NULL), 0);
	json_t *msgs =
	    json_pack("[{s:s, s:s}, O, {s:s, s:s, s:s, s:s}]", "role", "user",
		      "content", "q", r.message, "role", "tool", "tool_call_id",
		      "toolu_9", "name", "ls", "content", "a b");
	req.messages = msgs;
	char *enc = NULL;
	assert_int_equal(D()->encode(&enc, &req, NULL), 0);
	json_t *sent = json_loads(enc, 0, NULL);
	json_t *want = json_loads(content, 0, NULL);
	const json_t *turn =
	    json_array_get(json_object_get(sent, "messages"), 1);
	assert_string_equal(json_string_value(json_object_get(turn, "role")),
			    "assistant");
	assert_true(json_equal(json_object_get(turn, "content"), want));
	json_decref(want);
	json_decref(sent);
	free(enc);
	json_decref(msgs);
	jolt_model_reply_release(&r);
}

static int ev(jolt_stream *st, const char *event, const char *data)
{
	return D()->stream_event(st, event, data, strlen(data));
}

static void test_stream(void **state)
{
	jolt_model_req req = {.step = 0};
	jolt_stream *st;
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(
	    ev(st, "message_start",
	       "{\"type\":\"message_start\",\"message\":{\"id\":\"m\","
	       "\"content\":[],\"usage\":{\"input_tokens\":20,\"output_"
	       "tokens\":1}}}"),
	    0);
	assert_int_equal(
	    ev(st, "content_block_start",
	       "{\"type\":\"content_block_start\",\"index\":0,"
	       "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"),
	    0);
	assert_int_equal(ev(st, "content_block_delta",
			    "{\"type\":\"content_block_delta\",\"index\":0,"
			    "\"delta\":{\"type\":\"thinking_delta\","
			    "\"thinking\":\"Let me \"}}"),
			 0);
	assert_int_equal(ev(st, "content_block_delta",
			    "{\"type\":\"content_block_delta\",\"index\":0,"
			    "\"delta\":{\"type\":\"thinking_delta\","
			    "\"thinking\":\"look.\"}}"),
			 0);
	assert_int_equal(ev(st, "content_block_delta",
			    "{\"type\":\"content_block_delta\",\"index\":0,"
			    "\"delta\":{\"type\":\"signature_delta\","
			    "\"signature\":\"SIG\"}}"),
			 0);
	assert_int_equal(ev(st, "content_block_stop",
			    "{\"type\":\"content_block_stop\",\"index\":0}"),
			 0);
	assert_int_equal(ev(st, "ping", "{\"type\":\"ping\"}"), 0);
	assert_int_equal(ev(st, NULL,
			    "{\"type\":\"content_block_start\",\"index\":1,"
			    "\"content_block\":{\"type\":\"tool_use\",\"id\":"
			    "\"toolu_1\",\"name\":\"grep\",\"input\":{}}}"),
			 0);
	assert_int_equal(ev(st, NULL,
			    "{\"type\":\"content_block_delta\",\"index\":1,"
			    "\"delta\":{\"type\":\"input_json_delta\","
			    "\"partial_json\":\"{\\\"pattern\\\": \\\"TO\"}}"),
			 0);
	assert_int_equal(ev(st, NULL,
			    "{\"type\":\"content_block_delta\",\"index\":1,"
			    "\"delta\":{\"type\":\"input_json_delta\","
			    "\"partial_json\":\"DO\\\"}\"}}"),
			 0);
	assert_int_equal(
	    ev(st, NULL, "{\"type\":\"content_block_stop\",\"index\":1}"), 0);
	assert_int_equal(ev(st, NULL,
			    "{\"type\":\"message_delta\",\"delta\":{\"stop_"
			    "reason\":\"tool_use\"},"
			    "\"usage\":{\"output_tokens\":33}}"),
			 0);
	assert_int_equal(ev(st, NULL, "{\"type\":\"message_stop\"}"), 0);
	jolt_model_reply r;
	assert_int_equal(D()->stream_finish(&r, st), 0);
	json_t *raw =
	    json_loads("[{\"type\":\"thinking\",\"thinking\":\"Let me "
		       "look.\",\"signature\":\"SIG\"},"
		       "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":"
		       "\"grep\",\"input\":{\"pattern\":\"TODO\"}}]",
		       0, NULL);
	assert_true(json_equal(json_object_get(r.message, "raw"), raw));
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "thinking")),
	    "Let me look.");
	const json_t *tc =
	    json_array_get(json_object_get(r.message, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(tc, "arguments"), "pattern")),
			    "TODO");
	assert_int_equal(r.tokens_in, 20);
	assert_int_equal(r.tokens_out, 33);
	json_decref(raw);
	jolt_model_reply_release(&r);
	D()->stream_free(st);

	/* bad partial JSON: a malformed call, not an error */
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(ev(st, NULL,
			    "{\"type\":\"content_block_start\",\"index\":0,"
			    "\"content_block\":{\"type\":\"tool_use\",\"id\":"
			    "\"t\",\"name\":\"grep\",\"input\":{}}}"),
			 0);
	assert_int_equal(ev(st, NULL,
			    "{\"type\":\"content_block_delta\",\"index\":0,"
			    "\"delta\":{\"type\":\"input_json_delta\","
			    "\"partial_json\":\"{\\\"a\"}}"),
			 0);
	assert_int_equal(
	    ev(st, NULL, "{\"type\":\"content_block_stop\",\"index\":0}"), 0);
	assert_int_equal(ev(st, NULL, "{\"type\":\"message_stop\"}"), 0);
	assert_int_equal(D()->stream_finish(&r, st), 0);
	assert_int_equal(r.malformed, 1);
	jolt_model_reply_release(&r);
	D()->stream_free(st);

	/* no message_stop: truncated */
	assert_int_equal(D()->stream_new(&st, &req, NULL), 0);
	assert_int_equal(
	    ev(st, NULL, "{\"type\":\"message_start\",\"message\":{}}"), 0);
	assert_int_equal(D()->stream_finish(&r, st), JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "truncated"));
	/* a delta for a block never started, and an error event */
	assert_int_equal(
	    ev(st, NULL,
	       "{\"type\":\"content_block_delta\",\"index\":5,"
	       "\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}"),
	    JOLT_EINFRA);
	assert_int_equal(
	    ev(st, "error",
	       "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	       "\"message\":\"Overloaded\"}}"),
	    JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "Overloaded"));
	D()->stream_free(st);
}

static void test_classify(void **state)
{
	static const struct {
		int status;
		const char *body;
		int want;
	} cases[] = {
	    {529,
	     "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	     "\"message\":\"x\"}}",
	     JOLT_EINFRA},
	    {429,
	     "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
	     "\"message\":\"x\"}}",
	     JOLT_EINFRA},
	    {500,
	     "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
	     "\"message\":\"x\"}}",
	     JOLT_EINFRA},
	    {401,
	     "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
	     "\"message\":\"x\"}}",
	     JOLT_EDENIED},
	    {403,
	     "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\","
	     "\"message\":\"x\"}}",
	     JOLT_EDENIED},
	    {400,
	     "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_"
	     "error\",\"message\":\"x\"}}",
	     JOLT_EINPUT},
	    /* error.type decides over the status */
	    {200,
	     "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	     "\"message\":\"x\"}}",
	     JOLT_EINFRA},
	    {503, "", JOLT_EINFRA},
	    {401, "", JOLT_EDENIED},
	    {400, "", JOLT_EINPUT},
	    {200, "{\"base_resp\":{\"status_code\":1004}}", JOLT_EDENIED},
	    {200, "{\"base_resp\":{\"status_code\":1002}}", JOLT_EINFRA},
	    {200, "{\"type\":\"message\",\"content\":[]}", 0},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		int rc = D()->classify(cases[i].status, cases[i].body,
				       strlen(cases[i].body));
		if (rc != cases[i].want)
			fail_msg("case %zu: %d", i, rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_golden),
	    cmocka_unit_test(test_encode_incremental),
	    cmocka_unit_test(test_decode_table),
	    cmocka_unit_test(test_signature_round_trip),
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
