/*
 * test_scaffold.c - the scaffolds: a table of model outputs and the calls
 * each scaffold parses from them (malformed ones included), round trips
 * (a call written by a scaffold parses back to itself), and presenting a
 * conversation (frame, calls in the text, results as user turns, thinking
 * and raw kept), and goldens: for every scaffold and every dialect, the
 * exact request body a fixed two-tool, three-step conversation renders to
 * (tests/golden/scaffold/SCAFFOLD-DIALECT.txt; JOLT_GOLDEN_UPDATE=1, as
 * `make golden` sets it, rewrites them for review with git diff).
 */
#include "test.h"

#include <errno.h>

#include "core/common.h"
#include "model/dialect.h"
#include "scaffolds/scaffold.h"

#define GOLDEN_DIR "tests/golden/scaffold"

static json_t *tools(void)
{
	return json_loads(
		"[{\"name\": \"read_file\", \"description\": \"Read a file.\","
		"  \"parameters\": {\"type\": \"object\", \"properties\": {"
		"    \"path\": {\"type\": \"string\"},"
		"    \"limit\": {\"type\": \"integer\"}}, \"required\": [\"path\"]}},"
		" {\"name\": \"add\", \"description\": \"Add numbers.\","
		"  \"parameters\": {\"type\": \"object\", \"properties\": {"
		"    \"xs\": {\"type\": \"array\"}, \"exact\": {\"type\": \"boolean\"}},"
		"    \"required\": [\"xs\"]}}]",
		0, NULL);
}

/* One row: scaffold, model text, expected calls as compact JSON of
 * [{name, arguments}], expected malformed count, expected content, and a
 * substring the malformed detail must hold (or NULL). */
struct row {
	const char *scaffold;
	const char *text;
	const char *calls;
	int malformed;
	const char *content;
	const char *detail;
};

static const struct row rows[] = {
	/* xml */
	{"xml", "Let me look.\n<invoke name=\"read_file\">\n<parameter name=\"path\">a.txt</parameter>\n</invoke>",
	 "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a.txt\"}}]", 0, "Let me look.", NULL},
	{"xml", "<invoke  name='read_file' ><parameter name=path>\nx y\n</parameter><parameter name=\"limit\">5</parameter></invoke>",
	 "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"x y\",\"limit\":5}}]", 0, "", NULL},
	{"xml", "<minimax:tool_call>\n<invoke name=\"add\"><parameter name=\"xs\">[1, 2]</parameter><parameter name=\"exact\">true</parameter></invoke>\n<invoke name=\"read_file\"><parameter name=\"path\">b</parameter></invoke>\n</minimax:tool_call>",
	 "[{\"name\":\"add\",\"arguments\":{\"xs\":[1,2],\"exact\":true}},{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}]", 0, "", NULL},
	{"xml", "The answer is 42.", "[]", 0, "The answer is 42.", NULL},
	{"xml", "<invoke name=\"rm\"><parameter name=\"path\">a</parameter></invoke>", "[]", 1, "", "unknown tool 'rm'"},
	{"xml", "<invoke name=\"read_file\"><parameter name=\"limit\">3</parameter></invoke>", "[]", 1, "", "missing required parameter 'path'"},
	{"xml", "<invoke name=\"read_file\"><parameter name=\"path\">a", "[]", 1, "", "not closed"},
	{"xml", "<invoke name=\"read_file\"><parameter name=\"path\">a</invoke>", "[]", 1, "", "</parameter>"},
	/* json */
	{"json", "I will read it.\n```json\n{\"tool\": \"read_file\", \"arguments\": {\"path\": \"a.txt\"}}\n```",
	 "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a.txt\"}}]", 0, "I will read it.", NULL},
	{"json", "```\n  {\"name\":\"add\",\"args\":{\"xs\":[3]}}  \n```\n```JSON\n{\"tool\":\"read_file\",\"parameters\":{\"path\":\"q\"}}\n```",
	 "[{\"name\":\"add\",\"arguments\":{\"xs\":[3]}},{\"name\":\"read_file\",\"arguments\":{\"path\":\"q\"}}]", 0, "", NULL},
	{"json", "{\"tool\": \"read_file\", \"arguments\": {\"path\": \"z\"}}\nthanks",
	 "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"z\"}}]", 0, "thanks", NULL},
	{"json", "The config is {a: 1} and the answer is 7.", "[]", 0, "The config is {a: 1} and the answer is 7.", NULL},
	{"json", "```json\n{\"tool\": \"read_file\", \"arguments\": {\"path\": }\n```", "[]", 1, "", "not valid JSON"},
	{"json", "```json\n{\"arguments\": {\"path\": \"a\"}}\n```", "[]", 1, "", "needs a \"tool\""},
	{"json", "```json\n{\"tool\": \"nope\", \"arguments\": {}}\n```", "[]", 1, "", "unknown tool 'nope'"},
	/* react */
	{"react", "Thought: I need the file.\nAction: read_file\nAction Input: {\"path\": \"a.txt\"}",
	 "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"a.txt\"}}]", 0, "Thought: I need the file.", NULL},
	{"react", "thought: x\n  action :  read_file\naction input: ```json\n{\"path\": \"b\"}\n```\nObservation: made up",
	 "[{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}]", 0, "thought: x", NULL},
	{"react", "Thought: done\nFinal Answer: 1847", "[]", 0, "1847", NULL},
	{"react", "It was 1847.", "[]", 0, "It was 1847.", NULL},
	{"react", "Action: read_file\nAction Input: {\"path\": \"a\"}\nAction: read_file\nAction Input: {\"path\": \"b\"}", "[]", 1, "", "only one Action"},
	{"react", "Action: read_file\n", "[]", 1, "", "Missing 'Action Input:'"},
	{"react", "Action: read_file\nAction Input: a.txt", "[]", 1, "", "JSON object"},
	{"react", "Action: read_file\nAction Input: {\"path\": \"a\"}\nFinal Answer: x", "[]", 1, "", "both a final answer"},
};

static void check_row(const struct row *r, const json_t *tl)
{
	const jolt_scaffold *sc = jolt_scaffold_find(r->scaffold);
	assert_non_null(sc);
	jolt_scaffold_parse p;
	assert_int_equal(sc->parse(&p, r->text, strlen(r->text), tl), 0);
	json_t *got = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(p.calls, i, c) {
		assert_true(json_is_string(json_object_get(c, "id")));
		json_array_append_new(got, json_pack("{s:O, s:O}", "name",
						     json_object_get(c, "name"),
						     "arguments",
						     json_object_get(c, "arguments")));
	}
	json_t *want = json_loads(r->calls, 0, NULL);
	assert_non_null(want);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT);
		print_error("%s: %s\n  got %s\n", r->scaffold, r->text, g);
		free(g);
		fail();
	}
	assert_int_equal(p.malformed, r->malformed);
	assert_string_equal(p.content, r->content);
	if (r->detail) {
		assert_non_null(p.detail);
		if (!strstr(p.detail, r->detail)) {
			print_error("detail '%s' lacks '%s'\n", p.detail, r->detail);
			fail();
		}
	} else {
		assert_null(p.detail);
	}
	json_decref(got);
	json_decref(want);
	jolt_scaffold_parse_release(&p);
}

static void test_parse_table(void **state)
{
	json_t *tl = tools();
	for (size_t i = 0; i < JOLT_ARRAY_LEN(rows); i++)
		check_row(&rows[i], tl);
	json_decref(tl);
}

/* A call written by each text scaffold parses back to the same call. */
static void test_round_trip(void **state)
{
	json_t *tl = tools();
	json_t *call = json_loads("{\"name\": \"add\", \"arguments\": {\"xs\": [1, 2.5],"
				  " \"exact\": false}}", 0, NULL);
	json_t *call2 = json_loads("{\"name\": \"read_file\", \"arguments\": {\"path\":"
				   " \"d\\u00e9j\\u00e0 vu/<b>.txt\", \"limit\": 3}}", 0, NULL);
	for (size_t i = 0; jolt_scaffolds[i]; i++) {
		const jolt_scaffold *sc = jolt_scaffolds[i];
		if (!(sc->flags & JOLT_SCAFFOLD_TEXT))
			continue;
		const json_t *cs[] = {call, call2};
		for (size_t k = 0; k < 2; k++) {
			jolt_buf b;
			jolt_buf_init(&b, 0);
			jolt_buf_adds(&b, "Thinking aloud.\n");
			assert_int_equal(sc->write_call(&b, cs[k]), 0);
			jolt_scaffold_parse p;
			assert_int_equal(sc->parse(&p, b.s, b.len, tl), 0);
			assert_int_equal(p.malformed, 0);
			assert_int_equal(json_array_size(p.calls), 1);
			json_t *got = json_array_get(p.calls, 0);
			assert_true(json_equal(json_object_get(got, "name"),
					       json_object_get(cs[k], "name")));
			assert_true(json_equal(json_object_get(got, "arguments"),
					       json_object_get(cs[k], "arguments")));
			assert_string_equal(p.content, "Thinking aloud.");
			jolt_scaffold_parse_release(&p);
			jolt_buf_release(&b);
		}
	}
	json_decref(call);
	json_decref(call2);
	json_decref(tl);
}

/* A two-tool, three-step conversation. */
static json_t *conversation(void)
{
	return json_loads(
		"[{\"role\": \"system\", \"content\": \"You are careful.\"},"
		" {\"role\": \"user\", \"content\": \"Sum the numbers in a.txt.\"},"
		" {\"role\": \"assistant\", \"content\": \"\", \"thinking\": \"read first\","
		"  \"tool_calls\": [{\"id\": \"c1\", \"name\": \"read_file\","
		"    \"arguments\": {\"path\": \"a.txt\"}}]},"
		" {\"role\": \"tool\", \"tool_call_id\": \"c1\", \"name\": \"read_file\","
		"  \"content\": \"1 2 3\"},"
		" {\"role\": \"assistant\", \"content\": \"Adding.\", \"thinking\": \"add them\","
		"  \"raw\": \"KEEP\","
		"  \"tool_calls\": [{\"id\": \"c2\", \"name\": \"add\","
		"    \"arguments\": {\"xs\": [1, 2, 3]}}]},"
		" {\"role\": \"tool\", \"tool_call_id\": \"c2\", \"name\": \"add\","
		"  \"content\": \"no such file\", \"is_error\": true},"
		" {\"role\": \"assistant\", \"content\": \"The sum is 6.\"}]",
		0, NULL);
}

static void test_present_native_is_identity(void **state)
{
	json_t *msgs = conversation(), *tl = tools(), *om, *ot;
	assert_int_equal(jolt_scaffold_present(&om, &ot, &jolt_scaffold_native,
					       msgs, tl), 0);
	assert_ptr_equal(om, msgs);
	assert_ptr_equal(ot, tl);
	json_decref(om);
	json_decref(ot);
	json_decref(msgs);
	json_decref(tl);
}

static void test_present_text(void **state)
{
	json_t *msgs = conversation(), *tl = tools();
	const char *sc_names[] = {"xml", "json", "react"};
	const char *markers[] = {"<invoke name=\"read_file\">",
				 "\"tool\":\"read_file\"", "Action: read_file"};
	const char *results[] = {"<tool_result name=\"read_file\">\n1 2 3\n</tool_result>",
				 "\"output\":\"1 2 3\"", "Observation: 1 2 3"};
	for (size_t i = 0; i < 3; i++) {
		const jolt_scaffold *sc = jolt_scaffold_find(sc_names[i]);
		json_t *om, *ot;
		assert_int_equal(jolt_scaffold_present(&om, &ot, sc, msgs, tl), 0);
		assert_null(ot);
		/* system, user, assistant, user(result), assistant, user(result),
		 * assistant */
		assert_int_equal(json_array_size(om), 7);
		const char *sys = json_string_value(
			json_object_get(json_array_get(om, 0), "content"));
		assert_true(strncmp(sys, "You are careful.\n\n# Tools", 25) == 0);
		assert_non_null(strstr(sys, "read_file"));
		assert_non_null(strstr(sys, "Add numbers."));
		json_t *a1 = json_array_get(om, 2);
		assert_null(json_object_get(a1, "tool_calls"));
		assert_non_null(strstr(json_string_value(json_object_get(a1, "content")),
				       markers[i]));
		assert_string_equal(json_string_value(json_object_get(a1, "thinking")),
				    "read first");
		json_t *r1 = json_array_get(om, 3);
		assert_string_equal(json_string_value(json_object_get(r1, "role")), "user");
		assert_non_null(strstr(json_string_value(json_object_get(r1, "content")),
				       results[i]));
		json_t *a2 = json_array_get(om, 4);
		assert_string_equal(json_string_value(json_object_get(a2, "raw")), "KEEP");
		assert_true(strncmp(json_string_value(json_object_get(a2, "content")),
				    "Adding.\n\n", 9) == 0);
		const char *r2 = json_string_value(
			json_object_get(json_array_get(om, 5), "content"));
		assert_non_null(strstr(r2, "no such file"));
		assert_non_null(strstr(r2, i == 1 ? "\"ok\":false" : "error"));
		/* the input is untouched */
		assert_non_null(json_object_get(json_array_get(msgs, 2), "tool_calls"));
		json_decref(om);
	}
	json_decref(msgs);
	json_decref(tl);
}

/* interpret() parses the text into calls and keeps thinking and raw;
 * write_turn() is its inverse for the simulator. */
static void test_interpret_and_write_turn(void **state)
{
	json_t *tl = tools();
	json_t *neutral = json_loads(
		"{\"role\": \"assistant\", \"content\": \"Reading.\", \"thinking\": \"t\","
		" \"tool_calls\": [{\"id\": \"x\", \"name\": \"read_file\","
		"  \"arguments\": {\"path\": \"a\"}}]}", 0, NULL);
	for (size_t i = 0; jolt_scaffolds[i]; i++) {
		const jolt_scaffold *sc = jolt_scaffolds[i];
		json_t *written, *back;
		int bad;
		char *detail;
		assert_int_equal(jolt_scaffold_write_turn(&written, sc, neutral), 0);
		if (sc->flags & JOLT_SCAFFOLD_TEXT)
			assert_null(json_object_get(written, "tool_calls"));
		assert_int_equal(jolt_scaffold_interpret(&back, &bad, &detail, sc,
							 written, tl), 0);
		assert_int_equal(bad, 0);
		assert_null(detail);
		assert_string_equal(json_string_value(json_object_get(back, "content")),
				    "Reading.");
		assert_string_equal(json_string_value(json_object_get(back, "thinking")), "t");
		json_t *c = json_array_get(json_object_get(back, "tool_calls"), 0);
		assert_string_equal(json_string_value(json_object_get(c, "name")), "read_file");
		assert_true(json_equal(json_object_get(c, "arguments"),
				       json_object_get(json_array_get(
					       json_object_get(neutral, "tool_calls"), 0),
						       "arguments")));
		json_decref(written);
		json_decref(back);
	}
	/* a malformed reply: counted, the framework's message kept */
	json_t *m = json_pack("{s:s, s:s}", "role", "assistant", "content",
			      "Action: read_file\n");
	json_t *back;
	int bad;
	char *detail;
	assert_int_equal(jolt_scaffold_interpret(&back, &bad, &detail,
						 &jolt_scaffold_react, m, tl), 0);
	assert_int_equal(bad, 1);
	assert_non_null(strstr(detail, "Action Input"));
	assert_null(json_object_get(back, "tool_calls"));
	free(detail);
	json_decref(back);
	json_decref(m);
	json_decref(neutral);
	json_decref(tl);
}

/* The request each dialect sends for the conversation under each scaffold. */
static void test_request_goldens(void **state)
{
	json_t *msgs = conversation(), *tl = tools();
	/* the last turn is the model's answer: a request ends before it */
	json_array_remove(msgs, json_array_size(msgs) - 1);
	bool update = getenv("JOLT_GOLDEN_UPDATE") != NULL;
	int cases = 0;
	for (size_t i = 0; jolt_scaffolds[i]; i++) {
		const jolt_scaffold *sc = jolt_scaffolds[i];
		json_t *om, *ot;
		assert_int_equal(jolt_scaffold_present(&om, &ot, sc, msgs, tl), 0);
		for (size_t d = 0; jolt_dialects[d]; d++) {
			const jolt_dialect *dl = jolt_dialects[d];
			jolt_model_req req = {.messages = om, .tools = ot, .step = 3};
			jolt_dialect_opts o = {.model = "MiniMax-M2", .b = NULL};
			char *body = NULL;
			assert_int_equal(dl->encode(&body, &req, &o), 0);
			char path[256];
			snprintf(path, sizeof(path), GOLDEN_DIR "/%s-%s.txt", sc->name,
				 dl->name);
			if (update) {
				mkdir(GOLDEN_DIR, 0755);
				FILE *f = fopen(path, "w");
				assert_non_null(f);
				fputs(body, f);
				fclose(f);
			}
			jolt_buf want;
			jolt_buf_init(&want, 0);
			if (jolt_buf_read_file(&want, path) != 0)
				fail_msg("missing golden %s (run make golden)", path);
			if (strcmp(want.s, body))
				fail_msg("golden %s differs:\n%s", path, body);
			/* a text scaffold puts no tools on the wire */
			if (sc->flags & JOLT_SCAFFOLD_TEXT)
				assert_null(strstr(body, "\"tools\""));
			jolt_buf_release(&want);
			free(body);
			cases++;
		}
		json_decref(om);
		json_decref(ot);
	}
	assert_true(cases >= 12);
	json_decref(msgs);
	json_decref(tl);
}

static void test_registry(void **state)
{
	assert_ptr_equal(jolt_scaffolds[0], &jolt_scaffold_native);
	assert_ptr_equal(jolt_scaffold_find("react"), &jolt_scaffold_react);
	assert_null(jolt_scaffold_find("nope"));
	assert_null(jolt_scaffold_find(NULL));
	assert_string_equal(jolt_scaffold_names(), "native, xml, json, react");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_present_native_is_identity),
		cmocka_unit_test(test_present_text),
		cmocka_unit_test(test_interpret_and_write_turn),
		cmocka_unit_test(test_request_goldens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
