/*
 * test_cli.c - option tables drive parsing; --model spec parsing.
 */
#include "test.h"

#include "model/backend.h"
#include "cli/cli.h"
#include "core/common.h"

struct o {
	jolt_strlist model;
	jolt_strlist axes;
	long n;
	double t;
	const char *out;
	int flag;
};

static const jolt_opt opts[] = {
	{"model", 'm', JOLT_OPT_MULTI, offsetof(struct o, model), "SPEC", "m"},
	{"axes", 0, JOLT_OPT_LIST, offsetof(struct o, axes), "A,B", "a"},
	{"n", 'n', JOLT_OPT_INT, offsetof(struct o, n), "N", "n"},
	{"t", 0, JOLT_OPT_DOUBLE, offsetof(struct o, t), "T", "t"},
	{"out", 'o', JOLT_OPT_STR, offsetof(struct o, out), "F", "o"},
	{"flag", 0, JOLT_OPT_FLAG, offsetof(struct o, flag), NULL, "f"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static const jolt_cmd_syntax syntax = {
	.usage = "ARG...", .opts = opts, .opts_size = sizeof(struct o),
	.min_args = 1, .max_args = 2,
};

static const jolt_cmd cmd = {.name = "x", .summary = "test", .syntax = &syntax};

static void test_parse(void **st)
{
	(void)st;
	char *argv[] = {"a", "--model", "sim:x,y", "-m", "sim:z", "--axes=tool,env",
			"--axes", "user", "-n", "5", "--t=0.5", "--flag", "-o", "f.db", "b"};
	struct o v;
	memset(&v, 0, sizeof(v));
	jolt_cli_args a;
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 15, argv), 0);
	assert_false(a.help);
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "a");
	assert_string_equal(a.pos[1], "b");
	assert_int_equal(v.model.n, 2);
	assert_string_equal(v.model.v[0], "sim:x,y");
	assert_int_equal(v.axes.n, 3);
	assert_string_equal(v.axes.v[2], "user");
	assert_int_equal(v.n, 5);
	assert_true(v.t == 0.5);
	assert_int_equal(v.flag, 1);
	assert_string_equal(v.out, "f.db");
	jolt_cli_args_release(&a);
	jolt_cli_release(&cmd, &v);
}

/* --help is not an error: it is reported apart, and nothing is left to
 * free or run. */
static void test_help(void **st)
{
	(void)st;
	struct o v;
	memset(&v, 0, sizeof(v));
	jolt_cli_args a;
	char *argv[] = {"a", "--help", "--nope"};
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	int rc = jolt_cli_parse(&a, &cmd, &v, 3, argv);
	fclose(stdout);
	stdout = saved;
	assert_int_equal(rc, 0);
	assert_true(a.help);
	assert_null(a.pos);
	assert_int_equal(a.npos, 0);
	jolt_cli_release(&cmd, &v);
}

static void test_errors(void **st)
{
	(void)st;
	struct o v;
	jolt_cli_args a;
	char *a1[] = {"a", "--nope"};
	memset(&v, 0, sizeof(v));
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 2, a1), JOLT_EUSAGE);
	char *a2[] = {"a", "-n", "five"};
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 3, a2), JOLT_EUSAGE);
	char *a3[] = {"a", "--out"};
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 2, a3), JOLT_EUSAGE);
	char *a4[] = {"--flag"};
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 1, a4), JOLT_EUSAGE);
	char *a5[] = {"a", "b", "c"};
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 3, a5), JOLT_EUSAGE);
	char *a6[] = {"a", "--flag=1"};
	assert_int_equal(jolt_cli_parse(&a, &cmd, &v, 2, a6), JOLT_EUSAGE);
	jolt_cli_release(&cmd, &v);
}

static void test_model_spec(void **st)
{
	(void)st;
	jolt_model_spec s;
	assert_int_equal(jolt_model_spec_parse(&s, "sim:brittle"), 0);
	assert_string_equal(s.provider, "sim");
	assert_string_equal(s.model, "brittle");
	assert_null(s.url);
	jolt_model_spec_release(&s);
	assert_int_equal(jolt_model_spec_parse(&s, "openai:sim:brittle@http://127.0.0.1:8080/v1"), 0);
	assert_string_equal(s.provider, "openai");
	assert_string_equal(s.model, "sim:brittle");
	assert_string_equal(s.url, "http://127.0.0.1:8080/v1");
	jolt_model_spec_release(&s);
	assert_int_equal(jolt_model_spec_parse(&s, "brittle"), JOLT_EUSAGE);
	assert_int_equal(jolt_model_spec_parse(&s, ":x"), JOLT_EUSAGE);
	assert_int_equal(jolt_model_spec_parse(&s, "sim:"), JOLT_EUSAGE);
	assert_int_equal(jolt_model_spec_parse(&s, "openai:@http://x"), JOLT_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_model_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
