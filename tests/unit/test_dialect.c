/*
 * test_dialect.c - what every dialect shares (dialect.c, dialect_serve.c):
 * the registry by name and by route, the shared error classification as
 * each dialect applies it, and both halves of each descriptor against
 * each other: the client's request decoded by the server half, the
 * server half's reply (plain and streamed) decoded by the client.
 */
#include "test.h"

#include <jansson.h>

#include "core/common.h"
#include "model/dialect.h"

static void test_every_dialect_has_both_halves(void **state)
{
	size_t n = 0;
	for (; jolt_dialects[n]; n++) {
		const jolt_dialect *d = jolt_dialects[n];
		assert_non_null(d->encode);
		assert_non_null(d->decode);
		assert_non_null(d->classify);
		assert_non_null(d->route);
		assert_non_null(d->id_prefix);
		assert_non_null(d->serve_decode);
		assert_non_null(d->serve_encode);
		assert_non_null(d->serve_stream);
		assert_non_null(d->serve_error);
		assert_ptr_equal(jolt_dialect_find(d->name), d);
	}
	assert_int_equal(n, 3);
}

static void test_route(void **state)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
	    {"/chat/completions", "openai"},
	    {"/v1/chat/completions", "openai"},
	    {"/prefix/v1/chat/completions", "openai"},
	    {"/v1/messages", "anthropic"},
	    {"/anthropic/v1/messages", "anthropic"},
	    {"/messages", "anthropic"},
	    {"/completions", "m2"},
	    {"/v1/completions", "m2"},
	    {"/health", NULL},
	    {"/chat/completions/x", NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		const jolt_dialect *d = jolt_dialect_for_route(cases[i].url);
		if (!cases[i].want) {
			assert_null(d);
			continue;
		}
		assert_non_null(d);
		assert_string_equal(d->name, cases[i].want);
	}
	assert_null(jolt_dialect_for_route(NULL));
}

/* The shared rules give the same class whichever dialect carried them. */
static void test_shared_classification(void **state)
{
	static const struct {
		int status;
		const char *body;
		int want;
	} cases[] = {
	    {200, "{\"base_resp\":{\"status_code\":1002}}", JOLT_EINFRA},
	    {200, "{\"base_resp\":{\"status_code\":1004}}", JOLT_EDENIED},
	    {500, "{\"base_resp\":{\"status_code\":1008}}", JOLT_EDENIED},
	    {200, "{\"base_resp\":{\"status_code\":2013}}", JOLT_EINPUT},
	    {200, "{\"base_resp\":{\"status_code\":0}}", 0},
	    {200, "{}", 0},
	    /* The key spelled with an escape is the same key. */
	    {200, "{\"base\\u005fresp\":{\"status_code\":1004}}", JOLT_EDENIED},
	    {200, "{\"choices\":[],\"note\":\"base_resp\"}", 0},
	    {401, "", JOLT_EDENIED},
	    {403, "", JOLT_EDENIED},
	    {400, "", JOLT_EINPUT},
	    {413, "", JOLT_EINPUT},
	    {408, "", JOLT_EINFRA},
	    {429, "", JOLT_EINFRA},
	    {503, "", JOLT_EINFRA},
	    {529, "", JOLT_EINFRA},
	};
	for (size_t k = 0; jolt_dialects[k]; k++)
		for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
			int rc = jolt_dialects[k]->classify(
			    cases[i].status, cases[i].body, strlen(cases[i].body));
			if (rc != cases[i].want)
				fail_msg("%s case %zu: got %d, want %d",
					 jolt_dialects[k]->name, i, rc,
					 cases[i].want);
		}
	assert_int_equal(jolt_dialect_classify_status(204, "x"), 0);
	assert_int_equal(jolt_dialect_classify_status(409, NULL), JOLT_EINFRA);
	json_t *root = json_loads("{\"base_resp\":{\"status_code\":1001}}", 0, NULL);
	assert_int_equal(jolt_dialect_classify_base_resp(root, "slow"), JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "timeout"));
	assert_non_null(strstr(jolt_err_msg(), "slow"));
	json_decref(root);
	assert_int_equal(jolt_dialect_classify_base_resp(NULL, NULL), 0);
}

static const char *tools_json =
    "[{\"name\":\"grep\",\"description\":\"search\",\"parameters\":"
    "{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"},"
    "\"n\":{\"type\":\"integer\"}}}}]";

static const char *history_json =
    "[{\"role\":\"system\",\"content\":\"S\"},"
    "{\"role\":\"user\",\"content\":\"Find it.\"},"
    "{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"grep first\","
    " \"tool_calls\":[{\"id\":\"call_0_0\",\"name\":\"grep\",\"arguments\":"
    "{\"pattern\":\"x\",\"n\":2}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"call_0_0\",\"name\":\"grep\","
    "\"content\":\"a:1\"}]";

/* Client encode -> server decode keeps the history's shape and thinking. */
static void test_request_round_trip(void **state)
{
	json_t *msgs = json_loads(history_json, 0, NULL);
	json_t *tools = json_loads(tools_json, 0, NULL);
	jolt_model_req req = {.messages = msgs, .tools = tools, .step = 1};
	jolt_dialect_opts o = {.model = "sim:oracle"};
	for (size_t k = 0; jolt_dialects[k]; k++) {
		const jolt_dialect *d = jolt_dialects[k];
		char *body = NULL;
		assert_int_equal(d->encode(&body, &req, &o), 0);
		jolt_serve_call c;
		int rc = jolt_dialect_serve_decode(&c, d, body, strlen(body));
		if (rc)
			fail_msg("%s: %s", d->name, jolt_err_msg());
		assert_int_equal(c.step, 1);
		assert_string_equal(c.model, "sim:oracle");
		assert_int_equal(json_array_size(c.tools), 1);
		assert_string_equal(json_string_value(json_object_get(
					json_array_get(c.tools, 0), "name")),
				    "grep");
		/* system, user, assistant, tool */
		assert_int_equal(json_array_size(c.messages), 4);
		const json_t *a = json_array_get(c.messages, 2);
		assert_string_equal(json_string_value(json_object_get(a, "thinking")),
				    "grep first");
		const json_t *tc = json_array_get(json_object_get(a, "tool_calls"), 0);
		assert_string_equal(json_string_value(json_object_get(tc, "name")),
				    "grep");
		assert_int_equal(json_integer_value(json_object_get(
				     json_object_get(tc, "arguments"), "n")),
				 2);
		const json_t *t = json_array_get(c.messages, 3);
		assert_string_equal(json_string_value(json_object_get(t, "content")),
				    "a:1");
		assert_string_equal(json_string_value(json_object_get(t, "name")),
				    "grep");
		jolt_serve_call_release(&c);
		free(body);
	}
	json_decref(msgs);
	json_decref(tools);
}

static int feed_chunks(jolt_stream *st, const jolt_dialect *d,
		       const jolt_serve_chunks *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		/* "[event: E\n]data: D\n\n" */
		char *s = ch->v[i];
		char event[64] = "";
		char *data = s;
		if (!strncmp(s, "event: ", 7)) {
			char *nl = strchr(s, '\n');
			snprintf(event, sizeof(event), "%.*s", (int)(nl - s - 7), s + 7);
			data = nl + 1;
		}
		assert_memory_equal(data, "data: ", 6);
		data += 6;
		size_t len = strlen(data);
		while (len && data[len - 1] == '\n')
			len--;
		int rc = d->stream_event(st, event[0] ? event : NULL, data, len);
		if (rc)
			return rc;
	}
	return 0;
}

/* Server encode -> client decode returns the sim's turn, plain and
 * streamed; error bodies are the shape the client reads. */
static void test_reply_round_trip(void **state)
{
	json_t *tools = json_loads(tools_json, 0, NULL);
	json_t *turn = json_loads(
	    "{\"role\":\"assistant\",\"content\":\"Looking — now.\","
	    "\"thinking\":\"need grep\",\"tool_calls\":[{\"id\":\"call_2_0\","
	    "\"name\":\"grep\",\"arguments\":{\"pattern\":\"y\",\"n\":3}}]}",
	    0, NULL);
	assert_non_null(turn);
	jolt_model_req req = {.tools = tools, .step = 2};
	for (size_t k = 0; jolt_dialects[k]; k++) {
		const jolt_dialect *d = jolt_dialects[k];
		jolt_serve_call c = {.tools = tools, .include_usage = 1};
		jolt_serve_reply r = {.message = turn, .tokens_in = 10,
				      .tokens_out = 5, .model = "sim", .id = "x1",
				      .created = 1};
		for (int streamed = 0; streamed < 2; streamed++) {
			jolt_model_reply out = {0};
			if (streamed) {
				jolt_serve_chunks ch = {0};
				assert_int_equal(d->serve_stream(&ch, &c, &r), 0);
				assert_true(ch.n > 3);
				jolt_stream *st = NULL;
				assert_int_equal(d->stream_new(&st, &req, NULL), 0);
				assert_int_equal(feed_chunks(st, d, &ch), 0);
				assert_int_equal(d->stream_finish(&out, st), 0);
				d->stream_free(st);
				jolt_serve_chunks_release(&ch);
			} else {
				char *body = NULL;
				assert_int_equal(d->serve_encode(&body, &c, &r), 0);
				int rc = d->decode(&out, body, strlen(body), &req, NULL);
				if (rc)
					fail_msg("%s: %s", d->name, jolt_err_msg());
				free(body);
			}
			const json_t *m = out.message;
			assert_string_equal(json_string_value(json_object_get(m, "content")),
					    "Looking — now.");
			assert_string_equal(json_string_value(json_object_get(m, "thinking")),
					    "need grep");
			const json_t *tc = json_array_get(json_object_get(m, "tool_calls"), 0);
			assert_string_equal(json_string_value(json_object_get(tc, "name")),
					    "grep");
			assert_int_equal(json_integer_value(json_object_get(
					     json_object_get(tc, "arguments"), "n")),
					 3);
			assert_int_equal(out.malformed, 0);
			assert_int_equal(out.tokens_out, 5);
			jolt_model_reply_release(&out);
		}
		char *e = d->serve_error(d->rate_error, "slow down");
		assert_int_equal(d->classify(429, e, strlen(e)), JOLT_EINFRA);
		assert_non_null(strstr(jolt_err_msg(), "slow down"));
		free(e);
	}
	json_decref(turn);
	json_decref(tools);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_dialect_has_both_halves),
	    cmocka_unit_test(test_route),
	    cmocka_unit_test(test_shared_classification),
	    cmocka_unit_test(test_request_round_trip),
	    cmocka_unit_test(test_reply_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
