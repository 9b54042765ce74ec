/*
 * test_execmemo.c - the memo of sandboxed commands that replays share:
 * a command on the same files is answered from the memo (shown by a
 * command whose real output differs on every run), and anything that
 * decides a command's result - a file's content, mode or name, a
 * symlink, the environment, the command - makes it run again; a command
 * that changes the tree is remembered with its changes, which a hit
 * makes again; one that times out or writes too much is not remembered.
 */
#include "test.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include "core/common.h"
#include "world/env.h"
#include "world/execmemo.h"
#include "world/sandbox.h"

#define SLOT 9
/* Differs on every real run. */
#define FRESH "cat /proc/sys/kernel/random/uuid"

struct fx {
	char *a, *b; /* two working copies */
	jolt_execmemo *m;
};

static int setup(void **state)
{
	struct fx *f = jolt_xcalloc(1, sizeof(*f));
	if (jolt_workdir_create(&f->a, NULL, NULL, "/tmp", SLOT) ||
	    jolt_workdir_create(&f->b, NULL, NULL, "/tmp", SLOT)) {
		fprintf(stderr, "workdir: %s\n", jolt_err_msg());
		return -1;
	}
	f->m = jolt_execmemo_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	jolt_workdir_remove(f->a);
	jolt_workdir_remove(f->b);
	free(f->a);
	free(f->b);
	jolt_execmemo_free(f->m);
	free(f);
	return 0;
}

static void put(const char *dir, const char *name, const char *text)
{
	char *p = jolt_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	/* The same time on every write: the memo must not need it. */
	struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

/* The output of cmd in dir through the memo (owned); *code its exit. */
static char *memo_run(struct fx *f, const char *dir, const char *cmd,
		      const char *const *env, int *code)
{
	jolt_sandbox_opts o = {.workdir = dir, .command = cmd, .env = env,
			       .slot = SLOT, .memo = f->m, .timeout_s = 20};
	jolt_sandbox_result r;
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	if (code)
		*code = r.exit_code;
	char *out = jolt_xstrdup(r.output ? r.output : "");
	jolt_sandbox_result_release(&r);
	return out;
}

static void counts(struct fx *f, size_t hits, size_t runs)
{
	size_t h, r;
	jolt_execmemo_counts(f->m, &h, &r);
	assert_int_equal(h, hits);
	assert_int_equal(r, runs);
}

static void test_same_tree_same_command_is_remembered(void **state)
{
	struct fx *f = *state;
	put(f->a, "x.txt", "hello\n");
	int c1, c2;
	char *o1 = memo_run(f, f->a, FRESH "; cat x.txt; exit 3", NULL, &c1);
	char *o2 = memo_run(f, f->a, FRESH "; cat x.txt; exit 3", NULL, &c2);
	assert_int_equal(c1, 3);
	assert_int_equal(c2, 3);
	assert_string_equal(o1, o2);
	assert_non_null(strstr(o1, "hello"));
	counts(f, 1, 1);
	/* Without the memo the command really runs: its output differs. */
	jolt_sandbox_opts o = {.workdir = f->a, .command = FRESH, .slot = SLOT};
	jolt_sandbox_result r;
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	assert_string_not_equal(r.output, o1);
	jolt_sandbox_result_release(&r);
	free(o1);
	free(o2);
}

static void test_content_mode_name_change_runs_again(void **state)
{
	struct fx *f = *state;
	put(f->a, "x.txt", "hello\n");
	char *o1 = memo_run(f, f->a, FRESH, NULL, NULL);
	/* Same size, same time, other bytes. */
	put(f->a, "x.txt", "hellO\n");
	char *o2 = memo_run(f, f->a, FRESH, NULL, NULL);
	assert_string_not_equal(o1, o2);
	char *p = jolt_xasprintf("%s/x.txt", f->a);
	assert_int_equal(chmod(p, 0755), 0);
	char *o3 = memo_run(f, f->a, FRESH, NULL, NULL);
	assert_string_not_equal(o2, o3);
	char *q = jolt_xasprintf("%s/y.txt", f->a);
	assert_int_equal(rename(p, q), 0);
	char *o4 = memo_run(f, f->a, FRESH, NULL, NULL);
	assert_string_not_equal(o3, o4);
	char *l = jolt_xasprintf("%s/link", f->a);
	assert_int_equal(symlink("y.txt", l), 0);
	char *o5 = memo_run(f, f->a, FRESH, NULL, NULL);
	assert_string_not_equal(o4, o5);
	unlink(l);
	assert_int_equal(symlink("x.txt", l), 0);
	char *o6 = memo_run(f, f->a, FRESH, NULL, NULL);
	assert_string_not_equal(o5, o6);
	counts(f, 0, 6);
	free(p);
	free(q);
	free(l);
	free(o1);
	free(o2);
	free(o3);
	free(o4);
	free(o5);
	free(o6);
}

static void test_environment_and_command_are_in_the_key(void **state)
{
	struct fx *f = *state;
	const char *tz1[] = {"TZ=UTC", NULL};
	const char *tz2[] = {"TZ=Asia/Tokyo", NULL};
	char *o1 = memo_run(f, f->a, FRESH, tz1, NULL);
	char *o2 = memo_run(f, f->a, FRESH, tz2, NULL);
	char *o3 = memo_run(f, f->a, FRESH " ", tz2, NULL);
	char *o4 = memo_run(f, f->a, FRESH, tz2, NULL);
	assert_string_not_equal(o1, o2);
	assert_string_not_equal(o2, o3);
	assert_string_equal(o2, o4);
	counts(f, 1, 3);
	free(o1);
	free(o2);
	free(o3);
	free(o4);
}

/* What the changing command of the next test leaves behind. */
#define CHANGES                                                          \
	FRESH " | tee log; chmod 600 log; mkdir -p sub/deeper; "         \
	      "echo x > sub/deeper/f; ln -s log lnk; rm -f gone.txt; "   \
	      "rm -rf olddir; chmod 700 keep.txt"

static void reset_tree(const char *wd)
{
	char *cmd = jolt_xasprintf(
	    "cd '%s' && rm -rf log sub lnk && mkdir -p olddir/in && "
	    "echo old > olddir/in/x && chmod 644 keep.txt",
	    wd);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	put(wd, "gone.txt", "bye\n");
	/* The sandbox's own, so the command can change all of it. */
	assert_int_equal(jolt_sandbox_prepare_dir(wd, SLOT), 0);
}

static void test_tree_changing_command_is_remembered_with_its_changes(
    void **state)
{
	struct fx *f = *state;
	char h0[65], h1[65], h2[65], h3[65];
	put(f->a, "keep.txt", "k\n");
	reset_tree(f->a);
	assert_true(jolt_execmemo_tree_hash(h0, f->a));
	int c1, c2;
	char *o1 = memo_run(f, f->a, CHANGES, NULL, &c1);
	assert_true(jolt_execmemo_tree_hash(h1, f->a));
	assert_string_not_equal(h0, h1);
	char *gone = jolt_xasprintf("%s/olddir", f->a);
	struct stat st;
	assert_int_equal(lstat(gone, &st), -1); /* the command could */
	free(gone);
	reset_tree(f->a);
	assert_true(jolt_execmemo_tree_hash(h2, f->a));
	assert_string_equal(h0, h2);
	char *o2 = memo_run(f, f->a, CHANGES, NULL, &c2);
	counts(f, 1, 1);
	assert_string_equal(o1, o2);
	assert_int_equal(c1, c2);
	/* The remembered changes were made: the same tree as the real run. */
	assert_true(jolt_execmemo_tree_hash(h3, f->a));
	assert_string_equal(h1, h3);
	/* ...and what they made is the sandbox's to change, as its own is. */
	jolt_sandbox_opts o = {.workdir = f->a, .slot = SLOT,
			       .command = "echo more >> log && echo y > "
					  "sub/deeper/g && rm sub/deeper/f"};
	jolt_sandbox_result r;
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	assert_int_equal(r.exit_code, 0);
	jolt_sandbox_result_release(&r);
	free(o1);
	free(o2);
}

static void test_not_remembered_timeouts_and_floods(void **state)
{
	struct fx *f = *state;
	/* A command that writes more than the memo keeps runs every time. */
	const char *big = "rm -f big; head -c 5000000 /dev/zero > big; " FRESH;
	char *o1 = memo_run(f, f->a, big, NULL, NULL);
	char *p = jolt_xasprintf("%s/big", f->a);
	assert_int_equal(unlink(p), 0);
	char *o2 = memo_run(f, f->a, big, NULL, NULL);
	assert_string_not_equal(o1, o2);
	counts(f, 0, 2);
	/* A command that times out is not remembered either. */
	assert_int_equal(unlink(p), 0);
	jolt_sandbox_opts o = {.workdir = f->a, .command = "sleep 5",
			       .slot = SLOT, .memo = f->m, .timeout_s = 0.3};
	jolt_sandbox_result r;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(jolt_sandbox_run(&r, &o), 0);
		assert_true(r.timed_out);
		jolt_sandbox_result_release(&r);
	}
	counts(f, 0, 4);
	free(p);
	free(o1);
	free(o2);
}

static void test_other_copy_gets_its_own_path(void **state)
{
	struct fx *f = *state;
	put(f->a, "x.txt", "same\n");
	put(f->b, "x.txt", "same\n");
	char ha[65], hb[65];
	assert_true(jolt_execmemo_tree_hash(ha, f->a));
	assert_true(jolt_execmemo_tree_hash(hb, f->b));
	assert_string_equal(ha, hb);
	char *o1 = memo_run(f, f->a, FRESH "; pwd; echo \"$HOME\"", NULL, NULL);
	char *o2 = memo_run(f, f->b, FRESH "; pwd; echo \"$HOME\"", NULL, NULL);
	counts(f, 1, 1);
	/* The remembered output, with b's path where a's was. */
	char *want = jolt_xstrdup(o1);
	char *at;
	while ((at = strstr(want, f->a))) {
		char *w = jolt_xasprintf("%.*s%s%s", (int)(at - want), want,
					 f->b, at + strlen(f->a));
		free(want);
		want = w;
	}
	assert_string_equal(o2, want);
	assert_non_null(strstr(o2, f->b));
	assert_null(strstr(o2, f->a));
	free(want);
	free(o1);
	free(o2);
}

/* One of two replays running the same command on the same files at once. */
struct racer {
	struct fx *f;
	const char *dir;
	const char *cmd;
	double timeout_s;
	char *out;
	bool timed_out;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	jolt_sandbox_opts o = {.workdir = r->dir, .command = r->cmd,
			       .slot = SLOT, .memo = r->f->m,
			       .timeout_s = r->timeout_s};
	jolt_sandbox_result res;
	if (jolt_sandbox_run(&res, &o) == 0) {
		r->out = jolt_xstrdup(res.output ? res.output : "");
		r->timed_out = res.timed_out;
		jolt_sandbox_result_release(&res);
	}
	return NULL;
}

static void run_both(struct fx *f, struct racer *r, const char *cmd,
		     double timeout_s)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){.f = f, .dir = i ? f->b : f->a,
				      .cmd = cmd, .timeout_s = timeout_s};
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_non_null(r[0].out);
	assert_non_null(r[1].out);
}

/* Started together, the same command on the same files runs once: the
 * second waits for the first's result rather than running it too. One
 * that is not remembered (it timed out) leaves the other to run it. */
static void test_concurrent_same_command_runs_once(void **state)
{
	struct fx *f = *state;
	put(f->a, "x.txt", "same\n");
	put(f->b, "x.txt", "same\n");
	struct racer r[2];
	run_both(f, r, FRESH "; sleep 1; cat x.txt", 20);
	counts(f, 1, 1);
	/* The same uuid: one real run. */
	char *a = strstr(r[0].out, "same"), *b = strstr(r[1].out, "same");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a - r[0].out, b - r[1].out);
	assert_memory_equal(r[0].out, r[1].out, (size_t)(a - r[0].out));
	free(r[0].out);
	free(r[1].out);
	run_both(f, r, "sleep 5", 0.5);
	assert_true(r[0].timed_out);
	assert_true(r[1].timed_out);
	counts(f, 1, 3);
	free(r[0].out);
	free(r[1].out);
}

static void test_tree_hash(void **state)
{
	struct fx *f = *state;
	char h0[65], h1[65], h2[65], h3[65];
	assert_true(jolt_execmemo_tree_hash(h0, f->a));
	char *d = jolt_xasprintf("%s/sub", f->a);
	assert_int_equal(mkdir(d, 0755), 0);
	assert_true(jolt_execmemo_tree_hash(h1, f->a));
	assert_string_not_equal(h0, h1); /* an empty directory counts */
	put(d, "ab", "1");
	assert_true(jolt_execmemo_tree_hash(h2, f->a));
	/* The same bytes one level up under another name are another tree. */
	char *e = jolt_xasprintf("%s/ab", d);
	unlink(e);
	rmdir(d);
	put(f->a, "sub", "ab");
	assert_true(jolt_execmemo_tree_hash(h3, f->a));
	assert_string_not_equal(h2, h3);
	assert_false(jolt_execmemo_tree_hash(h3, "/nonexistent/jolt"));
	free(d);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_same_tree_same_command_is_remembered, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_content_mode_name_change_runs_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_environment_and_command_are_in_the_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_tree_changing_command_is_remembered_with_its_changes, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_not_remembered_timeouts_and_floods, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_copy_gets_its_own_path,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_concurrent_same_command_runs_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree_hash, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
