/*
 * test_visible.c - whether a variant changes what the model is shown
 * (run/visible.h), on tests/fixtures/validity: the request, the working
 * copy (edits that cancel out, rewrite a file with its own bytes, or
 * change it), and the tool results along the oracle's path.
 */
#include "test.h"

#include <stdlib.h>

#include "core/common.h"
#include "perturb/perturb.h"
#include "run/visible.h"
#include "world/load.h"

static jolt_suite *suite;

static const jolt_task *task(const char *id)
{
	for (size_t i = 0; i < suite->ntasks; i++)
		if (!strcmp(suite->tasks[i].id, id))
			return &suite->tasks[i];
	fail_msg("no task %s", id);
	return NULL;
}

static jolt_variant *build(const char *tid, const char *op, int level)
{
	jolt_variant *v = NULL;
	int rc = jolt_variant_build(&v, suite, task(tid),
				    op ? jolt_op_find(op) : NULL, level, 1);
	if (rc)
		fail_msg("build %s %s: %s", tid, op ? op : "", jolt_err_msg());
	return v;
}

static bool visible(const jolt_variant *b, const jolt_variant *v,
		    const json_t *trace)
{
	char *why = NULL;
	bool vis = jolt_visible(&why, b, v, trace);
	assert_true(vis == (why == NULL));
	free(why);
	return vis;
}

static void test_request(void **st)
{
	(void)st;
	jolt_variant *b = build("price", NULL, 0);
	jolt_variant *v = build("price", "user_case", 2);
	assert_true(visible(b, v, NULL));
	setenv("JOLT_TEST_NOOP_OP", "user_case", 1);
	jolt_variant *noop = build("price", "user_case", 2);
	unsetenv("JOLT_TEST_NOOP_OP");
	char *why = NULL;
	assert_false(jolt_visible(&why, b, noop, NULL));
	assert_non_null(strstr(why, "request"));
	free(why);
	/* One changed tool description is a change. */
	json_object_set_new(json_array_get(noop->tools, 0), "description",
			    json_string("Closing price."));
	assert_true(visible(b, noop, NULL));
	jolt_variant_free(noop);
	jolt_variant_free(v);
	jolt_variant_free(b);
}

static void edits(jolt_variant *v, const char *json)
{
	json_decref(v->env_edits);
	v->env_edits = json_loads(json, 0, NULL);
	assert_non_null(v->env_edits);
}

static void test_env(void **st)
{
	(void)st;
	jolt_variant *b = build("settings", NULL, 0);
	jolt_variant *v = build("settings", "move_files", 1);
	assert_true(visible(b, v, NULL));
	edits(v, "[{\"op\":\"rename\",\"from\":\"data\",\"to\":\"d2\"},"
		 "{\"op\":\"rename\",\"from\":\"d2\",\"to\":\"data\"}]");
	assert_false(visible(b, v, NULL));
	edits(v, "[{\"op\":\"write\",\"path\":\"data/settings.txt\","
		 "\"content\":\"alpha=1\\nbeta=27\\ngamma=3\\n\"}]");
	assert_false(visible(b, v, NULL));
	edits(v, "[{\"op\":\"write\",\"path\":\"data/settings.txt\","
		 "\"content\":\"alpha=1\\nbeta=27\\ngamma=3\\r\\n\"}]");
	assert_true(visible(b, v, NULL));
	edits(v, "[{\"op\":\"delete\",\"path\":\"data/prices.csv\"}]");
	assert_true(visible(b, v, NULL));
	/* A commit changes no file: only a command could show it, and the
	 * task has none. */
	edits(v, "[{\"op\":\"git_commit\",\"message\":\"m\"}]");
	assert_false(visible(b, v, NULL));
	jolt_variant_free(v);
	jolt_variant_free(b);
}

static void test_response(void **st)
{
	(void)st;
	jolt_variant *b = build("settings", NULL, 0);
	jolt_variant *v = build("settings", "wrap", 1);
	json_t *trace = json_loads(
	    "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"},"
	    " {\"role\": \"assistant\", \"content\": \"\", \"tool_calls\":"
	    "  [{\"id\": \"c\", \"name\": \"read_file\","
	    "    \"arguments\": {\"path\": \"data/settings.txt\"}}]},"
	    " {\"role\": \"tool\", \"content\": \"alpha=1\\nbeta=27\\n\"}]}",
	    0, NULL);
	assert_non_null(trace);
	assert_true(jolt_visible_needs_trace(v));
	assert_false(jolt_visible_needs_trace(b));
	assert_true(visible(b, v, trace));
	assert_true(visible(b, v, NULL)); /* no trace: taken as visible */
	json_t *res = jolt_visible_results(trace);
	assert_int_equal(json_array_size(res), 1);
	json_decref(res);
	json_decref(v->response);
	v->response = json_null();
	char *why = NULL;
	assert_false(jolt_visible(&why, b, v, trace));
	assert_non_null(strstr(why, "tool result"));
	free(why);
	json_decref(trace);
	jolt_variant_free(v);
	jolt_variant_free(b);
}

int main(void)
{
	if (jolt_suite_load(&suite, "tests/fixtures/validity")) {
		fprintf(stderr, "load: %s\n", jolt_err_msg());
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_response),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	jolt_suite_free(suite);
	return rc;
}
