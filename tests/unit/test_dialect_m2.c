/*
 * test_dialect_m2.c - M2's chat template renderer against hand-written
 * goldens (tests/golden/m2/CASE/{messages,tools}.json -> expected.txt),
 * the XML tool-call parser over real-looking completions, the render ->
 * parse round trip, and the m2 /completions encode (turn by turn from
 * the render cache too), decode and stream.
 */
#include "test.h"

#include <dirent.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"

#define GOLDEN_DIR "tests/golden/m2"

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("%s: %s", path, e.text);
	return j;
}

static char *slurp(const char *path)
{
	jolt_buf b;
	jolt_buf_init(&b, 1 << 20);
	assert_int_equal(jolt_buf_read_file(&b, path), 0);
	return jolt_buf_detach(&b);
}

static void test_render_goldens(void **state)
{
	DIR *d = opendir(GOLDEN_DIR);
	assert_non_null(d);
	struct dirent *e;
	int cases = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof(p), GOLDEN_DIR "/%s/messages.json",
			 e->d_name);
		json_t *msgs = load(p);
		snprintf(p, sizeof(p), GOLDEN_DIR "/%s/tools.json", e->d_name);
		json_t *tools = load(p);
		snprintf(p, sizeof(p), GOLDEN_DIR "/%s/expected.txt",
			 e->d_name);
		char *want = slurp(p);
		char *got = NULL;
		assert_int_equal(jolt_m2_render(&got, msgs, tools), 0);
		if (strcmp(got, want)) {
			print_error(
			    "case %s:\n--- got ---\n%s\n--- want ---\n%s\n",
			    e->d_name, got, want);
			fail_msg("golden %s differs", e->d_name);
		}
		free(got);
		free(want);
		json_decref(msgs);
		json_decref(tools);
		cases++;
	}
	closedir(d);
	assert_true(cases >= 6);
}

static void test_render_tool_without_call(void **state)
{
	json_t *msgs = json_loads(
	    "[{\"role\":\"user\",\"content\":\"q\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"x\",\"content\":\"r\"}]",
	    0, NULL);
	char *out = (char *)1;
	assert_int_equal(jolt_m2_render(&out, msgs, NULL), JOLT_EINPUT);
	assert_null(out);
	assert_non_null(strstr(jolt_err_msg(), "tool"));
	json_decref(msgs);
	/* not a list */
	json_t *obj = json_object();
	assert_int_equal(jolt_m2_render(&out, obj, NULL), JOLT_EINPUT);
	json_decref(obj);
}

/* The schema every parser case is typed against. */
static const char *parse_tools =
    "[{\"name\":\"edit\",\"description\":\"d\",\"parameters\":{\"type\":"
    "\"object\","
    "\"properties\":{\"path\":{\"type\":\"string\"},\"line\":{\"type\":"
    "\"integer\"},"
    "\"scale\":{\"type\":\"number\"},\"force\":{\"type\":\"boolean\"},"
    "\"meta\":{\"type\":\"object\"},\"tags\":{\"type\":\"array\"},"
    "\"note\":{\"type\":[\"string\",\"null\"]},\"limit\":{\"type\":["
    "\"integer\",\"null\"]}}}},"
    "{\"name\":\"read_file\",\"parameters\":{\"type\":\"object\","
    "\"properties\":"
    "{\"path\":{\"type\":\"string\"}}}}]";

typedef struct parse_case {
	const char *name;
	const char *text;
	const char *thinking; /* NULL: no thinking field */
	const char *content;
	const char *calls; /* JSON [{name, arguments}] expected */
	int malformed;
	const char *detail; /* substring of the detail, when malformed */
} parse_case;

static const parse_case parse_cases[] = {
    {"plain answer", "The user wants a date.\n</think>\n\nIt is 2024-05-01.",
     "The user wants a date.", "It is 2024-05-01.", "[]", 0, NULL},
    {"empty reasoning", "</think>\n\nHello.", NULL, "Hello.", "[]", 0, NULL},
    {"one call",
     "Read it.\n</think>\n\n<minimax:tool_call>\n<invoke name=\"read_file\">\n"
     "<parameter "
     "name=\"path\">notes.txt</parameter>\n</invoke>\n</minimax:tool_call>",
     "Read it.", "",
     "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"notes.txt\"}}]", 0,
     NULL},
    {"several invokes in one block",
     "Two.\n</think>\n\nLet me look.\n<minimax:tool_call>\n<invoke "
     "name=\"read_file\">\n"
     "<parameter name=\"path\">a</parameter>\n</invoke>\n<invoke "
     "name=\"read_file\">\n"
     "<parameter name=\"path\">b</parameter>\n</invoke>\n</minimax:tool_call>",
     "Two.", "Let me look.",
     "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}},"
     "{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}]",
     0, NULL},
    {"two blocks",
     "x\n</think>\n\n<minimax:tool_call>\n<invoke name=\"read_file\">\n"
     "<parameter name=\"path\">a</parameter>\n</invoke>\n</minimax:tool_call>\n"
     "<minimax:tool_call>\n<invoke name=\"read_file\">\n<parameter "
     "name=\"path\">b"
     "</parameter>\n</invoke>\n</minimax:tool_call>",
     "x", "",
     "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}},"
     "{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}]",
     0, NULL},
    {"single-quoted and bare names",
     "</think>\n<minimax:tool_call>\n<invoke name='read_file'>\n<parameter "
     "name='path'>a"
     "</parameter>\n</invoke>\n<invoke name=read_file>\n<parameter "
     "name=path>b</parameter>\n"
     "</invoke>\n</minimax:tool_call>",
     NULL, "",
     "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}},"
     "{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}]",
     0, NULL},
    {"typed values",
     "t\n</think>\n\n<minimax:tool_call>\n<invoke name=\"edit\">\n"
     "<parameter name=\"path\">007</parameter>\n"
     "<parameter name=\"line\">42</parameter>\n"
     "<parameter name=\"scale\">0.5</parameter>\n"
     "<parameter name=\"force\">True</parameter>\n"
     "<parameter name=\"meta\">{\"a\": [1, 2]}</parameter>\n"
     "<parameter name=\"tags\">[\"x\", \"y\"]</parameter>\n"
     "<parameter name=\"limit\">null</parameter>\n"
     "<parameter name=\"note\">null</parameter>\n"
     "<parameter name=\"extra\">17</parameter>\n"
     "</invoke>\n</minimax:tool_call>",
     "t", "",
     "[{\"name\":\"edit\",\"arguments\":{\"path\":\"007\",\"line\":42,"
     "\"scale\":0.5,"
     "\"force\":true,\"meta\":{\"a\":[1,2]},\"tags\":[\"x\",\"y\"],\"limit\":"
     "null,"
     "\"note\":null,\"extra\":\"17\"}}]",
     0, NULL},
    {"multi-line value keeps inner newlines",
     "</think>\n<minimax:tool_call>\n<invoke name=\"edit\">\n<parameter "
     "name=\"path\">\n"
     "line one\nline two\n\n</parameter>\n</invoke>\n</minimax:tool_call>",
     NULL, "",
     "[{\"name\":\"edit\",\"arguments\":{\"path\":\"line one\\nline "
     "two\\n\"}}]",
     0, NULL},
    {"missing </think>: all content, calls still found",
     "I will read the file.\n<minimax:tool_call>\n<invoke name=\"read_file\">\n"
     "<parameter name=\"path\">a</parameter>\n</invoke>\n</minimax:tool_call>",
     NULL, "I will read the file.",
     "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}}]", 0, NULL},
    {"value fails its type",
     "</think>\n<minimax:tool_call>\n<invoke name=\"edit\">\n<parameter "
     "name=\"line\">"
     "forty</parameter>\n</invoke>\n</minimax:tool_call>",
     NULL, "", "[]", 1, "parameter \"line\" should be integer, got \"forty\""},
    {"stray </parameter>",
     "</think>\n<minimax:tool_call>\n<invoke name=\"read_file\">\n<parameter "
     "name=\"path\">a"
     "</parameter>\n</parameter>\n</invoke>\n</minimax:tool_call>",
     NULL, "", "[]", 1, "stray text in the invoke"},
    {"unclosed <invoke>, the next one fine",
     "</think>\n<minimax:tool_call>\n<invoke name=\"read_file\">\n<parameter "
     "name=\"path\">a"
     "</parameter>\n<invoke name=\"read_file\">\n<parameter "
     "name=\"path\">b</parameter>\n"
     "</invoke>\n</minimax:tool_call>",
     NULL, "", "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}]", 1,
     "unclosed <invoke>"},
    {"unclosed <minimax:tool_call>",
     "go\n</think>\n\n<minimax:tool_call>\n<invoke name=\"read_file\">\n"
     "<parameter name=\"path\">a</parameter>\n</invoke>\n",
     "go", "", "[]", 1, "unclosed <minimax:tool_call>"},
    {"unclosed <parameter>",
     "</think>\n<minimax:tool_call>\n<invoke name=\"read_file\">\n<parameter "
     "name=\"path\">a\n"
     "</invoke>\n</minimax:tool_call>",
     NULL, "", "[]", 1, "unclosed <parameter>"},
    /* A string value that itself contains "</parameter>": the value ends
     * at the first one (as in vLLM), and the rest is stray text, so the
     * invoke is reported malformed rather than run truncated. */
    {"literal </parameter> inside a string value",
     "</think>\n<minimax:tool_call>\n<invoke name=\"edit\">\n<parameter "
     "name=\"path\">"
     "x = \"</parameter>\" + y</parameter>\n</invoke>\n</minimax:tool_call>",
     NULL, "", "[]", 1, "stray text in the invoke: \" + y</parameter>"},
    {"text after the calls is dropped from content",
     "r\n</think>\n\nFirst.\n<minimax:tool_call>\n<invoke name=\"read_file\">\n"
     "<parameter "
     "name=\"path\">a</parameter>\n</invoke>\n</minimax:tool_call>\nI hope "
     "that works.",
     "r", "First.", "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}}]",
     0, NULL},
    {"trailing eos and text past it", "r\n</think>\n\nDone.[e~[\n]~b]user\nhi",
     "r", "Done.", "[]", 0, NULL},
    {"an empty block", "</think>\n<minimax:tool_call>\n</minimax:tool_call>",
     NULL, "", "[]", 1, "no <invoke>"},
    {"an unknown tool is kept (the driver reports it)",
     "</think>\n<minimax:tool_call>\n<invoke name=\"launch\">\n<parameter "
     "name=\"n\">3"
     "</parameter>\n</invoke>\n</minimax:tool_call>",
     NULL, "", "[{\"name\":\"launch\",\"arguments\":{\"n\":\"3\"}}]", 0, NULL},
    {"an invoke without a name",
     "</think>\n<minimax:tool_call>\n<invoke>\n</invoke>\n"
     "</minimax:tool_call>",
     NULL, "", "[]", 1, "name"},
    {"opening <think> sent back too", "<think>\nhmm\n</think>\n\nok", "hmm",
     "ok", "[]", 0, NULL},
    {"empty completion", "", NULL, "", "[]", 0, NULL},
};

static void test_parse_table(void **state)
{
	json_t *tools = json_loads(parse_tools, 0, NULL);
	assert_non_null(tools);
	for (size_t i = 0; i < JOLT_ARRAY_LEN(parse_cases); i++) {
		const parse_case *c = &parse_cases[i];
		json_t *msg = NULL;
		int mal = -1;
		char *detail = NULL;
		assert_int_equal(jolt_m2_parse(&msg, &mal, &detail, c->text,
					       strlen(c->text), tools),
				 0);
		const char *th =
		    json_string_value(json_object_get(msg, "thinking"));
		if (c->thinking == NULL ? th != NULL
					: !th || strcmp(th, c->thinking))
			fail_msg("%s: thinking %s", c->name,
				 th ? th : "(none)");
		const char *content =
		    json_string_value(json_object_get(msg, "content"));
		if (!content || strcmp(content, c->content))
			fail_msg("%s: content [%s]", c->name,
				 content ? content : "(none)");
		if (mal != c->malformed)
			fail_msg("%s: malformed %d, detail %s", c->name, mal,
				 detail ? detail : "");
		if (c->detail && (!detail || !strstr(detail, c->detail)))
			fail_msg("%s: detail [%s]", c->name,
				 detail ? detail : "(none)");
		if (!c->malformed)
			assert_null(detail);
		/* compare names and arguments, ids checked separately */
		json_t *want = json_loads(c->calls, 0, NULL);
		assert_non_null(want);
		const json_t *calls = json_object_get(msg, "tool_calls");
		json_t *got = json_array();
		size_t k;
		json_t *tc;
		json_array_foreach(calls, k, tc)
		{
			char id[32];
			snprintf(id, sizeof(id), "call_%zu", k);
			assert_string_equal(
			    json_string_value(json_object_get(tc, "id")), id);
			json_array_append_new(
			    got,
			    json_pack("{s:O, s:O}", "name",
				      json_object_get(tc, "name"), "arguments",
				      json_object_get(tc, "arguments")));
		}
		if (!json_equal(got, want)) {
			char *g = json_dumps(got, JSON_COMPACT);
			fail_msg("%s: calls %s", c->name, g);
		}
		assert_string_equal(
		    json_string_value(json_object_get(msg, "raw")), c->text);
		assert_string_equal(
		    json_string_value(json_object_get(msg, "raw_dialect")),
		    "m2");
		json_decref(want);
		json_decref(got);
		json_decref(msg);
		free(detail);
	}
	json_decref(tools);
}

static void test_parse_invalid_utf8(void **state)
{
	const char text[] = "a\xff\xfe\n</think>\n\nb\xc3";
	json_t *msg = NULL;
	int mal;
	char *detail;
	assert_int_equal(
	    jolt_m2_parse(&msg, &mal, &detail, text, sizeof(text) - 1, NULL),
	    0);
	assert_string_equal(json_string_value(json_object_get(msg, "thinking")),
			    "a\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(msg, "content")),
			    "b\xef\xbf\xbd");
	json_decref(msg);
}

/* An assistant turn rendered by the template and parsed back gives the
 * same calls and typed values. */
static void test_round_trip(void **state)
{
	json_t *tools = json_loads(parse_tools, 0, NULL);
	json_t *msgs =
	    json_loads("[{\"role\":\"user\",\"content\":\"go\"},"
		       "{\"role\":\"assistant\",\"content\":\"Working.\","
		       "\"thinking\":\"plan it\","
		       "\"tool_calls\":[{\"id\":\"a\",\"name\":\"edit\","
		       "\"arguments\":{\"path\":\"a b\\nc\","
		       "\"line\":7,\"scale\":2.5,\"force\":false,\"meta\":{"
		       "\"k\":[1,{\"z\":null}]},"
		       "\"tags\":[],\"limit\":null}},"
		       "{\"id\":\"b\",\"name\":\"read_file\",\"arguments\":{"
		       "\"path\":\"caf\u00e9\"}}]}]",
		       0, NULL);
	assert_non_null(msgs);
	char *prompt = NULL;
	assert_int_equal(jolt_m2_render(&prompt, msgs, tools), 0);
	/* The completion is what follows "]~b]ai\n<think>\n" for that turn. */
	const char *turn = strstr(prompt, "]~b]ai\n<think>\n");
	assert_non_null(turn);
	turn += strlen("]~b]ai\n<think>\n");
	const char *end = strstr(turn, "[e~[");
	assert_non_null(end);
	json_t *msg = NULL;
	int mal;
	char *detail;
	assert_int_equal(jolt_m2_parse(&msg, &mal, &detail, turn,
				       (size_t)(end - turn), tools),
			 0);
	assert_int_equal(mal, 0);
	assert_string_equal(json_string_value(json_object_get(msg, "thinking")),
			    "plan it");
	assert_string_equal(json_string_value(json_object_get(msg, "content")),
			    "Working.");
	const json_t *want =
	    json_object_get(json_array_get(msgs, 1), "tool_calls");
	const json_t *got = json_object_get(msg, "tool_calls");
	assert_int_equal(json_array_size(got), 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(json_equal(
		    json_object_get(json_array_get(got, i), "arguments"),
		    json_object_get(json_array_get(want, i), "arguments")));
		assert_true(json_equal(
		    json_object_get(json_array_get(got, i), "name"),
		    json_object_get(json_array_get(want, i), "name")));
	}
	json_decref(msg);
	free(prompt);
	json_decref(msgs);
	json_decref(tools);
}

/* Every golden conversation grown one message at a time, each turn
 * encoded with the trajectory's render cache and without: the same
 * bytes, and the prompt inside is the golden renderer's. A user message
 * that arrives after reasoning turns (the last-user rule) re-renders
 * them; other tools re-render the head. */
static void test_encode_incremental(void **state)
{
	const jolt_dialect *d = jolt_dialect_find("m2");
	jolt_backend_opts bo = {.temperature = -1, .top_p = -1, .top_k = -1};
	jolt_dialect_opts o = {.model = "MiniMax-M2", .b = &bo};
	DIR *dir = opendir(GOLDEN_DIR);
	assert_non_null(dir);
	struct dirent *e;
	int cases = 0;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof(p), GOLDEN_DIR "/%s/messages.json",
			 e->d_name);
		json_t *all = load(p);
		snprintf(p, sizeof(p), GOLDEN_DIR "/%s/tools.json", e->d_name);
		json_t *tools = load(p);
		jolt_render_cache c = {0};
		json_t *msgs = json_array();
		jolt_model_req req = {.messages = msgs, .tools = tools};
		for (size_t i = 0; i < json_array_size(all); i++) {
			json_array_append(msgs, json_array_get(all, i));
			char *plain = NULL, *cached = NULL, *prompt = NULL;
			req.cache = NULL;
			assert_int_equal(d->encode(&plain, &req, &o), 0);
			req.cache = &c;
			assert_int_equal(d->encode(&cached, &req, &o), 0);
			if (strcmp(plain, cached))
				fail_msg("%s, %zu messages:\n%s\n%s", e->d_name,
					 i + 1, cached, plain);
			assert_int_equal(c.n, i + 1);
			json_t *j = json_loads(cached, 0, NULL);
			assert_int_equal(jolt_m2_render(&prompt, msgs, tools), 0);
			assert_string_equal(
			    json_string_value(json_object_get(j, "prompt")),
			    prompt);
			json_decref(j);
			free(prompt);
			free(plain);
			free(cached);
		}
		/* Other tools: the head again, the turns from the cache. */
		char *plain = NULL, *cached = NULL;
		json_t *other = json_loads("[{\"name\":\"open\"}]", 0, NULL);
		req.tools = other;
		req.cache = NULL;
		assert_int_equal(d->encode(&plain, &req, &o), 0);
		req.cache = &c;
		assert_int_equal(d->encode(&cached, &req, &o), 0);
		assert_string_equal(cached, plain);
		assert_int_equal(c.n, json_array_size(all));
		free(plain);
		free(cached);
		json_decref(other);
		jolt_render_cache_release(&c);
		json_decref(msgs);
		json_decref(all);
		json_decref(tools);
		cases++;
	}
	closedir(dir);
	assert_true(cases >= 6);
	(void)state;
}

/* The last-user rule across turns: reasoning kept while no user message
 * follows it, dropped from the cached turn once one does. */
static void test_encode_last_user(void **state)
{
	const jolt_dialect *d = jolt_dialect_find("m2");
	jolt_backend_opts bo = {.temperature = -1, .top_p = -1, .top_k = -1};
	jolt_dialect_opts o = {.b = &bo};
	json_t *msgs = json_loads(
	    "[{\"role\":\"user\",\"content\":\"q\"},"
	    "{\"role\":\"assistant\",\"content\":\"a\",\"thinking\":\"T1\"}]",
	    0, NULL);
	jolt_render_cache c = {0};
	jolt_model_req req = {.messages = msgs, .cache = &c};
	char *body = NULL;
	assert_int_equal(d->encode(&body, &req, &o), 0);
	assert_non_null(strstr(body, "T1"));
	free(body);
	json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "user",
					      "content", "more"));
	assert_int_equal(d->encode(&body, &req, &o), 0);
	assert_null(strstr(body, "T1"));
	assert_int_equal(c.tag[1], 0);
	free(body);
	jolt_render_cache_release(&c);
	json_decref(msgs);
	(void)state;
}

static void test_encode(void **state)
{
	const jolt_dialect *d = jolt_dialect_find("m2");
	assert_non_null(d);
	assert_string_equal(d->path, "/completions");
	json_t *msgs =
	    json_loads("[{\"role\":\"user\",\"content\":\"hi\"}]", 0, NULL);
	jolt_backend_opts bo = {
	    .temperature = -1, .top_p = -1, .top_k = -1, .max_tokens = 0};
	jolt_dialect_opts o = {.model = "MiniMax-M2", .b = &bo};
	jolt_model_req req = {.messages = msgs, .tools = NULL, .step = 0};
	char *body = NULL;
	assert_int_equal(d->encode(&body, &req, &o), 0);
	json_t *got = json_loads(body, 0, NULL);
	json_t *want = json_loads(
	    "{\"model\":\"MiniMax-M2\",\"prompt\":\"]~!b[]~b]system\\nYou are "
	    "a helpful "
	    "assistant.[e~[\\n]~b]user\\nhi[e~[\\n]~b]ai\\n<think>\\n\",\"max_"
	    "tokens\":8192,"
	    "\"temperature\":1.0,\"top_p\":0.95,\"top_k\":40,\"stream\":false,"
	    "\"stop\":[\"[e~[\"],\"skip_special_tokens\":false}",
	    0, NULL);
	assert_non_null(want);
	if (!json_equal(got, want))
		fail_msg("encode: %s", body);
	free(body);
	json_decref(got);
	json_decref(want);
	/* top_k 0 is not sent; streaming asks for usage */
	bo.top_k = 0;
	bo.stream = 1;
	bo.temperature = 0.7;
	assert_int_equal(d->encode(&body, &req, &o), 0);
	got = json_loads(body, 0, NULL);
	assert_null(json_object_get(got, "top_k"));
	assert_true(json_is_true(json_object_get(got, "stream")));
	assert_true(json_is_true(json_object_get(
	    json_object_get(got, "stream_options"), "include_usage")));
	assert_true(json_real_value(json_object_get(got, "temperature")) ==
		    0.7);
	free(body);
	json_decref(got);
	json_decref(msgs);
}

static void test_decode(void **state)
{
	const jolt_dialect *d = jolt_dialect_find("m2");
	json_t *tools = json_loads(parse_tools, 0, NULL);
	jolt_model_req req = {.tools = tools, .step = 3};
	const char *body =
	    "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{"
	    "\"index\":0,"
	    "\"text\":\"ok\\n</think>\\n\\n<minimax:tool_call>\\n<invoke "
	    "name=\\\"edit\\\">\\n"
	    "<parameter "
	    "name=\\\"line\\\">9</parameter>\\n</invoke>\\n</"
	    "minimax:tool_call>\","
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":100,"
	    "\"completion_tokens\":20}}";
	jolt_model_reply r;
	assert_int_equal(d->decode(&r, body, strlen(body), &req, NULL), 0);
	assert_int_equal(r.tokens_in, 100);
	assert_int_equal(r.tokens_out, 20);
	assert_int_equal(r.malformed, 0);
	const json_t *tc =
	    json_array_get(json_object_get(r.message, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(tc, "id")),
			    "call_3_0");
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(tc, "arguments"), "line")),
			 9);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "raw_dialect")), "m2");
	jolt_model_reply_release(&r);

	const char *bad[] = {"{\"choices\":[{\"text\":\"ab", "{\"choices\":[]}",
			     "{\"error\":{\"message\":\"model overloaded\"}}",
			     "null", ""};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(bad); i++) {
		assert_int_equal(
		    d->decode(&r, bad[i], strlen(bad[i]), &req, NULL),
		    JOLT_EINFRA);
		assert_null(r.message);
	}
	assert_int_equal(d->decode(&r, bad[2], strlen(bad[2]), &req, NULL),
			 JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "model overloaded"));
	json_decref(tools);
}

static int feed(const jolt_dialect *d, jolt_stream *st, const char *data)
{
	return d->stream_event(st, NULL, data, strlen(data));
}

static void test_stream(void **state)
{
	const jolt_dialect *d = jolt_dialect_find("m2");
	json_t *tools = json_loads(parse_tools, 0, NULL);
	jolt_model_req req = {.tools = tools, .step = 1};
	jolt_stream *st = NULL;
	assert_int_equal(d->stream_new(&st, &req, NULL), 0);
	assert_int_equal(
	    feed(d, st, "{\"choices\":[{\"text\":\"hm\\n</th\"}]}"), 0);
	assert_int_equal(
	    feed(d, st,
		 "{\"choices\":[{\"text\":\"ink>\\n\\n<minimax:tool_call>\\n"
		 "<invoke name=\\\"read_file\\\">\\n<parameter "
		 "name=\\\"path\\\">"
		 "a</parameter>\\n</invoke>\\n</minimax:tool_call>\"}]}"),
	    0);
	assert_int_equal(
	    feed(d, st,
		 "{\"choices\":[{\"text\":\"\",\"finish_reason\":\"stop\"}],"
		 "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}"),
	    0);
	assert_int_equal(feed(d, st, "[DONE]"), 0);
	jolt_model_reply r;
	assert_int_equal(d->stream_finish(&r, st), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.message, "thinking")), "hm");
	const json_t *tc =
	    json_array_get(json_object_get(r.message, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(tc, "id")),
			    "call_1_0");
	assert_int_equal(r.tokens_out, 7);
	jolt_model_reply_release(&r);
	d->stream_free(st);

	/* a stream that breaks off */
	assert_int_equal(d->stream_new(&st, &req, NULL), 0);
	assert_int_equal(feed(d, st, "{\"choices\":[{\"text\":\"hm\"}]}"), 0);
	assert_int_equal(d->stream_finish(&r, st), JOLT_EINFRA);
	assert_non_null(strstr(jolt_err_msg(), "truncated"));
	assert_int_equal(feed(d, st, "{\"choices\":"), JOLT_EINFRA);
	d->stream_free(st);
	json_decref(tools);
}

static void test_classify(void **state)
{
	const jolt_dialect *d = jolt_dialect_find("m2");
	const char *b = "{\"base_resp\":{\"status_code\":1002,\"status_msg\":"
			"\"rate limit\"}}";
	assert_int_equal(d->classify(200, b, strlen(b)), JOLT_EINFRA);
	assert_int_equal(d->classify(503, "", 0), JOLT_EINFRA);
	assert_int_equal(d->classify(200, "{}", 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_goldens),
	    cmocka_unit_test(test_render_tool_without_call),
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test(test_parse_invalid_utf8),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_encode),
	    cmocka_unit_test(test_encode_incremental),
	    cmocka_unit_test(test_encode_last_user),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
