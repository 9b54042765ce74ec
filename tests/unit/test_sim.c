/*
 * test_sim.c - the simulated policy: profile parsing, oracle replay, and
 * the planted mistake rates it must reproduce.
 */
#include "test.h"

#include "core/common.h"
#include "model/sim.h"
#include "core/trial.h"
#include "perturb/perturb.h"

static jolt_suite suite = {.name = "s"};
static jolt_task task = {.id = "t1"};

static void setup_task(void)
{
	if (!task.oracle)
		task.oracle = json_loads(
			"[{\"call\": {\"name\": \"get\", \"args\": {\"k\": \"v\"}}},"
			" {\"answer\": \"the answer is 42\"}]",
			0, NULL);
}

static void test_profiles(void **st)
{
	(void)st;
	jolt_sim_profile p;
	assert_int_equal(jolt_sim_profile_parse(&p, "oracle"), 0);
	assert_true(p.noise == 0.0 && p.axis[JOLT_AXIS_tool] == 0.0);
	assert_int_equal(jolt_sim_profile_parse(&p, "brittle"), 0);
	assert_true(p.axis[JOLT_AXIS_tool] > 0.5);
	assert_int_equal(jolt_sim_profile_parse(&p, "tool=0.6,env=0.3,thinking=0.5,noise=0.05"), 0);
	assert_true(p.axis[JOLT_AXIS_tool] == 0.6);
	assert_true(p.axis[JOLT_AXIS_env] == 0.3);
	assert_true(p.axis[JOLT_AXIS_user] == 0.0);
	assert_true(p.thinking == 0.5 && p.noise == 0.05);
	assert_int_equal(jolt_sim_profile_parse(&p, "tool=1.5"), JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "0 to 1"));
	assert_int_equal(jolt_sim_profile_parse(&p, "colour=0.5"), JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "unknown key 'colour'"));
	assert_int_equal(jolt_sim_profile_parse(&p, "fragile"), JOLT_EUSAGE);
	assert_int_equal(jolt_sim_profile_parse(&p, "tool="), JOLT_EUSAGE);
}

static json_t *history(int assistant_turns, bool with_thinking)
{
	json_t *m = json_pack("[{s:s,s:s},{s:s,s:s}]", "role", "system", "content",
			      "sys", "role", "user", "content", "q");
	for (int i = 0; i < assistant_turns; i++) {
		json_t *a = json_pack("{s:s,s:s}", "role", "assistant", "content", "");
		if (with_thinking)
			json_object_set_new(a, "thinking", json_string("plan: x"));
		json_array_append_new(m, a);
		json_array_append_new(m, json_pack("{s:s,s:s,s:s}", "role", "tool",
						   "tool_call_id", "c", "content", "r"));
	}
	return m;
}

static void decide(jolt_model_reply *r, const char *profile, const char *key,
		   int step, bool thinking)
{
	jolt_sim_profile p;
	assert_int_equal(jolt_sim_profile_parse(&p, profile), 0);
	jolt_trial t = {.suite = &suite, .task = &task, .seed = 7,
			.key = (char *)key};
	json_t *msgs = history(step, thinking);
	jolt_model_req req = {.trial = &t, .messages = msgs, .step = step};
	assert_int_equal(jolt_sim_decide(r, &p, &req), 0);
	json_decref(msgs);
}

static void test_oracle_replay(void **st)
{
	(void)st;
	setup_task();
	jolt_model_reply r;
	decide(&r, "oracle", "k1", 0, true);
	json_t *tc = json_array_get(json_object_get(r.message, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(tc, "name")), "get");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(tc, "arguments"), "k")), "v");
	assert_non_null(strstr(json_string_value(json_object_get(r.message, "thinking")),
			       "plan:"));
	assert_true(r.tokens_in > 0 && r.tokens_out > 0);
	jolt_model_reply_release(&r);
	decide(&r, "oracle", "k1", 1, true);
	assert_null(json_object_get(r.message, "tool_calls"));
	assert_string_equal(json_string_value(json_object_get(r.message, "content")),
			    "the answer is 42");
	jolt_model_reply_release(&r);
}

static bool gave_up(const jolt_model_reply *r)
{
	const char *c = json_string_value(json_object_get(r->message, "content"));
	return c && (strstr(c, "could not") || strstr(c, "lost track"));
}

/* Over many trial keys the planted rate is what comes out, within a
 * binomial 4-sigma band. */
static void test_noise_rate(void **st)
{
	(void)st;
	setup_task();
	int n = 4000, hits = 0;
	for (int i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof(key), "trial-%d", i);
		jolt_model_reply r;
		decide(&r, "noise=0.3", key, 0, true);
		hits += gave_up(&r);
		jolt_model_reply_release(&r);
	}
	double rate = (double)hits / n;
	assert_true(rate > 0.3 - 0.029 && rate < 0.3 + 0.029);
}

/* difficulty: a share of task ids, whatever the trial; a hard task gives
 * up on every trial key (variant, repeat, seed), an easy one never. */
static void test_difficulty(void **st)
{
	(void)st;
	setup_task();
	jolt_sim_profile p;
	assert_int_equal(jolt_sim_profile_parse(&p, "difficulty=0.3,tool=0.5"), 0);
	assert_true(p.difficulty == 0.3);
	assert_int_equal(jolt_sim_profile_parse(&p, "difficulty=2"), JOLT_EUSAGE);
	assert_int_equal(jolt_sim_profile_parse(&p, "difficulty=0.3"), 0);
	int n = 4000, hard = 0;
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "task-%d", i);
		hard += jolt_sim_task_hard(&p, id);
	}
	assert_true(hard > 0.3 * n - 116 && hard < 0.3 * n + 116); /* 4 sigma */
	/* No task is hard at 0, every task at 1. */
	jolt_sim_profile none = {0}, all = {.difficulty = 1.0};
	assert_false(jolt_sim_task_hard(&none, task.id));
	assert_true(jolt_sim_task_hard(&all, task.id));
	/* The fixture task, trial after trial: always the same fate. */
	bool want = jolt_sim_task_hard(&p, task.id);
	for (int i = 0; i < 200; i++) {
		char key[32];
		snprintf(key, sizeof(key), "trial-%d", i);
		jolt_model_reply r;
		decide(&r, "difficulty=0.3", key, 0, true);
		assert_int_equal(gave_up(&r), want);
		jolt_model_reply_release(&r);
		decide(&r, "difficulty=1", key, 0, true);
		assert_true(gave_up(&r));
		jolt_model_reply_release(&r);
	}
}

static void test_thinking_only_when_stripped(void **st)
{
	(void)st;
	setup_task();
	int n = 4000, kept = 0, stripped = 0;
	for (int i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof(key), "trial-%d", i);
		jolt_model_reply r;
		decide(&r, "thinking=0.5", key, 1, true);
		kept += gave_up(&r);
		jolt_model_reply_release(&r);
		decide(&r, "thinking=0.5", key, 1, false);
		stripped += gave_up(&r);
		jolt_model_reply_release(&r);
	}
	assert_int_equal(kept, 0);
	double rate = (double)stripped / n;
	assert_true(rate > 0.5 - 0.032 && rate < 0.5 + 0.032);
}

static void test_reproducible(void **st)
{
	(void)st;
	setup_task();
	for (int i = 0; i < 50; i++) {
		char key[32];
		snprintf(key, sizeof(key), "r-%d", i);
		jolt_model_reply a, b;
		decide(&a, "brittle", key, 0, true);
		decide(&b, "brittle", key, 0, true);
		assert_true(json_equal(a.message, b.message));
		jolt_model_reply_release(&a);
		jolt_model_reply_release(&b);
	}
}

static const char *content(const jolt_model_reply *r)
{
	return json_string_value(json_object_get(r->message, "content"));
}

static const char *called(const jolt_model_reply *r)
{
	const json_t *tc = json_array_get(json_object_get(r->message, "tool_calls"), 0);
	return json_string_value(json_object_get(tc, "name"));
}

/* sim:null answers at once, whatever the step, without a call. */
static void test_null(void **st)
{
	(void)st;
	setup_task();
	jolt_model_reply r;
	decide(&r, "null", "n1", 0, true);
	assert_string_equal(content(&r), JOLT_SIM_NULL_ANSWER);
	assert_null(called(&r));
	jolt_model_reply_release(&r);
}

/* One decision of sim:literal at `step` on a variant whose own oracle
 * calls another tool, after tool results `results` (is_error when
 * `error`). */
static void literal(jolt_model_reply *r, int step, const char *result,
		    bool error)
{
	jolt_sim_profile p;
	assert_int_equal(jolt_sim_profile_parse(&p, "literal"), 0);
	jolt_variant v = {
		.op = jolt_op_find("tool_rename"),
		.level = 1,
		.oracle = json_loads("[{\"call\": {\"name\": \"fetch\", "
				     "\"args\": {}}}, {\"answer\": \"x\"}]",
				     0, NULL),
		.mistake = json_loads("{\"at\": 0, \"steps\": "
				      "[{\"answer\": \"thrown\"}]}", 0, NULL),
	};
	jolt_trial t = {.suite = &suite, .task = &task, .seed = 7,
			.key = "lit", .v = &v};
	json_t *msgs = json_pack("[{s:s,s:s}]", "role", "user", "content", "q");
	if (result)
		json_array_append_new(msgs, json_pack("{s:s,s:s,s:b}", "role", "tool",
						      "content", result, "is_error",
						      error));
	jolt_model_req req = {.trial = &t, .messages = msgs, .step = step};
	assert_int_equal(jolt_sim_decide(r, &p, &req), 0);
	json_decref(msgs);
	json_decref(v.oracle);
	json_decref(v.mistake);
}

/* sim:literal follows the task's own oracle, never the variant's (nor
 * its planted mistake), stops at an error and at a result whose form is
 * not the baseline's. */
static void test_literal(void **st)
{
	(void)st;
	setup_task();
	jolt_model_reply r;
	literal(&r, 0, NULL, false);
	assert_string_equal(called(&r), "get");
	jolt_model_reply_release(&r);
	literal(&r, 1, "k: 1847.50", false);
	assert_string_equal(content(&r), "the answer is 42");
	jolt_model_reply_release(&r);
	literal(&r, 1, "no such tool", true);
	assert_string_equal(content(&r), JOLT_GIVE_UP);
	jolt_model_reply_release(&r);

	json_t *res = json_pack("[s]", "k: 1847.50");
	jolt_sim_literal_expect("s", "t1", res);
	json_decref(res);
	literal(&r, 1, "v: 99.25", false); /* the same form */
	assert_string_equal(content(&r), "the answer is 42");
	jolt_model_reply_release(&r);
	literal(&r, 1, "k: 1,847.50", false);
	assert_string_equal(content(&r), JOLT_GIVE_UP);
	jolt_model_reply_release(&r);
	jolt_sim_literal_forget();
	literal(&r, 1, "k: 1,847.50", false);
	assert_string_equal(content(&r), "the answer is 42");
	jolt_model_reply_release(&r);
}

static void test_form(void **st)
{
	(void)st;
	char *f = jolt_sim_form("ACME  closed at 1,847.50\r\n{\"x\": 2024-03-13}");
	assert_string_equal(f, "a a a a,a.a {\"a\": a-a-a}");
	free(f);
	f = jolt_sim_form("");
	assert_string_equal(f, "");
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_oracle_replay),
		cmocka_unit_test(test_noise_rate),
		cmocka_unit_test(test_difficulty),
		cmocka_unit_test(test_thinking_only_when_stripped),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_form),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	json_decref(task.oracle);
	return rc;
}
