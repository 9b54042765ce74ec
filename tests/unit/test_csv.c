/*
 * test_csv.c - the one CSV reader and writer (core/csv.h): quoting,
 * line ends, ragged rows, delimiter detection, refusals, round trips.
 */
#include "test.h"

#include <jansson.h>

#include "core/common.h"
#include "core/csv.h"

/* Read `s` and compare the records with `want`, a JSON array of arrays. */
static void expect_rows(const char *s, size_t n, const char *want)
{
	jolt_csv c = {0};
	if (jolt_csv_read(&c, s, n))
		fail_msg("read failed: %s", jolt_err_msg());
	json_error_t je;
	json_t *w = json_loads(want, 0, &je);
	assert_non_null(w);
	if (!json_equal(c.rows, w)) {
		char *got = json_dumps(c.rows, JSON_COMPACT);
		fail_msg("rows %s, want %s", got, want);
	}
	json_decref(w);
	jolt_csv_release(&c);
	assert_null(c.rows);
}

#define ROWS(lit, want) expect_rows(lit, sizeof(lit) - 1, want)

static void test_plain_and_quoted(void **state)
{
	ROWS("a,b,c\n1,2,3\n", "[[\"a\",\"b\",\"c\"],[\"1\",\"2\",\"3\"]]");
	/* No final newline. */
	ROWS("a,b\n1,2", "[[\"a\",\"b\"],[\"1\",\"2\"]]");
	/* Quoted fields keep delimiters; doubled quotes are one quote. */
	ROWS("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n",
	     "[[\"name\",\"note\"],[\"Smith, J\",\"said \\\"hi\\\"\"]]");
	/* Empty fields, quoted and not, and a trailing delimiter. */
	ROWS("a,,\"\",d,\n", "[[\"a\",\"\",\"\",\"d\",\"\"]]");
	ROWS("a,b,", "[[\"a\",\"b\",\"\"]]");
	/* Text after a closing quote stays in the field. */
	ROWS("\"ab\"cd,e\n", "[[\"abcd\",\"e\"]]");
}

static void test_line_ends(void **state)
{
	/* An embedded newline (LF and CRLF) inside quotes is data. */
	ROWS("k,v\n1,\"two\nlines\"\n2,x\n",
	     "[[\"k\",\"v\"],[\"1\",\"two\\nlines\"],[\"2\",\"x\"]]");
	ROWS("k,v\r\n1,\"a\r\nb\"\r\n",
	     "[[\"k\",\"v\"],[\"1\",\"a\\r\\nb\"]]");
	/* CRLF and bare CR end records; blank records are skipped. */
	ROWS("a,b\r\n\r\n1,2\r\n", "[[\"a\",\"b\"],[\"1\",\"2\"]]");
	ROWS("a,b\r1,2\r", "[[\"a\",\"b\"],[\"1\",\"2\"]]");
	ROWS("\n\na\n\n", "[[\"a\"]]");

	jolt_csv c = {0};
	assert_int_equal(jolt_csv_read(&c, "a\r\nb\r\n", 6), 0);
	assert_true(c.crlf);
	assert_int_equal(jolt_csv_read(&c, "a\nb\n", 4), 0);
	assert_false(c.crlf);
	jolt_csv_release(&c);
}

static void test_empty_and_ragged(void **state)
{
	ROWS("", "[]");
	jolt_csv c = {0};
	assert_int_equal(jolt_csv_read(&c, NULL, 0), 0);
	assert_int_equal(json_array_size(c.rows), 0);
	assert_int_equal(c.delim, ',');
	jolt_csv_release(&c);
	/* Each record keeps its own width. */
	ROWS("a,b,c\n1\n1,2,3,4\n",
	     "[[\"a\",\"b\",\"c\"],[\"1\"],[\"1\",\"2\",\"3\",\"4\"]]");
}

static void test_delimiter_detection(void **state)
{
	assert_int_equal(jolt_csv_detect("a;b;c\n1,5;2;3\n", 14), ';');
	assert_int_equal(jolt_csv_detect("a\tb\n", 4), '\t');
	assert_int_equal(jolt_csv_detect("a|b|c", 5), '|');
	/* Only the first record counts, and quoted delimiters do not. */
	assert_int_equal(jolt_csv_detect("\"x;y;z\",b\n1;2;3;4\n", 19), ',');
	assert_int_equal(jolt_csv_detect("single\n", 7), ',');
	ROWS("t;d;c\nACME;2024-03-04;\"41,10\"\n",
	     "[[\"t\",\"d\",\"c\"],[\"ACME\",\"2024-03-04\",\"41,10\"]]");
	ROWS("a\tb\n1\t2\n", "[[\"a\",\"b\"],[\"1\",\"2\"]]");
}

static void test_refusals(void **state)
{
	jolt_csv c = {0};
	/* Bad UTF-8 is an error naming the record and field, not a field
	 * left out (which would shift every later column). */
	static const char bad[] = "a,b,c\nx,\xff\xfe,z\n";
	jolt_err_clear();
	assert_int_equal(jolt_csv_read(&c, bad, sizeof(bad) - 1), JOLT_EINPUT);
	assert_null(c.rows);
	assert_string_equal(jolt_err_msg(), "record 2, field 2: not valid UTF-8");
	/* Truncated multi-byte sequence in a quoted field. */
	static const char cut[] = "k\n\"caf\xc3\"\n";
	assert_int_equal(jolt_csv_read(&c, cut, sizeof(cut) - 1), JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "record 2, field 1"));
	/* Valid multi-byte text passes. */
	ROWS("k\ncaf\xc3\xa9\n", "[[\"k\"],[\"caf\\u00e9\"]]");
	/* An unterminated quote. */
	static const char open[] = "a,b\n\"open,1\n";
	assert_int_equal(jolt_csv_read(&c, open, sizeof(open) - 1), JOLT_EINPUT);
	assert_null(c.rows);
	assert_string_equal(jolt_err_msg(), "record 2: unterminated quoted field");
}

static void test_write_round_trip(void **state)
{
	static const char src[] =
	    "k,v\r\n\"a,b\",\"say \"\"x\"\"\"\r\n2,\"two\nlines\"\r\n";
	jolt_csv c = {0};
	assert_int_equal(jolt_csv_read(&c, src, sizeof(src) - 1), 0);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(jolt_csv_write(&out, &len, &c, false), 0);
	assert_int_equal(len, sizeof(src) - 1);
	assert_memory_equal(out, src, len);
	free(out);

	c.delim = '|';
	c.crlf = false;
	assert_int_equal(jolt_csv_write(&out, &len, &c, true), 0);
	assert_string_equal(out, "\"k\"|\"v\"\n\"a,b\"|\"say \"\"x\"\"\"\n"
				 "\"2\"|\"two\nlines\"\n");
	jolt_csv back = {0};
	assert_int_equal(jolt_csv_read(&back, out, len), 0);
	assert_int_equal(back.delim, '|');
	assert_true(json_equal(back.rows, c.rows));
	jolt_csv_release(&back);
	free(out);

	/* A first record whose fields hold other candidate delimiters
	 * is quoted, so detection finds the same delimiter again. */
	static const char hdr[] = "\"a;b;c\",x\n1,2\n";
	assert_int_equal(jolt_csv_read(&back, hdr, sizeof(hdr) - 1), 0);
	assert_int_equal(back.delim, ',');
	assert_int_equal(jolt_csv_write(&out, &len, &back, false), 0);
	assert_string_equal(out, hdr);
	free(out);
	jolt_csv_release(&back);

	/* Rows that are not strings are refused, not written as blanks. */
	json_array_append_new(json_array_get(c.rows, 1), json_integer(3));
	out = (char *)1;
	assert_int_equal(jolt_csv_write(&out, &len, &c, false), JOLT_EINPUT);
	assert_null(out);
	assert_non_null(strstr(jolt_err_msg(), "row 1, field 3"));
	jolt_csv_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_and_quoted),
	    cmocka_unit_test(test_line_ends),
	    cmocka_unit_test(test_empty_and_ragged),
	    cmocka_unit_test(test_delimiter_detection),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_write_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
