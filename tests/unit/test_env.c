/*
 * test_env.c - working copies (from a directory, from a git repository at
 * a pinned revision, empty), their removal, and path containment.
 */
#include "test.h"

#include <limits.h>

#include "core/common.h"
#include "world/env.h"
#include "world/sandbox.h"

/* Working copies under /tmp: the sandbox uids must reach them. */
#define WD_ROOT "/tmp"

static char *real(const char *p)
{
	char *r = realpath(p, NULL);
	assert_non_null(r);
	return r;
}

static void rm_rf(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void expect_denied(const char *root, const char *rel, const char *msg)
{
	char *out = (char *)1;
	assert_int_equal(jolt_path_resolve(&out, root, rel), JOLT_EDENIED);
	assert_null(out);
	assert_non_null(strstr(jolt_err_msg(), msg));
}

static void expect_path(const char *root, const char *rel, const char *want)
{
	char *out = NULL;
	int rc = jolt_path_resolve(&out, root, rel);
	if (rc)
		fail_msg("%s: %s", rel, jolt_err_msg());
	char *rr = real(root);
	char exp[PATH_MAX + 64];
	snprintf(exp, sizeof(exp), "%s%s%s", rr, *want ? "/" : "", want);
	assert_string_equal(out, exp);
	free(out);
	free(rr);
}

static void test_path_resolve(void **state)
{
	char *root = test_tmpdir();
	assert_non_null(root);
	test_write(root, "a/b.txt", "b");
	char p[1024];
	snprintf(p, sizeof(p), "%s/out", root);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/in", root);
	assert_int_equal(symlink("a", p), 0);
	snprintf(p, sizeof(p), "%s/dang", root);
	assert_int_equal(symlink("/nonexistent-jolt/x", p), 0);
	snprintf(p, sizeof(p), "%s/a/up", root);
	assert_int_equal(symlink("../..", p), 0);

	expect_path(root, "a/b.txt", "a/b.txt");
	expect_path(root, "./a//b.txt", "a/b.txt");
	expect_path(root, "a/../a/./b.txt", "a/b.txt");
	expect_path(root, ".", "");
	expect_path(root, "in/b.txt", "a/b.txt"); /* link inside: fine */
	expect_path(root, "new.txt", "new.txt");
	expect_path(root, "new/dir/file.txt", "new/dir/file.txt");
	expect_path(root, "a/..", "");

	expect_denied(root, "../x",
		      "path '../x' is outside the working "
		      "directory");
	expect_denied(root, "a/../../b", "outside the working directory");
	expect_denied(root, "..", "outside");
	expect_denied(root, "/etc/passwd", "absolute");
	expect_denied(root, "", "empty");
	expect_denied(root, "out/passwd", "outside");
	expect_denied(root, "out", "outside");
	expect_denied(root, "out/newfile", "outside");
	expect_denied(root, "a/up/etc", "outside");
	expect_denied(root, "dang", "link");
	expect_denied(root, "dang/x", "link");

	char *out = NULL;
	assert_int_equal(jolt_path_resolve(&out, root, NULL), JOLT_EDENIED);
	rm_rf(root);
	free(root);
}

static void test_workdir_from_dir(void **state)
{
	char *src = test_tmpdir();
	assert_non_null(src);
	test_write(src, "run.sh", "#!/bin/sh\necho hi\n");
	test_write(src, "sub/data.txt", "data\n");
	test_write(src, "sub/deeper/z.txt", "z");
	char p[1024];
	snprintf(p, sizeof(p), "%s/run.sh", src);
	assert_int_equal(chmod(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub/data.txt", src);
	assert_int_equal(chmod(p, 0640), 0);
	snprintf(p, sizeof(p), "%s/link", src);
	assert_int_equal(symlink("sub/data.txt", p), 0);
	snprintf(p, sizeof(p), "%s/abs", src);
	assert_int_equal(symlink("/etc/hostname", p), 0);

	jolt_suite s = {0};
	s.env_dir = src;
	char *wd = NULL;
	assert_int_equal(jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 1), 0);
	assert_non_null(wd);
	assert_true(wd[0] == '/');
	assert_non_null(strstr(wd, "/jolt-wd-"));

	char *t = test_read(wd, "sub/data.txt");
	assert_string_equal(t, "data\n");
	free(t);
	t = test_read(wd, "sub/deeper/z.txt");
	assert_string_equal(t, "z");
	free(t);
	struct stat st;
	snprintf(p, sizeof(p), "%s/run.sh", wd);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	if (geteuid() == 0)
		assert_int_equal(st.st_uid, jolt_sandbox_uid(1));
	snprintf(p, sizeof(p), "%s/sub/data.txt", wd);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* Symlinks are copied as links, not followed. */
	char target[256];
	snprintf(p, sizeof(p), "%s/link", wd);
	ssize_t n = readlink(p, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "sub/data.txt");
	snprintf(p, sizeof(p), "%s/abs", wd);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* Each trial gets its own copy. */
	char *wd2 = NULL;
	assert_int_equal(jolt_workdir_create(&wd2, &s, NULL, WD_ROOT, 1), 0);
	assert_string_not_equal(wd, wd2);

	assert_int_equal(jolt_workdir_remove(wd), 0);
	assert_int_equal(access(wd, F_OK), -1);
	assert_int_equal(jolt_workdir_remove(wd), 0); /* already gone */
	assert_int_equal(jolt_workdir_remove(wd2), 0);
	free(wd);
	free(wd2);

	/* A missing env directory is an error and leaves nothing behind. */
	s.env_dir = "/nonexistent-jolt-env";
	wd = (char *)1;
	assert_int_equal(jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 1),
			 JOLT_ENOTFOUND);
	assert_null(wd);
	rm_rf(src);
	free(src);
}

static void test_workdir_empty_and_remove(void **state)
{
	char *wd = NULL;
	jolt_suite s = {0};
	assert_int_equal(jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 0), 0);
	struct stat st;
	assert_int_equal(stat(wd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Read-only leftovers from the sandbox do not stop removal. */
	test_write(wd, "ro/f", "x");
	char p[1024];
	snprintf(p, sizeof(p), "%s/ro", wd);
	assert_int_equal(chmod(p, 0500), 0);
	assert_int_equal(jolt_workdir_remove(wd), 0);
	assert_int_equal(access(wd, F_OK), -1);
	free(wd);

	char *d = test_tmpdir();
	assert_int_equal(jolt_workdir_remove(d), JOLT_EDENIED);
	assert_int_equal(access(d, F_OK), 0);
	rmdir(d);
	free(d);
	assert_int_equal(jolt_workdir_remove("/"), JOLT_EDENIED);

	/* NULL root: $TMPDIR or /tmp. */
	assert_int_equal(jolt_workdir_create(&wd, NULL, NULL, NULL, 0), 0);
	assert_int_equal(jolt_workdir_remove(wd), 0);
	free(wd);
}

#define GIT_ENV                                                                \
	"GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "                    \
	"GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com "              \
	"GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' "                              \
	"GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' "

static void test_workdir_from_git(void **state)
{
	char *repo = test_tmpdir();
	assert_non_null(repo);
	char cmd[4096];
	test_write(repo, "calc.py", "def add(a, b):\n    return a - b\n");
	test_write(repo, "docs/readme", "v1\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git init -q -b main && git add -A && " GIT_ENV
		 "git commit -q -m first",
		 repo);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse HEAD", repo);
	char *first = test_sh_line("%s", cmd);
	assert_non_null(first);
	test_write(repo, "calc.py", "def add(a, b):\n    return a + b\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git add -A && " GIT_ENV "git commit -q -m fix",
		 repo);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse HEAD", repo);
	char *second = test_sh_line("%s", cmd);
	assert_non_null(second);
	assert_string_not_equal(first, second);

	jolt_suite s = {0};
	s.env_repo = repo;
	s.env_rev = first;
	char *wd = NULL;
	int rc = jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 0);
	if (rc)
		fail_msg("%s", jolt_err_msg());
	char *t = test_read(wd, "calc.py");
	assert_string_equal(t, "def add(a, b):\n    return a - b\n");
	free(t);
	t = test_read(wd, "docs/readme");
	assert_string_equal(t, "v1\n");
	free(t);

	const char *g = "git -c safe.directory='*' -C";
	snprintf(cmd, sizeof(cmd), "%s %s rev-parse HEAD", g, wd);
	char *head = test_sh_line("%s", cmd);
	assert_non_null(head);
	assert_string_equal(head, first);
	free(head);
	/* A clean checkout: `git diff` and `git status` work and say so. */
	snprintf(cmd, sizeof(cmd), "%s %s status --porcelain | wc -l", g, wd);
	char *dirty = test_sh_line("%s", cmd);
	assert_string_equal(dirty, "0");
	free(dirty);
	/* The fix commit is not in the copy's history. */
	snprintf(cmd, sizeof(cmd), "%s %s cat-file -e %s 2>/dev/null", g, wd,
		 second);
	assert_int_not_equal(system(cmd), 0);
	assert_int_equal(jolt_workdir_remove(wd), 0);
	free(wd);

	/* A ref works too, and a bare repository. */
	snprintf(cmd, sizeof(cmd), "git clone -q --bare %s %s.git", repo, repo);
	assert_int_equal(system(cmd), 0);
	char *bare = jolt_xasprintf("%s.git", repo);
	s.env_repo = bare;
	s.env_rev = "main~1";
	assert_int_equal(jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s %s rev-parse HEAD", g, wd);
	head = test_sh_line("%s", cmd);
	assert_string_equal(head, first);
	free(head);
	t = test_read(wd, "calc.py");
	assert_string_equal(t, "def add(a, b):\n    return a - b\n");
	free(t);
	assert_int_equal(jolt_workdir_remove(wd), 0);
	free(wd);

	/* Unknown revision and non-repository: input errors. */
	s.env_rev = "no-such-branch";
	wd = (char *)1;
	assert_int_equal(jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 0), JOLT_EINPUT);
	assert_null(wd);
	assert_non_null(strstr(jolt_err_msg(), "no-such-branch"));
	s.env_repo = "/nonexistent-jolt-repo";
	s.env_rev = first;
	assert_int_equal(jolt_workdir_create(&wd, &s, NULL, WD_ROOT, 0), JOLT_EINPUT);

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", repo, bare);
	assert_int_equal(system(cmd), 0);
	free(bare);
	free(first);
	free(second);
	free(repo);
}

static void test_copy_tree_errors(void **state)
{
	char *d = test_tmpdir();
	char dst[1024];
	snprintf(dst, sizeof(dst), "%s/dst", d);
	assert_int_equal(jolt_copy_tree("/nonexistent-jolt", dst),
			 JOLT_ENOTFOUND);
	test_write(d, "file", "x");
	char src[1024];
	snprintf(src, sizeof(src), "%s/file", d);
	assert_int_equal(jolt_copy_tree(src, dst), JOLT_EINPUT);
	rm_rf(d);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_resolve),
	    cmocka_unit_test(test_workdir_from_dir),
	    cmocka_unit_test(test_workdir_empty_and_remove),
	    cmocka_unit_test(test_workdir_from_git),
	    cmocka_unit_test(test_copy_tree_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
