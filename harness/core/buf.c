/*
 * buf.c - growable capped byte strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/common.h"

void jolt_buf_init(jolt_buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
	b->alloc = 64;
	b->s = jolt_xmalloc(b->alloc);
	b->s[0] = '\0';
}

void jolt_buf_release(jolt_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void jolt_buf_reset(jolt_buf *b)
{
	b->len = 0;
	b->truncated = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void grow(jolt_buf *b, size_t need)
{
	if (need + 1 <= b->alloc && b->s)
		return;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need + 1)
		n *= 2;
	b->s = jolt_xrealloc(b->s, n);
	if (b->alloc == 0)
		b->s[0] = '\0';
	b->alloc = n;
}

int jolt_buf_add(jolt_buf *b, const void *data, size_t n)
{
	int rc = 0;
	if (b->cap && b->len + n > b->cap) {
		n = b->cap > b->len ? b->cap - b->len : 0;
		b->truncated = 1;
		rc = JOLT_ETOOBIG;
	}
	grow(b, b->len + n);
	if (n)
		memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
	return rc;
}

int jolt_buf_adds(jolt_buf *b, const char *s)
{
	return jolt_buf_add(b, s, strlen(s));
}

int jolt_buf_addc(jolt_buf *b, char c)
{
	return jolt_buf_add(b, &c, 1);
}

int jolt_buf_vaddf(jolt_buf *b, const char *fmt, va_list ap)
{
	char *tmp = NULL;
	int n = vasprintf(&tmp, fmt, ap);
	if (n < 0)
		return JOLT_ENOMEM;
	int rc = jolt_buf_add(b, tmp, (size_t)n);
	free(tmp);
	return rc;
}

int jolt_buf_addf(jolt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = jolt_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *jolt_buf_detach(jolt_buf *b)
{
	char *s = b->s ? b->s : jolt_xstrdup("");
	size_t cap = b->cap;
	memset(b, 0, sizeof(*b));
	b->cap = cap;
	return s;
}

const char *jolt_buf_cstr(const jolt_buf *b)
{
	return b->s ? b->s : "";
}

int jolt_buf_read_file(jolt_buf *out, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		/* A path that cannot name a file (a loop of links, a file
		 * used as a directory) is the input's fault, not the disk's. */
		return jolt_err_set(e == ENOENT ? JOLT_ENOTFOUND
				    : e == ELOOP || e == ENOTDIR ||
					      e == ENAMETOOLONG
					    ? JOLT_EINPUT
					    : JOLT_EIO,
				    "%s: %s", path, strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return jolt_err_set(JOLT_EINPUT, "%s: is a directory, not a file",
				    path);
	}
	/* A regular file's read comes short only at its end: then there
	 * is no need to ask again to hear it. */
	bool reg = S_ISREG(st.st_mode);
	char chunk[16384];
	ssize_t n;
	int rc = 0;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		rc = jolt_buf_add(out, chunk, (size_t)n);
		if (rc) {
			jolt_err_set(rc, "%s: larger than %zu bytes", path,
				     out->cap);
			break;
		}
		if (reg && (size_t)n < sizeof(chunk))
			break;
	}
	if (!rc && n < 0)
		rc = jolt_err_set(JOLT_EIO, "%s: read error", path);
	close(fd);
	return rc;
}
