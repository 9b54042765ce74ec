/*
 * test_suite.c - the YAML reader (typing, marks, refusals) and the suite
 * loader (fields, defaults, and one error case per rule, each checked for
 * the file:line:col it names).
 *
 * Only builtins and graders the real tools.c and grade.c accept are used:
 * {builtin: read_file} and {builtin: submit} without options, and
 * {answer: {exact|regex: ...}} graders.
 */
#include "test.h"

#include <pthread.h>

#include "core/common.h"
#include "core/suite.h"
#include "world/load.h"
#include "world/tools.h"

static const char SUITE_OK[] =
    "name: demo\n"
    "description: a test suite\n"
    "system: You are careful.\n"
    "env: env/\n"
    "max_steps: 12\n"
    "exec_timeout: 5\n"
    "tools:\n"
    "  - name: read_file\n"
    "    description: Read a file.\n"
    "    parameters:\n"
    "      type: object\n"
    "      properties:\n"
    "        path: {type: string, description: file path}\n"
    "      required: [path]\n"
    "    run: {builtin: read_file}\n"
    "  - name: submit\n"
    "    description: Submit the final answer.\n"
    "    parameters: {type: object, properties: {answer: {type: string}}}\n"
    "    run: {builtin: submit}\n"
    "  - name: count_lines\n"
    "    description: Count lines of data.txt.\n"
    "    run: {exec: \"wc -l data.txt\", timeout: 2.5}\n";

/* Line 5 is the oracle's second step (for mark checks). */
static const char TASK_ZETA[] = "id: zeta\n"
				"user: How many lines?\n"
				"grade: [{answer: {regex: \"^2$\"}}]\n"
				"oracle:\n"
				"  - call: {name: count_lines}\n"
				"  - answer: \"2\"\n";

static const char TASK_ALPHA[] =
    "id: alpha\n"
    "user: What does data.txt say?\n"
    "system: Be brief.\n"
    "paraphrases:\n"
    "  - Read data.txt and tell me.\n"
    "  - Tell me what data.txt contains.\n"
    "tools: [read_file, submit]\n"
    "max_steps: 4\n"
    "grade:\n"
    "  - answer: {exact: hello}\n"
    "oracle:\n"
    "  - call: {name: read_file, args: {path: data.txt}}\n"
    "  - call: {name: submit, args: {answer: hello}}\n";

/* A suite directory with the valid suite.yaml, env/ and two tasks; the
 * caller may overwrite any file before loading. */
static char *make_suite(void)
{
	char *dir = test_tmpdir();
	assert_non_null(dir);
	test_write(dir, "suite.yaml", SUITE_OK);
	test_write(dir, "env/data.txt", "hello\nworld\n");
	test_write(dir, "tasks/a.yaml", TASK_ZETA);
	test_write(dir, "tasks/b.yaml", TASK_ALPHA);
	return dir;
}

static void rm_rf(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Load, expect failure with `code`, and the message to contain each of
 * the NULL-terminated substrings. */
static void expect_error(const char *dir, int code, const char *const *subs)
{
	jolt_suite *s = (jolt_suite *)0x1;
	jolt_err_clear();
	int rc = jolt_suite_load(&s, dir);
	const char *msg = jolt_err_msg();
	for (size_t i = 0; subs[i]; i++) {
		if (!strstr(msg, subs[i]))
			fail_msg("message \"%s\" lacks \"%s\"", msg, subs[i]);
	}
	assert_int_equal(rc, code);
	assert_null(s);
}

static char *path_of(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", dir, rel);
	return p;
}

/* ---- the loader: a valid suite --------------------------------------- */

static void test_load_valid(void **state)
{
	char *dir = make_suite();
	jolt_suite *s = NULL;
	int rc = jolt_suite_load(&s, dir);
	if (rc)
		fail_msg("load failed: %s", jolt_err_msg());
	assert_non_null(s);
	assert_string_equal(s->name, "demo");
	assert_string_equal(s->description, "a test suite");
	assert_string_equal(s->system, "You are careful.");
	assert_int_equal(s->max_steps, 12);
	assert_true(s->exec_timeout_s == 5.0);
	assert_non_null(s->dir);
	assert_int_equal(s->dir[0], '/');
	assert_non_null(s->env_dir);
	char *env = path_of(s->dir, "env");
	assert_string_equal(s->env_dir, env);
	free(env);
	assert_null(s->env_repo);

	assert_int_equal(s->ntools, 3);
	assert_string_equal(s->tools[0].name, "read_file");
	assert_int_equal(s->tools[0].kind, JOLT_TOOL_BUILTIN);
	assert_ptr_equal(s->tools[0].builtin, jolt_builtin_find("read_file"));
	assert_string_equal(
	    json_string_value(json_object_get(s->tools[0].parameters, "type")),
	    "object");
	assert_int_equal(s->tools[2].kind, JOLT_TOOL_EXEC);
	assert_string_equal(s->tools[2].exec, "wc -l data.txt");
	assert_true(s->tools[2].timeout_s == 2.5);
	assert_true(s->tools[0].timeout_s == 5.0);
	/* No parameters given: an empty object schema. */
	assert_true(json_is_object(
	    json_object_get(s->tools[2].parameters, "properties")));
	assert_ptr_equal(jolt_suite_tool(s, "count_lines"), &s->tools[2]);
	assert_null(jolt_suite_tool(s, "nope"));

	/* Sorted by id, not by file name. */
	assert_int_equal(s->ntasks, 2);
	const jolt_task *a = &s->tasks[0], *z = &s->tasks[1];
	assert_string_equal(a->id, "alpha");
	assert_string_equal(z->id, "zeta");
	char *bfile = path_of(dir, "tasks/b.yaml");
	assert_string_equal(a->file, bfile);
	free(bfile);
	assert_ptr_equal(jolt_suite_task(s, "zeta"), z);
	assert_ptr_equal(jolt_suite_task(s, "alpha"), a);
	assert_null(jolt_suite_task(s, "beta"));

	assert_string_equal(a->user, "What does data.txt say?");
	assert_string_equal(a->system, "Be brief.");
	assert_null(z->system);
	assert_int_equal(a->max_steps, 4);
	assert_int_equal(z->max_steps, 0);
	assert_int_equal(json_array_size(a->paraphrases), 2);
	assert_int_equal(json_array_size(z->paraphrases), 0);
	assert_int_equal(a->ntools, 2);
	assert_int_equal(a->tools[0], 0);
	assert_int_equal(a->tools[1], 1);
	assert_int_equal(z->ntools, 3);
	assert_int_equal(json_array_size(a->grade), 1);

	assert_int_equal(json_array_size(a->oracle), 2);
	json_t *call = json_object_get(json_array_get(a->oracle, 0), "call");
	assert_string_equal(json_string_value(json_object_get(call, "name")),
			    "read_file");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(call, "args"), "path")),
			    "data.txt");
	/* A call written without args gets an empty args object. */
	call = json_object_get(json_array_get(z->oracle, 0), "call");
	assert_true(json_is_object(json_object_get(call, "args")));
	assert_int_equal(json_object_size(json_object_get(call, "args")), 0);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(z->oracle, 1), "answer")),
			    "2");
	/* Marks survive loading: step 2 of zeta is at 6:5. */
	int line, col;
	jolt_yaml_mark(json_array_get(z->oracle, 1), &line, &col);
	assert_int_equal(line, 6);
	assert_int_equal(col, 5);

	jolt_suite_free(s);
	jolt_suite_free(NULL);
	rm_rf(dir);
	free(dir);
}

static void test_defaults_and_repo_env(void **state)
{
	char *dir = make_suite();
	test_write(dir, "repo/README", "r\n");
	test_write(
	    dir, "suite.yaml",
	    "name: mini\n"
	    "env: {repo: repo, rev: abc123}\n"
	    "tools:\n"
	    "  - {name: submit, description: Submit., run: {builtin: "
	    "submit}}\n"
	    "  - {name: count_lines, description: c, run: {exec: wc}}\n");
	test_write(dir, "tasks/b.yaml",
		   "id: alpha\nuser: hi\ngrade: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n");
	jolt_suite *s = NULL;
	int rc = jolt_suite_load(&s, dir);
	if (rc)
		fail_msg("load failed: %s", jolt_err_msg());
	assert_int_equal(s->max_steps, 20);
	assert_true(s->exec_timeout_s == 30.0);
	assert_true(s->tools[1].timeout_s == 30.0);
	assert_null(s->env_dir);
	assert_null(s->system);
	assert_null(s->description);
	char *repo = path_of(s->dir, "repo");
	assert_string_equal(s->env_repo, repo);
	free(repo);
	assert_string_equal(s->env_rev, "abc123");
	jolt_suite_free(s);
	rm_rf(dir);
	free(dir);
}

/* ---- task-level env revision ----------------------------------------- */

#define SHA_A "0123456789abcdef0123456789abcdef01234567"

static void expect_task_env_error(const char *dir, const char *env_line,
				  const char *where, const char *what)
{
	char task[512];
	snprintf(task, sizeof(task),
		 "id: t1\nuser: hi\n%s\ngrade: [{answer: {exact: x}}]\n"
		 "oracle: [{answer: x}]\n",
		 env_line);
	test_write(dir, "tasks/a.yaml", task);
	char *want = path_of(dir, where);
	const char *subs[] = {want, what, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);
}

static void test_task_env_rev(void **state)
{
	char *dir = make_suite();
	/* The suite's env is a directory: a task cannot pick a revision. */
	expect_task_env_error(dir, "env: {rev: " SHA_A "}", "tasks/a.yaml:3:1",
			      "needs the suite's env to be a git repository");

	test_write(dir, "repo/README", "r\n");
	test_write(dir, "suite.yaml",
		   "name: mini\n"
		   "env: {repo: repo, rev: main}\n"
		   "tools:\n"
		   "  - {name: submit, description: Submit., run: {builtin: "
		   "submit}}\n");
	test_write(dir, "tasks/b.yaml",
		   "id: beta\nuser: hi\ngrade: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n");
	expect_task_env_error(dir, "env: {rev: main}", "tasks/a.yaml:3:12",
			      "must be a full commit id (40 hex digits)");
	expect_task_env_error(dir, "env: {rev: " SHA_A "0}",
			      "tasks/a.yaml:3:12", "full commit id");
	expect_task_env_error(dir, "env: {rev: 0123456789abcdef0123456789abcdef0123456g}",
			      "tasks/a.yaml:3:12", "full commit id");
	expect_task_env_error(dir, "env: {repo: other}", "tasks/a.yaml:3:7",
			      "unknown key 'repo' in a task's env; expected "
			      "one of: rev");
	expect_task_env_error(dir, "env: repo/", "tasks/a.yaml:3:6",
			      "expected a mapping {rev: COMMIT}");
	expect_task_env_error(dir, "env: {}", "tasks/a.yaml:3:6",
			      "missing required key 'rev'");

	test_write(dir, "tasks/a.yaml",
		   "id: alpha\nuser: hi\nenv: {rev: " SHA_A "}\n"
		   "grade: [{answer: {exact: x}}]\noracle: [{answer: x}]\n");
	jolt_suite *s = NULL;
	if (jolt_suite_load(&s, dir))
		fail_msg("load failed: %s", jolt_err_msg());
	const jolt_task *a = jolt_suite_task(s, "alpha");
	const jolt_task *b = jolt_suite_task(s, "beta");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->env_rev, SHA_A);
	assert_null(b->env_rev);
	assert_string_equal(jolt_task_env_rev(s, a), SHA_A);
	assert_string_equal(jolt_task_env_rev(s, b), "main");
	assert_string_equal(jolt_task_env_rev(s, NULL), "main");
	jolt_suite_free(s);
	rm_rf(dir);
	free(dir);
}

/* ---- the loader: errors ---------------------------------------------- */

static void test_syntax_error(void **state)
{
	char *dir = make_suite();
	test_write(dir, "suite.yaml",
		   "name: demo\n"
		   "tools:\n"
		   "  - name: x\n"
		   "   description: misindented\n");
	char *want = path_of(dir, "suite.yaml:4:4: did not find expected");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);
	rm_rf(dir);
	free(dir);
}

static void test_unknown_key_in_task(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "gradr: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n");
	char *want = path_of(dir, "tasks/t1.yaml:3:1: unknown key 'gradr' in "
				  "task; expected one of: id, user, system");
	const char *subs[] = {want, "grade", "oracle", NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);
	rm_rf(dir);
	free(dir);
}

static void test_oracle_undeclared_tool(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle:\n"
		   "  - call: {name: read_file, args: {path: a}}\n"
		   "  - call: {name: delete_all, args: {}}\n");
	char *want = path_of(dir, "tasks/t1.yaml:6:18: oracle step 2 calls "
				  "undeclared tool 'delete_all'");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);

	/* Declared by the suite but not in the task's tools list. */
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "tools: [read_file]\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle:\n"
		   "  - call: {name: submit, args: {answer: x}}\n");
	want = path_of(dir, "tasks/t1.yaml:6:18: oracle step 1 calls "
			    "undeclared tool 'submit'");
	const char *subs2[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs2);
	free(want);
	rm_rf(dir);
	free(dir);
}

static void test_missing_required_key(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n");
	char *want = path_of(dir, "tasks/t1.yaml:1:1: missing required key "
				  "'user' in task");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);
	rm_rf(dir);
	free(dir);
}

static void test_wrong_type(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user:   42\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n");
	char *want = path_of(dir, "tasks/t1.yaml:2:9: expected a string for "
				  "'user' in task, got an integer");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);

	/* null and booleans are shared nodes in jansson: still marked. */
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "system:  true\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n");
	want = path_of(dir, "tasks/t1.yaml:3:10: expected a string for "
			    "'system' in task, got a boolean");
	const char *subs2[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs2);
	free(want);
	rm_rf(dir);
	free(dir);
}

static void test_duplicate_task_ids(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/c.yaml", TASK_ZETA);
	char *a = path_of(dir, "tasks/a.yaml");
	char *c = path_of(dir, "tasks/c.yaml:1:5: duplicate task id 'zeta'");
	const char *subs[] = {a, c, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(a);
	free(c);
	rm_rf(dir);
	free(dir);
}

static void test_duplicate_yaml_keys(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle: [{answer: x}]\n"
		   "user: again\n");
	char *want = path_of(dir, "tasks/t1.yaml:5:1: duplicate key 'user'");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);
	rm_rf(dir);
	free(dir);
}

/* One suite.yaml per rule; each must fail at the given place. */
static void test_suite_rules(void **state)
{
	static const struct {
		const char *yaml;
		const char *where_what; /* after "DIR/suite.yaml:" */
	} cases[] = {
	    {"name: d\ntools: []\n", "2:8: 'tools' must declare at least"},
	    {"name: d\n", "1:1: missing required key 'tools' in suite"},
	    {"name: d\nmax_step: 3\ntools: []\n",
	     "2:1: unknown key 'max_step' in suite; expected one of: name, "
	     "description, system, env, max_steps, exec_timeout, tools"},
	    {"name: d\nmax_steps: 0\ntools: []\n",
	     "2:12: 'max_steps' in suite must be between 1 and 1000"},
	    {"name: d\nexec_timeout: soon\ntools: []\n",
	     "2:15: expected a number of seconds for 'exec_timeout'"},
	    {"name: d\nenv: nowhere/\ntools: []\n",
	     "2:6: 'env' names 'nowhere/', which is not a directory"},
	    {"name: d\nenv: {repo: env}\ntools: []\n",
	     "2:6: missing required key 'rev' in env"},
	    {"- a\n- b\n", "1:1: expected a mapping of suite keys"},
	    {"name: d\ntools:\n  - {name: 9x, description: d, run: "
	     "{builtin: submit}}\n",
	     "3:12: tool name '9x' must match"},
	    {"name: d\ntools:\n  - {name: s, description: d, run: "
	     "{builtin: submit}}\n  - {name: s, description: d, run: "
	     "{builtin: submit}}\n",
	     "4:12: duplicate tool name 's' (first declared at line 3)"},
	    {"name: d\ntools:\n  - {name: s, run: {builtin: submit}}\n",
	     "3:5: missing required key 'description' in tool 's'"},
	    {"name: d\ntools:\n  - {name: s, description: d, run: "
	     "{builtin: frobnicate}}\n",
	     "3:46: unknown builtin 'frobnicate' in tool 's'; available: "},
	    {"name: d\ntools:\n  - {name: s, description: d, run: "
	     "{builtin: submit, exec: ls}}\n",
	     "3:36: 'run' of tool 's' must have exactly one of"},
	    {"name: d\ntools:\n  - {name: s, description: d, run: "
	     "{exec: ls, timout: 3}}\n",
	     "3:47: unknown key 'timout' in an exec run"},
	    {"name: d\ntools:\n  - name: s\n    description: d\n"
	     "    parameters: {type: object, properties: {p: {type: "
	     "strng}}}\n    run: {exec: ls}\n",
	     "5:55: parameter 'p' of tool 's' needs a type"},
	    {"name: d\ntools:\n  - name: s\n    description: d\n"
	     "    parameters: {type: object, properties: {p: {type: "
	     "string}}, required: [p, q]}\n    run: {exec: ls}\n",
	     "5:79: required parameter 'q' of tool 's' is not among"},
	    {"name: d\ntools:\n  - name: s\n    description: d\n"
	     "    parameters: {type: array}\n    run: {exec: ls}\n",
	     "5:24: 'parameters' of tool 's' must have type: object"},
	    {"name: d\ntools:\n  - {name: s, description: d, run: {exec: "
	     "ls}, extra: 1}\n",
	     "3:48: unknown key 'extra' in tool 's'; expected one of: "
	     "name, description, parameters, run"},
	};
	char *dir = make_suite();
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		test_write(dir, "suite.yaml", cases[i].yaml);
		char *file = path_of(dir, "suite.yaml:");
		size_t n = strlen(file) + strlen(cases[i].where_what) + 1;
		char *want = malloc(n);
		assert_non_null(want);
		snprintf(want, n, "%s%s", file, cases[i].where_what);
		jolt_suite *s = NULL;
		int rc = jolt_suite_load(&s, dir);
		if (rc != JOLT_EINPUT || !strstr(jolt_err_msg(), want))
			fail_msg("case %zu: rc %d, message \"%s\", wanted "
				 "\"%s\"",
				 i, rc, jolt_err_msg(), want);
		assert_null(s);
		free(want);
		free(file);
	}
	rm_rf(dir);
	free(dir);
}

/* Task rules beyond the headline cases. */
static void test_task_rules(void **state)
{
	static const struct {
		const char *yaml;
		const char *where_what; /* after "DIR/tasks/t1.yaml:" */
	} cases[] = {
	    {"id: a b\nuser: hi\ngrade: [{answer: {exact: x}}]\n"
	     "oracle: [{answer: x}]\n",
	     "1:5: task id 'a b' must be"},
	    {"id: t\nuser: ''\ngrade: [{answer: {exact: x}}]\n"
	     "oracle: [{answer: x}]\n",
	     "2:7: 'user' in task must not be empty"},
	    {"id: t\nuser: hi\ngrade: []\noracle: [{answer: x}]\n",
	     "3:8: expected a non-empty list of graders"},
	    {"id: t\nuser: hi\ngrade: [{answer: {exact: x}}]\n",
	     "1:1: missing required key 'oracle' in task"},
	    {"id: t\nuser: hi\ngrade: [{answer: {exact: x}}]\n"
	     "oracle: [{answer: x, call: {name: submit}}]\n",
	     "4:10: oracle step 1 must be a mapping with exactly one key"},
	    {"id: t\nuser: hi\ngrade: [{answer: {exact: x}}]\n"
	     "oracle: [{reply: x}]\n",
	     "4:11: unknown key 'reply' in oracle step 1"},
	    {"id: t\nuser: hi\ngrade: [{answer: {exact: x}}]\n"
	     "oracle: [{call: {name: read_file, args: {}}}]\n",
	     "4:41: oracle step 1: call to 'read_file' lacks required "
	     "argument 'path'"},
	    {"id: t\nuser: hi\ntools: [read_file, ghost]\n"
	     "grade: [{answer: {exact: x}}]\noracle: [{answer: x}]\n",
	     "3:20: 'tools' names 'ghost', which the suite does not"},
	    {"id: t\nuser: hi\nmax_steps: 2.5\n"
	     "grade: [{answer: {exact: x}}]\noracle: [{answer: x}]\n",
	     "3:12: expected an integer for 'max_steps' in task, got a "
	     "number"},
	    {"id: t\nuser: hi\nparaphrases: [ok, [no]]\n"
	     "grade: [{answer: {exact: x}}]\noracle: [{answer: x}]\n",
	     "3:19: expected a non-empty string for paraphrase 2"},
	    {"id: t\nuser: &u hi\ngrade: [{answer: {exact: x}}]\n"
	     "oracle: [{answer: x}]\n",
	     "2:7: anchors and aliases are not supported"},
	};
	char *dir = make_suite();
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		test_write(dir, "tasks/t1.yaml", cases[i].yaml);
		char *file = path_of(dir, "tasks/t1.yaml:");
		size_t n = strlen(file) + strlen(cases[i].where_what) + 1;
		char *want = malloc(n);
		assert_non_null(want);
		snprintf(want, n, "%s%s", file, cases[i].where_what);
		jolt_suite *s = NULL;
		int rc = jolt_suite_load(&s, dir);
		if (rc != JOLT_EINPUT || !strstr(jolt_err_msg(), want))
			fail_msg("case %zu: rc %d, message \"%s\", wanted "
				 "\"%s\"",
				 i, rc, jolt_err_msg(), want);
		assert_null(s);
		free(want);
		free(file);
	}
	rm_rf(dir);
	free(dir);
}

/* `command: CMD` is accepted as {run: CMD, exit: 0}; `tools: []` is a
 * plain question: the task sees no tool, and its oracle may call none. */
static void test_command_shorthand_and_no_tools(void **state)
{
	char *dir = make_suite();
	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: What is 6 times 7?\n"
		   "tools: []\n"
		   "grade:\n"
		   "  - answer: {number: 42}\n"
		   "  - command: \"sh test.sh\"\n"
		   "oracle: [{answer: \"42\"}]\n");
	jolt_suite *s = NULL;
	assert_int_equal(jolt_suite_load(&s, dir), 0);
	const jolt_task *t = jolt_suite_task(s, "t1");
	assert_non_null(t);
	assert_int_equal(t->ntools, 0);
	assert_null(jolt_task_tool(s, t, "read_file"));
	assert_false(jolt_task_sees(t, 0));
	const json_t *cmd =
	    json_object_get(json_array_get(t->grade, 1), "command");
	assert_true(json_is_string(cmd));
	assert_string_equal(json_string_value(cmd), "sh test.sh");
	/* The other tasks still see every suite tool. */
	const jolt_task *z = jolt_suite_task(s, "zeta");
	assert_non_null(jolt_task_tool(s, z, "count_lines"));
	assert_true(jolt_task_sees(z, 2));
	jolt_suite_free(s);

	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "tools: []\n"
		   "grade: [{answer: {exact: x}}]\n"
		   "oracle:\n"
		   "  - call: {name: read_file, args: {path: a}}\n");
	char *want = path_of(dir, "tasks/t1.yaml:6:18: oracle step 1 calls "
				  "undeclared tool 'read_file' (the task's "
				  "tools: none)");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs);
	free(want);

	test_write(dir, "tasks/t1.yaml",
		   "id: t1\n"
		   "user: hi\n"
		   "grade: [{command: \"\"}]\n"
		   "oracle: [{answer: x}]\n");
	want = path_of(dir, "tasks/t1.yaml:3:19: grade[0].command: expected a "
			    "non-empty command line");
	const char *subs2[] = {want, NULL};
	expect_error(dir, JOLT_EINPUT, subs2);
	free(want);
	rm_rf(dir);
	free(dir);
}

static void test_missing_and_too_big(void **state)
{
	char *dir = test_tmpdir();
	assert_non_null(dir);
	char *want = path_of(dir, "suite.yaml: not found");
	const char *subs[] = {want, NULL};
	expect_error(dir, JOLT_ENOTFOUND, subs);
	free(want);

	char *nodir = path_of(dir, "no-such-suite");
	const char *subs2[] = {"not a suite directory", NULL};
	expect_error(nodir, JOLT_ENOTFOUND, subs2);
	free(nodir);

	/* Over the 1 MiB cap: a long comment keeps it valid YAML. */
	size_t n = 1024 * 1024 + 100;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "name: d\n#", 9);
	memset(big + 9, 'x', n - 9);
	big[n] = '\0';
	test_write(dir, "suite.yaml", big);
	free(big);
	const char *subs3[] = {"suite.yaml: larger than the 1024 KiB cap",
			       NULL};
	expect_error(dir, JOLT_ETOOBIG, subs3);

	/* No tasks at all. */
	test_write(dir, "suite.yaml", SUITE_OK);
	test_write(dir, "env/x", "x");
	const char *subs4[] = {"tasks", NULL};
	expect_error(dir, JOLT_EINPUT, subs4);
	rm_rf(dir);
	free(dir);
}

/* ---- the YAML reader ------------------------------------------------- */

static json_t *parse_ok(const char *text)
{
	json_t *root = NULL;
	int rc = jolt_yaml_parse(&root, "t.yaml", text, strlen(text));
	if (rc)
		fail_msg("parse failed: %s", jolt_err_msg());
	return root;
}

static void test_yaml_scalar_typing(void **state)
{
	json_t *r = parse_ok("date: \"2024-03-15\"\n"
			     "plain_date: 2024-03-15\n"
			     "price: 41.27\n"
			     "n: 3\n"
			     "s: \"3\"\n"
			     "sq: '3'\n"
			     "neg: -7\n"
			     "exp: 1e3\n"
			     "t: true\n"
			     "F: False\n"
			     "qt: \"true\"\n"
			     "z: ~\n"
			     "e:\n"
			     "nl: null\n"
			     "qn: 'null'\n"
			     "word: hello world\n"
			     "block: |\n"
			     "  line one\n"
			     "  42\n");
	assert_true(json_is_string(json_object_get(r, "date")));
	assert_string_equal(json_string_value(json_object_get(r, "date")),
			    "2024-03-15");
	assert_true(json_is_string(json_object_get(r, "plain_date")));
	assert_true(json_is_real(json_object_get(r, "price")));
	assert_true(json_real_value(json_object_get(r, "price")) == 41.27);
	assert_true(json_is_integer(json_object_get(r, "n")));
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 3);
	assert_true(json_is_string(json_object_get(r, "s")));
	assert_string_equal(json_string_value(json_object_get(r, "s")), "3");
	assert_true(json_is_string(json_object_get(r, "sq")));
	assert_int_equal(json_integer_value(json_object_get(r, "neg")), -7);
	assert_true(json_is_real(json_object_get(r, "exp")));
	assert_true(json_real_value(json_object_get(r, "exp")) == 1000.0);
	assert_true(json_is_true(json_object_get(r, "t")));
	assert_true(json_is_false(json_object_get(r, "F")));
	assert_true(json_is_string(json_object_get(r, "qt")));
	assert_true(json_is_null(json_object_get(r, "z")));
	assert_true(json_is_null(json_object_get(r, "e")));
	assert_true(json_is_null(json_object_get(r, "nl")));
	assert_string_equal(json_string_value(json_object_get(r, "qn")),
			    "null");
	assert_string_equal(json_string_value(json_object_get(r, "word")),
			    "hello world");
	assert_string_equal(json_string_value(json_object_get(r, "block")),
			    "line one\n42\n");
	jolt_yaml_free(r);
}

static void test_yaml_marks_nested(void **state)
{
	json_t *r = parse_ok("name: demo\n"
			     "tools:\n"
			     "  - name: a\n"
			     "    run: {builtin: read_file}\n"
			     "  - name: b\n"
			     "    parameters:\n"
			     "      type: object\n"
			     "      properties:\n"
			     "        path:   {type: string}\n"
			     "    flag: ~\n");
	json_t *tools = json_object_get(r, "tools");
	json_t *b = json_array_get(tools, 1);
	json_t *path = json_object_get(
	    json_object_get(json_object_get(b, "parameters"), "properties"),
	    "path");
	int line = -1, col = -1;
	jolt_yaml_mark(path, &line, &col);
	assert_int_equal(line, 9);
	assert_int_equal(col, 17);
	jolt_yaml_mark(json_object_get(path, "type"), &line, &col);
	assert_int_equal(line, 9);
	assert_int_equal(col, 24);
	jolt_yaml_mark(b, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 5);
	jolt_yaml_mark(json_object_get(json_array_get(tools, 0), "run"), &line,
		       &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 10);
	jolt_yaml_mark_key(b, "parameters", &line, &col);
	assert_int_equal(line, 6);
	assert_int_equal(col, 5);
	/* The shared null node is reachable only through its container. */
	jolt_yaml_mark_value(b, "flag", &line, &col);
	assert_int_equal(line, 10);
	assert_int_equal(col, 11);
	jolt_yaml_mark(json_object_get(b, "flag"), &line, &col);
	assert_int_equal(line, 0);
	jolt_yaml_mark_elem(tools, 1, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 5);
	jolt_yaml_mark_value(b, "missing", &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);

	/* Trees built in code have no marks; forgotten trees neither. */
	json_t *mine = json_object();
	jolt_yaml_mark(mine, &line, &col);
	assert_int_equal(line, 0);
	json_decref(mine);
	jolt_yaml_forget(r);
	jolt_yaml_mark(path, &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);
	json_decref(r);
}

static void test_yaml_refusals(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"a: 1\na: 2\n", "t.yaml:2:1: duplicate key 'a'"},
	    {"a: &x 1\nb: *x\n", "t.yaml:1:4: anchors and aliases"},
	    {"a: 1\n---\nb: 2\n", "t.yaml:2:1: expected one YAML document"},
	    {"? [a]\n: 1\n", "t.yaml:1:3: expected a scalar mapping key"},
	    {"a: [1, 2\nb: 3\n", "t.yaml:2:2: did not find expected ','"},
	    {"x: 99999999999999999999\n", "t.yaml:1:4: integer out of"},
	    {"x: !!int 3\n", "t.yaml:1:4: tags other than !!str"},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		json_t *root = (json_t *)0x1;
		int rc = jolt_yaml_parse(&root, "t.yaml", cases[i].text,
					 strlen(cases[i].text));
		if (rc != JOLT_EINPUT || !strstr(jolt_err_msg(), cases[i].msg))
			fail_msg("case %zu: rc %d, message \"%s\", wanted "
				 "\"%s\"",
				 i, rc, jolt_err_msg(), cases[i].msg);
		assert_null(root);
	}
	/* An empty document is null. */
	json_t *root = parse_ok("# only a comment\n");
	assert_true(json_is_null(root));
	jolt_yaml_free(root);
}

/* Many threads parse, look marks up and forget at once: each must see its
 * own marks (run under ASan/TSan to catch races). */
static void *parse_loop(void *arg)
{
	long k = (long)(intptr_t)arg;
	char text[128];
	for (int i = 0; i < 200; i++) {
		int pad = (int)((k + i) % 7);
		snprintf(text, sizeof(text), "a:\n%*s- {x: %d}\n", pad, "", i);
		json_t *r = NULL;
		if (jolt_yaml_parse(&r, "t", text, strlen(text)) != 0)
			return (void *)1;
		int line, col;
		jolt_yaml_mark(json_array_get(json_object_get(r, "a"), 0),
			       &line, &col);
		jolt_yaml_free(r);
		if (line != 2 || col != pad + 3)
			return (void *)1;
	}
	return NULL;
}

static void test_yaml_threads(void **state)
{
	pthread_t th[8];
	for (long i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, parse_loop,
						(void *)(intptr_t)i),
				 0);
	for (int i = 0; i < 8; i++) {
		void *ret = (void *)1;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_valid),
	    cmocka_unit_test(test_defaults_and_repo_env),
	    cmocka_unit_test(test_task_env_rev),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_unknown_key_in_task),
	    cmocka_unit_test(test_oracle_undeclared_tool),
	    cmocka_unit_test(test_missing_required_key),
	    cmocka_unit_test(test_wrong_type),
	    cmocka_unit_test(test_duplicate_task_ids),
	    cmocka_unit_test(test_duplicate_yaml_keys),
	    cmocka_unit_test(test_suite_rules),
	    cmocka_unit_test(test_task_rules),
	    cmocka_unit_test(test_command_shorthand_and_no_tools),
	    cmocka_unit_test(test_missing_and_too_big),
	    cmocka_unit_test(test_yaml_scalar_typing),
	    cmocka_unit_test(test_yaml_marks_nested),
	    cmocka_unit_test(test_yaml_refusals),
	    cmocka_unit_test(test_yaml_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
