/*
 * yaml.c - YAML text to a jansson tree, remembering where every node came
 * from so that the suite loader (and the graders' checks) can say
 * "FILE:LINE:COL: what was expected".
 *
 * The subset: one document; block and flow mappings and sequences; plain,
 * quoted and block scalars. Plain scalars are typed (null, booleans,
 * decimal integers, floats), everything else is a string. Anchors, aliases
 * and tags other than !!str are refused: a suite has no use for them and
 * they make marks ambiguous.
 *
 * Marks. jansson has no spare field in json_t and no free hook, so marks
 * live in a side table per parsed tree: the node pointers with their
 * (line, col), and the members (container, key or index) with the marks of
 * the key and the value. The member entries are what make marks work for
 * null/true/false, which jansson shares between all trees. Tables are
 * immutable once built and sit on a global list, newest first, under a
 * read-write lock; lookups take the read lock and binary-search each live
 * table. jolt_yaml_forget(root) removes a tree's table and must be called
 * before the tree's last reference goes (jolt_yaml_free does both): a
 * freed node's address can be reused by a later tree, and newest-first
 * lookup only makes that harmless while the stale table is gone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/suite.h"

/* Deeper nesting is refused rather than risking the stack on hostile
 * input; suites need a handful of levels. */
#define YAML_MAX_DEPTH 128
#define NO_KEY SIZE_MAX

typedef struct mark_node {
	const json_t *node;
	int line, col;
} mark_node;

typedef struct mark_member {
	const json_t *parent;
	size_t key_off; /* offset in the table's key arena; NO_KEY for arrays */
	size_t index;	/* array index, or member order for objects */
	int kline, kcol; /* the key (for arrays, same as the value) */
	int vline, vcol; /* the value */
} mark_member;

typedef struct mark_table {
	struct mark_table *next;
	const json_t *root;
	mark_node *nodes;
	size_t nnodes, anodes;
	mark_member *members;
	size_t nmembers, amembers;
	jolt_buf keys; /* NUL-separated member keys */
} mark_table;

static pthread_rwlock_t tables_lock = PTHREAD_RWLOCK_INITIALIZER;
static mark_table *tables; /* newest first */

static void table_free(mark_table *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->members);
	jolt_buf_release(&t->keys);
	free(t);
}

static bool is_singleton(const json_t *v)
{
	return json_is_null(v) || json_is_boolean(v);
}

static void add_node(mark_table *t, const json_t *node, yaml_mark_t m)
{
	if (is_singleton(node))
		return;
	if (t->nnodes == t->anodes) {
		t->anodes = t->anodes ? t->anodes * 2 : 64;
		t->nodes =
		    jolt_xrealloc(t->nodes, t->anodes * sizeof(*t->nodes));
	}
	t->nodes[t->nnodes++] =
	    (mark_node){node, (int)m.line + 1, (int)m.column + 1};
}

static void add_member(mark_table *t, const json_t *parent, const char *key,
		       size_t index, yaml_mark_t km, yaml_mark_t vm)
{
	if (t->nmembers == t->amembers) {
		t->amembers = t->amembers ? t->amembers * 2 : 64;
		t->members = jolt_xrealloc(t->members,
					   t->amembers * sizeof(*t->members));
	}
	size_t off = NO_KEY;
	if (key) {
		off = t->keys.len;
		jolt_buf_add(&t->keys, key, strlen(key) + 1);
	}
	t->members[t->nmembers++] = (mark_member){parent,
						  off,
						  index,
						  (int)km.line + 1,
						  (int)km.column + 1,
						  (int)vm.line + 1,
						  (int)vm.column + 1};
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
	return x < y ? -1 : x > y;
}

static int cmp_node(const void *a, const void *b)
{
	return cmp_ptr(((const mark_node *)a)->node,
		       ((const mark_node *)b)->node);
}

static int cmp_member(const void *a, const void *b)
{
	const mark_member *x = a, *y = b;
	int c = cmp_ptr(x->parent, y->parent);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct yparse {
	yaml_parser_t p;
	const char *name;
	const char *text;
	size_t len;
	mark_table *t;
} yparse;

static int err_at(yparse *st, yaml_mark_t m, const char *what)
{
	return jolt_err_set(JOLT_EINPUT, "%s:%zu:%zu: %s", st->name, m.line + 1,
			    m.column + 1, what);
}

/* Reader errors (bad encoding) carry only a byte offset. */
static yaml_mark_t mark_of_offset(const yparse *st, size_t off)
{
	yaml_mark_t m = {off, 0, 0};
	for (size_t i = 0; i < off && i < st->len; i++) {
		if (st->text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)st->text[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int next_event(yparse *st, yaml_event_t *ev)
{
	if (yaml_parser_parse(&st->p, ev))
		return 0;
	memset(ev, 0, sizeof(*ev));
	if (st->p.error == YAML_MEMORY_ERROR)
		return jolt_err_set(JOLT_ENOMEM, "%s: out of memory parsing",
				    st->name);
	const char *problem = st->p.problem ? st->p.problem : "syntax error";
	yaml_mark_t m = st->p.problem_mark;
	if (st->p.error == YAML_READER_ERROR)
		m = mark_of_offset(st, st->p.problem_offset);
	if (st->p.context)
		return jolt_err_set(JOLT_EINPUT,
				    "%s:%zu:%zu: %s (%s started at line %zu)",
				    st->name, m.line + 1, m.column + 1, problem,
				    st->p.context, st->p.context_mark.line + 1);
	return jolt_err_set(JOLT_EINPUT, "%s:%zu:%zu: %s", st->name, m.line + 1,
			    m.column + 1, problem);
}

static bool is_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* [-+]? ( digits ( . digits? )? | . digits ) ( [eE] [-+]? digits )?
 * with a '.' or an exponent (else it is an integer). */
static bool is_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	size_t int_start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t int_digits = i - int_start, frac_digits = 0;
	bool dot = false, expo = false;
	if (i < n && s[i] == '.') {
		dot = true;
		i++;
		size_t f = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		frac_digits = i - f;
	}
	if (int_digits + frac_digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		expo = true;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return false;
	}
	return i == n && (dot || expo);
}

static int scalar_value(json_t **out, yparse *st, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool typed = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	*out = NULL;
	if (tag) {
		if (strcmp(tag, "tag:yaml.org,2002:str") != 0 &&
		    strcmp(tag, "!") != 0)
			return err_at(
			    st, ev->start_mark,
			    "tags other than !!str are not supported");
		typed = false;
	}
	if (typed) {
		if (n == 0 || eq(s, n, "~") || eq(s, n, "null") ||
		    eq(s, n, "Null") || eq(s, n, "NULL")) {
			*out = json_null();
			return 0;
		}
		if (eq(s, n, "true") || eq(s, n, "True") || eq(s, n, "TRUE")) {
			*out = json_true();
			return 0;
		}
		if (eq(s, n, "false") || eq(s, n, "False") ||
		    eq(s, n, "FALSE")) {
			*out = json_false();
			return 0;
		}
		size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		if (is_digits(s + sign, n - sign)) {
			errno = 0;
			char *end = NULL;
			long long v = strtoll(s, &end, 10);
			if (errno == ERANGE || end != s + n)
				return err_at(st, ev->start_mark,
					      "integer out of range; quote it "
					      "to keep it as a string");
			*out = json_integer((json_int_t)v);
			return 0;
		}
		if (is_float(s, n)) {
			errno = 0;
			char *end = NULL;
			double v = strtod(s, &end);
			if (errno == ERANGE || end != s + n) {
				/* Underflow to 0 is fine; overflow is not. */
				if (!(errno == ERANGE && v > -1.0 && v < 1.0))
					return err_at(st, ev->start_mark,
						      "number out of range; "
						      "quote it to keep it as "
						      "a string");
			}
			*out = json_real(v);
			return *out ? 0
				    : err_at(st, ev->start_mark,
					     "number out of range");
		}
	}
	*out = json_stringn(s, n);
	if (!*out)
		return err_at(st, ev->start_mark, "string is not valid UTF-8");
	return 0;
}

static int parse_node(json_t **out, yparse *st, yaml_event_t *ev, int depth);

static const char *anchor_of(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

static int parse_sequence(json_t **out, yparse *st, int depth)
{
	json_t *arr = json_array();
	yaml_event_t ev;
	int rc = 0;
	for (;;) {
		rc = next_event(st, &ev);
		if (rc)
			goto done;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_mark_t vm = ev.start_mark;
		json_t *item = NULL;
		rc = parse_node(&item, st, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (rc)
			goto done;
		size_t index = json_array_size(arr);
		json_array_append_new(arr, item);
		add_member(st->t, arr, NULL, index, vm, vm);
	}
done:
	if (rc) {
		json_decref(arr);
		arr = NULL;
	}
	*out = arr;
	return rc;
}

static int parse_mapping(json_t **out, yparse *st, int depth)
{
	json_t *obj = json_object();
	yaml_event_t ev;
	char *key = NULL;
	int rc = 0;
	for (;;) {
		rc = next_event(st, &ev);
		if (rc)
			goto done;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_mark_t km = ev.start_mark;
		if (ev.type == YAML_ALIAS_EVENT || anchor_of(&ev)) {
			rc = err_at(st, km,
				    "anchors and aliases are not "
				    "supported in suite files");
			yaml_event_delete(&ev);
			goto done;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			rc = err_at(st, km,
				    "expected a scalar mapping key, "
				    "not a mapping or a list");
			yaml_event_delete(&ev);
			goto done;
		}
		size_t klen = ev.data.scalar.length;
		const char *kval = (const char *)ev.data.scalar.value;
		if (memchr(kval, '\0', klen)) {
			rc = err_at(st, km, "mapping key contains a NUL byte");
			yaml_event_delete(&ev);
			goto done;
		}
		key = jolt_xstrndup(kval, klen);
		yaml_event_delete(&ev);
		if (json_object_get(obj, key)) {
			jolt_buf msg = JOLT_BUF_INIT;
			jolt_buf_init(&msg, 512);
			jolt_buf_addf(&msg, "duplicate key '%s'", key);
			rc = err_at(st, km, jolt_buf_cstr(&msg));
			jolt_buf_release(&msg);
			goto done;
		}
		rc = next_event(st, &ev);
		if (rc)
			goto done;
		yaml_mark_t vm = ev.start_mark;
		json_t *val = NULL;
		rc = parse_node(&val, st, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (rc)
			goto done;
		size_t order = json_object_size(obj);
		if (json_object_set_new(obj, key, val) != 0) {
			rc = err_at(st, km, "mapping key is not valid UTF-8");
			goto done;
		}
		add_member(st->t, obj, key, order, km, vm);
		free(key);
		key = NULL;
	}
done:
	free(key);
	if (rc) {
		json_decref(obj);
		obj = NULL;
	}
	*out = obj;
	return rc;
}

/* Build the node that starts with `ev` (owned by the caller). */
static int parse_node(json_t **out, yparse *st, yaml_event_t *ev, int depth)
{
	int rc;
	*out = NULL;
	if (ev->type == YAML_ALIAS_EVENT || anchor_of(ev))
		return err_at(st, ev->start_mark,
			      "anchors and aliases are not supported in suite "
			      "files");
	if (depth > YAML_MAX_DEPTH)
		return err_at(st, ev->start_mark, "nesting is too deep");
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		rc = scalar_value(out, st, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = parse_sequence(out, st, depth);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = parse_mapping(out, st, depth);
		break;
	default:
		return err_at(st, ev->start_mark, "expected a value");
	}
	if (!rc)
		add_node(st->t, *out, ev->start_mark);
	return rc;
}

static int expect(yparse *st, yaml_event_type_t type, const char *what)
{
	yaml_event_t ev;
	int rc = next_event(st, &ev);
	if (rc)
		return rc;
	if (ev.type != type)
		rc = err_at(st, ev.start_mark, what);
	yaml_event_delete(&ev);
	return rc;
}

int jolt_yaml_parse(json_t **out, const char *name, const char *text,
		    size_t len)
{
	yparse st = {.name = name ? name : "<yaml>", .text = text, .len = len};
	yaml_event_t ev;
	json_t *root = NULL;
	int rc;
	*out = NULL;
	if (!yaml_parser_initialize(&st.p))
		return jolt_err_set(JOLT_ENOMEM, "%s: out of memory", st.name);
	yaml_parser_set_input_string(&st.p, (const unsigned char *)text, len);
	st.t = jolt_xcalloc(1, sizeof(*st.t));
	jolt_buf_init(&st.t->keys, 0);

	rc = expect(&st, YAML_STREAM_START_EVENT, "expected a YAML stream");
	if (rc)
		goto done;
	rc = next_event(&st, &ev);
	if (rc)
		goto done;
	if (ev.type == YAML_STREAM_END_EVENT) {
		/* An empty file is an empty document: null. */
		yaml_event_delete(&ev);
		root = json_null();
		goto done;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		rc = err_at(&st, ev.start_mark, "expected a document");
		yaml_event_delete(&ev);
		goto done;
	}
	yaml_event_delete(&ev);
	rc = next_event(&st, &ev);
	if (rc)
		goto done;
	rc = parse_node(&root, &st, &ev, 0);
	yaml_event_delete(&ev);
	if (rc)
		goto done;
	rc = expect(&st, YAML_DOCUMENT_END_EVENT,
		    "expected the end of the "
		    "document");
	if (rc)
		goto done;
	rc = next_event(&st, &ev);
	if (rc)
		goto done;
	if (ev.type != YAML_STREAM_END_EVENT)
		rc =
		    err_at(&st, ev.start_mark,
			   "expected one YAML document, found another ('---')");
	yaml_event_delete(&ev);
done:
	yaml_parser_delete(&st.p);
	if (rc) {
		json_decref(root);
		table_free(st.t);
		return rc;
	}
	if (st.t->nnodes == 0) {
		/* null/true/false root: nothing to mark, nothing to forget. */
		table_free(st.t);
	} else {
		mark_table *t = st.t;
		t->root = root;
		qsort(t->nodes, t->nnodes, sizeof(*t->nodes), cmp_node);
		if (t->nmembers) /* members is NULL when there are none */
			qsort(t->members, t->nmembers, sizeof(*t->members),
			      cmp_member);
		pthread_rwlock_wrlock(&tables_lock);
		t->next = tables;
		tables = t;
		pthread_rwlock_unlock(&tables_lock);
	}
	*out = root;
	return 0;
}

void jolt_yaml_forget(const json_t *root)
{
	if (!root || is_singleton(root))
		return;
	mark_table *found = NULL;
	pthread_rwlock_wrlock(&tables_lock);
	for (mark_table **pp = &tables; *pp; pp = &(*pp)->next) {
		if ((*pp)->root == root) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	pthread_rwlock_unlock(&tables_lock);
	table_free(found);
}

void jolt_yaml_free(json_t *root)
{
	jolt_yaml_forget(root);
	json_decref(root);
}

void jolt_yaml_mark(const json_t *node, int *line, int *col)
{
	int l = 0, c = 0;
	if (node && !is_singleton(node)) {
		mark_node key = {node, 0, 0};
		pthread_rwlock_rdlock(&tables_lock);
		for (const mark_table *t = tables; t; t = t->next) {
			const mark_node *m =
			    bsearch(&key, t->nodes, t->nnodes,
				    sizeof(*t->nodes), cmp_node);
			if (m) {
				l = m->line;
				c = m->col;
				break;
			}
		}
		pthread_rwlock_unlock(&tables_lock);
	}
	if (line)
		*line = l;
	if (col)
		*col = c;
}

/* Find the member of `parent` named `key` (or at `index` when key is
 * NULL) and copy its marks. */
static void member_mark(const json_t *parent, const char *key, size_t index,
			bool want_key, int *line, int *col)
{
	int l = 0, c = 0;
	if (parent) {
		pthread_rwlock_rdlock(&tables_lock);
		for (const mark_table *t = tables; t && !l; t = t->next) {
			/* Lower bound of `parent` in the sorted members. */
			size_t lo = 0, hi = t->nmembers;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (cmp_ptr(t->members[mid].parent, parent) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t i = lo;
			     i < t->nmembers && t->members[i].parent == parent;
			     i++) {
				const mark_member *m = &t->members[i];
				bool hit;
				if (key)
					hit = m->key_off != NO_KEY &&
					      strcmp(t->keys.s + m->key_off,
						     key) == 0;
				else
					hit = m->key_off == NO_KEY &&
					      m->index == index;
				if (hit) {
					l = want_key ? m->kline : m->vline;
					c = want_key ? m->kcol : m->vcol;
					break;
				}
			}
		}
		pthread_rwlock_unlock(&tables_lock);
	}
	if (line)
		*line = l;
	if (col)
		*col = c;
}

void jolt_yaml_mark_key(const json_t *obj, const char *key, int *line, int *col)
{
	member_mark(obj, key ? key : "", 0, true, line, col);
}

void jolt_yaml_mark_value(const json_t *obj, const char *key, int *line,
			  int *col)
{
	member_mark(obj, key ? key : "", 0, false, line, col);
}

void jolt_yaml_mark_elem(const json_t *arr, size_t index, int *line, int *col)
{
	member_mark(arr, NULL, index, false, line, col);
}

jolt_mark jolt_mark_node(const json_t *node)
{
	jolt_mark m = {0, 0};
	if (node)
		jolt_yaml_mark(node, &m.line, &m.col);
	return m;
}

jolt_mark jolt_mark_value(const json_t *obj, const char *key)
{
	jolt_mark m = {0, 0};
	jolt_yaml_mark_value(obj, key, &m.line, &m.col);
	return m.line ? m : jolt_mark_node(obj);
}

jolt_mark jolt_mark_key(const json_t *obj, const char *key)
{
	jolt_mark m = {0, 0};
	jolt_yaml_mark_key(obj, key, &m.line, &m.col);
	return m.line ? m : jolt_mark_value(obj, key);
}

jolt_mark jolt_mark_elem(const json_t *arr, size_t index)
{
	jolt_mark m = {0, 0};
	jolt_yaml_mark_elem(arr, index, &m.line, &m.col);
	return m.line ? m : jolt_mark_node(arr);
}

int jolt_input_err(const char *file, jolt_mark at, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at.line > 0)
		return jolt_err_set(JOLT_EINPUT, "%s:%d:%d: %s", file, at.line,
				    at.col, msg);
	return jolt_err_set(JOLT_EINPUT, "%s: %s", file, msg);
}
