/*
 * test_checkcache.c - the replay cache: which changes change a key (a
 * task's file only that task's, suite.yaml, the environment, a moved
 * branch every task's; the wall clock and the workdir none), what is
 * remembered and what is not, and a cache that cannot be used.
 */
#include "test.h"

#include "core/common.h"
#include "perturb/perturb.h"
#include "run/checkcache.h"
#include "world/load.h"

static char *scratch(void)
{
	char *d = test_tmpdir();
	if (!d) {
		fail_msg("no scratch directory");
		abort();
	}
	return d;
}

static void write_suite(const char *dir, const char *env)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "name: cc\nenv: %s\ntools:\n"
		 "  - {name: submit, description: Submit., run: {builtin: "
		 "submit}}\n",
		 env);
	test_write(dir, "suite.yaml", text);
}

/* Commit everything in dir/repo (made on first use) as a fixed author. */
static void commit_all(const char *dir, const char *msg)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "cd %s/repo && { [ -d .git ] || git init -q -b main; } && "
		 "git add -A && git -c user.name=t -c user.email=t@example.com "
		 "commit -q -m %s",
		 dir, msg);
	assert_int_equal(system(cmd), 0);
}

static void write_task(const char *dir, const char *id, const char *answer)
{
	char rel[64], text[256];
	snprintf(rel, sizeof(rel), "tasks/%s.yaml", id);
	snprintf(text, sizeof(text),
		 "id: %s\nuser: hi\ngrade: [{answer: {exact: %s}}]\n"
		 "oracle: [{answer: %s}]\n",
		 id, answer, answer);
	test_write(dir, rel, text);
}

static char *make_suite(void)
{
	char *dir = scratch();
	write_suite(dir, "env/");
	test_write(dir, "env/data.txt", "one\n");
	write_task(dir, "a", "x");
	write_task(dir, "b", "y");
	return dir;
}

/* Task `id` of the suite in dir, loaded into *s, as variant op@level#1
 * (the baseline when op is NULL). */
static jolt_variant *variant_of(jolt_suite **s, const char *dir, const char *id,
				const char *op, int level)
{
	if (jolt_suite_load(s, dir))
		fail_msg("load %s: %s", dir, jolt_err_msg());
	jolt_variant *v = NULL;
	assert_int_equal(jolt_variant_build(&v, *s, jolt_suite_task(*s, id),
					    op ? jolt_op_find(op) : NULL, level,
					    op ? 1 : 0),
			 0);
	return v;
}

static jolt_driver_cfg driver(void)
{
	jolt_driver_cfg d = {.timeout_s = 600};
	return d;
}

/* The keys of both tasks' baselines, oracle replays, under d, with a
 * fresh load and a fresh cache (its memo must not hide a change). */
static void keys_of(const char *suite, const char *cache_dir,
		    const jolt_driver_cfg *d, char ka[65], char kb[65])
{
	jolt_suite *s = NULL;
	if (jolt_suite_load(&s, suite))
		fail_msg("load %s: %s", suite, jolt_err_msg());
	jolt_checkcache *c = jolt_checkcache_open(cache_dir);
	assert_true(jolt_checkcache_usable(c));
	jolt_variant *va = NULL, *vb = NULL;
	assert_int_equal(
	    jolt_variant_build(&va, s, jolt_suite_task(s, "a"), NULL, 0, 0), 0);
	assert_int_equal(
	    jolt_variant_build(&vb, s, jolt_suite_task(s, "b"), NULL, 0, 0), 0);
	assert_true(jolt_checkcache_key(c, ka, va, false, d));
	assert_true(jolt_checkcache_key(c, kb, vb, false, d));
	assert_int_equal(strlen(ka), 64);
	jolt_variant_free(va);
	jolt_variant_free(vb);
	jolt_checkcache_close(c);
	jolt_suite_free(s);
}

static void test_keys(void **state)
{
	char *suite = make_suite();
	char *cache = scratch();
	jolt_driver_cfg d = driver();
	char a0[65], b0[65], a[65], b[65];
	keys_of(suite, cache, &d, a0, b0);
	assert_string_not_equal(a0, b0);

	/* Stable across processes' worth of reopening. */
	keys_of(suite, cache, &d, a, b);
	assert_string_equal(a, a0);
	assert_string_equal(b, b0);

	/* What cannot change an outcome does not change the key. */
	jolt_driver_cfg d2 = d;
	d2.timeout_s = 5;
	d2.workdir_root = "/elsewhere";
	d2.keep_workdirs = 1;
	keys_of(suite, cache, &d2, a, b);
	assert_string_equal(a, a0);
	/* ... and a step limit does. */
	d2 = d;
	d2.max_steps = 3;
	keys_of(suite, cache, &d2, a, b);
	assert_string_not_equal(a, a0);
	d2 = d;
	d2.strip_thinking = 1;
	keys_of(suite, cache, &d2, a, b);
	assert_string_not_equal(a, a0);

	/* Editing task a changes a's key only. */
	write_task(suite, "a", "z");
	keys_of(suite, cache, &d, a, b);
	assert_string_not_equal(a, a0);
	assert_string_equal(b, b0);
	write_task(suite, "a", "x");
	keys_of(suite, cache, &d, a, b);
	assert_string_equal(a, a0);

	/* The environment and suite.yaml are every task's. */
	test_write(suite, "env/data.txt", "two\n");
	keys_of(suite, cache, &d, a, b);
	assert_string_not_equal(a, a0);
	assert_string_not_equal(b, b0);
	test_write(suite, "env/data.txt", "one\n");
	test_write(suite, "env/sub/new.txt", "");
	keys_of(suite, cache, &d, a, b);
	assert_string_not_equal(a, a0);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "rm -r %s/env/sub", suite);
	assert_int_equal(system(cmd), 0);
	keys_of(suite, cache, &d, a, b);
	assert_string_equal(a, a0);
	write_suite(suite, "\"env\"");
	keys_of(suite, cache, &d, a, b);
	assert_string_not_equal(a, a0);
	assert_string_not_equal(b, b0);

	/* The planted mistake and the oracle are two entries. */
	jolt_suite *s = NULL;
	jolt_variant *v = variant_of(&s, suite, "a", "user_typo", 1);
	jolt_checkcache *c = jolt_checkcache_open(cache);
	char ko[65], km[65];
	assert_true(jolt_checkcache_key(c, ko, v, false, &d));
	assert_true(jolt_checkcache_key(c, km, v, true, &d));
	assert_string_not_equal(ko, km);
	jolt_variant_free(v);
	jolt_checkcache_close(c);
	jolt_suite_free(s);
	free(suite);
	free(cache);
}

/* An env repository is named by the commit its rev resolves to: a moved
 * branch is a new key. */
static void test_keys_git(void **state)
{
	char *dir = scratch();
	char *cache = scratch();
	jolt_driver_cfg d = driver();
	test_write(dir, "repo/data.txt", "old\n");
	commit_all(dir, "first");
	write_suite(dir, "{repo: repo, rev: main}");
	write_task(dir, "a", "x");
	write_task(dir, "b", "y");
	char a0[65], b0[65], a[65], b[65];
	keys_of(dir, cache, &d, a0, b0);
	test_write(dir, "repo/data.txt", "new\n");
	commit_all(dir, "second");
	keys_of(dir, cache, &d, a, b);
	assert_string_not_equal(a, a0);
	assert_string_not_equal(b, b0);
	free(dir);
	free(cache);
}

static void result(jolt_trial_result *r, enum jolt_outcome o,
		   enum jolt_error_class ec, const char *detail)
{
	memset(r, 0, sizeof(*r));
	r->outcome = o;
	r->error_class = ec;
	r->steps = 4;
	r->latency_ms = 2500;
	r->detail = detail ? jolt_xstrdup(detail) : NULL;
}

static void test_get_put(void **state)
{
	char *suite = make_suite();
	char *cache = scratch();
	jolt_driver_cfg d = driver();
	jolt_suite *s = NULL;
	jolt_variant *v = variant_of(&s, suite, "a", NULL, 0);
	jolt_checkcache *c = jolt_checkcache_open(cache);
	char ko[65], km[65];
	assert_true(jolt_checkcache_key(c, ko, v, false, &d));
	assert_true(jolt_checkcache_key(c, km, v, true, &d));
	jolt_trial_result r, got;
	assert_false(jolt_checkcache_get(c, &got, ko, &d));

	/* Judged outcomes are kept, with what check prints of them. */
	result(&r, JOLT_OUTCOME_FAIL, JOLT_EC_GRADED_FAIL, "answer: want x");
	jolt_checkcache_put(c, km, v, true, &r);
	jolt_trial_result_release(&r);
	result(&r, JOLT_OUTCOME_PASS, JOLT_EC_NONE, NULL);
	jolt_checkcache_put(c, ko, v, false, &r);
	jolt_trial_result_release(&r);
	jolt_checkcache_close(c);

	c = jolt_checkcache_open(cache);
	assert_true(jolt_checkcache_get(c, &got, km, &d));
	assert_int_equal(got.outcome, JOLT_OUTCOME_FAIL);
	assert_int_equal(got.error_class, JOLT_EC_GRADED_FAIL);
	assert_string_equal(got.detail, "answer: want x");
	assert_int_equal(got.steps, 4);
	assert_null(got.trace);
	jolt_trial_result_release(&got);
	assert_true(jolt_checkcache_get(c, &got, ko, &d));
	assert_int_equal(got.outcome, JOLT_OUTCOME_PASS);
	assert_null(got.detail);
	jolt_trial_result_release(&got);
	/* A trace is kept apart, under the result's key: absent until put,
	 * then the same JSON in a later process. */
	json_t *tr = NULL;
	assert_false(jolt_checkcache_get_trace(c, &tr, ko));
	assert_null(tr);
	json_t *want = json_pack("{s:[{s:s, s:s, s:b}]}", "messages", "role",
				 "tool", "content", "b2\n", "is_error", 0);
	jolt_checkcache_put_trace(c, ko, want);
	json_t *one = json_integer(1); /* not a trace: not kept */
	jolt_checkcache_put_trace(c, km, one);
	json_decref(one);
	jolt_checkcache_close(c);
	c = jolt_checkcache_open(cache);
	assert_true(jolt_checkcache_get_trace(c, &tr, ko));
	assert_true(json_equal(tr, want));
	json_decref(tr);
	json_decref(want);
	assert_false(jolt_checkcache_get_trace(c, &tr, km));
	/* A result slower than the current wall clock is not trusted. */
	jolt_driver_cfg quick = d;
	quick.timeout_s = 2;
	assert_false(jolt_checkcache_get(c, &got, ko, &quick));

	/* Infra outcomes and wall-clock fails are retried, not kept. */
	char k2[65];
	memcpy(k2, ko, sizeof(k2));
	k2[0] = k2[0] == '0' ? '1' : '0';
	result(&r, JOLT_OUTCOME_INFRA, JOLT_EC_INFRA_SANDBOX, "bwrap");
	jolt_checkcache_put(c, k2, v, false, &r);
	jolt_trial_result_release(&r);
	assert_false(jolt_checkcache_get(c, &got, k2, &d));
	result(&r, JOLT_OUTCOME_FAIL, JOLT_EC_WALL_CLOCK, NULL);
	jolt_checkcache_put(c, k2, v, false, &r);
	jolt_trial_result_release(&r);
	assert_false(jolt_checkcache_get(c, &got, k2, &d));
	jolt_checkcache_close(c);
	jolt_variant_free(v);
	jolt_suite_free(s);
	free(suite);
	free(cache);
}

/* A file that is not a database is set aside and the cache starts
 * afresh; a directory that cannot be made gives a cache that remembers
 * nothing and fails nothing. */
static void test_unusable(void **state)
{
	char *suite = make_suite();
	char *cache = scratch();
	jolt_driver_cfg d = driver();
	test_write(cache, "check.db",
		   "this is not a database, not at all.\n"
		   "padding padding padding padding padding padding padding\n");
	jolt_checkcache *c = jolt_checkcache_open(cache);
	assert_true(jolt_checkcache_usable(c));
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/check.db.corrupt", cache);
	assert_int_equal(stat(path, &st), 0);
	jolt_checkcache_close(c);

	char bad[1024];
	snprintf(bad, sizeof(bad), "%s/check.db.corrupt/sub", cache);
	c = jolt_checkcache_open(bad);
	assert_false(jolt_checkcache_usable(c));
	jolt_suite *s = NULL;
	jolt_variant *v = variant_of(&s, suite, "a", NULL, 0);
	char k[65];
	assert_false(jolt_checkcache_key(c, k, v, false, &d));
	jolt_trial_result r, got;
	memset(k, 'a', 64);
	k[64] = '\0';
	result(&r, JOLT_OUTCOME_PASS, JOLT_EC_NONE, NULL);
	jolt_checkcache_put(c, k, v, false, &r);
	jolt_trial_result_release(&r);
	assert_false(jolt_checkcache_get(c, &got, k, &d));
	jolt_checkcache_close(c);
	jolt_checkcache_close(NULL);
	jolt_variant_free(v);
	jolt_suite_free(s);
	free(suite);
	free(cache);
}

static void test_default_dir(void **state)
{
	setenv("JOLT_CACHE_DIR", "/x/jolt-cache", 1);
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	char *dir = jolt_checkcache_default_dir();
	assert_string_equal(dir, "/x/jolt-cache");
	free(dir);
	unsetenv("JOLT_CACHE_DIR");
	dir = jolt_checkcache_default_dir();
	assert_string_equal(dir, "/xdg/jolt");
	free(dir);
	/* A relative XDG_CACHE_HOME is ignored, as the spec says. */
	setenv("XDG_CACHE_HOME", "rel", 1);
	dir = jolt_checkcache_default_dir();
	assert_string_equal(dir, "/home/u/.cache/jolt");
	free(dir);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_null(jolt_checkcache_default_dir());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),	cmocka_unit_test(test_keys_git),
	    cmocka_unit_test(test_get_put),	cmocka_unit_test(test_unusable),
	    cmocka_unit_test(test_default_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
