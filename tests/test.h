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

#endif
