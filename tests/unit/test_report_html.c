/*
 * test_report_html.c - the HTML report on a known database whose names,
 * details and traces are hostile markup: nothing reaches the page
 * unescaped, the one script is the one the Content-Security-Policy admits,
 * the charts carry the known drops, the index parses and pairs each trial
 * with its baseline, and every trace inflates back from its chunk byte for
 * byte. Also: a report without a trace source, what each trial is
 * compared with, and the escapers.
 */
#include <jansson.h>
#include <zlib.h>

#include "test.h"

#include "core/common.h"
#include "core/sha256.h"
#include "core/trial.h"
#include "reports/report.h"
#include "reports/report_html.h"
#include "run/report_load.h"
#include "run/store.h"

#define EVIL "</script><img src=x onerror=alert(1)>"

static jolt_suite suite = {.name = "starter"};
static jolt_task tasks[] = {{.id = "t1"}, {.id = "t2"}};

/* Put one trial whose trace holds hostile text (op NULL: baseline). */
static void put(jolt_store *st, const char *model, const jolt_task *task,
		const char *op, int repeat, enum jolt_outcome o)
{
	char *variant = op ? jolt_xasprintf("%s/tool.%s@1#7", task->id, op)
			   : jolt_xstrdup("baseline");
	jolt_trial t = {
	    .model = model,
	    .scaffold = "native",
	    .suite = &suite,
	    .task = task,
	    .variant = variant,
	    .axis = op ? "tool" : "baseline",
	    .op = op ? op : "",
	    .level = op ? 1 : 0,
	    .vseed = op ? 7 : 0,
	    .repeat = repeat,
	};
	jolt_trial_result r = {
	    .outcome = o,
	    .error_class =
		o == JOLT_OUTCOME_PASS ? JOLT_EC_NONE : JOLT_EC_GRADED_FAIL,
	    .reward = o == JOLT_OUTCOME_PASS,
	    .steps = 1,
	    .detail = jolt_xstrdup("expected 42 " EVIL "\nsecond line"),
	    .trace = json_pack(
		"{s:[{s:s, s:s}, {s:s, s:s, s:s, s:[{s:s, s:s, s:{s:s}}]}, "
		"{s:s, s:s, s:s, s:s}], s:[{s:s, s:i, s:i}], s:s, s:s?}",
		"messages", "role", "user", "content", "find " EVIL, "role",
		"assistant", "content", op ? "gave up \xe2\x80\xa8" EVIL : "ok",
		"thinking", "think " EVIL, "tool_calls", "id", "c0", "name",
		"search", "arguments", "q", EVIL, "role", "tool", "name",
		"search", "tool_call_id", "c0", "content", "result " EVIL,
		"events", "kind", "model", "step", 1, "latency_ms", 12,
		"answer", EVIL, "changed", op ? "renamed " EVIL : NULL),
	};
	assert_non_null(r.trace);
	t.key = jolt_trial_key(&t);
	assert_int_equal(jolt_store_put_trial(st, 1, &t, &r), 0);
	free(t.key);
	free(variant);
	jolt_trial_result_release(&r);
}

/* Model EVIL (hostile name), tasks t1 t2, 2 repeats: every baseline
 * passes; tool.rename@1 fails t1 twice and t2 once: drop at tool level 1
 * = mean of 1 and 0.5 = 75%. */
static char *make_db(const char *dir)
{
	char *path = jolt_xasprintf("%s/h.db", dir);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	for (int r = 0; r < 2; r++) {
		put(st, "m" EVIL, &tasks[0], NULL, r, JOLT_OUTCOME_PASS);
		put(st, "m" EVIL, &tasks[1], NULL, r, JOLT_OUTCOME_PASS);
		put(st, "m" EVIL, &tasks[0], "rename", r, JOLT_OUTCOME_FAIL);
		put(st, "m" EVIL, &tasks[1], "rename", r,
		    r == 0 ? JOLT_OUTCOME_PASS : JOLT_OUTCOME_FAIL);
	}
	jolt_store_close(st);
	return path;
}

static char *render(const jolt_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(jolt_report_write(r, "html", f), 0);
	fclose(f);
	return text;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* The text between `open` and the next "</script>" (caller frees). */
static char *between(const char *s, const char *open)
{
	const char *a = strstr(s, open);
	assert_non_null(a);
	a += strlen(open);
	const char *b = strstr(a, "</script>");
	assert_non_null(b);
	return strndup(a, (size_t)(b - a));
}

static unsigned char *unbase64(const char *s, size_t *out_len)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
				     "klmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), o = 0;
	unsigned char *out = malloc(n);
	uint32_t v = 0;
	int bits = 0;
	assert_non_null(out);
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *d = strchr(digits, s[i]);
		assert_non_null(d);
		v = v << 6 | (uint32_t)(d - digits);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	*out_len = o;
	return out;
}

/* Chunk n of the page, inflated (caller frees). */
static char *inflate_chunk(const char *page, long n, size_t *len)
{
	char open[64];
	snprintf(open, sizeof(open),
		 "<script type=\"application/octet-stream\" id=\"jolt-c%ld\">",
		 n);
	char *b64 = between(page, open);
	size_t zlen;
	unsigned char *z = unbase64(b64, &zlen);
	uLongf cap = 1 << 24;
	char *raw = malloc(cap + 1);
	assert_non_null(raw);
	assert_int_equal(uncompress((Bytef *)raw, &cap, z, zlen), Z_OK);
	raw[cap] = '\0';
	*len = cap;
	free(z);
	free(b64);
	return raw;
}

static void test_page(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_db(dir);
	const char *dbs[] = {path};
	jolt_report *r;
	assert_int_equal(jolt_report_load(&r, dbs, 1), 0);
	char *page = render(r);

	/* Nothing hostile got through as markup. */
	assert_null(strstr(page, "<img"));
	assert_null(strstr(page, "onerror=alert(1)>"));
	assert_int_equal(count(page, "<script"), count(page, "</script>"));
	assert_int_equal(count(page, "<script>"), 1);
	assert_non_null(strstr(page, "m&lt;/script&gt;&lt;img src=x "
				     "onerror=alert(1)&gt;"));
	assert_int_equal(strncmp(page, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(page, "</body></html>\n"));

	/* The policy admits exactly the page's script. */
	char *js = between(page, "<script>");
	assert_string_equal(js, jolt_html_js);
	char *b64 = between(page, "script-src 'sha256-");
	*strchr(b64, '\'') = '\0';
	size_t dlen;
	unsigned char *digest = unbase64(b64, &dlen);
	assert_int_equal(dlen, 32);
	char hex[65], got[65];
	jolt_sha256_hex(hex, js, strlen(js));
	for (int i = 0; i < 32; i++)
		snprintf(got + 2 * i, 3, "%02x", digest[i]);
	assert_string_equal(got, hex);
	assert_non_null(strstr(page, "default-src 'none'"));

	/* The charts, with the known drop at tool level 1. */
	const char *ids[] = {"id=\"leaderboard\"",   "id=\"chart-drops\"",
			     "id=\"chart-heatmap\"", "id=\"chart-level-tool\"",
			     "id=\"passk\"",	     "id=\"viewer\""};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_non_null(strstr(page, ids[i]));
	assert_non_null(strstr(page, "tool level 1: drop 75.0%"));
	assert_non_null(strstr(page, "tool: drop 75.0%"));
	assert_non_null(strstr(page, "k=2: pass^k 100.0%"));
	/* The noise floor: both repeats of every baseline pass. */
	assert_non_null(strstr(page, "<th>noise floor</th>"));
	assert_non_null(strstr(page, "break rate 75.0% against a noise "
				     "floor of 0.0% between repeats"));

	/* The index parses; every trace comes back byte for byte. */
	char *index = between(page, "id=\"jolt-index\">");
	assert_null(strchr(index, '<'));
	json_error_t jerr;
	json_t *ix = json_loads(index, 0, &jerr);
	assert_non_null(ix);
	assert_true(json_is_true(json_object_get(ix, "traces")));
	json_t *strings = json_object_get(ix, "strings");
	json_t *trials = json_object_get(ix, "trials");
	assert_int_equal(json_array_size(trials), r->ntrials);
	jolt_store *st;
	assert_int_equal(jolt_store_open_ro(&st, path), 0);
	size_t broke = 0;
	for (size_t i = 0; i < r->ntrials; i++) {
		json_t *t = json_array_get(trials, i);
		const jolt_trial_row *row = &r->trials[i];
		assert_string_equal(
		    json_string_value(json_array_get(
			strings, json_integer_value(json_array_get(t, 1)))),
		    row->model);
		assert_string_equal(json_string_value(json_array_get(t, 20)),
				    "expected 42 " EVIL "\xe2\x80\xa6");
		long base = (long)json_integer_value(json_array_get(t, 16));
		if (strcmp(row->axis, "baseline") == 0) {
			assert_int_equal(base, -1);
		} else {
			assert_true(base >= 0);
			const jolt_trial_row *b = &r->trials[base];
			assert_string_equal(b->axis, "baseline");
			assert_string_equal(b->task, row->task);
			assert_int_equal(b->repeat, row->repeat);
			broke += row->outcome == JOLT_OUTCOME_FAIL;
		}
		long chunk = (long)json_integer_value(json_array_get(t, 17));
		long off = (long)json_integer_value(json_array_get(t, 18));
		long len = (long)json_integer_value(json_array_get(t, 19));
		size_t rawlen;
		char *raw = inflate_chunk(page, chunk, &rawlen);
		char *want;
		assert_int_equal(jolt_store_trace_text(st, row->id, &want), 0);
		assert_int_equal(len, (long)strlen(want));
		assert_true((size_t)(off + len) <= rawlen);
		assert_memory_equal(raw + off, want, (size_t)len);
		assert_non_null(strstr(want, EVIL));
		free(want);
		free(raw);
	}
	assert_int_equal(broke, 3);
	jolt_store_close(st);
	json_decref(ix);
	free(index);
	free(digest);
	free(b64);
	free(js);
	free(page);
	jolt_report_free(r);
	free(path);
	free(dir);
}

/* Rows without a trace source: the page says so and has no chunks. */
static void test_no_traces(void **state)
{
	const char *src[] = {"rows"};
	jolt_report *r;
	jolt_trial_row row = {
	    .key = "k",
	    .model = "A",
	    .scaffold = "native",
	    .suite = "s",
	    .task = "t",
	    .variant = "baseline",
	    .axis = "baseline",
	    .op = "",
	    .outcome = JOLT_OUTCOME_PASS,
	    .error_class = "",
	};
	assert_int_equal(jolt_report_new(&r, src, 1), 0);
	assert_int_equal(jolt_report_add(r, 0, &row), 0);
	assert_int_equal(jolt_report_finish(r), 0);
	char *page = render(r);
	assert_non_null(strstr(page, "\"chunks\":0,\"traces\":false"));
	assert_null(strstr(page, "jolt-c0"));
	assert_non_null(strstr(page, "No perturbed trials."));
	assert_non_null(strstr(page, "No paired perturbed trials."));
	assert_non_null(strstr(page, "Needs repeats"));
	free(page);
	jolt_report_free(r);
}

/* What each trial is compared with: a perturbed trial its own scaffold's
 * baseline, a non-native baseline the native one, the first graded in
 * load order. */
static void test_pairing(void **state)
{
	const char *src[] = {"rows"};
	static const struct {
		const char *scaffold, *axis;
		enum jolt_outcome outcome;
		long base;
	} rows[] = {
	    {"native", "baseline", JOLT_OUTCOME_INFRA, -1},
	    {"native", "baseline", JOLT_OUTCOME_PASS, -1},
	    {"xml", "baseline", JOLT_OUTCOME_FAIL, 1},
	    {"xml", "tool", JOLT_OUTCOME_FAIL, 2},
	    {"native", "tool", JOLT_OUTCOME_PASS, 1},
	};
	jolt_report *r;
	assert_int_equal(jolt_report_new(&r, src, 1), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%zu", i);
		jolt_trial_row row = {
		    .key = key,
		    .model = "A",
		    .scaffold = rows[i].scaffold,
		    .suite = "s",
		    .task = "t",
		    .variant = strcmp(rows[i].axis, "tool") ? "baseline"
							    : "t/tool.x@1#1",
		    .axis = rows[i].axis,
		    .op = strcmp(rows[i].axis, "tool") ? "" : "x",
		    .level = strcmp(rows[i].axis, "tool") ? 0 : 1,
		    .outcome = rows[i].outcome,
		    .error_class = "",
		};
		assert_int_equal(jolt_report_add(r, 0, &row), 0);
	}
	assert_int_equal(jolt_report_finish(r), 0);
	char *page = render(r);
	char *index = between(page, "id=\"jolt-index\">");
	json_error_t jerr;
	json_t *ix = json_loads(index, 0, &jerr);
	assert_non_null(ix);
	json_t *trials = json_object_get(ix, "trials");
	assert_int_equal(json_array_size(trials), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(json_integer_value(json_array_get(
				     json_array_get(trials, i), 16)),
				 rows[i].base);
	json_decref(ix);
	free(index);
	free(page);
	jolt_report_free(r);
}

static char *esc(const char *s, size_t max, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	if (json)
		jolt_html_json_str(f, s, max);
	else
		jolt_html_text(f, s, max);
	fclose(f);
	return text;
}

static void test_escape(void **state)
{
	static const struct {
		const char *in;
		size_t max;
		bool json;
		const char *want;
	} cases[] = {
	    {"a<b>&\"'", 0, false, "a&lt;b&gt;&amp;&quot;&#39;"},
	    {"bad \xff\xc3 end\x01\n", 0, false, "bad &#xfffd;&#xfffd; end\n"},
	    {"\xed\xa0\x80", 0, false, "&#xfffd;&#xfffd;&#xfffd;"},
	    {"h\xc3\xa9llo", 2, false, "h\xc3\xa9\xe2\x80\xa6"},
	    {"</script>", 0, true, "\"\\u003c/script\\u003e\""},
	    {"q\"\\\n&\xe2\x80\xa8", 0, true,
	     "\"q\\\"\\\\\\u000a\\u0026\\u2028\""},
	    {"\xc0\x80", 0, true, "\"\\ufffd\\ufffd\""},
	    {NULL, 0, true, "\"\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = esc(cases[i].in, cases[i].max, cases[i].json);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page),
	    cmocka_unit_test(test_no_traces),
	    cmocka_unit_test(test_pairing),
	    cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
