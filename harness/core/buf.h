/*
 * buf.h - a growable byte string with an optional hard cap.
 *
 * Ownership: a jolt_buf owns its bytes. `s` is always NUL-terminated (once
 * anything was appended, or after jolt_buf_init) so it can be handed to
 * C string functions; `len` excludes the NUL. jolt_buf_detach() hands the
 * bytes to the caller, who frees them with free().
 *
 * Caps: when `cap` is non-zero, appends that would take `len` past it
 * append what fits, set `truncated`, and return JOLT_ETOOBIG. Every buffer
 * filled from outside (tool output, model output, files) sets a cap.
 */
#ifndef JOLT_BUF_H
#define JOLT_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct jolt_buf {
	char *s;
	size_t len;
	size_t alloc;
	size_t cap;     /* 0 = unlimited */
	int truncated;  /* set once an append hit the cap */
} jolt_buf;

#define JOLT_BUF_INIT {NULL, 0, 0, 0, 0}

void jolt_buf_init(jolt_buf *b, size_t cap);
void jolt_buf_release(jolt_buf *b);
void jolt_buf_reset(jolt_buf *b);
int jolt_buf_add(jolt_buf *b, const void *data, size_t n);
int jolt_buf_adds(jolt_buf *b, const char *s);
int jolt_buf_addc(jolt_buf *b, char c);
int jolt_buf_addf(jolt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int jolt_buf_vaddf(jolt_buf *b, const char *fmt, va_list ap);
/* Return the bytes (never NULL; "" for an empty buffer) and reset `b`. */
char *jolt_buf_detach(jolt_buf *b);
/* Borrowed C string view, never NULL. */
const char *jolt_buf_cstr(const jolt_buf *b);

/* Read a whole file into `out` (initialised by the caller, cap honoured).
 * JOLT_ENOTFOUND if missing, JOLT_ETOOBIG past the cap, JOLT_EIO else. */
int jolt_buf_read_file(jolt_buf *out, const char *path);

#endif
