/*
 * test_perturb_env.c - the environment axis: listing and reading a suite's
 * environment (directory and git), applying env edits to a working copy,
 * and the env operators on the starter suite.
 */
#include "test.h"

#include "core/common.h"
#include "world/env.h"
#include "perturb/perturb.h"
#include "core/suite.h"
#include "world/load.h"

#define GIT_ENV                                                                \
	"GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "                    \
	"GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com "              \
	"GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' "                              \
	"GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' "
#define GIT "git -c safe.directory='*' -C"

static void rm_rf(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static bool exists(const char *dir, const char *rel)
{
	char p[2048];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return access(p, F_OK) == 0;
}

static void assert_list(const json_t *arr, const char *const *want, size_t n)
{
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(arr, i)),
				    want[i]);
}

/* ---- listing and reading ------------------------------------------------ */

static void test_list_read_dir(void **state)
{
	char *d = test_tmpdir();
	test_write(d, "b.txt", "bee\n");
	test_write(d, "a/z.csv", "k,v\n");
	test_write(d, "a/deeper/c.md", "see");
	char p[1024];
	snprintf(p, sizeof(p), "%s/link", d);
	assert_int_equal(symlink("b.txt", p), 0);

	jolt_suite s = {0};
	s.name = "t";
	s.env_dir = d;
	json_t *list = NULL;
	assert_int_equal(jolt_env_list(&list, &s, NULL), 0);
	/* Sorted, regular files only (the symlink is not listed). */
	static const char *const want[] = {"a/deeper/c.md", "a/z.csv", "b.txt"};
	assert_list(list, want, 3);
	json_decref(list);

	char *text = NULL;
	size_t len = 0;
	assert_int_equal(jolt_env_read(&text, &len, &s, NULL, "a/deeper/c.md"), 0);
	assert_int_equal(len, 3);
	assert_string_equal(text, "see");
	free(text);
	assert_int_equal(jolt_env_read(&text, &len, &s, NULL, "nope.txt"),
			 JOLT_ENOTFOUND);
	assert_null(text);
	assert_int_equal(jolt_env_read(&text, &len, &s, NULL, "../etc/passwd"),
			 JOLT_EDENIED);
	assert_int_equal(jolt_env_read(&text, &len, &s, NULL, "/etc/passwd"),
			 JOLT_EUSAGE);

	/* No environment: an empty list. */
	jolt_suite none = {0};
	assert_int_equal(jolt_env_list(&list, &none, NULL), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	rm_rf(d);
	free(d);
}

static void test_list_read_git(void **state)
{
	char *repo = test_tmpdir();
	char cmd[4096];
	test_write(repo, "src/calc.py", "def add(a, b):\n    return a - b\n");
	test_write(repo, "README", "v1\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git init -q -b main && git add -A && " GIT_ENV
		 "git commit -q -m first",
		 repo);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), GIT " %s rev-parse HEAD", repo);
	char *first = test_sh_line("%s", cmd);
	assert_non_null(first);
	test_write(repo, "src/calc.py", "def add(a, b):\n    return a + b\n");
	test_write(repo, "later.txt", "x\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git add -A && " GIT_ENV "git commit -q -m second",
		 repo);
	assert_int_equal(system(cmd), 0);

	jolt_suite s = {0};
	s.name = "g";
	s.env_repo = repo;
	s.env_rev = first;
	json_t *list = NULL;
	assert_int_equal(jolt_env_list(&list, &s, NULL), 0);
	static const char *const want[] = {"README", "src/calc.py"};
	assert_list(list, want, 2);
	json_decref(list);
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(jolt_env_read(&text, &len, &s, NULL, "src/calc.py"), 0);
	assert_string_equal(text, "def add(a, b):\n    return a - b\n");
	free(text);
	assert_int_equal(jolt_env_read(&text, &len, &s, NULL, "later.txt"),
			 JOLT_ENOTFOUND);

	/* A ref works as well; the later tree has the later file. */
	s.env_rev = "main";
	assert_int_equal(jolt_env_list(&list, &s, NULL), 0);
	static const char *const want2[] = {"README", "later.txt",
					    "src/calc.py"};
	assert_list(list, want2, 3);
	json_decref(list);

	s.env_rev = "no-such-rev";
	list = (json_t *)1;
	assert_int_equal(jolt_env_list(&list, &s, NULL), JOLT_EINPUT);
	assert_null(list);
	assert_non_null(strstr(jolt_err_msg(), "no-such-rev"));
	rm_rf(repo);
	free(repo);
	free(first);
}

/* Two tasks of one suite pinned to two commits (`env: {rev}`): each sees
 * its own tree, in the operators' snapshot and in its working copy. */
static void test_task_env_rev(void **state)
{
	char *dir = test_tmpdir();
	char cmd[4096];
	test_write(dir, "repo/data.txt", "old\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s/repo && git init -q -b main && git add -A && " GIT_ENV
		 "git commit -q -m first",
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), GIT " %s/repo rev-parse HEAD", dir);
	char *first = test_sh_line("%s", cmd);
	assert_non_null(first);
	test_write(dir, "repo/data.txt", "new\n");
	test_write(dir, "repo/added.txt", "x\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s/repo && git add -A && " GIT_ENV "git commit -q -m second",
		 dir);
	assert_int_equal(system(cmd), 0);

	test_write(dir, "suite.yaml",
		   "name: revs\n"
		   "env: {repo: repo, rev: main}\n"
		   "tools:\n"
		   "  - {name: submit, description: Submit., run: {builtin: "
		   "submit}}\n");
	char task[512];
	snprintf(task, sizeof(task),
		 "id: pinned\nuser: hi\nenv: {rev: %s}\n"
		 "grade: [{answer: {exact: old}}]\noracle: [{answer: old}]\n",
		 first);
	test_write(dir, "tasks/pinned.yaml", task);
	test_write(dir, "tasks/tip.yaml",
		   "id: tip\nuser: hi\n"
		   "grade: [{answer: {exact: new}}]\noracle: [{answer: new}]\n");
	jolt_suite *s = NULL;
	if (jolt_suite_load(&s, dir))
		fail_msg("load: %s", jolt_err_msg());
	const jolt_task *pinned = jolt_suite_task(s, "pinned");
	const jolt_task *tip = jolt_suite_task(s, "tip");
	assert_non_null(pinned);
	assert_non_null(tip);

	/* Read the tip first: the snapshot cache must not hand its tree to
	 * the pinned task. */
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(jolt_env_read(&text, &len, s, tip, "data.txt"), 0);
	assert_string_equal(text, "new\n");
	free(text);
	assert_int_equal(jolt_env_read(&text, &len, s, pinned, "data.txt"), 0);
	assert_string_equal(text, "old\n");
	free(text);
	assert_int_equal(jolt_env_read(&text, &len, s, pinned, "added.txt"),
			 JOLT_ENOTFOUND);
	json_t *list = NULL;
	assert_int_equal(jolt_env_list(&list, s, pinned), 0);
	static const char *const want_old[] = {"data.txt"};
	assert_list(list, want_old, 1);
	json_decref(list);
	assert_int_equal(jolt_env_list(&list, s, tip), 0);
	static const char *const want_new[] = {"added.txt", "data.txt"};
	assert_list(list, want_new, 2);
	json_decref(list);

	char *wd_tip = NULL, *wd_pin = NULL;
	assert_int_equal(jolt_workdir_create(&wd_tip, s, tip, "/tmp", 0), 0);
	assert_int_equal(jolt_workdir_create(&wd_pin, s, pinned, "/tmp", 0), 0);
	char *a = test_read(wd_tip, "data.txt");
	char *b = test_read(wd_pin, "data.txt");
	assert_string_equal(a, "new\n");
	assert_string_equal(b, "old\n");
	assert_true(exists(wd_tip, "added.txt"));
	assert_false(exists(wd_pin, "added.txt"));
	free(a);
	free(b);
	assert_int_equal(jolt_workdir_remove(wd_tip), 0);
	assert_int_equal(jolt_workdir_remove(wd_pin), 0);
	free(wd_tip);
	free(wd_pin);
	jolt_suite_free(s);
	rm_rf(dir);
	free(dir);
	free(first);
}

/* ---- applying edits ----------------------------------------------------- */

static jolt_variant *edits_variant(const char *json)
{
	static jolt_variant v;
	memset(&v, 0, sizeof(v));
	json_error_t je;
	v.env_edits = json_loads(json, 0, &je);
	assert_non_null(v.env_edits);
	return &v;
}

static void make_repo(const char *d)
{
	char cmd[2048];
	test_write(d, "a.txt", "alpha\n");
	test_write(d, "sub/one.txt", "1\n");
	test_write(d, "sub/deep/two.txt", "2\n");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git init -q -b main && git add -A && " GIT_ENV
		 "git commit -q -m init",
		 d);
	assert_int_equal(system(cmd), 0);
}

static void test_apply_edits(void **state)
{
	char *d = test_tmpdir();
	char *d2 = test_tmpdir();
	make_repo(d);
	make_repo(d2);
	const char *edits =
	    "[{\"op\": \"rename\", \"from\": \"a.txt\", \"to\": "
	    "\"new/dir/a2.txt\"},"
	    " {\"op\": \"write\", \"path\": \"x/y.txt\", \"content\": "
	    "\"hello\\r\\n\"},"
	    " {\"op\": \"delete\", \"path\": \"sub\"},"
	    " {\"op\": \"git_commit\", \"message\": \"reorganise\"},"
	    " {\"op\": \"write\", \"path\": \"log.md\", \"content\": \"1\"},"
	    " {\"op\": \"git_commit\", \"message\": \"log\"}]";
	jolt_variant *v = edits_variant(edits);
	int rc = jolt_env_apply(v, d);
	if (rc)
		fail_msg("%s", jolt_err_msg());
	assert_false(exists(d, "a.txt"));
	char *t = test_read(d, "new/dir/a2.txt");
	assert_string_equal(t, "alpha\n");
	free(t);
	t = test_read(d, "x/y.txt");
	assert_string_equal(t, "hello\r\n");
	free(t);
	assert_false(exists(d, "sub"));

	/* Two commits with the fixed identity, a minute apart; the working
	 * tree is clean and the deletion and rename are recorded. */
	char cmd[2048];
	snprintf(
	    cmd, sizeof(cmd),
	    GIT
	    " %s log -2 --format='%%an <%%ae> %%aI %%cI %%s' | tr '\\n' '|'",
	    d);
	char *log = test_sh_line("%s", cmd);
	assert_string_equal(log,
			    "jolt <jolt@localhost> 2024-04-01T00:01:00+00:00 "
			    "2024-04-01T00:01:00+00:00 log|"
			    "jolt <jolt@localhost> 2024-04-01T00:00:00+00:00 "
			    "2024-04-01T00:00:00+00:00 reorganise|");
	free(log);
	snprintf(cmd, sizeof(cmd), GIT " %s status --porcelain | wc -l", d);
	char *dirty = test_sh_line("%s", cmd);
	assert_string_equal(dirty, "0");
	free(dirty);
	snprintf(cmd, sizeof(cmd), GIT " %s ls-files | tr '\\n' ' '", d);
	char *files = test_sh_line("%s", cmd);
	assert_string_equal(files, "log.md new/dir/a2.txt x/y.txt ");
	free(files);

	/* Reproducible: the same edits on the same start give the same sha. */
	assert_int_equal(jolt_env_apply(v, d2), 0);
	snprintf(cmd, sizeof(cmd), GIT " %s rev-parse HEAD", d);
	char *h1 = test_sh_line("%s", cmd);
	snprintf(cmd, sizeof(cmd), GIT " %s rev-parse HEAD", d2);
	char *h2 = test_sh_line("%s", cmd);
	assert_non_null(h1);
	assert_string_equal(h1, h2);
	free(h1);
	free(h2);
	json_decref(v->env_edits);

	/* No edits: nothing to do. */
	v = edits_variant("[]");
	assert_int_equal(jolt_env_apply(v, d), 0);
	json_decref(v->env_edits);
	rm_rf(d);
	rm_rf(d2);
	free(d);
	free(d2);
}

static void expect_refused(const char *dir, const char *edits, int code,
			   const char *msg)
{
	jolt_variant *v = edits_variant(edits);
	assert_int_equal(jolt_env_apply(v, dir), code);
	if (msg && !strstr(jolt_err_msg(), msg))
		fail_msg("'%s' not in '%s'", msg, jolt_err_msg());
	json_decref(v->env_edits);
}

static void test_apply_refuses(void **state)
{
	char *root = test_tmpdir();
	char *d = jolt_xasprintf("%s/wd", root);
	assert_int_equal(mkdir(d, 0755), 0);
	test_write(d, "a.txt", "a");
	test_write(root, "outside.txt", "keep");

	expect_refused(
	    d, "[{\"op\":\"write\",\"path\":\"../evil\",\"content\":\"x\"}]",
	    JOLT_EDENIED, "outside");
	assert_false(exists(root, "evil"));
	expect_refused(
	    d, "[{\"op\":\"write\",\"path\":\"/tmp/evil\",\"content\":\"x\"}]",
	    JOLT_EDENIED, "absolute");
	expect_refused(
	    d, "[{\"op\":\"rename\",\"from\":\"a.txt\",\"to\":\"../a.txt\"}]",
	    JOLT_EDENIED, "outside");
	assert_true(exists(d, "a.txt"));
	expect_refused(d, "[{\"op\":\"delete\",\"path\":\"../outside.txt\"}]",
		       JOLT_EDENIED, "outside");
	assert_true(exists(root, "outside.txt"));
	expect_refused(d, "[{\"op\":\"delete\",\"path\":\"x/..\"}]",
		       JOLT_EDENIED, "working copy itself");
	assert_true(exists(d, "a.txt"));
	expect_refused(
	    d,
	    "[{\"op\":\"write\",\"path\":\".git/config\",\"content\":\"x\"}]",
	    JOLT_EDENIED, ".git");
	/* A symlink that leads out is not followed. */
	char p[1024];
	snprintf(p, sizeof(p), "%s/out", d);
	assert_int_equal(symlink(root, p), 0);
	expect_refused(
	    d, "[{\"op\":\"write\",\"path\":\"out/evil\",\"content\":\"x\"}]",
	    JOLT_EDENIED, NULL);
	assert_false(exists(root, "evil"));

	expect_refused(d, "[{\"op\":\"git_commit\",\"message\":\"m\"}]",
		       JOLT_EINPUT, "not a git repository");
	expect_refused(d, "[{\"op\":\"chmod\",\"path\":\"a.txt\"}]",
		       JOLT_EINPUT, "unknown op");
	expect_refused(d, "[{\"op\":\"write\",\"path\":\"b\"}]", JOLT_EINPUT,
		       "content");
	expect_refused(d,
		       "[{\"op\":\"rename\",\"from\":\"nope\",\"to\":\"b\"}]",
		       JOLT_ENOTFOUND, "nope");
	test_write(d, "b.txt", "b");
	expect_refused(
	    d, "[{\"op\":\"rename\",\"from\":\"a.txt\",\"to\":\"b.txt\"}]",
	    JOLT_EINPUT, "already exists");
	rm_rf(root);
	free(root);
	free(d);
}

/* ---- operators on the starter suite ------------------------------------- */

static jolt_suite *starter(void)
{
	jolt_suite *s = NULL;
	int rc = jolt_suite_load(&s, "suites/starter");
	if (rc)
		fail_msg("%s", jolt_err_msg());
	return s;
}

static const jolt_op *env_op(const char *name)
{
	for (const jolt_op *o = jolt_ops_env; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	fail_msg("no env operator %s", name);
	return NULL;
}

static jolt_variant *build(const jolt_suite *s, const char *task,
			   const char *op, int level, uint64_t seed)
{
	jolt_variant *v = NULL;
	int rc = jolt_variant_build(&v, s, jolt_suite_task(s, task), env_op(op),
				    level, seed);
	if (rc)
		fail_msg("%s %s@%d: %s", task, op, level, jolt_err_msg());
	return v;
}

static int build_rc(const jolt_suite *s, const char *task, const char *op,
		    int level)
{
	jolt_variant *v = NULL;
	int rc = jolt_variant_build(&v, s, jolt_suite_task(s, task), env_op(op),
				    level, 1);
	jolt_variant_free(v);
	return rc;
}

static char *dump(const jolt_variant *v)
{
	json_t *d = jolt_variant_dump(v);
	char *s = json_dumps(d, JSON_SORT_KEYS);
	json_decref(d);
	return s;
}

/* The content the variant writes to `path`, or NULL. */
static const char *written(const jolt_variant *v, const char *path)
{
	size_t i;
	const json_t *e;
	json_array_foreach(v->env_edits, i, e)
	{
		const char *p = json_string_value(json_object_get(e, "path"));
		if (p && !strcmp(p, path))
			return json_string_value(json_object_get(e, "content"));
	}
	return NULL;
}

static void test_op_move_files(void **state)
{
	jolt_suite *s = starter();
	/* The file an oracle call reads, moved into a subdirectory; the
	 * oracle follows, the thrown model reads the old path. */
	jolt_variant *v = build(s, "ops-app-config", "move_files", 2, 1);
	const char *old = "notes/2024-03-08-standup.md";
	const char *nw = json_string_value(json_object_get(v->path_map, old));
	assert_non_null(nw);
	assert_int_equal(strncmp(nw, "notes/", 6), 0);
	assert_non_null(strstr(nw, "/2024-03-08-standup.md"));
	assert_string_not_equal(nw, old);
	assert_int_equal(json_array_size(v->env_edits), 1);
	const json_t *e = json_array_get(v->env_edits, 0);
	assert_string_equal(json_string_value(json_object_get(e, "op")),
			    "rename");
	assert_string_equal(json_string_value(json_object_get(e, "from")), old);
	assert_string_equal(json_string_value(json_object_get(e, "to")), nw);
	const json_t *read =
	    json_object_get(json_array_get(v->oracle, 1), "call");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(read, "args"), "path")),
			    nw);
	assert_int_equal(json_integer_value(json_object_get(v->mistake, "at")),
			 0);
	const json_t *m0 = json_object_get(
	    json_array_get(json_object_get(v->mistake, "steps"), 0), "call");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(m0, "args"), "path")),
			    old);
	/* Same seed, same variant; the level-3 move stays inside notes/,
	 * which the prompt names. */
	jolt_variant *v2 = build(s, "ops-app-config", "move_files", 2, 1);
	char *a = dump(v), *b = dump(v2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	jolt_variant_free(v2);
	v2 = build(s, "ops-app-config", "move_files", 3, 1);
	nw = json_string_value(json_object_get(v2->path_map, old));
	assert_int_equal(strncmp(nw, "notes/", 6), 0);
	jolt_variant_free(v2);
	jolt_variant_free(v);

	/* A table's data file: the harness follows the move, the oracle's
	 * calls are unchanged. */
	v = build(s, "fin-lookup-close", "move_files", 1, 1);
	nw = json_string_value(json_object_get(v->path_map, "data/prices.csv"));
	assert_non_null(nw);
	assert_int_equal(strncmp(nw, "data/prices", 11), 0);
	assert_int_equal(strcmp(nw + strlen(nw) - 4, ".csv"), 0);
	assert_int_equal(json_object_size(v->path_map), 1);
	assert_true(json_equal(v->oracle,
			       jolt_suite_task(s, "fin-lookup-close")->oracle));
	jolt_variant_free(v);
	/* The corpus directory of search/open. */
	v = build(s, "doc-bridge-year", "move_files", 3, 2);
	assert_non_null(json_object_get(v->path_map, "docs"));
	jolt_variant_free(v);

	/* Tests that source their neighbours, files the prompt or graders
	 * name: nothing may move. */
	assert_int_equal(build_rc(s, "fix-calc-sum", "move_files", 1),
			 JOLT_ENOTFOUND);
	assert_int_equal(build_rc(s, "ops-reassign-actions", "move_files", 2),
			 JOLT_ENOTFOUND);
	assert_int_equal(build_rc(s, "ops-notes-index", "move_files", 3),
			 JOLT_ENOTFOUND);
	jolt_suite_free(s);
}

static void test_op_move_applies(void **state)
{
	jolt_suite *s = starter();
	jolt_variant *v = build(s, "ops-app-config", "move_files", 1, 3);
	char *wd = NULL;
	assert_int_equal(jolt_workdir_create(&wd, s, NULL, "/tmp", 0), 0);
	assert_int_equal(jolt_env_apply(v, wd), 0);
	const char *nw = json_string_value(
	    json_object_get(v->path_map, "notes/2024-03-08-standup.md"));
	assert_false(exists(wd, "notes/2024-03-08-standup.md"));
	char *t = test_read(wd, nw);
	assert_non_null(t);
	assert_non_null(strstr(t, "port 8471"));
	free(t);
	jolt_variant_free(v);
	assert_int_equal(jolt_workdir_remove(wd), 0);
	free(wd);

	/* Extra history on the working copy's repository. */
	v = build(s, "doc-bridge-year", "git_history", 2, 1);
	assert_int_equal(jolt_workdir_create(&wd, s, NULL, "/tmp", 0), 0);
	assert_int_equal(jolt_env_apply(v, wd), 0);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), GIT " %s rev-list --count HEAD", wd);
	char *n = test_sh_line("%s", cmd);
	assert_string_equal(n, "5"); /* the starter's 2 + 3 */
	free(n);
	snprintf(cmd, sizeof(cmd), GIT " %s status --porcelain | wc -l", wd);
	n = test_sh_line("%s", cmd);
	assert_string_equal(n, "0");
	free(n);
	jolt_variant_free(v);
	assert_int_equal(jolt_workdir_remove(wd), 0);
	free(wd);
	jolt_suite_free(s);
}

static void test_op_noise_and_reformat(void **state)
{
	jolt_suite *s = starter();
	static const char *const kept[] = {"calc/", "units/", "slug/",	"data/",
					   "docs/", "notes/", "config/"};
	static const int counts[] = {0, 3, 8, 20};
	for (int level = 1; level <= 3; level++) {
		jolt_variant *v =
		    build(s, "ops-notes-index", "noise_files", level, 1);
		assert_int_equal(json_array_size(v->env_edits), counts[level]);
		size_t i;
		const json_t *e;
		json_array_foreach(v->env_edits, i, e)
		{
			const char *p =
			    json_string_value(json_object_get(e, "path"));
			for (size_t k = 0; k < JOLT_ARRAY_LEN(kept); k++)
				assert_int_not_equal(
				    strncmp(p, kept[k], strlen(kept[k])), 0);
			assert_null(strstr(
			    json_string_value(json_object_get(e, "content")),
			    "TODO"));
		}
		jolt_variant_free(v);
	}
	/* Seeds differ where the choice is random. */
	jolt_variant *a = build(s, "fin-lookup-close", "noise_files", 2, 1);
	jolt_variant *b = build(s, "fin-lookup-close", "noise_files", 2, 2);
	assert_false(json_equal(a->env_edits, b->env_edits));
	jolt_variant_free(a);
	jolt_variant_free(b);

	/* Reformatting never touches what the task reads. */
	jolt_variant *v =
	    build(s, "fin-lookup-close", "reformat_unrelated", 3, 1);
	assert_true(json_array_size(v->env_edits) > 3);
	size_t i;
	const json_t *e;
	json_array_foreach(v->env_edits, i, e)
	{
		const char *p = json_string_value(json_object_get(e, "path"));
		assert_int_not_equal(strncmp(p, "data/", 5), 0);
		assert_null(strstr(p, ".sh"));
		assert_non_null(strstr(
		    json_string_value(json_object_get(e, "content")), "\r\n"));
	}
	jolt_variant_free(v);
	v = build(s, "ops-notes-index", "reformat_unrelated", 3, 1);
	json_array_foreach(v->env_edits, i, e) assert_int_not_equal(
	    strncmp(json_string_value(json_object_get(e, "path")), "notes/", 6),
	    0);
	jolt_variant_free(v);
	jolt_suite_free(s);
}

static void test_op_data_formats(void **state)
{
	jolt_suite *s = starter();
	jolt_variant *v = build(s, "fin-lookup-close", "csv_delimiter", 1, 1);
	const char *csv = written(v, "data/prices.csv");
	assert_non_null(csv);
	assert_int_equal(
	    strncmp(csv, "ticker;date;close\nACME;2024-03-04;41.10\n", 40), 0);
	assert_non_null(strstr(csv, "\nBOLT;2024-03-08;57.85\n"));
	jolt_variant_free(v);
	v = build(s, "fin-lookup-close", "csv_delimiter", 3, 1);
	csv = written(v, "data/prices.csv");
	assert_non_null(strstr(csv, "\n\"BOLT\"|\"2024-03-08\"|\"57.85\"\n"));
	jolt_variant_free(v);
	assert_int_equal(build_rc(s, "doc-bridge-year", "csv_delimiter", 1),
			 JOLT_ENOTFOUND);

	/* Numbers change form, not value; key columns never change. */
	v = build(s, "fin-market-cap", "number_format", 1, 1);
	assert_non_null(strstr(written(v, "data/prices.csv"),
			       "\nCRNX,2024-03-12,13.400\n"));
	assert_non_null(strstr(written(v, "data/companies.json"),
			       "\"shares_outstanding\": \"287,450,000\""));
	jolt_variant_free(v);
	v = build(s, "fin-market-cap", "number_format", 3, 1);
	assert_non_null(strstr(written(v, "data/prices.csv"),
			       "\nCRNX,2024-03-12,1.340e+01\n"));
	assert_non_null(strstr(written(v, "data/companies.json"),
			       "\"shares_outstanding\": \"2.8745e+08\""));
	jolt_variant_free(v);
	/* The only date column is a key. */
	assert_int_equal(build_rc(s, "fin-market-cap", "date_format", 1),
			 JOLT_ENOTFOUND);

	v = build(s, "fin-market-cap", "json_key_order", 1, 1);
	assert_non_null(
	    strstr(written(v, "data/companies.json"),
		   "{\"shares_outstanding\": 287450000, \"sector\": "
		   "\"Health Care\", \"name\": \"Corenix "
		   "Therapeutics\", \"ticker\": \"CRNX\"}"));
	jolt_variant_free(v);

	/* New keys only: every existing row is still there, once. */
	v = build(s, "fin-market-cap", "extra_records", 2, 1);
	csv = written(v, "data/prices.csv");
	int rows = 0;
	for (const char *p = csv; *p; p++)
		rows += *p == '\n';
	assert_int_equal(rows, 1 + 40 + 3 * 10);
	assert_non_null(strstr(csv, "\nCRNX,2024-03-12,13.40\n"));
	json_error_t je;
	json_t *co = json_loads(written(v, "data/companies.json"), 0, &je);
	assert_int_equal(json_array_size(co), 7);
	size_t i, j;
	json_t *r, *r2;
	json_array_foreach(co, i, r) json_array_foreach(co, j, r2) if (i != j)
	    assert_string_not_equal(
		json_string_value(json_object_get(r, "ticker")),
		json_string_value(json_object_get(r2, "ticker")));
	json_decref(co);
	jolt_variant_free(v);
	jolt_suite_free(s);
}

static void test_op_git_and_locale(void **state)
{
	jolt_suite *s = starter();
	jolt_variant *v = build(s, "fix-calc-sum", "git_history", 2, 1);
	int commits = 0;
	size_t i;
	const json_t *e;
	json_array_foreach(v->env_edits, i, e) commits +=
	    !strcmp(json_string_value(json_object_get(e, "op")), "git_commit");
	assert_int_equal(commits, 3);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(v->env_edits, 0), "path")),
			    "CHANGELOG.md");
	jolt_variant_free(v);

	v = build(s, "fix-calc-sum", "locale_tz", 2, 1);
	assert_non_null(json_string_value(json_object_get(v->env_vars, "TZ")));
	assert_non_null(strstr(
	    json_string_value(json_object_get(v->env_vars, "LANG")), ".UTF-8"));
	assert_null(json_object_get(v->env_vars, "LC_ALL"));
	jolt_variant_free(v);
	v = build(s, "fix-calc-sum", "locale_tz", 3, 1);
	assert_non_null(json_object_get(v->env_vars, "LC_ALL"));
	jolt_variant_free(v);
	/* Nothing in a search task runs a command. */
	assert_int_equal(build_rc(s, "doc-bridge-year", "locale_tz", 1),
			 JOLT_ENOTFOUND);

	/* A directory environment has no history to extend. */
	jolt_suite d = *s;
	d.env_repo = NULL;
	d.env_dir = "/tmp";
	jolt_variant *x = NULL;
	assert_int_equal(jolt_variant_build(&x, &d,
					    jolt_suite_task(s, "fix-calc-sum"),
					    env_op("git_history"), 1, 1),
			 JOLT_ENOTFOUND);
	assert_null(x);
	jolt_suite_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_read_dir),
	    cmocka_unit_test(test_list_read_git),
	    cmocka_unit_test(test_task_env_rev),
	    cmocka_unit_test(test_apply_edits),
	    cmocka_unit_test(test_apply_refuses),
	    cmocka_unit_test(test_op_move_files),
	    cmocka_unit_test(test_op_move_applies),
	    cmocka_unit_test(test_op_noise_and_reformat),
	    cmocka_unit_test(test_op_data_formats),
	    cmocka_unit_test(test_op_git_and_locale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
