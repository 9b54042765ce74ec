/*
 * test.h - includes every cmocka test file needs, in the order cmocka
 * requires, plus small fixtures.
 */
#ifndef JOLT_TEST_H
#define JOLT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh scratch directory under $JOLT_TEST_TMP or /tmp (caller frees). */
static inline char *test_tmpdir(void)
{
	const char *base = getenv("JOLT_TEST_TMP");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/t.XXXXXX", base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

/* Write `text` to dir/rel, making parent directories. */
static inline void test_write(const char *dir, const char *rel,
			      const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The content of dir/rel (caller frees; at most 64 KiB), NULL when it
 * cannot be read. */
static inline char *test_read(const char *dir, const char *rel)
{
	char p[2048];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	char *s = calloc(1, 65536);
	size_t n = fread(s, 1, 65535, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The first line of a shell command's output, newline removed (caller
 * frees); NULL when the command fails or prints nothing. */
static inline char *test_sh_line(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline char *test_sh_line(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	char buf[512] = "";
	char *ok = fgets(buf, sizeof(buf), p);
	int st = pclose(p);
	if (!ok || st != 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

#endif
