/*
 * test_grade.c - graders: validation errors, every grader kind passing and
 * failing, the number reader, SHA-256 vectors, and the detail text.
 *
 * Command graders use commands that behave the same under the bubblewrap
 * sandbox as under a plain shell (test -f, exit N, grep -q, sleep).
 */
#include "test.h"

#include <jansson.h>
#include <math.h>

#include "core/common.h"
#include "world/grade.h"
#include "world/sandbox.h"
#include "core/suite.h"

static json_t *J(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
	if (!v)
		fprintf(stderr, "bad test json: %s: %s\n", text, err.text);
	assert_non_null(v);
	return v;
}

/* Run graders (JSON text) against an answer, a workdir and calls (JSON
 * text or NULL for none). Returns the rc; *detail is the caller's. */
static int grade(bool *pass, char **detail, const char *graders,
		 const char *answer, const char *workdir, const char *calls)
{
	json_t *g = J(graders);
	json_t *c = calls ? J(calls) : json_array();
	jolt_grade_input in = {0};
	in.graders = g;
	in.answer = answer;
	in.workdir = workdir;
	in.calls = c;
	int rc = jolt_grade_run(pass, detail, &in);
	json_decref(g);
	json_decref(c);
	return rc;
}

/* Grade and expect rc 0; returns pass, checks detail is "" iff pass. */
static bool grade_ok(char **detail, const char *graders, const char *answer,
		     const char *workdir, const char *calls)
{
	bool pass = true;
	*detail = NULL;
	int rc = grade(&pass, detail, graders, answer, workdir, calls);
	assert_int_equal(rc, 0);
	assert_non_null(*detail);
	if (pass)
		assert_string_equal(*detail, "");
	else
		assert_true(strlen(*detail) > 0);
	return pass;
}

static int check(const char *graders)
{
	json_t *g = J(graders);
	jolt_err_clear();
	int rc = jolt_grade_check(g, "tasks/t.yaml");
	json_decref(g);
	return rc;
}

/* A scratch working copy the sandbox uid may use (chowned when root). */
static char *sandbox_dir(void)
{
	char *dir = test_tmpdir();
	assert_non_null(dir);
	assert_int_equal(jolt_sandbox_prepare_dir(dir, 0), 0);
	return dir;
}

static void rmtree(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- numbers ---------------------------------------------------------- */

struct num_case {
	const char *text;
	size_t n;
	double v[4];
};

static void test_numbers_table(void **state)
{
	static const struct num_case cases[] = {
	    {"ACME closed at 41.27 on 2024-03-15.", 1, {41.27}},
	    {"-3.5 and 1,000", 2, {-3.5, 1000}},
	    {"1,234,567.89", 1, {1234567.89}},
	    {"was 42.", 1, {42}},
	    {"on 2024/03/15 and 03/15/2024 and 15.03.2024", 0, {0}},
	    {"at 12:30 or 12:30:05 sharp", 0, {0}},
	    {"v2 and A1 and Q3", 0, {0}},
	    {"COVID-19 cases", 1, {19}},
	    {"growth of 12% to $1,500.50", 2, {12, 1500.5}},
	    {"it fell by \xe2\x88\x92"
	     "7.5 points",
	     1,
	     {-7.5}},
	    {"+4 then 5-3", 3, {4, 5, 3}},
	    {"no numbers here", 0, {0}},
	    {"3 apples, 10,20,30", 4, {3, 10, 20, 30}},
	    {"1,23 is not a thousands group", 2, {1, 23}},
	    {"(-0.25) and .5", 2, {-0.25, 0.5}},
	    {"2024-03-15T12:30:00Z was 7", 1, {7}},
	    {"hash 3f2a9b, size 5km", 1, {5}},
	    {"-$5 and $-6", 2, {-5, -6}},
	    {"1.5e3 widgets", 1, {1500}},
	    {"version 1.2.3 at 192.168.1.1", 0, {0}},
	    {"total:5", 1, {5}},
	    {"x - 2 and 2024", 2, {2, 2024}},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		double out[8];
		size_t n = jolt_grade_numbers(out, 8, cases[i].text);
		if (n != cases[i].n)
			fail_msg("'%s': %zu numbers, expected %zu",
				 cases[i].text, n, cases[i].n);
		for (size_t k = 0; k < n; k++)
			if (fabs(out[k] - cases[i].v[k]) > 1e-9)
				fail_msg("'%s': number %zu is %.17g, expected "
					 "%.17g",
					 cases[i].text, k, out[k],
					 cases[i].v[k]);
	}
}

static void test_numbers_max_and_null(void **state)
{
	double out[2] = {0, 0};
	assert_int_equal(jolt_grade_numbers(out, 2, "1 2 3 4"), 2);
	assert_true(out[0] == 1 && out[1] == 2);
	assert_int_equal(jolt_grade_numbers(out, 0, "1 2"), 0);
	assert_int_equal(jolt_grade_numbers(out, 2, NULL), 0);
	assert_int_equal(jolt_grade_numbers(out, 2, ""), 0);
}

/* ---- check ------------------------------------------------------------ */

/* Errors point at the offending node of a parsed suite file. */
static void test_check_positions(void **state)
{
	static const struct {
		const char *yaml;
		const char *msg;
	} cases[] = {
	    {"- answer: {regex: \"(ab\"}\n", "t.yaml:1:19: "},
	    {"- answer:\n    exact: x\n    exactly: y\n", "t.yaml:3:5: "},
	    {"- no_calls: true\n- file: {path: f, exists: yes}\n", "t.yaml:2:"},
	    {"- answer: {contains: x}\n- judge: x\n", "t.yaml:2:3: "},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		json_t *g = NULL;
		assert_int_equal(jolt_yaml_parse(&g, "t.yaml", cases[i].yaml,
						 strlen(cases[i].yaml)),
				 0);
		int rc = jolt_grade_check(g, "t.yaml");
		jolt_yaml_free(g);
		if (rc != JOLT_EINPUT || strncmp(jolt_err_msg(), cases[i].msg,
						 strlen(cases[i].msg)) != 0)
			fail_msg("%s: rc %d, message '%s', expected '%s...'",
				 cases[i].yaml, rc, jolt_err_msg(),
				 cases[i].msg);
	}
}

static void test_check_valid(void **state)
{
	assert_int_equal(
	    check("[{\"answer\": {\"number\": 41.27, \"tolerance\": 0.005}},"
		  " {\"answer\": {\"regex\": \"^a+$\"}},"
		  " {\"command\": {\"run\": \"make test\", \"exit\": 0,"
		  "   \"timeout\": 10}},"
		  " {\"file\": {\"path\": \"a/b.txt\", \"exists\": false}},"
		  " {\"file\": {\"path\": \"x\", \"sha256\": "
		  "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
		  "61f20015ad\"}},"
		  " {\"calls\": {\"must\": [{\"name\": \"f\", \"args\": "
		  "{\"a\": 1}}], \"must_not\": [{\"name\": \"g\"}]}},"
		  " {\"no_calls\": true}]"),
	    0);
}

static void test_check_bad_regex(void **state)
{
	assert_int_equal(check("[{\"answer\": {\"regex\": \"(ab\"}}]"),
			 JOLT_EINPUT);
	const char *m = jolt_err_msg();
	assert_non_null(strstr(m, "tasks/t.yaml: grade[0].answer: regex"));
	assert_non_null(strstr(m, "missing closing parenthesis"));
	assert_int_equal(
	    check("[{\"file\": {\"path\": \"f\", \"regex\": \"a{2,1}\"}}]"),
	    JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "grade[0].file: regex"));
}

static void test_check_unknown_key(void **state)
{
	assert_int_equal(check("[{\"answer\": {\"exact\": \"x\", "
			       "\"exactly\": 1}}]"),
			 JOLT_EINPUT);
	const char *m = jolt_err_msg();
	assert_non_null(strstr(m, "unknown option 'exactly'"));
	assert_non_null(strstr(m, "regex, exact, contains, number, tolerance"));
	assert_int_equal(check("[{\"command\": {\"run\": \"x\", \"cwd\": "
			       "\"/\"}}]"),
			 JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "run, exit, timeout"));
	assert_int_equal(check("[{\"judge\": {\"prompt\": \"x\"}}]"),
			 JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "unknown grader 'judge'"));
}

static void test_check_two_kinds(void **state)
{
	assert_int_equal(check("[{\"answer\": {\"exact\": \"4\", "
			       "\"number\": 4}}]"),
			 JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "found exact and number"));
	assert_int_equal(check("[{\"file\": {\"path\": \"f\", \"exists\": "
			       "true, \"equals\": \"x\"}}]"),
			 JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "found exists and equals"));
	assert_int_equal(check("[{\"answer\": {}}]"), JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "expected one of regex"));
}

static void test_check_other_errors(void **state)
{
	static const struct {
		const char *graders;
		const char *msg;
	} cases[] = {
	    {"[]", "non-empty list"},
	    {"{\"answer\": {\"exact\": \"x\"}}", "non-empty list"},
	    {"[{\"answer\": {\"exact\": \"x\"}, \"no_calls\": true}]",
	     "one key"},
	    {"[{\"answer\": {\"contains\": \"x\", \"tolerance\": 1}}]",
	     "tolerance applies only to number"},
	    {"[{\"answer\": {\"number\": 1, \"tolerance\": -1}}]",
	     "tolerance must be a number >= 0"},
	    {"[{\"answer\": {\"number\": \"1\"}}]", "number must be a number"},
	    {"[{\"answer\": \"42\"}]", "expected a mapping"},
	    {"[{\"command\": {\"exit\": 1}}]", "run is required"},
	    {"[{\"command\": \"\"}]", "expected a non-empty command line"},
	    {"[{\"command\": 7}]", "expected a command line, or a mapping"},
	    {"[{\"command\": {\"run\": \"x\", \"exit\": 1.5}}]",
	     "exit must be an integer"},
	    {"[{\"command\": {\"run\": \"x\", \"timeout\": 0}}]",
	     "timeout must be"},
	    {"[{\"file\": {\"exists\": true}}]", "path is required"},
	    {"[{\"file\": {\"path\": \"../x\", \"exists\": true}}]",
	     "relative path"},
	    {"[{\"file\": {\"path\": \"/etc/passwd\", \"exists\": true}}]",
	     "relative path"},
	    {"[{\"file\": {\"path\": \"f\", \"exists\": \"yes\"}}]",
	     "exists must be true or false"},
	    {"[{\"file\": {\"path\": \"f\", \"sha256\": \"abc\"}}]",
	     "64 hexadecimal"},
	    {"[{\"calls\": {}}]", "expected must, must_not"},
	    {"[{\"calls\": {\"must\": [{\"args\": {}}]}}]", "must[0].name"},
	    {"[{\"calls\": {\"must\": [{\"name\": \"f\", \"args\": 3}]}}]",
	     "must[0].args must be a mapping"},
	    {"[{\"calls\": {\"must_not\": [{\"name\": \"f\", \"arg\": "
	     "{}}]}}]",
	     "unknown option 'arg' (expected one of: name, args)"},
	    {"[{\"no_calls\": false}]", "no_calls: true"},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		int rc = check(cases[i].graders);
		if (rc != JOLT_EINPUT)
			fail_msg("%s: rc %d, expected JOLT_EINPUT",
				 cases[i].graders, rc);
		if (!strstr(jolt_err_msg(), cases[i].msg))
			fail_msg("%s: message '%s' lacks '%s'",
				 cases[i].graders, jolt_err_msg(),
				 cases[i].msg);
		if (strncmp(jolt_err_msg(), "tasks/t.yaml:", 13) != 0)
			fail_msg("%s: message '%s' does not name the file",
				 cases[i].graders, jolt_err_msg());
	}
	jolt_err_clear();
	assert_int_equal(jolt_grade_check(NULL, NULL), JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "grade: "));
}

/* ---- answer ------------------------------------------------------------ */

static void test_answer_regex(void **state)
{
	char *d;
	assert_true(grade_ok(&d,
			     "[{\"answer\": {\"regex\": \"\\\\bParis\\\\b\"}}]",
			     "The capital is Paris.", NULL, NULL));
	free(d);
	assert_false(grade_ok(&d, "[{\"answer\": {\"regex\": \"^Paris$\"}}]",
			      "The capital is Paris.", NULL, NULL));
	assert_non_null(strstr(d, "grade[0] (answer)"));
	assert_non_null(strstr(d, "does not match /^Paris$/"));
	free(d);
	/* UTF mode: '.' is one character, so é (two bytes) is one '.'. */
	assert_true(grade_ok(&d, "[{\"answer\": {\"regex\": \"^caf.$\"}}]",
			     "caf\xc3\xa9", NULL, NULL));
	free(d);
	/* Invalid UTF-8 in the answer is no match, not an error. */
	assert_false(grade_ok(&d, "[{\"answer\": {\"regex\": \"^ok$\"}}]",
			      "\xff\xfe", NULL, NULL));
	free(d);
}

static void test_answer_exact(void **state)
{
	char *d;
	assert_true(grade_ok(&d, "[{\"answer\": {\"exact\": \" 42 \"}}]",
			     "\n  42\t\n", NULL, NULL));
	free(d);
	assert_false(grade_ok(&d, "[{\"answer\": {\"exact\": \"Paris\"}}]",
			      "paris", NULL, NULL));
	assert_non_null(strstr(d, "'paris' is not exactly 'Paris'"));
	free(d);
	assert_false(grade_ok(&d, "[{\"answer\": {\"exact\": \"42\"}}]",
			      "42 apples", NULL, NULL));
	free(d);
}

static void test_answer_contains(void **state)
{
	char *d;
	assert_true(grade_ok(&d, "[{\"answer\": {\"contains\": \"paris\"}}]",
			     "It is PARIS, France", NULL, NULL));
	free(d);
	assert_false(grade_ok(&d, "[{\"answer\": {\"contains\": \"Lyon\"}}]",
			      "It is Paris", NULL, NULL));
	assert_non_null(strstr(d, "does not contain 'Lyon'"));
	free(d);
	/* A missing answer is "", which contains nothing. */
	assert_false(grade_ok(&d, "[{\"answer\": {\"contains\": \"x\"}}]", NULL,
			      NULL, NULL));
	free(d);
}

static void test_answer_number(void **state)
{
	char *d;
	const char *g = "[{\"answer\": {\"number\": 41.27, \"tolerance\": "
			"0.005}}]";
	assert_true(
	    grade_ok(&d, g, "ACME closed at 41.27 on 2024-03-15.", NULL, NULL));
	free(d);
	assert_true(grade_ok(&d, g, "about 41.274", NULL, NULL));
	free(d);
	assert_false(
	    grade_ok(&d, g, "ACME closed at 41.2 on 2024-03-15.", NULL, NULL));
	assert_non_null(strstr(d, "within 0.005 of 41.27; found 41.2 in"));
	free(d);
	assert_false(grade_ok(&d, g, "I could not find it.", NULL, NULL));
	assert_non_null(strstr(d, "no number in answer"));
	free(d);
	/* Any number within tolerance passes, not only the first. */
	assert_true(grade_ok(&d, "[{\"answer\": {\"number\": 1000}}]",
			     "Between 3 and 5, it was 1,000.", NULL, NULL));
	free(d);
	/* Default tolerance is tiny and absolute. */
	assert_false(grade_ok(&d, "[{\"answer\": {\"number\": 1000}}]",
			      "1000.001", NULL, NULL));
	free(d);
	/* A date is not the number 2024. */
	assert_false(grade_ok(&d, "[{\"answer\": {\"number\": 2024}}]",
			      "on 2024-03-15", NULL, NULL));
	free(d);
	assert_true(grade_ok(&d, "[{\"answer\": {\"number\": -3}}]",
			     "change: -3", NULL, NULL));
	free(d);
}

/* ---- command ----------------------------------------------------------- */

static void test_command(void **state)
{
	char *dir = sandbox_dir();
	char *d;
	test_write(dir, "src.txt", "the bug is fixed now\n");

	assert_false(grade_ok(&d,
			      "[{\"command\": {\"run\": \"test -f ok.txt\"}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "exited 1, expected 0"));
	free(d);
	test_write(dir, "ok.txt", "ok\n");
	assert_true(grade_ok(&d,
			     "[{\"command\": {\"run\": \"test -f ok.txt\"}}]",
			     "", dir, NULL));
	free(d);

	assert_true(grade_ok(&d,
			     "[{\"command\": {\"run\": \"exit 3\", "
			     "\"exit\": 3}}]",
			     "", dir, NULL));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"command\": {\"run\": \"echo "
			      "hello-out; exit 3\"}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "'echo hello-out; exit 3' exited 3, "
				  "expected 0; output: hello-out"));
	free(d);

	assert_true(grade_ok(&d,
			     "[{\"command\": {\"run\": \"grep -q fixed "
			     "src.txt\"}}]",
			     "", dir, NULL));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"command\": {\"run\": \"grep -q "
			      "broken src.txt\"}}]",
			      "", dir, NULL));
	free(d);

	/* `command: CMD` is short for {run: CMD, exit: 0}. */
	assert_true(grade_ok(&d, "[{\"command\": \"grep -q fixed src.txt\"}]",
			     "", dir, NULL));
	free(d);
	assert_false(
	    grade_ok(&d, "[{\"command\": \"exit 3\"}]", "", dir, NULL));
	assert_non_null(strstr(d, "'exit 3' exited 3, expected 0"));
	free(d);
	rmtree(dir);
	free(dir);
}

static void test_command_output_tail(void **state)
{
	char *dir = sandbox_dir();
	char *d;
	/* 3000 bytes between BEGIN and END: only the end is quoted. */
	assert_false(grade_ok(
	    &d,
	    "[{\"command\": {\"run\": \"printf BEGIN; i=0; while [ $i -lt "
	    "300 ]; do printf xxxxxxxxxx; i=$((i+1)); done; printf END; "
	    "exit 1\"}}]",
	    "", dir, NULL));
	assert_null(strchr(d, '\n'));
	const char *o = strstr(d, "output: ...");
	assert_non_null(o);
	assert_non_null(strstr(o, "xxxEND"));
	assert_null(strstr(o, "BEGIN"));
	size_t quoted = strlen(o + strlen("output: ..."));
	assert_true(quoted <= 500 && quoted >= 490);
	free(d);
	rmtree(dir);
	free(dir);
}

static void test_command_timeout(void **state)
{
	char *dir = sandbox_dir();
	char *d;
	int64_t t0 = jolt_now_ms();
	assert_false(grade_ok(&d,
			      "[{\"command\": {\"run\": \"sleep 20\", "
			      "\"timeout\": 0.5}}]",
			      "", dir, NULL));
	assert_true(jolt_now_ms() - t0 < 10000);
	assert_non_null(strstr(d, "timed out"));
	free(d);
	rmtree(dir);
	free(dir);
}

static void test_command_sandbox_fault(void **state)
{
	/* As root the sandbox runs tools as an unprivileged uid, which cannot
	 * reach a working copy below a 0700 directory: the sandbox refuses,
	 * and that must surface as a harness fault, not a failed grade. */
	if (geteuid() != 0)
		skip();
	char *parent = test_tmpdir(); /* mkdtemp: mode 0700 */
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/wd", parent);
	assert_int_equal(mkdir(dir, 0755), 0);
	bool pass = true;
	char *d = NULL;
	int rc = grade(&pass, &d,
		       "[{\"answer\": {\"contains\": \"x\"}}, "
		       "{\"command\": {\"run\": \"true\"}}]",
		       "x", dir, NULL);
	assert_int_equal(rc, JOLT_ESANDBOX);
	assert_false(pass);
	assert_non_null(d);
	assert_non_null(strstr(d, "grade[1] (command)"));
	free(d);
	rmtree(parent);
	free(parent);
}

/* ---- file -------------------------------------------------------------- */

static void test_file_exists(void **state)
{
	char *dir = test_tmpdir();
	char *d;
	test_write(dir, "out/report.txt", "done\n");
	assert_true(grade_ok(&d,
			     "[{\"file\": {\"path\": \"out/report.txt\", "
			     "\"exists\": true}}]",
			     "", dir, NULL));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"out/report.txt\", "
			      "\"exists\": false}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "'out/report.txt' exists but should not"));
	free(d);
	assert_true(grade_ok(&d,
			     "[{\"file\": {\"path\": \"gone/x.txt\", "
			     "\"exists\": false}}]",
			     "", dir, NULL));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"missing.txt\", "
			      "\"exists\": true}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "'missing.txt' does not exist"));
	free(d);
	/* A symlink leading out of the working copy is refused, a fail. */
	char link[1100];
	snprintf(link, sizeof(link), "%s/escape", dir);
	assert_int_equal(symlink("/etc/hostname", link), 0);
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"escape\", "
			      "\"exists\": true}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "'escape' refused"));
	free(d);
	rmtree(dir);
	free(dir);
}

static void test_file_equals_regex(void **state)
{
	char *dir = test_tmpdir();
	char *d;
	test_write(dir, "a.txt", "hello\nworld\n");
	assert_true(grade_ok(&d,
			     "[{\"file\": {\"path\": \"a.txt\", "
			     "\"equals\": \"hello\\nworld\\n\"}}]",
			     "", dir, NULL));
	free(d);
	/* Exact bytes: a missing trailing newline is a difference. */
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"a.txt\", "
			      "\"equals\": \"hello\\nworld\"}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "(12 bytes, expected 11; first difference "
				  "at byte 11)"));
	free(d);
	assert_true(grade_ok(&d,
			     "[{\"file\": {\"path\": \"a.txt\", "
			     "\"regex\": \"(?m)^world$\"}}]",
			     "", dir, NULL));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"a.txt\", "
			      "\"regex\": \"^world\"}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "'a.txt' has no match for /^world/"));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"nope.txt\", "
			      "\"equals\": \"\"}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "'nope.txt' does not exist"));
	free(d);
	rmtree(dir);
	free(dir);
}

static void sha_case(const char *dir, const char *content, size_t len,
		     const char *hex)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/h.bin", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
	char g[256];
	snprintf(g, sizeof(g),
		 "[{\"file\": {\"path\": \"h.bin\", \"sha256\": \"%s\"}}]",
		 hex);
	char *d;
	if (!grade_ok(&d, g, "", dir, NULL))
		fail_msg("sha256 of %zu bytes: %s", len, d);
	free(d);
}

static void test_file_sha256(void **state)
{
	char *dir = test_tmpdir();
	sha_case(dir, "abc", 3,
		 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
		 "0015ad");
	sha_case(dir, "", 0,
		 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b78"
		 "52b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomno"
			  "pnopq";
	sha_case(dir, two, strlen(two),
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419"
		 "db06c1");
	/* Upper-case hex in the suite is fine. */
	sha_case(dir, "abc", 3,
		 "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F2"
		 "0015AD");
	char *million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha_case(dir, million, 1000000,
		 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7"
		 "112cd0");
	free(million);
	/* 55 and 56 bytes straddle the one- or two-block padding. */
	sha_case(dir, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 55,
		 "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f"
		 "734318");
	sha_case(dir,
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56,
		 "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686e"
		 "c6738a");

	test_write(dir, "h.bin", "abd");
	char *d;
	assert_false(grade_ok(&d,
			      "[{\"file\": {\"path\": \"h.bin\", "
			      "\"sha256\": \"ba7816bf8f01cfea414140de5dae"
			      "2223b00361a396177a9cb410ff61f20015ad\"}}]",
			      "", dir, NULL));
	assert_non_null(strstr(d, "expected ba7816bf"));
	free(d);
	rmtree(dir);
	free(dir);
}

/* ---- calls ------------------------------------------------------------- */

static const char *made_calls =
    "[{\"name\": \"get_price\", \"arguments\": {\"ticker\": \"ACME\", "
    "\"date\": \"2024-03-15\", \"limit\": 5.0}},"
    " {\"name\": \"read_file\", \"arguments\": \"{\\\"path\\\": "
    "\\\"a.txt\\\"}\"}]";

static void test_calls_must(void **state)
{
	char *d;
	/* Listed args must match; others are ignored; 5 equals 5.0. */
	assert_true(grade_ok(&d,
			     "[{\"calls\": {\"must\": [{\"name\": "
			     "\"get_price\", \"args\": {\"ticker\": "
			     "\"ACME\", \"limit\": 5}}, {\"name\": "
			     "\"read_file\", \"args\": {\"path\": "
			     "\"a.txt\"}}]}}]",
			     "", NULL, made_calls));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"calls\": {\"must\": [{\"name\": "
			      "\"get_price\", \"args\": {\"ticker\": "
			      "\"acme\"}}]}}]",
			      "", NULL, made_calls));
	assert_non_null(
	    strstr(d, "missing call get_price{\"ticker\":\"acme\"}"));
	free(d);
	/* A number is not a numeric string. */
	assert_false(grade_ok(&d,
			      "[{\"calls\": {\"must\": [{\"name\": "
			      "\"get_price\", \"args\": {\"limit\": "
			      "\"5\"}}]}}]",
			      "", NULL, made_calls));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"calls\": {\"must\": [{\"name\": "
			      "\"submit\"}]}}]",
			      "", NULL, NULL));
	free(d);
	/* An arg the call lacks does not match. */
	assert_false(grade_ok(&d,
			      "[{\"calls\": {\"must\": [{\"name\": "
			      "\"read_file\", \"args\": {\"mode\": "
			      "\"r\"}}]}}]",
			      "", NULL, made_calls));
	free(d);
}

static void test_calls_must_not(void **state)
{
	char *d;
	assert_true(grade_ok(&d,
			     "[{\"calls\": {\"must_not\": [{\"name\": "
			     "\"delete_file\"}, {\"name\": \"get_price\", "
			     "\"args\": {\"ticker\": \"EVIL\"}}]}}]",
			     "", NULL, made_calls));
	free(d);
	assert_false(grade_ok(&d,
			      "[{\"calls\": {\"must_not\": [{\"name\": "
			      "\"read_file\"}]}}]",
			      "", NULL, made_calls));
	assert_non_null(strstr(d, "forbidden call read_file was made (call 2 "
				  "of 2)"));
	free(d);
	/* must and must_not failing together both show. */
	assert_false(grade_ok(&d,
			      "[{\"calls\": {\"must\": [{\"name\": \"x\"}],"
			      " \"must_not\": [{\"name\": "
			      "\"get_price\"}]}}]",
			      "", NULL, made_calls));
	assert_non_null(strstr(d, "missing call x; forbidden call get_price"));
	free(d);
}

static void test_no_calls(void **state)
{
	char *d;
	assert_true(grade_ok(&d, "[{\"no_calls\": true}]", "", NULL, "[]"));
	free(d);
	assert_true(grade_ok(&d, "[{\"no_calls\": true}]", "", NULL, NULL));
	free(d);
	assert_false(
	    grade_ok(&d, "[{\"no_calls\": true}]", "", NULL, made_calls));
	assert_non_null(strstr(d, "made 2 tool calls (first: get_price)"));
	free(d);
}

/* ---- the whole list ---------------------------------------------------- */

static void test_detail_lists_all_failures(void **state)
{
	char *dir = sandbox_dir();
	char *d;
	test_write(dir, "ok.txt", "ok\n");
	const char *g = "[{\"answer\": {\"contains\": \"Paris\"}},"
			" {\"answer\": {\"number\": 7}},"
			" {\"file\": {\"path\": \"ok.txt\", \"exists\": true}},"
			" {\"command\": {\"run\": \"exit 2\"}},"
			" {\"no_calls\": true}]";
	assert_false(grade_ok(&d, g, "Paris has 6 bridges", dir, made_calls));
	assert_non_null(strstr(d, "grade[1] (answer): expected a number "
				  "within 1e-09 of 7; found 6 in"));
	assert_non_null(strstr(d, "\ngrade[3] (command): "));
	assert_non_null(strstr(d, "\ngrade[4] (no_calls): "));
	assert_null(strstr(d, "grade[0]"));
	assert_null(strstr(d, "grade[2]"));
	size_t lines = 1;
	for (const char *p = d; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);
	free(d);

	assert_true(grade_ok(&d, g, "Paris has 7 bridges", dir, "[]") == false);
	free(d);
	const char *g2 =
	    "[{\"answer\": {\"contains\": \"Paris\"}},"
	    " {\"file\": {\"path\": \"ok.txt\", \"exists\": true}},"
	    " {\"command\": {\"run\": \"exit 0\"}}]";
	assert_true(grade_ok(&d, g2, "Paris", dir, "[]"));
	assert_string_equal(d, "");
	free(d);
	rmtree(dir);
	free(dir);
}

static void test_run_rejects_invalid(void **state)
{
	bool pass = true;
	char *d = NULL;
	int rc = grade(&pass, &d, "[{\"answer\": {\"regex\": \"[\"}}]", "x",
		       NULL, NULL);
	assert_int_equal(rc, JOLT_EINPUT);
	assert_false(pass);
	assert_non_null(strstr(d, "invalid graders: "));
	free(d);
}

static void test_run_uses_task_grade(void **state)
{
	jolt_task task = {0};
	task.grade = J("[{\"answer\": {\"exact\": \"yes\"}}]");
	task.file = "tasks/t.yaml";
	jolt_grade_input in = {0};
	in.task = &task;
	in.answer = "yes";
	bool pass = false;
	char *d = NULL;
	assert_int_equal(jolt_grade_run(&pass, &d, &in), 0);
	assert_true(pass);
	free(d);
	in.answer = "no";
	assert_int_equal(jolt_grade_run(&pass, &d, &in), 0);
	assert_false(pass);
	free(d);
	json_decref(task.grade);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numbers_table),
	    cmocka_unit_test(test_numbers_max_and_null),
	    cmocka_unit_test(test_check_valid),
	    cmocka_unit_test(test_check_bad_regex),
	    cmocka_unit_test(test_check_unknown_key),
	    cmocka_unit_test(test_check_two_kinds),
	    cmocka_unit_test(test_check_other_errors),
	    cmocka_unit_test(test_check_positions),
	    cmocka_unit_test(test_answer_regex),
	    cmocka_unit_test(test_answer_exact),
	    cmocka_unit_test(test_answer_contains),
	    cmocka_unit_test(test_answer_number),
	    cmocka_unit_test(test_command),
	    cmocka_unit_test(test_command_output_tail),
	    cmocka_unit_test(test_command_timeout),
	    cmocka_unit_test(test_command_sandbox_fault),
	    cmocka_unit_test(test_file_exists),
	    cmocka_unit_test(test_file_equals_regex),
	    cmocka_unit_test(test_file_sha256),
	    cmocka_unit_test(test_calls_must),
	    cmocka_unit_test(test_calls_must_not),
	    cmocka_unit_test(test_no_calls),
	    cmocka_unit_test(test_detail_lists_all_failures),
	    cmocka_unit_test(test_run_rejects_invalid),
	    cmocka_unit_test(test_run_uses_task_grade),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
