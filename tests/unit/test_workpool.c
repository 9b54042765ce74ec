/*
 * test_workpool.c - the pool of per-slot working copies: two trials in
 * flight at once each see only their own writes; a copy handed to the
 * next trial of its slot shows nothing of the previous one (a file
 * written, deleted, modified in place with its mtime put back, chmod, a
 * new directory, a commit, a symlink planted over a directory); and the
 * shared snapshot is byte-for-byte and stat-for-stat unchanged after it.
 *
 * The trials' writes go through the sandbox (as the slot's uid) and, as
 * the builtin tools do, in-process. Copies live under a root in /tmp that
 * the sandbox uids can reach.
 */
#include "test.h"

#include <fcntl.h>
#include <pthread.h>

#include "core/common.h"
#include "world/env.h"
#include "world/sandbox.h"

#define GIT_ENV                                                                \
	"GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "                    \
	"GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com "              \
	"GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' "                              \
	"GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' "
#define GIT "git -c safe.directory='*' -C "

struct fx {
	char *repo;   /* the suite's repository */
	char *root;   /* where copies go */
	char *first;  /* the pinned commit */
	jolt_suite s;
};

static void expect_file(const char *dir, const char *rel, const char *want)
{
	char *got = test_read(dir, rel);
	if (!got)
		fail_msg("%s/%s: missing", dir, rel);
	assert_string_equal(got, want);
	free(got);
}

static bool exists(const char *dir, const char *rel)
{
	char p[2048];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static unsigned mode_of(const char *dir, const char *rel)
{
	char p[2048];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

/* Run cmd in wd as the sandbox does for a trial in `slot`; exit status. */
static int in_sandbox(const char *wd, int slot, const char *cmd)
{
	jolt_sandbox_opts o = {
	    .workdir = wd, .command = cmd, .timeout_s = 60, .slot = slot};
	jolt_sandbox_result r;
	int rc = jolt_sandbox_run(&r, &o);
	if (rc)
		fail_msg("sandbox: %s", jolt_err_msg());
	int code = r.exit_code;
	if (code)
		fprintf(stderr, "sandbox said: %s\n", r.output);
	jolt_sandbox_result_release(&r);
	return code;
}

/* Names, types, modes, sizes, link targets, mtimes and ctimes of every
 * entry under dir, and a hash of every file's bytes. */
static char *tree_hash(const char *dir)
{
	return test_sh_line("cd '%s' && { find . -printf '%%p %%y %%m %%s %%l "
		       "%%U %%T@ %%C@\\n' | LC_ALL=C sort; find . -type f "
		       "-exec sha256sum {} + | LC_ALL=C sort; } | sha256sum",
		       dir);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/jolt-pool-test-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chmod(tmpl, 0755), 0);
	f->root = strdup(tmpl);
	f->repo = test_tmpdir();
	assert_non_null(f->repo);
	test_write(f->repo, "a.txt", "alpha\n");
	test_write(f->repo, "run.sh", "#!/bin/sh\necho run\n");
	test_write(f->repo, "sub/b.txt", "bravo\n");
	test_write(f->repo, "sub/deep/c.txt", "charlie charlie\n");
	test_write(f->repo, "docs/readme", "delta\n");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && chmod 755 run.sh && ln -s sub/b.txt link && "
		 "git init -q -b main && git add -A && " GIT_ENV
		 "git commit -q -m first",
		 f->repo);
	assert_int_equal(system(cmd), 0);
	f->first = test_sh_line("git -C %s rev-parse HEAD", f->repo);
	assert_non_null(f->first);
	/* A later commit the copies must not reach. */
	test_write(f->repo, "a.txt", "alpha fixed\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git add -A && " GIT_ENV "git commit -q -m fix",
		 f->repo);
	assert_int_equal(system(cmd), 0);
	f->s.env_repo = f->repo;
	f->s.env_rev = f->first;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", f->repo, f->root);
	if (system(cmd) != 0)
		return -1;
	free(f->repo);
	free(f->root);
	free(f->first);
	free(f);
	return 0;
}

static void expect_pristine(const struct fx *f, const char *wd, int slot)
{
	expect_file(wd, "a.txt", "alpha\n");
	expect_file(wd, "sub/b.txt", "bravo\n");
	expect_file(wd, "sub/deep/c.txt", "charlie charlie\n");
	expect_file(wd, "link", "bravo\n");
	expect_file(wd, "docs/readme", "delta\n");
	assert_int_equal(mode_of(wd, "run.sh"), 0755);
	assert_false(exists(wd, "new.txt"));
	assert_false(exists(wd, "newdir"));
	char *head = test_sh_line(GIT "%s rev-parse HEAD", wd);
	assert_non_null(head);
	assert_string_equal(head, f->first);
	free(head);
	char *dirty = test_sh_line(GIT "%s status --porcelain | wc -l", wd);
	assert_string_equal(dirty, "0");
	free(dirty);
	if (geteuid() == 0) {
		struct stat st;
		char p[2048];
		snprintf(p, sizeof(p), "%s/sub/deep/c.txt", wd);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_uid, jolt_sandbox_uid(slot));
		assert_int_equal(stat(wd, &st), 0);
		assert_int_equal(st.st_uid, jolt_sandbox_uid(slot));
	}
}

struct writer {
	const char *wd;
	int slot;
	int rc;
};

static void *write_own(void *arg)
{
	struct writer *w = arg;
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "for i in 1 2 3 4 5; do printf 'slot %d\\n' > a.txt; "
		 "printf 'slot %d\\n' > made.txt; done",
		 w->slot, w->slot);
	w->rc = in_sandbox(w->wd, w->slot, cmd);
	return NULL;
}

static void test_concurrent_trials_see_only_their_own(void **state)
{
	struct fx *f = *state;
	const char *snap = NULL;
	assert_int_equal(jolt_workdir_snapshot(&snap, &f->s, NULL, f->root), 0);
	char *before = tree_hash(snap);
	assert_non_null(before);

	char *wd[2] = {NULL, NULL};
	for (int i = 0; i < 2; i++)
		if (jolt_workdir_acquire(&wd[i], &f->s, NULL, f->root, i))
			fail_msg("acquire: %s", jolt_err_msg());
	assert_string_not_equal(wd[0], wd[1]);
	pthread_t th[2];
	struct writer w[2] = {{wd[0], 0, -1}, {wd[1], 1, -1}};
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, write_own, &w[i]),
				 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].rc, 0);
	}
	expect_file(wd[0], "a.txt", "slot 0\n");
	expect_file(wd[1], "a.txt", "slot 1\n");
	expect_file(wd[0], "made.txt", "slot 0\n");
	expect_file(wd[1], "made.txt", "slot 1\n");
	for (int i = 0; i < 2; i++) {
		assert_int_equal(jolt_workdir_release(wd[i]), 0);
		free(wd[i]);
	}

	char *after = tree_hash(snap);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_reused_copy_shows_nothing_of_the_last_trial(void **state)
{
	struct fx *f = *state;
	const char *snap = NULL;
	assert_int_equal(jolt_workdir_snapshot(&snap, &f->s, NULL, f->root), 0);
	char *before = tree_hash(snap);

	char *wd = NULL;
	assert_int_equal(jolt_workdir_acquire(&wd, &f->s, NULL, f->root, 0), 0);
	expect_pristine(f, wd, 0);
	/* A trial that writes, deletes, rewrites in place keeping size and
	 * mtime, chmods, makes a directory and commits. */
	const char *trial =
	    "set -e; echo new > new.txt; rm sub/b.txt; "
	    "m=$(stat -c %y sub/deep/c.txt); "
	    "printf 'CHARLIE' | dd of=sub/deep/c.txt conv=notrunc "
	    "2>/dev/null; touch -d \"$m\" sub/deep/c.txt; "
	    "chmod 600 run.sh; mkdir -p newdir/x; echo hi > newdir/x/f; "
	    "git -c user.name=t -c user.email=t@e.com commit -qam wip; "
	    "git rev-parse HEAD > wip";
	assert_int_equal(in_sandbox(wd, 0, trial), 0);
	expect_file(wd, "sub/deep/c.txt", "CHARLIE charlie\n");
	char *wip = test_read(wd, "wip");
	assert_non_null(wip);
	wip[strcspn(wip, "\n")] = '\0';
	assert_int_equal(jolt_workdir_release(wd), 0);

	char *again = NULL;
	assert_int_equal(jolt_workdir_acquire(&again, &f->s, NULL, f->root, 0),
			 0);
	/* In-process, as the builtins write, straight after the hand-over:
	 * c.txt was restored by this very reset, so a write now likely lands
	 * in the clock tick its ctime was recorded in (a racily clean entry).
	 * The same size, the times put back. */
	char p[2048];
	snprintf(p, sizeof(p), "%s/sub/deep/c.txt", again);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	int fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "CHARL", 5, 0), 5);
	struct timespec ts[2] = {st.st_atim, st.st_mtim};
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
	/* The same copy (pooled), put back. */
	assert_string_equal(again, wd);
	expect_file(again, "sub/b.txt", "bravo\n");
	expect_file(again, "a.txt", "alpha\n");
	assert_int_equal(mode_of(again, "run.sh"), 0755);
	assert_false(exists(again, "new.txt"));
	assert_false(exists(again, "newdir"));
	assert_false(exists(again, "wip"));
	char *head = test_sh_line(GIT "%s rev-parse HEAD", again);
	assert_string_equal(head, f->first);
	free(head);
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), GIT "%s cat-file -e %s 2>/dev/null", again,
		 wip);
	assert_int_not_equal(system(cmd), 0);
	/* Later commits of the source are not reachable either. */
	char *n = test_sh_line(GIT "%s log --oneline | wc -l", again);
	assert_string_equal(n, "1");
	free(n);

	/* A directory swapped for a symlink to somewhere else: the reset
	 * must not follow it. */
	char *outside = test_tmpdir();
	test_write(outside, "readme", "outside\n");
	snprintf(cmd, sizeof(cmd), "rm -rf %s/docs && ln -s %s %s/docs", again,
		 outside, again);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(jolt_workdir_release(again), 0);

	char *third = NULL;
	assert_int_equal(jolt_workdir_acquire(&third, &f->s, NULL, f->root, 0),
			 0);
	assert_string_equal(third, wd);
	expect_pristine(f, third, 0);
	expect_file(outside, "readme", "outside\n");
	assert_int_equal(jolt_workdir_release(third), 0);

	char *after = tree_hash(snap);
	assert_string_equal(before, after);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", outside);
	assert_int_equal(system(cmd), 0);
	free(outside);
	free(before);
	free(after);
	free(wip);
	free(wd);
	free(again);
	free(third);
}

static void test_slot_out_or_other_env(void **state)
{
	struct fx *f = *state;
	char *a = NULL, *b = NULL;
	assert_int_equal(jolt_workdir_acquire(&a, &f->s, NULL, f->root, 3), 0);
	/* The slot's copy is still out: a fresh one, removed on release. */
	assert_int_equal(jolt_workdir_acquire(&b, &f->s, NULL, f->root, 3), 0);
	assert_string_not_equal(a, b);
	expect_pristine(f, b, 3);
	assert_int_equal(jolt_workdir_release(b), 0);
	assert_false(exists(b, ""));
	free(b);
	test_write(a, "left.txt", "x");
	assert_int_equal(jolt_workdir_release(a), 0);

	/* Another environment on the same slot: nothing of the first. */
	char *dir = test_tmpdir();
	test_write(dir, "only.txt", "dir env\n");
	assert_int_equal(chmod(dir, 0755), 0);
	jolt_suite ds = {0};
	ds.env_dir = dir;
	assert_int_equal(jolt_workdir_acquire(&b, &ds, NULL, f->root, 3), 0);
	expect_file(b, "only.txt", "dir env\n");
	assert_false(exists(b, "a.txt"));
	assert_false(exists(b, "left.txt"));
	assert_false(exists(b, ".git"));
	test_write(b, "only.txt", "changed\n");
	assert_int_equal(jolt_workdir_release(b), 0);
	free(b);
	assert_int_equal(jolt_workdir_acquire(&b, &ds, NULL, f->root, 3), 0);
	expect_file(b, "only.txt", "dir env\n");
	/* Removing a pooled copy takes it out of the pool. */
	assert_int_equal(jolt_workdir_remove(b), 0);
	free(b);
	assert_int_equal(jolt_workdir_acquire(&b, &ds, NULL, f->root, 3), 0);
	expect_file(b, "only.txt", "dir env\n");
	assert_int_equal(jolt_workdir_release(b), 0);

	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
	free(a);
	free(b);
}

static void test_default_root(void **state)
{
	/* A root named is used as given. */
	assert_string_equal(jolt_workdir_root("/x/y", NULL), "/x/y");
	const char *r = jolt_workdir_root(NULL, NULL);
	assert_non_null(r);
	assert_true(!strcmp(r, "/dev/shm") || !strcmp(r, "/tmp") ||
		    (getenv("TMPDIR") && !strcmp(r, getenv("TMPDIR"))));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concurrent_trials_see_only_their_own),
	    cmocka_unit_test(test_reused_copy_shows_nothing_of_the_last_trial),
	    cmocka_unit_test(test_slot_out_or_other_env),
	    cmocka_unit_test(test_default_root),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
