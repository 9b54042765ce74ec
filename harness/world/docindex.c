/*
 * docindex.c - the search index (see docindex.h): a hash table from a
 * document id to the entries indexed under it, each verified against the
 * bytes a caller read before it is used.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "world/docindex.h"

/* Text held by shared entries (each also holds its lowercased copy), at
 * most: a run over many distinct corpora indexes the rest per call. */
#define DOCINDEX_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define DOCINDEX_BUCKETS 4096

static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;
static jolt_doc *buckets[DOCINDEX_BUCKETS];
static size_t index_bytes;

bool jolt_doc_tok_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

size_t jolt_doc_token(const char *s, size_t len, size_t *at, size_t *start)
{
	size_t i = *at;
	while (i < len && !jolt_doc_tok_char((unsigned char)s[i]))
		i++;
	*start = i;
	while (i < len && jolt_doc_tok_char((unsigned char)s[i]))
		i++;
	*at = i;
	return i - *start;
}

static size_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h % DOCINDEX_BUCKETS);
}

static int term_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

static int span_cmp(const void *x, const void *y)
{
	const jolt_doc_term *a = x, *b = y;
	return term_cmp(a->s, a->len, b->s, b->len);
}

/* Tokenise: every maximal run of token bytes, lowercased; then count each
 * distinct term. */
static jolt_doc *doc_build(const char *id, char *text, size_t len)
{
	jolt_doc *d = jolt_xcalloc(1, sizeof(*d));
	d->id = jolt_xstrdup(id);
	d->text = text;
	d->len = len;
	d->lower = jolt_xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		d->lower[i] = (char)tolower((unsigned char)text[i]);
	d->lower[len] = '\0';
	size_t n = 0, alloc = 64;
	jolt_doc_term *spans = jolt_xmalloc(alloc * sizeof(*spans));
	size_t at = 0, st, tl;
	while ((tl = jolt_doc_token(text, len, &at, &st)) > 0) {
		if (n == alloc) {
			alloc *= 2;
			spans = jolt_xrealloc(spans, alloc * sizeof(*spans));
		}
		spans[n++] = (jolt_doc_term){d->lower + st, (unsigned)tl, 1};
	}
	d->dl = n;
	qsort(spans, n, sizeof(*spans), span_cmp);
	size_t k = 0;
	for (size_t j = 0; j < n; j++) {
		if (k && !span_cmp(&spans[k - 1], &spans[j]))
			spans[k - 1].tf++;
		else
			spans[k++] = spans[j];
	}
	d->terms = k ? jolt_xrealloc(spans, k * sizeof(*spans)) : NULL;
	if (!k)
		free(spans);
	d->nterms = k;
	return d;
}

static void doc_free(jolt_doc *d)
{
	if (!d)
		return;
	free(d->id);
	free(d->text);
	free(d->lower);
	free(d->terms);
	free(d);
}

static size_t doc_bytes(const jolt_doc *d)
{
	return 2 * d->len + d->nterms * sizeof(*d->terms) + sizeof(*d);
}

static const jolt_doc *find(size_t b, const char *id, const char *text,
			    size_t len)
{
	for (const jolt_doc *d = buckets[b]; d; d = d->next)
		if (d->len == len && !strcmp(d->id, id) &&
		    !memcmp(d->text, text, len))
			return d;
	return NULL;
}

const jolt_doc *jolt_docindex_get(const char *id, char *text, size_t len)
{
	size_t b = id_hash(id);
	pthread_mutex_lock(&index_lock);
	const jolt_doc *hit = find(b, id, text, len);
	pthread_mutex_unlock(&index_lock);
	if (hit) {
		free(text);
		return hit;
	}
	/* Build outside the lock; another thread may race us to it. */
	jolt_doc *d = doc_build(id, text, len);
	pthread_mutex_lock(&index_lock);
	hit = find(b, id, d->text, d->len);
	if (!hit && index_bytes + doc_bytes(d) <= DOCINDEX_MAX_BYTES) {
		d->shared = true;
		d->next = buckets[b];
		buckets[b] = d;
		index_bytes += doc_bytes(d);
	}
	pthread_mutex_unlock(&index_lock);
	if (hit) {
		doc_free(d);
		return hit;
	}
	return d;
}

void jolt_doc_put(const jolt_doc *d)
{
	if (d && !d->shared)
		doc_free((jolt_doc *)d);
}

unsigned jolt_doc_tf(const jolt_doc *d, const char *term)
{
	size_t tl = strlen(term), lo = 0, hi = d->nterms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const jolt_doc_term *t = &d->terms[mid];
		int c = term_cmp(t->s, t->len, term, tl);
		if (!c)
			return t->tf;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void jolt_docindex_clear(void)
{
	pthread_mutex_lock(&index_lock);
	for (size_t b = 0; b < DOCINDEX_BUCKETS; b++) {
		jolt_doc *d = buckets[b];
		while (d) {
			jolt_doc *next = d->next;
			doc_free(d);
			d = next;
		}
		buckets[b] = NULL;
	}
	index_bytes = 0;
	pthread_mutex_unlock(&index_lock);
}
