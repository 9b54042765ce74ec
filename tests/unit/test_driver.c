/*
 * test_driver.c - the trajectory driver against a scripted model: each
 * limit (steps, tokens, wall clock) ends a trial with its own error class;
 * malformed and unknown calls are the model's errors, shown to it, and the
 * trial goes on; a model that cannot be reached and a sandbox that cannot
 * start are infra errors, never the agent's failure.
 */
#include "test.h"

#include <time.h>

#include "core/common.h"
#include "core/trial.h"
#include "run/driver.h"
#include "world/load.h"

static jolt_suite *mini, *contain;

static int setup(void **st)
{
	(void)st;
	if (jolt_suite_load(&mini, "tests/fixtures/mini") ||
	    jolt_suite_load(&contain, "tests/fixtures/contain"))
		return -1;
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	jolt_suite_free(mini);
	jolt_suite_free(contain);
	return 0;
}

/* The script: what the model says at each step. */
enum move {
	READ,       /* read_file config.txt */
	ANSWER,     /* "beta is 2" */
	BADARGS,    /* a call whose arguments are not an object */
	NOSUCHTOOL, /* a call to a tool that does not exist */
	MALFORMED,  /* a turn the dialect could not parse */
	OKTOOL,     /* the contain suite's exec tool "ok" */
	WRITE,      /* write_file hello.txt "hello\n" */
	UNREACHABLE /* the backend gives up: JOLT_EINFRA */
};

typedef struct script {
	const enum move *moves;
	size_t n;
	long tokens; /* reported per turn, in and out each */
	int sleep_ms; /* per turn */
	int calls;
} script;

static json_t *call(const char *name, json_t *args)
{
	json_t *m = json_pack("{s:s, s:s}", "role", "assistant", "content", "");
	json_t *tc = json_pack("{s:s, s:s, s:o}", "id", "call_1", "name", name,
			       "arguments", args);
	json_object_set_new(m, "tool_calls", json_pack("[o]", tc));
	return m;
}

static int scripted(jolt_model_reply *out, void *state,
		    const jolt_model_req *req)
{
	script *s = state;
	memset(out, 0, sizeof(*out));
	enum move mv = s->moves[(size_t)s->calls < s->n ? (size_t)s->calls
							: s->n - 1];
	s->calls++;
	if (s->sleep_ms) {
		struct timespec ts = {0, (long)s->sleep_ms * 1000000L};
		nanosleep(&ts, NULL);
	}
	out->tokens_in = s->tokens;
	out->tokens_out = s->tokens;
	switch (mv) {
	case READ:
		out->message = call("read_file",
				    json_pack("{s:s}", "path", "config.txt"));
		break;
	case ANSWER:
		out->message = json_pack("{s:s, s:s}", "role", "assistant",
					 "content", "beta is 2");
		break;
	case BADARGS:
		out->message = call("read_file", json_string("config.txt"));
		break;
	case NOSUCHTOOL:
		out->message = call("delete_everything", json_object());
		break;
	case MALFORMED:
		out->message = json_pack("{s:s, s:s}", "role", "assistant",
					 "content", "<invoke name=");
		out->malformed = 1;
		out->malformed_detail = jolt_xstrdup("error: unterminated tool call");
		break;
	case OKTOOL:
		out->message = call("ok", json_object());
		break;
	case WRITE:
		out->message = call("write_file",
				    json_pack("{s:s, s:s}", "path", "hello.txt",
					      "content", "hello\n"));
		break;
	case UNREACHABLE:
		return jolt_err_set(JOLT_EINFRA, "model unreachable after 7 attempts");
	}
	(void)req;
	return 0;
}

static const jolt_backend scripted_backend = {
	.name = "scripted", .complete = scripted};

/* Run `task` of `su` under the script; the result is the caller's. */
static void drive(jolt_trial_result *r, jolt_suite *su, const char *task,
		  script *s, jolt_driver_cfg cfg)
{
	jolt_trial t = {.model = "scripted:x",
			.scaffold = "native",
			.suite = su,
			.task = jolt_suite_task(su, task),
			.variant = "baseline",
			.axis = "baseline",
			.op = "",
			.seed = 1};
	assert_non_null(t.task);
	t.key = jolt_trial_key(&t);
	if (!cfg.workdir_root)
		cfg.workdir_root = getenv("JOLT_TEST_TMP");
	assert_int_equal(jolt_trial_run(r, &t, &scripted_backend, s, &cfg, 3), 0);
	free(t.key);
}

/* A message of the trace: the index-th with this role (-1: the last). */
static const json_t *msg(const jolt_trial_result *r, const char *role, int index)
{
	const json_t *ms = json_object_get(r->trace, "messages");
	const json_t *found = NULL;
	int k = 0;
	size_t i;
	json_t *m;
	json_array_foreach(ms, i, m) {
		const char *ro = json_string_value(json_object_get(m, "role"));
		if (ro && !strcmp(ro, role)) {
			if (k++ == index)
				return m;
			found = m;
		}
	}
	return index < 0 ? found : NULL;
}

static void test_passes_when_scripted_right(void **st)
{
	static const enum move m[] = {READ, ANSWER};
	script s = {m, 2, 10, 0, 0};
	jolt_trial_result r;
	drive(&r, mini, "read", &s, (jolt_driver_cfg){0});
	assert_int_equal(r.outcome, JOLT_OUTCOME_PASS);
	assert_int_equal(r.error_class, JOLT_EC_NONE);
	assert_int_equal(r.steps, 2);
	assert_int_equal(r.tokens_in, 20);
	assert_string_equal(r.answer, "beta is 2");
	jolt_trial_result_release(&r);
}

static void test_step_limit(void **st)
{
	static const enum move m[] = {READ};
	script s = {m, 1, 1, 0, 0};
	jolt_trial_result r;
	drive(&r, mini, "read", &s, (jolt_driver_cfg){.max_steps = 3});
	assert_int_equal(r.outcome, JOLT_OUTCOME_FAIL);
	assert_int_equal(r.error_class, JOLT_EC_MAX_STEPS);
	assert_int_equal(r.steps, 3);
	assert_int_equal(s.calls, 3);
	jolt_trial_result_release(&r);
	/* Without --max-steps, the suite's own limit (8) holds. */
	s.calls = 0;
	drive(&r, mini, "read", &s, (jolt_driver_cfg){0});
	assert_int_equal(r.error_class, JOLT_EC_MAX_STEPS);
	assert_int_equal(r.steps, 8);
	jolt_trial_result_release(&r);
}

static void test_token_limit(void **st)
{
	static const enum move m[] = {READ};
	script s = {m, 1, 100, 0, 0};
	jolt_trial_result r;
	/* 200 tokens a turn: the budget of 500 is spent after three. */
	drive(&r, mini, "read", &s, (jolt_driver_cfg){.max_tokens = 500});
	assert_int_equal(r.outcome, JOLT_OUTCOME_FAIL);
	assert_int_equal(r.error_class, JOLT_EC_MAX_TOKENS);
	assert_int_equal(r.steps, 3);
	assert_true(r.tokens_in + r.tokens_out >= 500);
	jolt_trial_result_release(&r);
}

static void test_wall_clock(void **st)
{
	static const enum move m[] = {READ};
	script s = {m, 1, 1, 60, 0};
	jolt_trial_result r;
	drive(&r, mini, "read", &s, (jolt_driver_cfg){.timeout_s = 0.15});
	assert_int_equal(r.outcome, JOLT_OUTCOME_FAIL);
	assert_int_equal(r.error_class, JOLT_EC_WALL_CLOCK);
	assert_true(r.steps >= 2 && r.steps < 8);
	jolt_trial_result_release(&r);
}

/* Bad calls are the model's: it is told and goes on, and the trial is
 * judged on what it finally does. */
static void test_bad_calls_are_shown_and_survived(void **st)
{
	static const enum move m[] = {BADARGS, NOSUCHTOOL, MALFORMED, READ,
				      ANSWER};
	script s = {m, 5, 1, 0, 0};
	jolt_trial_result r;
	drive(&r, mini, "read", &s, (jolt_driver_cfg){0});
	assert_int_equal(r.outcome, JOLT_OUTCOME_PASS);
	assert_int_equal(r.steps, 5);
	/* Arguments that are not an object, and the turn that did not
	 * parse; a call to an unknown tool is well formed, just wrong. */
	assert_int_equal(r.malformed_calls, 2);
	const json_t *t0 = msg(&r, "tool", 0), *t1 = msg(&r, "tool", 1);
	assert_non_null(t0);
	assert_non_null(t1);
	assert_true(json_is_true(json_object_get(t0, "is_error")));
	assert_true(json_is_true(json_object_get(t1, "is_error")));
	assert_non_null(strstr(json_string_value(json_object_get(t0, "content")),
			       "malformed tool call"));
	assert_non_null(strstr(json_string_value(json_object_get(t1, "content")),
			       "delete_everything"));
	/* The malformed turn is answered in a user message naming it. */
	int found = 0;
	size_t i;
	json_t *mm;
	json_array_foreach(json_object_get(r.trace, "messages"), i, mm) {
		const char *c = json_string_value(json_object_get(mm, "content"));
		found |= c && strstr(c, "unterminated tool call") != NULL;
	}
	assert_true(found);
	jolt_trial_result_release(&r);
}

static void test_unreachable_model_is_infra(void **st)
{
	static const enum move m[] = {READ, UNREACHABLE};
	script s = {m, 2, 1, 0, 0};
	jolt_trial_result r;
	drive(&r, mini, "read", &s, (jolt_driver_cfg){0});
	assert_int_equal(r.outcome, JOLT_OUTCOME_INFRA);
	assert_int_equal(r.error_class, JOLT_EC_INFRA_MODEL);
	assert_non_null(r.detail);
	assert_non_null(strstr(r.detail, "unreachable"));
	jolt_trial_result_release(&r);
}

/* A sandbox that cannot start (working copies where the sandbox uid
 * cannot reach them) is the harness's fault: infra_sandbox, not fail. */
static void test_sandbox_failure_is_infra(void **st)
{
	if (geteuid() != 0)
		skip(); /* only root drops to a sandbox uid */
	char *hidden = test_tmpdir();
	assert_non_null(hidden);
	assert_int_equal(chmod(hidden, 0700), 0);
	static const enum move m[] = {OKTOOL, ANSWER};
	script s = {m, 2, 1, 0, 0};
	jolt_trial_result r;
	drive(&r, contain, "contain", &s,
	      (jolt_driver_cfg){.workdir_root = hidden});
	assert_int_equal(r.outcome, JOLT_OUTCOME_INFRA);
	assert_int_equal(r.error_class, JOLT_EC_INFRA_SANDBOX);
	assert_non_null(strstr(r.detail, "not searchable"));
	jolt_trial_result_release(&r);
	rmdir(hidden);
	free(hidden);
}

/* The trial's working copy, from its trace. */
static const char *workdir_of(const jolt_trial_result *r)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r->trace, "events"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "kind")),
			    "workdir"))
			return json_string_value(json_object_get(e, "path"));
	return NULL;
}

/* A trial that wrote gives its pooled copy back to be put right; one that
 * only read gives it back as it is, and the next trial of the slot gets
 * it without a walk (a change made behind the pool's back shows). */
static void test_copy_given_back_as_the_trial_left_it(void **st)
{
	char *root = test_tmpdir();
	assert_non_null(root);
	jolt_driver_cfg cfg = {.workdir_root = root};
	static const enum move w[] = {WRITE, ANSWER}, rd[] = {READ, ANSWER};
	script s = {w, 2, 1, 0, 0};
	jolt_trial_result r;
	drive(&r, mini, "write", &s, cfg);
	assert_int_equal(r.outcome, JOLT_OUTCOME_PASS);
	char *wd = jolt_xstrdup(workdir_of(&r));
	jolt_trial_result_release(&r);
	char *hello = test_read(wd, "hello.txt");
	assert_string_equal(hello, "hello\n");
	free(hello);

	s = (script){rd, 2, 1, 0, 0};
	drive(&r, mini, "read", &s, cfg);
	assert_int_equal(r.outcome, JOLT_OUTCOME_PASS);
	assert_string_equal(workdir_of(&r), wd);
	assert_null(test_read(wd, "hello.txt"));
	jolt_trial_result_release(&r);

	test_write(wd, "config.txt", "planted\n");
	s = (script){rd, 2, 1, 0, 0};
	drive(&r, mini, "read", &s, cfg);
	assert_string_equal(workdir_of(&r), wd);
	assert_string_equal(json_string_value(json_object_get(
				msg(&r, "tool", 0), "content")),
			    "planted\n");
	jolt_trial_result_release(&r);
	free(wd);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_passes_when_scripted_right),
	    cmocka_unit_test(test_step_limit),
	    cmocka_unit_test(test_token_limit),
	    cmocka_unit_test(test_wall_clock),
	    cmocka_unit_test(test_bad_calls_are_shown_and_survived),
	    cmocka_unit_test(test_unreachable_model_is_infra),
	    cmocka_unit_test(test_sandbox_failure_is_infra),
	    cmocka_unit_test(test_copy_given_back_as_the_trial_left_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
