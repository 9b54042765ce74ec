/*
 * grade.c - decide pass or fail on a trial's final state: the answer text,
 * the working copy (files, sandboxed commands) and the calls the agent made.
 *
 * jolt_grade_check runs when a suite loads, so a typo in a grader is an
 * input error with a file position rather than a silent failure of every
 * trial. jolt_grade_run checks again (trees built in code skip the loader),
 * then evaluates every grader without stopping at the first failure, so the
 * detail names everything that went wrong. Only a sandbox that cannot start
 * (or memory running out) is an error return: that is infrastructure, and
 * the trial must not be counted as the model's failure.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "world/env.h"
#include "world/grade.h"
#include "world/sandbox.h"
#include "core/suite.h"
#include "core/common.h"
#include "core/sha256.h"

/* Bytes of a file a file grader reads; a bigger file fails the grader. */
#define GRADE_FILE_CAP (16u << 20)
/* Bytes of the whole detail text. */
#define GRADE_DETAIL_CAP (64u << 10)
/* Bytes of a failing command's output quoted in the detail. */
#define GRADE_OUTPUT_TAIL 500
/* Bytes of the answer, a command or a regex quoted in a message. */
#define GRADE_EXCERPT 160
/* Characters of one number token; longer digit runs are not numbers. */
/* Numbers listed in an answer grader's failure line. */
#define GRADE_NUM_SHOWN 10
/* Longest command timeout a suite may ask for, seconds. */
#define GRADE_MAX_TIMEOUT 3600.0

/* X(kind, key) -- the grader kinds, in the order grade.h documents them. */
#define GRADE_KINDS(X)                                                         \
	X(ANSWER, "answer")                                                    \
	X(COMMAND, "command")                                                  \
	X(FILE, "file")                                                        \
	X(CALLS, "calls")                                                      \
	X(NO_CALLS, "no_calls")

enum grade_kind {
#define GRADE_X_ENUM(k, s) GRADE_##k,
	GRADE_KINDS(GRADE_X_ENUM)
#undef GRADE_X_ENUM
	    GRADE_NKINDS
};

static const char *const kind_names[] = {
#define GRADE_X_NAME(k, s) s,
    GRADE_KINDS(GRADE_X_NAME)
#undef GRADE_X_NAME
};

static int kind_of(const char *key)
{
	for (int k = 0; k < GRADE_NKINDS; k++)
		if (strcmp(key, kind_names[k]) == 0)
			return k;
	return -1;
}

static const char *const answer_keys[] = {"regex", "exact", "contains",
					  "number", "tolerance"};
static const char *const command_keys[] = {"run", "exit", "timeout"};
static const char *const file_keys[] = {"path", "exists", "equals", "regex",
					"sha256"};
static const char *const calls_keys[] = {"must", "must_not"};
static const char *const call_keys[] = {"name", "args"};

/* ---- small text helpers ---------------------------------------------- */


/* Append s[0..len) to b on one line: control characters escaped, cut to
 * at most `max` bytes on a UTF-8 boundary with "..." marking the cut. */
/* White space as the answer graders trim it. */
static bool grade_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static void add_escaped(jolt_buf *b, const char *s, size_t len, size_t max)
{
	size_t n = len;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			jolt_buf_adds(b, "\\n");
		else if (c == '\r')
			jolt_buf_adds(b, "\\r");
		else if (c == '\t')
			jolt_buf_adds(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			jolt_buf_addf(b, "\\x%02x", c);
		else
			jolt_buf_addc(b, (char)c);
	}
	if (n < len)
		jolt_buf_adds(b, "...");
}

/* Append the last `max` bytes of s, starting on a UTF-8 boundary. */
static void add_tail(jolt_buf *b, const char *s, size_t len, size_t max)
{
	size_t start = len > max ? len - max : 0;
	while (start < len && ((unsigned char)s[start] & 0xC0) == 0x80)
		start++;
	if (start > 0)
		jolt_buf_adds(b, "...");
	add_escaped(b, s + start, len - start, len - start);
}

static void add_quoted(jolt_buf *b, const char *s, size_t len)
{
	jolt_buf_addc(b, '\'');
	add_escaped(b, s, len, GRADE_EXCERPT);
	jolt_buf_addc(b, '\'');
}

/* Shortest "%g" form that reads back as v (41.27, not 41.270000000000003). */
static void fmt_num(char *out, size_t n, double v)
{
	for (int p = 1; p <= 17; p++) {
		snprintf(out, n, "%.*g", p, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* Compile in UTF mode; invalid UTF-8 in a subject then simply does not
 * match there instead of failing the whole match. On error, *out is NULL
 * and err holds PCRE2's message and the offset. */
static pcre2_code *regex_compile(const char *re, size_t len, char *err,
				 size_t errn)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, len,
				      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				      &code, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		snprintf(err, errn, "%s at offset %zu", (char *)msg,
			 (size_t)off);
	}
	return c;
}

/* Search anywhere in subject: *out says whether it matched. A search that
 * cannot finish (out of memory, match limits) is JOLT_EINPUT with the
 * reason in err. */
static int regex_search(bool *out, const pcre2_code *c, const char *subj,
			size_t len, char *err, size_t errn)
{
	*out = false;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(c, NULL);
	if (!md) {
		snprintf(err, errn, "out of memory");
		return JOLT_ENOMEM;
	}
	int rc = pcre2_match(c, (PCRE2_SPTR)subj, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
		*out = rc >= 0;
		return 0;
	}
	PCRE2_UCHAR msg[256];
	if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "error %d", rc);
	snprintf(err, errn, "%s", (char *)msg);
	return JOLT_EINPUT;
}

static void join_keys(char *out, size_t n, const char *const *keys,
		      size_t nkeys)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < nkeys && used < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "",
				 keys[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Every key of obj must be one of keys[]. */
static int check_keys(const char *file, const char *ctx, const json_t *obj,
		      const char *const *keys, size_t nkeys)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val)
	{
		bool known = false;
		for (size_t i = 0; i < nkeys && !known; i++)
			known = strcmp(key, keys[i]) == 0;
		if (!known) {
			char list[256];
			join_keys(list, sizeof(list), keys, nkeys);
			return jolt_input_err(
			    file, jolt_mark_key(obj, key),
			    "%s: unknown option '%s' (expected one "
			    "of: %s)",
			    ctx, key, list);
		}
	}
	return 0;
}

/* obj[key] must be a string that compiles as a PCRE2 regex. */
static int check_regex(const char *file, const char *ctx, const json_t *obj,
		       const char *key)
{
	const json_t *re = json_object_get(obj, key);
	if (!json_is_string(re))
		return jolt_input_err(file, jolt_mark_value(obj, key),
				      "%s: %s must be a string", ctx, key);
	char err[384];
	pcre2_code *c = regex_compile(json_string_value(re),
				      json_string_length(re), err, sizeof(err));
	if (!c)
		return jolt_input_err(file, jolt_mark_value(obj, key),
				      "%s: %s /%s/ does not compile: %s", ctx,
				      key, json_string_value(re), err);
	pcre2_code_free(c);
	return 0;
}

/* How many of keys[] obj has; the first two found go to first/second. */
static int count_present(const char **first, const char **second,
			 const json_t *obj, const char *const *keys,
			 size_t nkeys)
{
	int n = 0;
	*first = *second = NULL;
	for (size_t i = 0; i < nkeys; i++) {
		if (!json_object_get(obj, keys[i]))
			continue;
		if (n == 0)
			*first = keys[i];
		else if (n == 1)
			*second = keys[i];
		n++;
	}
	return n;
}

/* Each check_<kind> takes `at`, where the grader's options are written. */

static int check_answer(const char *file, const char *ctx, jolt_mark at,
			const json_t *o)
{
	static const char *const kinds[] = {"regex", "exact", "contains",
					    "number"};
	if (!json_is_object(o))
		return jolt_input_err(
		    file, at,
		    "%s: expected a mapping: {regex: RE}, {exact: STR}, "
		    "{contains: STR} or {number: X, tolerance: T}",
		    ctx);
	int rc =
	    check_keys(file, ctx, o, answer_keys, JOLT_ARRAY_LEN(answer_keys));
	if (rc)
		return rc;
	const char *k1, *k2;
	int n = count_present(&k1, &k2, o, kinds, JOLT_ARRAY_LEN(kinds));
	if (n == 0)
		return jolt_input_err(
		    file, at,
		    "%s: expected one of regex, exact, contains, number", ctx);
	if (n > 1)
		return jolt_input_err(
		    file, jolt_mark_key(o, k2),
		    "%s: give only one of regex, exact, contains, "
		    "number (found %s and %s)",
		    ctx, k1, k2);
	const json_t *v = json_object_get(o, k1);
	if (strcmp(k1, "regex") == 0) {
		rc = check_regex(file, ctx, o, "regex");
		if (rc)
			return rc;
	} else if (strcmp(k1, "number") == 0) {
		if (!json_is_number(v))
			return jolt_input_err(file, jolt_mark_value(o, k1),
					      "%s: number must be a number",
					      ctx);
	} else if (!json_is_string(v) || json_string_length(v) == 0) {
		return jolt_input_err(file, jolt_mark_value(o, k1),
				      "%s: %s must be a non-empty string", ctx,
				      k1);
	}
	const json_t *tol = json_object_get(o, "tolerance");
	if (tol) {
		if (strcmp(k1, "number") != 0)
			return jolt_input_err(
			    file, jolt_mark_key(o, "tolerance"),
			    "%s: tolerance applies only to number", ctx);
		if (!json_is_number(tol) || !(json_number_value(tol) >= 0) ||
		    !isfinite(json_number_value(tol)))
			return jolt_input_err(
			    file, jolt_mark_value(o, "tolerance"),
			    "%s: tolerance must be a number >= 0", ctx);
	}
	return 0;
}

/* A command: the line to run, or that line as the value of `command:`
 * itself (`command: "sh test.sh"` is short for {run: "sh test.sh",
 * exit: 0}). */
static bool command_ok(const json_t *run)
{
	return json_is_string(run) && json_string_length(run) > 0 &&
	       strlen(json_string_value(run)) == json_string_length(run);
}

static int check_command(const char *file, const char *ctx, jolt_mark at,
			 const json_t *o)
{
	if (json_is_string(o)) {
		if (!command_ok(o))
			return jolt_input_err(
			    file, at,
			    "%s: expected a non-empty command "
			    "line",
			    ctx);
		return 0;
	}
	if (!json_is_object(o))
		return jolt_input_err(
		    file, at,
		    "%s: expected a command line, or a "
		    "mapping {run: CMD, exit: 0, timeout: SEC}",
		    ctx);
	int rc = check_keys(file, ctx, o, command_keys,
			    JOLT_ARRAY_LEN(command_keys));
	if (rc)
		return rc;
	const json_t *run = json_object_get(o, "run");
	if (!run)
		return jolt_input_err(file, at, "%s: run is required", ctx);
	if (!command_ok(run))
		return jolt_input_err(file, jolt_mark_value(o, "run"),
				      "%s: run must be a non-empty string",
				      ctx);
	const json_t *ex = json_object_get(o, "exit");
	if (ex && (!json_is_integer(ex) || json_integer_value(ex) < 0 ||
		   json_integer_value(ex) > 255))
		return jolt_input_err(
		    file, jolt_mark_value(o, "exit"),
		    "%s: exit must be an integer from 0 to 255", ctx);
	const json_t *to = json_object_get(o, "timeout");
	if (to && (!json_is_number(to) || !(json_number_value(to) > 0) ||
		   json_number_value(to) > GRADE_MAX_TIMEOUT))
		return jolt_input_err(
		    file, jolt_mark_value(o, "timeout"),
		    "%s: timeout must be a number of seconds, more "
		    "than 0 and at most %g",
		    ctx, GRADE_MAX_TIMEOUT);
	return 0;
}

static bool is_hex64(const json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) != 64)
		return false;
	const char *s = json_string_value(v);
	for (size_t i = 0; i < 64; i++) {
		char c = s[i];
		if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') &&
		    !(c >= 'A' && c <= 'F'))
			return false;
	}
	return true;
}

/* A grader's path names something in the working copy: relative, and no
 * ".." component (symlinks are caught at run time by jolt_path_resolve). */
static bool path_ok(const char *p, size_t len)
{
	if (len == 0 || strlen(p) != len || p[0] == '/')
		return false;
	const char *s = p;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n;
		while (*s == '/')
			s++;
	}
	return true;
}

static int check_file(const char *file, const char *ctx, jolt_mark at,
		      const json_t *o)
{
	static const char *const kinds[] = {"exists", "equals", "regex",
					    "sha256"};
	if (!json_is_object(o))
		return jolt_input_err(
		    file, at,
		    "%s: expected a mapping {path: P, exists: BOOL | "
		    "equals: STR | regex: RE | sha256: HEX}",
		    ctx);
	int rc = check_keys(file, ctx, o, file_keys, JOLT_ARRAY_LEN(file_keys));
	if (rc)
		return rc;
	const json_t *path = json_object_get(o, "path");
	if (!path)
		return jolt_input_err(file, at, "%s: path is required", ctx);
	if (!json_is_string(path) ||
	    !path_ok(json_string_value(path), json_string_length(path)))
		return jolt_input_err(
		    file, jolt_mark_value(o, "path"),
		    "%s: path must be a relative path inside the "
		    "working copy (no leading '/', no '..')",
		    ctx);
	const char *k1, *k2;
	int n = count_present(&k1, &k2, o, kinds, JOLT_ARRAY_LEN(kinds));
	if (n == 0)
		return jolt_input_err(
		    file, at,
		    "%s: expected one of exists, equals, regex, sha256", ctx);
	if (n > 1)
		return jolt_input_err(
		    file, jolt_mark_key(o, k2),
		    "%s: give only one of exists, equals, regex, "
		    "sha256 (found %s and %s)",
		    ctx, k1, k2);
	const json_t *v = json_object_get(o, k1);
	if (strcmp(k1, "exists") == 0 && !json_is_boolean(v))
		return jolt_input_err(file, jolt_mark_value(o, k1),
				      "%s: exists must be true or false", ctx);
	if (strcmp(k1, "equals") == 0 && !json_is_string(v))
		return jolt_input_err(file, jolt_mark_value(o, k1),
				      "%s: equals must be a string", ctx);
	if (strcmp(k1, "regex") == 0)
		return check_regex(file, ctx, o, "regex");
	if (strcmp(k1, "sha256") == 0 && !is_hex64(v))
		return jolt_input_err(
		    file, jolt_mark_value(o, k1),
		    "%s: sha256 must be 64 hexadecimal digits", ctx);
	return 0;
}

static int check_call_list(const char *file, const char *ctx, const json_t *o,
			   const char *which)
{
	const json_t *list = json_object_get(o, which);
	if (!json_is_array(list))
		return jolt_input_err(
		    file, jolt_mark_value(o, which),
		    "%s: %s must be a list of {name: TOOL, args: {...}}", ctx,
		    which);
	size_t i;
	const json_t *c;
	json_array_foreach(list, i, c)
	{
		if (!json_is_object(c))
			return jolt_input_err(
			    file, jolt_mark_elem(list, i),
			    "%s: %s[%zu] must be a mapping {name: TOOL, "
			    "args: {...}}",
			    ctx, which, i);
		int rc = check_keys(file, ctx, c, call_keys,
				    JOLT_ARRAY_LEN(call_keys));
		if (rc)
			return rc;
		const json_t *name = json_object_get(c, "name");
		if (!json_is_string(name) || json_string_length(name) == 0)
			return jolt_input_err(
			    file,
			    name ? jolt_mark_value(c, "name")
				 : jolt_mark_elem(list, i),
			    "%s: %s[%zu].name must be a non-empty string", ctx,
			    which, i);
		const json_t *args = json_object_get(c, "args");
		if (args && !json_is_object(args))
			return jolt_input_err(
			    file, jolt_mark_value(c, "args"),
			    "%s: %s[%zu].args must be a mapping", ctx, which,
			    i);
	}
	return 0;
}

static int check_calls(const char *file, const char *ctx, jolt_mark at,
		       const json_t *o)
{
	if (!json_is_object(o))
		return jolt_input_err(
		    file, at,
		    "%s: expected a mapping {must: [CALL...], "
		    "must_not: [CALL...]}",
		    ctx);
	int rc =
	    check_keys(file, ctx, o, calls_keys, JOLT_ARRAY_LEN(calls_keys));
	if (rc)
		return rc;
	bool must = json_object_get(o, "must") != NULL;
	bool must_not = json_object_get(o, "must_not") != NULL;
	if (!must && !must_not)
		return jolt_input_err(
		    file, at, "%s: expected must, must_not or both", ctx);
	if (must && (rc = check_call_list(file, ctx, o, "must")))
		return rc;
	if (must_not && (rc = check_call_list(file, ctx, o, "must_not")))
		return rc;
	return 0;
}

int jolt_grade_check(const json_t *graders, const char *file)
{
	if (!file || !*file)
		file = "grade"; /* trees built in code name no file */
	if (!json_is_array(graders) || json_array_size(graders) == 0)
		return jolt_input_err(
		    file, jolt_mark_node(graders),
		    "grade: expected a non-empty list of graders "
		    "(answer, command, file, calls, no_calls)");
	size_t i;
	const json_t *g;
	json_array_foreach(graders, i, g)
	{
		if (!json_is_object(g) || json_object_size(g) != 1)
			return jolt_input_err(
			    file, jolt_mark_elem(graders, i),
			    "grade[%zu]: expected a mapping with one "
			    "key, one of: answer, command, file, calls, "
			    "no_calls",
			    i);
		void *it = json_object_iter((json_t *)g);
		const char *key = json_object_iter_key(it);
		const json_t *opts = json_object_iter_value(it);
		jolt_mark at = jolt_mark_value(g, key);
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "grade[%zu].%s", i, key);
		int rc = 0;
		switch (kind_of(key)) {
		case GRADE_ANSWER:
			rc = check_answer(file, ctx, at, opts);
			break;
		case GRADE_COMMAND:
			rc = check_command(file, ctx, at, opts);
			break;
		case GRADE_FILE:
			rc = check_file(file, ctx, at, opts);
			break;
		case GRADE_CALLS:
			rc = check_calls(file, ctx, at, opts);
			break;
		case GRADE_NO_CALLS:
			if (!json_is_true(opts))
				rc = jolt_input_err(
				    file, at, "%s: expected `no_calls: true`",
				    ctx);
			break;
		default:
			rc = jolt_input_err(
			    file, jolt_mark_key(g, key),
			    "grade[%zu]: unknown grader '%s' (expected "
			    "one of: answer, command, file, calls, "
			    "no_calls)",
			    i, key);
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- running ---------------------------------------------------------- */

/* Each run_* sets *ok and, when it fails, writes why (one line) into `why`.
 * They return non-zero only for a harness fault. */

static int run_answer(bool *ok, jolt_buf *why, const json_t *o,
		      const char *answer)
{
	size_t alen = strlen(answer);
	const json_t *v;
	if ((v = json_object_get(o, "regex"))) {
		char err[384];
		pcre2_code *c =
		    regex_compile(json_string_value(v), json_string_length(v),
				  err, sizeof(err));
		bool matched = false;
		int m = c ? regex_search(&matched, c, answer, alen, err,
					 sizeof(err))
			  : JOLT_EINPUT;
		pcre2_code_free(c);
		*ok = !m && matched;
		jolt_buf_adds(why, "answer ");
		add_quoted(why, answer, alen);
		if (m)
			jolt_buf_addf(why, ": regex /%s/ failed: %s",
				      json_string_value(v), err);
		else if (!matched)
			jolt_buf_addf(why, " does not match /%s/",
				      json_string_value(v));
	} else if ((v = json_object_get(o, "exact"))) {
		const char *a = answer, *e = json_string_value(v);
		size_t an = alen, en = json_string_length(v);
		while (an && grade_space((unsigned char)*a))
			a++, an--;
		while (an && grade_space((unsigned char)a[an - 1]))
			an--;
		while (en && grade_space((unsigned char)*e))
			e++, en--;
		while (en && grade_space((unsigned char)e[en - 1]))
			en--;
		*ok = an == en && memcmp(a, e, an) == 0;
		jolt_buf_adds(why, "answer ");
		add_quoted(why, a, an);
		jolt_buf_adds(why, " is not exactly ");
		add_quoted(why, e, en);
	} else if ((v = json_object_get(o, "contains"))) {
		*ok = strcasestr(answer, json_string_value(v)) != NULL;
		jolt_buf_adds(why, "answer ");
		add_quoted(why, answer, alen);
		jolt_buf_adds(why, " does not contain ");
		add_quoted(why, json_string_value(v), json_string_length(v));
	} else {
		v = json_object_get(o, "number");
		double want = json_number_value(v);
		const json_t *t = json_object_get(o, "tolerance");
		double tol = t ? json_number_value(t) : 1e-9;
		double shown[GRADE_NUM_SHOWN], x;
		size_t nfound = 0, pos = 0;
		*ok = false;
		while (!*ok && jolt_grade_number_next(&x, answer, &pos)) {
			*ok = fabs(x - want) <= tol;
			if (nfound < GRADE_NUM_SHOWN)
				shown[nfound] = x;
			nfound++;
		}
		char w[40], tt[40], f[40];
		fmt_num(w, sizeof(w), want);
		fmt_num(tt, sizeof(tt), tol);
		jolt_buf_addf(why, "expected a number within %s of %s; ", tt,
			      w);
		if (nfound == 0) {
			jolt_buf_adds(why, "no number in answer ");
		} else {
			jolt_buf_adds(why, "found ");
			for (size_t i = 0; i < nfound && i < GRADE_NUM_SHOWN;
			     i++) {
				fmt_num(f, sizeof(f), shown[i]);
				jolt_buf_addf(why, "%s%s", i ? ", " : "", f);
			}
			if (nfound > GRADE_NUM_SHOWN)
				jolt_buf_adds(why, ", ...");
			jolt_buf_adds(why, " in answer ");
		}
		add_quoted(why, answer, alen);
	}
	return 0;
}

static int run_command(bool *ok, jolt_buf *why, const json_t *o,
		       const jolt_grade_input *in)
{
	const json_t *run = json_is_string(o) ? o : json_object_get(o, "run");
	const json_t *ex = json_object_get(o, "exit");
	const json_t *to = json_object_get(o, "timeout");
	int want = ex ? (int)json_integer_value(ex) : 0;
	*ok = false;
	if (!in->workdir || !*in->workdir) {
		jolt_buf_adds(why, "no working copy to run the command in");
		return 0;
	}
	jolt_sandbox_opts so = {0};
	so.workdir = in->workdir;
	so.command = json_string_value(run);
	so.timeout_s = to ? json_number_value(to) : 0;
	so.slot = in->slot;
	so.env = in->env_vars;
	so.memo = in->memo;
	jolt_sandbox_result r = {0};
	int rc = jolt_sandbox_run(&r, &so);
	if (rc) {
		jolt_sandbox_result_release(&r);
		return rc;
	}
	*ok = !r.timed_out && r.exit_code == want;
	jolt_buf_adds(why, "command ");
	add_quoted(why, so.command, strlen(so.command));
	if (r.timed_out)
		jolt_buf_addf(why, " timed out after %.1f s",
			      so.timeout_s > 0 ? so.timeout_s : 30.0);
	else
		jolt_buf_addf(why, " exited %d, expected %d", r.exit_code,
			      want);
	size_t olen = r.output ? strlen(r.output) : 0;
	if (olen) {
		jolt_buf_adds(why, "; output: ");
		add_tail(why, r.output, olen, GRADE_OUTPUT_TAIL);
	} else {
		jolt_buf_adds(why, "; no output");
	}
	jolt_sandbox_result_release(&r);
	return 0;
}

static int run_file(bool *ok, jolt_buf *why, const json_t *o,
		    const jolt_grade_input *in)
{
	char *rel = jolt_path_mapped(
	    in->path_map, json_string_value(json_object_get(o, "path")));
	const json_t *exists = json_object_get(o, "exists");
	const json_t *v;
	char *abs = NULL;
	jolt_buf data = JOLT_BUF_INIT;
	int rc = 0;
	*ok = false;

	if (!in->workdir || !*in->workdir) {
		jolt_buf_adds(why, "no working copy to look in");
		goto done;
	}
	rc = jolt_path_resolve(&abs, in->workdir, rel);
	if (rc == JOLT_ENOMEM)
		goto done;
	if (rc == JOLT_ENOTFOUND) {
		rc = 0;
		if (exists && !json_is_true(exists))
			*ok = true;
		else
			jolt_buf_addf(why, "'%s' does not exist", rel);
		goto done;
	}
	if (rc) {
		/* Refused (a symlink leading out) or unreadable: a fail, the
		 * agent's doing, not the harness's. */
		jolt_buf_addf(why, "'%s' refused: %s", rel, jolt_err_msg());
		rc = 0;
		goto done;
	}
	if (exists) {
		struct stat st;
		bool there = stat(abs, &st) == 0;
		*ok = there == json_is_true(exists);
		jolt_buf_addf(why,
			      there ? "'%s' exists but should not"
				    : "'%s' does not exist",
			      rel);
		goto done;
	}
	jolt_buf_init(&data, GRADE_FILE_CAP);
	rc = jolt_buf_read_file(&data, abs);
	if (rc) {
		if (rc == JOLT_ENOTFOUND)
			jolt_buf_addf(why, "'%s' does not exist", rel);
		else if (rc == JOLT_ETOOBIG)
			jolt_buf_addf(why, "'%s' is larger than %u bytes", rel,
				      GRADE_FILE_CAP);
		else
			jolt_buf_addf(why, "cannot read '%s' (%s)", rel,
				      strerror(errno));
		rc = rc == JOLT_ENOMEM ? rc : 0;
		goto done;
	}
	if ((v = json_object_get(o, "equals"))) {
		size_t en = json_string_length(v);
		const char *e = json_string_value(v);
		*ok = data.len == en && memcmp(data.s, e, en) == 0;
		size_t k = 0;
		while (k < en && k < data.len && data.s[k] == e[k])
			k++;
		jolt_buf_addf(why,
			      "'%s' differs from the expected text (%zu bytes, "
			      "expected %zu; first difference at byte %zu)",
			      rel, data.len, en, k);
	} else if ((v = json_object_get(o, "regex"))) {
		char err[384];
		pcre2_code *c =
		    regex_compile(json_string_value(v), json_string_length(v),
				  err, sizeof(err));
		bool matched = false;
		int m = c ? regex_search(&matched, c, data.s, data.len, err,
					 sizeof(err))
			  : JOLT_EINPUT;
		pcre2_code_free(c);
		*ok = !m && matched;
		if (m)
			jolt_buf_addf(why, "'%s': regex /%s/ failed: %s", rel,
				      json_string_value(v), err);
		else
			jolt_buf_addf(why, "'%s' has no match for /%s/", rel,
				      json_string_value(v));
	} else {
		v = json_object_get(o, "sha256");
		char hex[65];
		jolt_sha256_hex(hex, data.s, data.len);
		*ok = strcasecmp(hex, json_string_value(v)) == 0;
		jolt_buf_addf(why, "'%s' has sha256 %s, expected %s", rel, hex,
			      json_string_value(v));
	}
done:
	jolt_buf_release(&data);
	free(abs);
	free(rel);
	return rc;
}

/* Values as a tool call carries them: numbers equal by value whether
 * written 5 or 5.0, strings byte for byte, a number never equal to a
 * numeric string; containers compared whole. */
static bool value_equal(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b),
			      json_string_length(a)) == 0;
	case JSON_ARRAY: {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!value_equal(json_array_get(a, i),
					 json_array_get(b, i)))
				return false;
		return true;
	}
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *k;
		json_t *va;
		json_object_foreach((json_t *)a, k, va)
		{
			const json_t *vb = json_object_get(b, k);
			if (!vb || !value_equal(va, vb))
				return false;
		}
		return true;
	}
	default:
		return true; /* true, false, null: the type says it all */
	}
}

/* The arguments of a made call as an object (a JSON string is parsed, as
 * OpenAI-style backends deliver it). *owned is set when parsed here. */
static const json_t *made_args(json_t **owned, const json_t *call)
{
	const json_t *a = json_object_get(call, "arguments");
	if (!a)
		a = json_object_get(call, "args");
	*owned = NULL;
	if (json_is_string(a)) {
		*owned = json_loadb(json_string_value(a), json_string_length(a),
				    0, NULL);
		a = *owned;
	}
	return json_is_object(a) ? a : NULL;
}

/* Does the made call satisfy the listed one (same name, listed args
 * equal; other args ignored)? */
static bool call_matches(const json_t *want, const json_t *made)
{
	const char *name = json_string_value(json_object_get(made, "name"));
	if (!name ||
	    strcmp(name, json_string_value(json_object_get(want, "name"))))
		return false;
	const json_t *wargs = json_object_get(want, "args");
	if (!wargs || json_object_size(wargs) == 0)
		return true;
	json_t *owned;
	const json_t *margs = made_args(&owned, made);
	bool ok = margs != NULL;
	const char *k;
	json_t *wv;
	json_object_foreach((json_t *)wargs, k, wv)
	{
		if (!ok)
			break;
		const json_t *mv = json_object_get(margs, k);
		ok = mv && value_equal(wv, mv);
	}
	json_decref(owned);
	return ok;
}

static void add_call(jolt_buf *b, const json_t *want)
{
	jolt_buf_adds(b, json_string_value(json_object_get(want, "name")));
	const json_t *args = json_object_get(want, "args");
	if (args) {
		char *s = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
		if (s)
			add_escaped(b, s, strlen(s), GRADE_EXCERPT);
		free(s);
	}
}

static int run_calls(bool *ok, jolt_buf *why, const json_t *o,
		     const json_t *calls)
{
	size_t nmade = json_is_array(calls) ? json_array_size(calls) : 0;
	const json_t *must = json_object_get(o, "must");
	const json_t *must_not = json_object_get(o, "must_not");
	size_t i, j;
	const json_t *w;
	*ok = true;
	json_array_foreach(must, i, w)
	{
		bool found = false;
		for (j = 0; j < nmade && !found; j++)
			found = call_matches(w, json_array_get(calls, j));
		if (!found) {
			jolt_buf_adds(why, *ok ? "" : "; ");
			jolt_buf_adds(why, "missing call ");
			add_call(why, w);
			*ok = false;
		}
	}
	json_array_foreach(must_not, i, w)
	{
		for (j = 0; j < nmade; j++)
			if (call_matches(w, json_array_get(calls, j)))
				break;
		if (j < nmade) {
			jolt_buf_adds(why, *ok ? "" : "; ");
			jolt_buf_adds(why, "forbidden call ");
			add_call(why, w);
			jolt_buf_addf(why, " was made (call %zu of %zu)", j + 1,
				      nmade);
			*ok = false;
		}
	}
	return 0;
}

static int run_no_calls(bool *ok, jolt_buf *why, const json_t *calls)
{
	size_t n = json_is_array(calls) ? json_array_size(calls) : 0;
	*ok = n == 0;
	if (n) {
		const char *first = json_string_value(
		    json_object_get(json_array_get(calls, 0), "name"));
		jolt_buf_addf(why, "the agent made %zu tool call%s (first: %s)",
			      n, n == 1 ? "" : "s", first ? first : "?");
	}
	return 0;
}

int jolt_grade_run(bool *pass, char **detail, const jolt_grade_input *in)
{
	jolt_buf out = JOLT_BUF_INIT, why = JOLT_BUF_INIT;
	int rc;
	*pass = false;
	*detail = NULL;

	const json_t *graders = in->graders;
	if (!graders && in->task)
		graders = in->task->grade;
	const char *file = in->task ? in->task->file : NULL;
	rc = jolt_grade_check(graders, file);
	if (rc) {
		*detail = jolt_xasprintf("invalid graders: %s", jolt_err_msg());
		return rc;
	}
	const char *answer = in->answer ? in->answer : "";
	jolt_buf_init(&out, GRADE_DETAIL_CAP);
	jolt_buf_init(&why, GRADE_DETAIL_CAP);
	bool all = true;
	size_t i;
	const json_t *g;
	json_array_foreach(graders, i, g)
	{
		void *it = json_object_iter((json_t *)g);
		const char *key = json_object_iter_key(it);
		const json_t *opts = json_object_iter_value(it);
		bool ok = false;
		jolt_buf_reset(&why);
		switch (kind_of(key)) {
		case GRADE_ANSWER:
			rc = run_answer(&ok, &why, opts, answer);
			break;
		case GRADE_COMMAND:
			rc = run_command(&ok, &why, opts, in);
			break;
		case GRADE_FILE:
			rc = run_file(&ok, &why, opts, in);
			break;
		case GRADE_CALLS:
			rc = run_calls(&ok, &why, opts, in->calls);
			break;
		case GRADE_NO_CALLS:
			rc = run_no_calls(&ok, &why, in->calls);
			break;
		default:
			rc = jolt_err_set(JOLT_EINTERNAL,
					  "grade[%zu]: unknown grader '%s'", i,
					  key);
			break;
		}
		if (rc) {
			*detail = jolt_xasprintf("grade[%zu] (%s): %s", i, key,
						 jolt_err_msg());
			goto done;
		}
		if (!ok) {
			all = false;
			jolt_buf_addf(&out, "%sgrade[%zu] (%s): %s",
				      out.len ? "\n" : "", i, key,
				      jolt_buf_cstr(&why));
		}
	}
	*pass = all;
	*detail = jolt_buf_detach(&out);
done:
	jolt_buf_release(&out);
	jolt_buf_release(&why);
	return rc;
}
