/*
 * docindex.h - the `search` builtin's index: each document's term counts,
 * computed once per distinct content and shared by every trial and call.
 *
 * A document is found by its id (path in the corpus) and verified by its
 * full text: a lookup reads the trial's own copy of the file and takes
 * the indexed entry only when the bytes are the same, so an env-axis edit
 * or an agent's write is seen on the next call, and a copy made anywhere
 * hits the entry another trial built. Entries are immutable and live until
 * jolt_docindex_clear(); past DOCINDEX_MAX_BYTES documents are indexed for
 * the one call only. Thread-safe.
 */
#ifndef JOLT_DOCINDEX_H
#define JOLT_DOCINDEX_H

#include <stdbool.h>
#include <stddef.h>

/* One distinct term of a document and how often it occurs. */
typedef struct jolt_doc_term {
	const char *s;  /* lowercased, not NUL-terminated */
	unsigned len;
	unsigned tf;
} jolt_doc_term;

typedef struct jolt_doc {
	char *id;            /* path in the corpus */
	char *text;          /* the bytes as read */
	size_t len;
	size_t dl;           /* tokens */
	jolt_doc_term *terms; /* sorted by (bytes, length) */
	size_t nterms;
	char *lower;         /* the text lowercased; terms point into it */
	bool shared;         /* owned by the index, not by the caller */
	struct jolt_doc *next; /* the index's chain */
} jolt_doc;

/* Whether c is part of a token: ASCII letters and digits, and every byte
 * of a multibyte UTF-8 character. */
bool jolt_doc_tok_char(unsigned char c);
/* The next token of s[*at..len): its length (0 when there is none), its
 * offset in *start; *at moves past it. */
size_t jolt_doc_token(const char *s, size_t len, size_t *at, size_t *start);

/* The document for (id, text): the shared entry when one holds the same
 * bytes, else a new one (shared when there is room). Takes ownership of
 * `text` (len bytes, NUL-terminated, no NUL inside). Release with
 * jolt_doc_put(). Never fails. */
const jolt_doc *jolt_docindex_get(const char *id, char *text, size_t len);
void jolt_doc_put(const jolt_doc *d);

/* Occurrences of `term` (lowercased, NUL-terminated) in d. */
unsigned jolt_doc_tf(const jolt_doc *d, const char *term);

/* Free every shared entry; no document from the index may be in use. */
void jolt_docindex_clear(void);

#endif
