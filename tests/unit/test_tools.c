/*
 * test_tools.c - tool calls: argument validation against the schema, each
 * builtin's success and error cases, the check hooks, and exec: tools in
 * the sandbox (arguments as environment variables, never as shell text).
 * Tools are built by hand here; loading them from YAML is suite.c's job.
 */
#include "test.h"

#include "core/common.h"
#include "core/buf.h"
#include "world/docindex.h"
#include "world/env.h"
#include "world/sandbox.h"
#include "world/tools.h"

#define SLOT 5

typedef struct fixture {
	char *wd;
	jolt_suite suite;
	jolt_tool_ctx ctx;
	jolt_tool tools[4];
	size_t ntools;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (jolt_workdir_create(&f->wd, NULL, NULL, "/tmp", SLOT))
		return -1;
	f->suite.exec_timeout_s = 10;
	f->ctx.suite = &f->suite;
	f->ctx.workdir = f->wd;
	f->ctx.slot = SLOT;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	for (size_t i = 0; i < f->ntools; i++) {
		json_decref(f->tools[i].parameters);
		json_decref(f->tools[i].run);
	}
	free(f->ctx.final_answer);
	jolt_workdir_remove(f->wd);
	free(f->wd);
	free(f);
	return 0;
}

static json_t *js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test json: %s: %s", text, e.text);
	return j;
}

/* A tool as the suite loader would build it. */
static jolt_tool *tool(fixture *f, const char *name, const char *params,
		       const char *run)
{
	assert_true(f->ntools < JOLT_ARRAY_LEN(f->tools));
	jolt_tool *t = &f->tools[f->ntools++];
	memset(t, 0, sizeof(*t));
	t->name = (char *)name;
	t->parameters = js(params);
	t->run = js(run);
	const char *b = json_string_value(json_object_get(t->run, "builtin"));
	if (b) {
		t->kind = JOLT_TOOL_BUILTIN;
		t->builtin = jolt_builtin_find(b);
		assert_non_null(t->builtin);
		assert_int_equal(t->builtin->check(t->run, &f->suite), 0);
	} else {
		t->kind = JOLT_TOOL_EXEC;
		t->exec =
		    (char *)json_string_value(json_object_get(t->run, "exec"));
	}
	return t;
}

/* Call and check the return code; the caller frees the text. */
static char *call(fixture *f, const jolt_tool *t, const char *args, int want)
{
	json_t *a = js(args);
	char *out = NULL;
	int rc = jolt_tool_call(&out, &f->ctx, t, a);
	json_decref(a);
	if (rc != want)
		fail_msg("%s %s: rc %d, want %d: %s", t->name, args, rc, want,
			 out ? out : jolt_err_msg());
	assert_non_null(out);
	return out;
}

static void expect(fixture *f, const jolt_tool *t, const char *args,
		   int want_rc, const char *want)
{
	char *out = call(f, t, args, want_rc);
	assert_string_equal(out, want);
	free(out);
}

static void expect_has(fixture *f, const jolt_tool *t, const char *args,
		       int want_rc, const char *part)
{
	char *out = call(f, t, args, want_rc);
	if (!strstr(out, part))
		fail_msg("%s %s: '%s' not in '%s'", t->name, args, part, out);
	free(out);
}

#define PATH_SCHEMA                                                            \
	"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":"             \
	"\"string\"},\"offset\":{\"type\":\"integer\"},\"limit\":{\"type\":"   \
	"\"integer\"}},\"required\":[\"path\"]}"

static void test_registry_and_checks(void **state)
{
	const char *names[] = {"read_file", "write_file", "list_dir", "grep",
			       "search",    "open",	  "table",    "submit"};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(names); i++) {
		const jolt_builtin *b = jolt_builtin_find(names[i]);
		assert_non_null(b);
		assert_string_equal(b->name, names[i]);
		assert_non_null(b->call);
	}
	size_t n = 0;
	while (jolt_builtins[n].name)
		n++;
	assert_int_equal(n, JOLT_ARRAY_LEN(names));
	assert_null(jolt_builtin_find("rm"));
	assert_null(jolt_builtin_find(NULL));

	struct {
		const char *builtin, *run;
		int rc;
	} cases[] = {
	    {"read_file", "{\"builtin\":\"read_file\"}", 0},
	    {"read_file", "{\"builtin\":\"read_file\",\"x\":1}", JOLT_EINPUT},
	    {"search", "{\"builtin\":\"search\",\"dir\":\"docs\"}", 0},
	    {"search", "{\"builtin\":\"search\"}", JOLT_EINPUT},
	    {"search", "{\"builtin\":\"search\",\"dir\":3}", JOLT_EINPUT},
	    {"search", "{\"builtin\":\"search\",\"dir\":\"d\",\"top\":0}",
	     JOLT_EINPUT},
	    {"open", "{\"builtin\":\"open\"}", JOLT_EINPUT},
	    {"table",
	     "{\"builtin\":\"table\",\"file\":\"p.csv\","
	     "\"key\":[\"a\"]}",
	     0},
	    {"table", "{\"builtin\":\"table\",\"file\":\"p.csv\"}",
	     JOLT_EINPUT},
	    {"table",
	     "{\"builtin\":\"table\",\"file\":\"p.csv\","
	     "\"key\":[]}",
	     JOLT_EINPUT},
	    {"table",
	     "{\"builtin\":\"table\",\"file\":\"p.csv\","
	     "\"key\":[1]}",
	     JOLT_EINPUT},
	    {"table", "{\"builtin\":\"table\",\"key\":[\"a\"]}", JOLT_EINPUT},
	};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(cases); i++) {
		json_t *run = js(cases[i].run);
		int rc = jolt_builtin_find(cases[i].builtin)->check(run, NULL);
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d", cases[i].run, rc);
		if (rc)
			assert_true(strlen(jolt_err_msg()) > 0);
		json_decref(run);
	}
}

static void test_validation(void **state)
{
	fixture *f = *state;
	test_write(f->wd, "a.txt", "abc\n");
	jolt_tool *t =
	    tool(f, "read_file", PATH_SCHEMA, "{\"builtin\":\"read_file\"}");
	expect(f, t, "{\"path\":\"a.txt\"}", 0, "abc\n");
	expect_has(f, t, "[\"a.txt\"]", JOLT_ETOOL, "must be a JSON object");
	expect_has(f, t, "{}", JOLT_ETOOL, "missing required argument 'path'");
	expect_has(f, t, "{\"path\":5}", JOLT_ETOOL,
		   "argument 'path' must be of type string, got an integer");
	expect_has(f, t, "{\"path\":\"a.txt\",\"mode\":1}", JOLT_ETOOL,
		   "unknown argument 'mode'");
	/* integer accepts integral reals only. */
	expect(f, t, "{\"path\":\"a.txt\",\"offset\":1.0}", 0, "abc\n");
	expect_has(f, t, "{\"path\":\"a.txt\",\"offset\":1.5}", JOLT_ETOOL,
		   "must be of type integer");

	jolt_tool *s = tool(f, "submit",
			    "{\"type\":\"object\",\"properties\":{\"answer\":"
			    "{\"type\":[\"number\",\"null\"]}},"
			    "\"required\":[\"answer\"]}",
			    "{\"builtin\":\"submit\"}");
	expect(f, s, "{\"answer\":3}", 0, "submitted"); /* number <- int */
	assert_string_equal(f->ctx.final_answer, "3");
	expect_has(f, s, "{\"answer\":\"x\"}", JOLT_ETOOL,
		   "must be of type [\"number\",\"null\"]");
}

static void test_read_file(void **state)
{
	fixture *f = *state;
	test_write(f->wd, "src/m.c", "l1\nl2\nl3\nl4\n");
	char p[1024];
	snprintf(p, sizeof(p), "%s/bin.dat", f->wd);
	FILE *fp = fopen(p, "wb");
	fwrite("ab\0cd", 1, 5, fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/etc", f->wd);
	assert_int_equal(symlink("/etc", p), 0);
	jolt_tool *t =
	    tool(f, "read_file", PATH_SCHEMA, "{\"builtin\":\"read_file\"}");
	expect(f, t, "{\"path\":\"src/m.c\"}", 0, "l1\nl2\nl3\nl4\n");
	expect(f, t, "{\"path\":\"src/m.c\",\"offset\":2,\"limit\":2}", 0,
	       "l2\nl3\n");
	expect(f, t, "{\"path\":\"src/m.c\",\"offset\":4}", 0, "l4\n");
	expect(f, t, "{\"path\":\"nope.c\"}", JOLT_ETOOL,
	       "file 'nope.c' not found");
	expect(f, t, "{\"path\":\"bin.dat\"}", JOLT_ETOOL,
	       "'bin.dat' is a binary file");
	expect_has(f, t, "{\"path\":\"src\"}", JOLT_ETOOL, "is a directory");
	expect(f, t, "{\"path\":\"../x\"}", JOLT_ETOOL,
	       "path '../x' is outside the working directory");
	expect_has(f, t, "{\"path\":\"/etc/passwd\"}", JOLT_ETOOL, "absolute");
	expect_has(f, t, "{\"path\":\"etc/passwd\"}", JOLT_ETOOL, "outside");

	/* Big files are capped with a note. */
	char *big = malloc(JOLT_TOOL_OUTPUT_CAP * 2 + 1);
	memset(big, 'x', JOLT_TOOL_OUTPUT_CAP * 2);
	big[JOLT_TOOL_OUTPUT_CAP * 2] = '\0';
	test_write(f->wd, "big.txt", big);
	free(big);
	char *out = call(f, t, "{\"path\":\"big.txt\"}", 0);
	char note[64];
	snprintf(note, sizeof(note), "\n[output truncated at %d bytes]",
		 JOLT_TOOL_OUTPUT_CAP);
	assert_int_equal(strlen(out), JOLT_TOOL_OUTPUT_CAP + strlen(note));
	assert_string_equal(out + JOLT_TOOL_OUTPUT_CAP, note);
	free(out);
}

static void test_write_file(void **state)
{
	fixture *f = *state;
	jolt_tool *t = tool(f, "write_file",
			    "{\"type\":\"object\",\"properties\":{\"path\":"
			    "{\"type\":\"string\"},\"content\":{\"type\":"
			    "\"string\"}},\"required\":[\"path\",\"content\"]}",
			    "{\"builtin\":\"write_file\"}");
	expect(f, t, "{\"path\":\"new/dir/f.txt\",\"content\":\"hello\"}", 0,
	       "wrote 5 bytes to new/dir/f.txt");
	char p[1024];
	snprintf(p, sizeof(p), "%s/new/dir/f.txt", f->wd);
	FILE *fp = fopen(p, "r");
	assert_non_null(fp);
	char buf[32] = "";
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "hello");
	if (geteuid() == 0) {
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_uid, (int)jolt_sandbox_uid(SLOT));
		snprintf(p, sizeof(p), "%s/new/dir", f->wd);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_uid, (int)jolt_sandbox_uid(SLOT));
	}
	/* Overwrite truncates. */
	expect(f, t, "{\"path\":\"new/dir/f.txt\",\"content\":\"hi\"}", 0,
	       "wrote 2 bytes to new/dir/f.txt");
	jolt_tool *r =
	    tool(f, "read_file", PATH_SCHEMA, "{\"builtin\":\"read_file\"}");
	expect(f, r, "{\"path\":\"new/dir/f.txt\"}", 0, "hi");

	unlink("/tmp/jolt-tools-escape");
	expect_has(f, t,
		   "{\"path\":\"../jolt-tools-escape\",\"content\":\"x\"}",
		   JOLT_ETOOL, "outside the working directory");
	assert_int_equal(access("/tmp/jolt-tools-escape", F_OK), -1);
	snprintf(p, sizeof(p), "%s/esc", f->wd);
	assert_int_equal(symlink("/tmp", p), 0);
	expect_has(f, t,
		   "{\"path\":\"esc/jolt-tools-escape\",\"content\":\"x\"}",
		   JOLT_ETOOL, "outside");
	assert_int_equal(access("/tmp/jolt-tools-escape", F_OK), -1);
	expect_has(f, t, "{\"path\":\"new\",\"content\":\"x\"}", JOLT_ETOOL,
		   "is a directory");
	expect_has(f, t, "{\"path\":\"a\"}", JOLT_ETOOL,
		   "missing required argument 'content'");
}

static void test_list_dir(void **state)
{
	fixture *f = *state;
	test_write(f->wd, "b.txt", "");
	test_write(f->wd, "a/x", "");
	test_write(f->wd, "C.md", "");
	jolt_tool *t = tool(f, "list_dir",
			    "{\"type\":\"object\",\"properties\":{\"path\":"
			    "{\"type\":\"string\"}}}",
			    "{\"builtin\":\"list_dir\"}");
	expect(f, t, "{}", 0, "C.md\na/\nb.txt\n");
	expect(f, t, "{\"path\":\"a\"}", 0, "x\n");
	expect(f, t, "{\"path\":\"./a/../a\"}", 0, "x\n");
	expect(f, t, "{\"path\":\"b.txt\"}", JOLT_ETOOL,
	       "'b.txt' is not a directory");
	expect(f, t, "{\"path\":\"zz\"}", JOLT_ETOOL,
	       "directory 'zz' not found");
	expect_has(f, t, "{\"path\":\"..\"}", JOLT_ETOOL, "outside");
}

static void test_grep(void **state)
{
	fixture *f = *state;
	test_write(f->wd, "src/b.c",
		   "int main(void)\n{\n\treturn foo(1);\n}\n");
	test_write(f->wd, "src/a.c", "int foo(int x)\n{\n\treturn x;\n}\n");
	test_write(f->wd, ".git/config", "foo = bar\n");
	test_write(f->wd, "README", "no match here\nfoo at line 2\n");
	char p[1024];
	snprintf(p, sizeof(p), "%s/bin.o", f->wd);
	FILE *fp = fopen(p, "wb");
	fwrite("foo\0foo", 1, 7, fp);
	fclose(fp);
	jolt_tool *t = tool(f, "grep",
			    "{\"type\":\"object\",\"properties\":{\"pattern\":"
			    "{\"type\":\"string\"},\"path\":{\"type\":"
			    "\"string\"}},\"required\":[\"pattern\"]}",
			    "{\"builtin\":\"grep\"}");
	expect(f, t, "{\"pattern\":\"foo\\\\(\"}", 0,
	       "src/a.c:1:int foo(int x)\nsrc/b.c:3:\treturn foo(1);\n");
	expect(f, t, "{\"pattern\":\"foo\"}", 0,
	       "README:2:foo at line 2\nsrc/a.c:1:int foo(int x)\n"
	       "src/b.c:3:\treturn foo(1);\n");
	expect(f, t, "{\"pattern\":\"^int\",\"path\":\"src\"}", 0,
	       "src/a.c:1:int foo(int x)\nsrc/b.c:1:int main(void)\n");
	expect(f, t, "{\"pattern\":\"return\",\"path\":\"src/b.c\"}", 0,
	       "src/b.c:3:\treturn foo(1);\n");
	expect(f, t, "{\"pattern\":\"zzz\"}", 0, "no matches\n");
	expect(f, t, "{\"pattern\":\"foo(\"}", JOLT_ETOOL,
	       "bad pattern: missing closing parenthesis at offset 4");
	expect_has(f, t, "{\"pattern\":\"x\",\"path\":\"../..\"}", JOLT_ETOOL,
		   "outside");
	expect_has(f, t, "{\"pattern\":\"x\",\"path\":\"nope\"}", JOLT_ETOOL,
		   "not found");

	/* More than 200 matches: the first 200 and a note. */
	char *many = malloc(300 * 4 + 1);
	for (int i = 0; i < 300; i++)
		memcpy(many + i * 4, "hit\n", 4);
	many[1200] = '\0';
	test_write(f->wd, "many/m.txt", many);
	free(many);
	char *out = call(f, t, "{\"pattern\":\"hit\",\"path\":\"many\"}", 0);
	size_t lines = 0;
	for (char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 201);
	assert_non_null(strstr(out, "many/m.txt:200:hit\n[more than 200"));
	assert_null(strstr(out, "m.txt:201:"));
	free(out);
}

static void corpus(fixture *f)
{
	test_write(f->wd, "docs/alpha.txt",
		   "Alpha Mountain\nAlpha mountain is the highest peak in the "
		   "region, a mountain climbed first in 1901.\n");
	test_write(f->wd, "docs/beta.txt",
		   "Beta River\nThe beta river flows past the mountain town "
		   "of Gamma and into the sea.\n");
	test_write(f->wd, "docs/gamma.txt",
		   "Gamma Town\nGamma is a small town on the beta river; its "
		   "museum holds river maps.\n");
}

#define SEARCH_SCHEMA                                                          \
	"{\"type\":\"object\",\"properties\":{\"query\":"                 \
	"{\"type\":\"string\"}},\"required\":[\"query\"]}"

/* The search suite's corpus and queries (the oracles' own among them):
 * the indexed search prints what the scan before the index printed,
 * tests/golden/search/expected.txt, byte for byte, on a cold index and on
 * a warm one. */
static void test_search_index_matches_scan(void **state)
{
	fixture *f = *state;
	jolt_tool *t = tool(f, "search", SEARCH_SCHEMA,
			    "{\"builtin\":\"search\",\"dir\":\"docs\","
			    "\"top\":5}");
	char *env = realpath("suites/search/env", NULL);
	assert_non_null(env);
	const char *wd = f->ctx.workdir;
	f->ctx.workdir = env;
	jolt_buf want, got;
	jolt_buf_init(&want, 0);
	assert_int_equal(
	    jolt_buf_read_file(&want, "tests/golden/search/expected.txt"), 0);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			jolt_docindex_clear();
		FILE *q = fopen("tests/golden/search/queries.txt", "r");
		assert_non_null(q);
		char line[512];
		int n = 0;
		jolt_buf_init(&got, 0);
		while (fgets(line, sizeof(line), q)) {
			line[strcspn(line, "\n")] = '\0';
			json_t *a = json_pack("{s:s}", "query", line);
			char *out = NULL;
			assert_int_equal(jolt_tool_call(&out, &f->ctx, t, a), 0);
			jolt_buf_addf(&got, "== %s\n%s\n", line, out);
			free(out);
			json_decref(a);
			n++;
		}
		fclose(q);
		assert_true(n >= 40);
		assert_string_equal(jolt_buf_cstr(&got), jolt_buf_cstr(&want));
		jolt_buf_release(&got);
	}
	jolt_buf_release(&want);
	f->ctx.workdir = wd;
	free(env);
}

/* A document edited in the working copy is searched as it now reads, even
 * when the edit keeps its size and lands within the same clock tick. */
static void test_search_sees_edits(void **state)
{
	fixture *f = *state;
	corpus(f);
	jolt_tool *t = tool(f, "search", SEARCH_SCHEMA,
			    "{\"builtin\":\"search\",\"dir\":\"docs\"}");
	expect(f, t, "{\"query\":\"volcano\"}", 0, "no results");
	char *out = call(f, t, "{\"query\":\"museum\"}", 0);
	assert_int_equal(strncmp(out, "gamma.txt\t", 10), 0);
	free(out);
	/* Same length: "museum" becomes "volcan", "maps" "lava". */
	test_write(f->wd, "docs/gamma.txt",
		   "Gamma Town\nGamma is a small town on the beta river; its "
		   "volcan holds river lava.\n");
	expect(f, t, "{\"query\":\"museum\"}", 0, "no results");
	out = call(f, t, "{\"query\":\"volcan lava\"}", 0);
	assert_int_equal(strncmp(out, "gamma.txt\t", 10), 0);
	free(out);
	/* Another copy of the same corpus, as another trial has it: its own
	 * edit, while the first copy keeps its own. */
	test_write(f->wd, "docs3/gamma.txt",
		   "Gamma Town\nGamma is a small town on the beta river; its "
		   "museum holds river maps.\n");
	json_object_set_new(t->run, "dir", json_string("docs3"));
	out = call(f, t, "{\"query\":\"museum\"}", 0);
	assert_int_equal(strncmp(out, "gamma.txt\t", 10), 0);
	free(out);
	json_object_set_new(t->run, "dir", json_string("docs"));
	expect(f, t, "{\"query\":\"museum\"}", 0, "no results");
	/* A document removed is gone. */
	char *gone = jolt_xasprintf("%s/docs/gamma.txt", f->wd);
	assert_int_equal(unlink(gone), 0);
	free(gone);
	expect(f, t, "{\"query\":\"volcan\"}", 0, "no results");
}

static void test_search_and_open(void **state)
{
	fixture *f = *state;
	corpus(f);
	const char *qs = "{\"type\":\"object\",\"properties\":{\"query\":"
			 "{\"type\":\"string\"}},\"required\":[\"query\"]}";
	jolt_tool *t =
	    tool(f, "search", qs, "{\"builtin\":\"search\",\"dir\":\"docs\"}");
	char *out = call(f, t, "{\"query\":\"Mountain\"}", 0);
	/* alpha says mountain three times, beta once; gamma not at all. */
	assert_int_equal(strncmp(out, "alpha.txt\tAlpha Mountain\t", 25), 0);
	char *second = strchr(out, '\n');
	assert_non_null(second);
	assert_int_equal(strncmp(second + 1, "beta.txt\tBeta River\t", 20), 0);
	assert_non_null(strstr(second, "mountain town"));
	assert_null(strstr(out, "gamma.txt"));
	free(out);

	out = call(f, t, "{\"query\":\"river museum\"}", 0);
	assert_int_equal(strncmp(out, "gamma.txt\t", 10), 0);
	assert_non_null(strstr(out, "\nbeta.txt\t"));
	free(out);

	expect(f, t, "{\"query\":\"volcano\"}", 0, "no results");
	expect(f, t, "{\"query\":\"...\"}", 0, "no results");

	/* Ties are broken by id; `top` limits the hits. */
	jolt_tool *t1 = tool(f, "search1", qs,
			     "{\"builtin\":\"search\",\"dir\":\"docs\","
			     "\"top\":1}");
	test_write(f->wd, "docs2/b.txt", "B\nsame words\n");
	test_write(f->wd, "docs2/a.txt", "A\nsame words\n");
	json_object_set_new(t1->run, "dir", json_string("docs2"));
	out = call(f, t1, "{\"query\":\"same\"}", 0);
	assert_string_equal(out, "a.txt\tA\tsame words\n");
	free(out);

	jolt_tool *o = tool(f, "open",
			    "{\"type\":\"object\",\"properties\":{\"id\":"
			    "{\"type\":\"string\"}},\"required\":[\"id\"]}",
			    "{\"builtin\":\"open\",\"dir\":\"docs\"}");
	out = call(f, o, "{\"id\":\"gamma.txt\"}", 0);
	assert_int_equal(strncmp(out, "Gamma Town\nGamma is a small", 27), 0);
	free(out);
	expect(f, o, "{\"id\":\"delta.txt\"}", JOLT_ETOOL,
	       "no document with id 'delta.txt'");
	expect(f, o, "{\"id\":\"../docs2/a.txt\"}", JOLT_ETOOL,
	       "no document with id '../docs2/a.txt'");
}

static void test_table(void **state)
{
	fixture *f = *state;
	test_write(f->wd, "data/prices.csv",
		   "ticker,date,close,note\r\n"
		   "ACME,2024-03-15,41.27,\"quiet, flat\"\r\n"
		   "ACME,2024-03-14,40.10,\"said \"\"hi\"\"\"\r\n"
		   "BOLT,2024-03-15,7.5,\"multi\nline\"\r\n");
	const char *schema =
	    "{\"type\":\"object\",\"properties\":{\"ticker\":{\"type\":"
	    "\"string\"},\"date\":{\"type\":\"string\"}},"
	    "\"required\":[\"ticker\",\"date\"]}";
	jolt_tool *t = tool(f, "get_price", schema,
			    "{\"builtin\":\"table\",\"file\":"
			    "\"data/prices.csv\",\"key\":[\"ticker\","
			    "\"date\"]}");
	expect(f, t, "{\"ticker\":\"ACME\",\"date\":\"2024-03-15\"}", 0,
	       "{\"ticker\":\"ACME\",\"date\":\"2024-03-15\",\"close\":"
	       "\"41.27\",\"note\":\"quiet, flat\"}\n");
	expect(f, t, "{\"ticker\":\"ACME\",\"date\":\"2024-03-14\"}", 0,
	       "{\"ticker\":\"ACME\",\"date\":\"2024-03-14\",\"close\":"
	       "\"40.10\",\"note\":\"said \\\"hi\\\"\"}\n");
	expect(f, t, "{\"ticker\":\"BOLT\",\"date\":\"2024-03-15\"}", 0,
	       "{\"ticker\":\"BOLT\",\"date\":\"2024-03-15\",\"close\":"
	       "\"7.5\",\"note\":\"multi\\nline\"}\n");
	expect(f, t, "{\"ticker\":\"ACME\",\"date\":\"2024-03-16\"}",
	       JOLT_ETOOL, "no row with ticker=ACME, date=2024-03-16");

	/* A ';'-delimited file (an env perturbation) still loads. */
	test_write(f->wd, "data/semi.csv",
		   "\xEF\xBB\xBFticker;close\nACME;41,27\n");
	jolt_tool *ts =
	    tool(f, "semi",
		 "{\"type\":\"object\",\"properties\":{\"ticker\":"
		 "{\"type\":\"string\"}}}",
		 "{\"builtin\":\"table\",\"file\":\"data/semi.csv\","
		 "\"key\":[\"ticker\"]}");
	expect(f, ts, "{\"ticker\":\"ACME\"}", 0,
	       "{\"ticker\":\"ACME\",\"close\":\"41,27\"}\n");

	/* JSON rows; numbers compare by their canonical text. */
	test_write(f->wd, "data/filings.json",
		   "[{\"cik\":1001,\"year\":2023,\"revenue\":12.5},"
		   "{\"cik\":1001,\"year\":2024,\"revenue\":14.25},"
		   "{\"cik\":1002,\"year\":2024,\"revenue\":3}]");
	jolt_tool *tj =
	    tool(f, "filings",
		 "{\"type\":\"object\",\"properties\":{\"cik\":"
		 "{\"type\":\"integer\"},\"year\":{\"type\":"
		 "\"integer\"}},\"required\":[\"cik\",\"year\"]}",
		 "{\"builtin\":\"table\",\"file\":"
		 "\"data/filings.json\",\"key\":[\"cik\",\"year\"]}");
	expect(f, tj, "{\"cik\":1001,\"year\":2024}", 0,
	       "{\"cik\":1001,\"year\":2024,\"revenue\":14.25}\n");
	expect(f, tj, "{\"cik\":1002,\"year\":2024.0}", 0,
	       "{\"cik\":1002,\"year\":2024,\"revenue\":3}\n");
	expect(f, tj, "{\"cik\":1003,\"year\":2024}", JOLT_ETOOL,
	       "no row with cik=1003, year=2024");

	/* Missing data file and broken JSON are tool errors. */
	test_write(f->wd, "data/bad.json", "{\"not\": \"an array\"}");
	json_object_set_new(tj->run, "file", json_string("data/bad.json"));
	expect_has(f, tj, "{\"cik\":1,\"year\":1}", JOLT_ETOOL,
		   "not a JSON array");
	json_object_set_new(tj->run, "file", json_string("data/none.json"));
	expect_has(f, tj, "{\"cik\":1,\"year\":1}", JOLT_ETOOL, "not found");
	test_write(f->wd, "data/broken.csv", "a,b\n\"open,1\n");
	json_object_set_new(tj->run, "file", json_string("data/broken.csv"));
	expect_has(f, tj, "{\"cik\":1,\"year\":1}", JOLT_ETOOL,
		   "unterminated quoted field");
}

static void test_submit(void **state)
{
	fixture *f = *state;
	jolt_tool *t = tool(f, "submit",
			    "{\"type\":\"object\",\"properties\":{\"answer\":"
			    "{\"type\":\"string\"}},\"required\":[\"answer\"]}",
			    "{\"builtin\":\"submit\"}");
	assert_false(f->ctx.submitted);
	expect(f, t, "{\"answer\":\"41.27\"}", 0, "submitted");
	assert_true(f->ctx.submitted);
	assert_string_equal(f->ctx.final_answer, "41.27");
	expect(f, t, "{\"answer\":\"42\"}", 0, "submitted");
	assert_string_equal(f->ctx.final_answer, "42");
	expect_has(f, t, "{}", JOLT_ETOOL, "missing required argument");
}

static void test_exec(void **state)
{
	fixture *f = *state;
	test_write(f->wd, "keep.txt", "still here\n");
	jolt_tool *t =
	    tool(f, "echo_args",
		 "{\"type\":\"object\",\"properties\":{\"name\":"
		 "{\"type\":\"string\"},\"n\":{\"type\":"
		 "\"integer\"},\"opt-flag\":{\"type\":\"boolean\"}}}",
		 "{\"exec\":\"printf '%s|%s|%s|%s' \\\"$ARG_NAME\\\" "
		 "\\\"$ARG_N\\\" \\\"$ARG_OPT_FLAG\\\" "
		 "\\\"$JOLT_ARGS\\\"\"}");
	expect(f, t,
	       "{\"name\":\"x; rm -rf keep.txt; echo pwned\",\"n\":42,"
	       "\"opt-flag\":true}",
	       0,
	       "x; rm -rf keep.txt; echo pwned|42|true|{\"name\":\"x; rm -rf "
	       "keep.txt; echo pwned\",\"n\":42,\"opt-flag\":true}");
	char p[1024];
	snprintf(p, sizeof(p), "%s/keep.txt", f->wd);
	assert_int_equal(access(p, F_OK), 0);
	expect(f, t, "{\"name\":\"$(touch pwned)`touch pwned2`\"}", 0,
	       "$(touch pwned)`touch pwned2`|||{\"name\":\"$(touch "
	       "pwned)`touch pwned2`\"}");
	snprintf(p, sizeof(p), "%s/pwned", f->wd);
	assert_int_equal(access(p, F_OK), -1);

	jolt_tool *fail = tool(f, "fails", "{\"type\":\"object\"}",
			       "{\"exec\":\"echo broken; exit 3\"}");
	expect(f, fail, "{}", JOLT_ETOOL, "exit status 3\nbroken\n");

	jolt_tool *slow =
	    tool(f, "slow", "{\"type\":\"object\"}", "{\"exec\":\"sleep 30\"}");
	slow->timeout_s = 1;
	int64_t t0 = jolt_now_ms();
	expect(f, slow, "{}", JOLT_ETOOL, "timed out after 1 s");
	assert_true(jolt_now_ms() - t0 < 2500);

	jolt_tool *flood = tool(f, "flood", "{\"type\":\"object\"}",
				"{\"exec\":\"head -c 200000 /dev/zero | tr "
				"'\\\\0' y\"}");
	char *out = call(f, flood, "{}", 0);
	char note[64];
	snprintf(note, sizeof(note), "\n[output truncated at %d bytes]",
		 JOLT_TOOL_OUTPUT_CAP);
	assert_int_equal(strlen(out), JOLT_TOOL_OUTPUT_CAP + strlen(note));
	assert_string_equal(out + JOLT_TOOL_OUTPUT_CAP, note);
	free(out);

	/* The sandbox itself failing is not a tool error. */
	char *saved = f->wd;
	f->ctx.workdir = "/nonexistent/jolt-wd-gone";
	json_t *a = json_object();
	out = (char *)1;
	assert_int_equal(jolt_tool_call(&out, &f->ctx, fail, a), JOLT_ESANDBOX);
	assert_null(out);
	json_decref(a);
	f->ctx.workdir = saved;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_registry_and_checks),
	    T(test_validation),
	    T(test_read_file),
	    T(test_write_file),
	    T(test_list_dir),
	    T(test_grep),
	    T(test_search_and_open),
	    T(test_search_index_matches_scan),
	    T(test_search_sees_edits),
	    T(test_table),
	    T(test_submit),
	    T(test_exec),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
