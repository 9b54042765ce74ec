/*
 * csv.h - the one CSV reader and writer: the `table` builtin loads data
 * files with it and the env operators rewrite them with it, so a file an
 * operator wrote always reads back the way the tool will read it.
 *
 * The dialect: RFC 4180 quoting (a field that starts with '"' runs to the
 * matching '"', doubled quotes inside stand for one, delimiters and line
 * breaks inside are data); records end at \n, \r\n or \r; records with no
 * content (blank lines) are skipped; rows may be ragged (each row keeps
 * its own field count). The delimiter is detected from the first record:
 * the most frequent of , ; TAB | outside quotes (',' on a tie or none).
 *
 * Ownership: a jolt_csv owns `rows` (one reference); jolt_csv_release
 * drops it. Fields are JSON strings, so every field must be valid UTF-8:
 * a field that is not is an error naming its record and field, never a
 * field silently left out.
 */
#ifndef JOLT_CSV_H
#define JOLT_CSV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct jolt_csv {
	json_t *rows; /* array of records, each an array of strings */
	char delim;   /* the detected delimiter; the writer uses it */
	bool crlf;    /* the input held a '\r': the writer ends lines \r\n */
} jolt_csv;

/* The delimiter the reader would use for `s` (see above). */
char jolt_csv_detect(const char *s, size_t n);

/* Parse n bytes at s into *out (released first if it holds rows). Returns
 * 0, or JOLT_EINPUT with the reason in jolt_err_msg() ("record 3: ...")
 * for an unterminated quoted field or a field that is not UTF-8; *out
 * then holds no rows. An empty input gives zero records. */
int jolt_csv_read(jolt_csv *out, const char *s, size_t n);

/* Serialise c->rows with c->delim and c->crlf into *out (caller frees),
 * its length in *len. A field is quoted when it holds the delimiter, a
 * quote or a line break (in the first record, any candidate delimiter,
 * so that detection finds c->delim again), or always when quote_all.
 * Fields may hold NUL bytes. Returns 0, or
 * JOLT_EINPUT when a row or field is not a string. */
int jolt_csv_write(char **out, size_t *len, const jolt_csv *c,
		   bool quote_all);

void jolt_csv_release(jolt_csv *c);

#endif
