/*
 * env_data.c - the environment axis's operators that rewrite the task's
 * data tables (CSV and JSON files its `table` tools read) so that the
 * answer stays derivable and the keys still match: csv_delimiter,
 * number_format, date_format, json_key_order, extra_records. Registered
 * in env.c's table.
 */
#include <ctype.h>
#include <strings.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/csv.h"
#include "perturb/envop.h"

static int col_index(const json_t *hdr, const char *name)
{
	size_t i;
	const json_t *h;
	json_array_foreach(
	    hdr, i, h) if (!strcmp(json_string_value(h), name)) return (int)i;
	return -1;
}


/* ---- operator: csv_delimiter -------------------------------------------- */

int envop_csv_delimiter(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *tabs = envop_table_files(c, ".csv");
	int rc = 0;
	size_t changed = 0;
	/* Mild: semicolons; medium: tabs; heavy: pipes with every field
	 * quoted. The table builtin detects all of them from the header. */
	static const char delims[] = {0, ';', '\t', '|'};
	size_t i;
	const json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		char *text = NULL, *nt = NULL;
		size_t len = 0, nl = 0;
		jolt_csv d = {0};
		if (jolt_env_read(&text, &len, c->suite, c->task, f) == 0 &&
		    jolt_csv_read(&d, text, len) == 0 &&
		    json_array_size(d.rows) > 1) {
			char want = delims[c->level];
			if (d.delim == want)
				want = want == ';' ? ',' : ';';
			d.delim = want;
			rc = jolt_csv_write(&nt, &nl, &d, c->level >= 3);
			if (!rc)
				rc = envop_add_write(v, f, nt, nl);
			changed++;
		}
		jolt_csv_release(&d);
		free(nt);
		free(text);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (rc)
		return rc;
	if (!changed)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "csv_delimiter: the task has no CSV table");
	jolt_variant_summary(v, "CSV delimiter changed to %s in %zu table file(s)",
		    c->level == 1   ? "';'"
		    : c->level == 2 ? "tab"
				    : "'|' (quoted)",
		    changed);
	jolt_variant_give_up(v);
	return 0;
}

/* ---- operators: number_format, date_format ------------------------------ */

/* Plain decimal: -?digits(.digits)? */
static bool plain_number(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

static char *with_thousands(const char *s)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (*s == '-')
		jolt_buf_addc(&b, *s++);
	size_t il = strcspn(s, ".");
	for (size_t i = 0; i < il; i++) {
		if (i && (il - i) % 3 == 0)
			jolt_buf_addc(&b, ',');
		jolt_buf_addc(&b, s[i]);
	}
	jolt_buf_adds(&b, s + il);
	char *r = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return r;
}

/* Exact scientific notation from the decimal text: 41.10 -> 4.110e+01. */
static char *scientific(const char *s)
{
	bool neg = *s == '-';
	if (neg)
		s++;
	char digits[128];
	size_t nd = 0;
	int point = -1;
	for (const char *p = s; *p && nd + 1 < sizeof(digits); p++) {
		if (*p == '.')
			point = (int)nd;
		else
			digits[nd++] = *p;
	}
	if (point < 0) {
		/* An integer's trailing zeros carry no precision. */
		point = (int)nd;
		while (nd > 1 && digits[nd - 1] == '0')
			nd--;
	}
	size_t lead = 0;
	while (lead + 1 < nd && digits[lead] == '0')
		lead++;
	int exp = point - (int)lead - 1;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (neg)
		jolt_buf_addc(&b, '-');
	jolt_buf_addc(&b, digits[lead]);
	if (lead + 1 < nd) {
		jolt_buf_addc(&b, '.');
		jolt_buf_add(&b, digits + lead + 1, nd - lead - 1);
	}
	jolt_buf_addf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	char *r = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return r;
}

/* Mild: thousands separators on integers, a trailing zero on decimals;
 * medium: thousands separators everywhere plus a space-padded field;
 * heavy: exact scientific notation. Every form states the same value. */
static char *format_number(const char *s, int level)
{
	if (level <= 1)
		return strchr(s, '.') ? jolt_xasprintf("%s0", s)
				      : with_thousands(s);
	if (level == 2) {
		char *t = with_thousands(s);
		char *r = jolt_xasprintf(" %s", t);
		free(t);
		return r;
	}
	return scientific(s);
}

static bool iso_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	     (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

/* Mild: 15 Mar 2024; medium: March 15, 2024; heavy: 2024-03-15T00:00:00Z
 * written as 20240315 (basic ISO 8601). None is ambiguous. */
static char *format_date(const char *s, int level)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};
	static const char *const month[] = {"January", "February", "March",
					    "April",   "May",	   "June",
					    "July",    "August",   "September",
					    "October", "November", "December"};
	int y, m, d;
	if (!iso_date(s, &y, &m, &d))
		return NULL;
	if (level <= 1)
		return jolt_xasprintf("%d %s %04d", d, mon[m - 1], y);
	if (level == 2)
		return jolt_xasprintf("%s %d, %04d", month[m - 1], d, y);
	return jolt_xasprintf("%04d%02d%02d", y, m, d);
}

typedef char *(*cell_fmt)(const char *s, int level);

static char *number_cell(const char *s, int level)
{
	return plain_number(s) ? format_number(s, level) : NULL;
}

/* Rewrite the non-key cells `fmt` recognises in the task's table files
 * (CSV and JSON). A column changes only when every non-empty value in it
 * is recognised, so a column never mixes formats. */
static int data_format_apply(jolt_variant *v, const jolt_op_ctx *c,
			     cell_fmt fmt, const char *what)
{
	json_t *tabs = envop_table_files(c, "");
	int rc = 0;
	jolt_buf cols;
	jolt_buf_init(&cols, 0);
	size_t i;
	const json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		const json_t *key = json_object_get(t, "key");
		size_t fl = strlen(f);
		bool is_json = fl >= 5 && !strcasecmp(f + fl - 5, ".json");
		char *text = NULL, *nt = NULL;
		size_t len = 0, nl = 0;
		jolt_csv d = {0};
		json_t *arr = NULL;
		bool any = false;
		if (is_json) {
			if (envop_table_read(&arr, c, f))
				goto next;
			/* Column names from the records, in first-seen order.
			 */
			json_t *names = json_object();
			size_t r;
			json_t *rec;
			json_array_foreach(arr, r, rec)
			{
				const char *k;
				json_t *val;
				json_object_foreach(rec, k, val)
				{
					if (envop_is_key(key, k))
						continue;
					char *s =
					    json_is_string(val)
						? jolt_xstrdup(
						      json_string_value(val))
					    : json_is_integer(val)
						? jolt_xasprintf(
						      "%" JSON_INTEGER_FORMAT,
						      json_integer_value(val))
						: NULL;
					char *o = s ? fmt(s, c->level) : NULL;
					if (!json_object_get(names, k))
						json_object_set_new(
						    names, k, json_true());
					if (!o && !json_is_null(val) &&
					    !(s && !*s))
						json_object_set_new(
						    names, k, json_false());
					free(o);
					free(s);
				}
			}
			const char *k;
			json_t *okv;
			json_object_foreach(names, k, okv)
			{
				if (!json_is_true(okv))
					continue;
				json_array_foreach(arr, r, rec)
				{
					json_t *val = json_object_get(rec, k);
					char *s =
					    json_is_string(val)
						? jolt_xstrdup(
						      json_string_value(val))
					    : json_is_integer(val)
						? jolt_xasprintf(
						      "%" JSON_INTEGER_FORMAT,
						      json_integer_value(val))
						: NULL;
					char *o =
					    s && *s ? fmt(s, c->level) : NULL;
					if (o)
						json_object_set_new(
						    rec, k, json_string(o));
					free(o);
					free(s);
				}
				jolt_buf_addf(&cols, "%s%s:%s",
					      cols.len ? ", " : "", f, k);
				any = true;
			}
			json_decref(names);
			if (any) {
				nt = envop_table_text(arr, 0);
				nl = strlen(nt);
			}
		} else {
			if (jolt_env_read(&text, &len, c->suite, c->task, f) ||
			    jolt_csv_read(&d, text, len) ||
			    json_array_size(d.rows) < 2)
				goto next;
			const json_t *hdr = json_array_get(d.rows, 0);
			for (size_t col = 0; col < json_array_size(hdr);
			     col++) {
				const char *name =
				    json_string_value(json_array_get(hdr, col));
				if (envop_is_key(key, name))
					continue;
				bool all = true;
				for (size_t r = 1; r < json_array_size(d.rows);
				     r++) {
					const char *s =
					    json_string_value(json_array_get(
						json_array_get(d.rows, r),
						col));
					char *o =
					    s && *s ? fmt(s, c->level) : NULL;
					if (s && *s && !o)
						all = false;
					free(o);
				}
				if (!all)
					continue;
				for (size_t r = 1; r < json_array_size(d.rows);
				     r++) {
					json_t *row = json_array_get(d.rows, r);
					const char *s = json_string_value(
					    json_array_get(row, col));
					char *o =
					    s && *s ? fmt(s, c->level) : NULL;
					if (o)
						json_array_set_new(
						    row, col, json_string(o));
					free(o);
				}
				jolt_buf_addf(&cols, "%s%s:%s",
					      cols.len ? ", " : "", f, name);
				any = true;
			}
			if (any)
				rc = jolt_csv_write(&nt, &nl, &d, false);
		}
		if (any && !rc)
			rc = envop_add_write(v, f, nt, nl);
	next:
		json_decref(arr);
		jolt_csv_release(&d);
		free(nt);
		free(text);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (!rc && cols.len == 0)
		rc = jolt_err_set(
		    JOLT_ENOTFOUND,
		    "%s: no non-key %s column in the task's tables", what,
		    what);
	if (!rc) {
		jolt_variant_summary(v, "%s changed in %s", what, jolt_buf_cstr(&cols));
		jolt_variant_give_up(v);
	}
	jolt_buf_release(&cols);
	return rc;
}

int envop_number_format(jolt_variant *v, const jolt_op_ctx *c)
{
	return data_format_apply(v, c, number_cell, "number format");
}

int envop_date_format(jolt_variant *v, const jolt_op_ctx *c)
{
	return data_format_apply(v, c, format_date, "date format");
}

/* ---- operator: json_key_order ------------------------------------------- */

static json_t *reorder(const json_t *rec, const size_t *idx)
{
	size_t n = json_object_size(rec);
	const char **keys = jolt_xcalloc(n + 1, sizeof(*keys));
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)rec, key, val) keys[k++] = key;
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set(o, keys[idx[i]],
				json_object_get(rec, keys[idx[i]]));
	free(keys);
	return o;
}

int envop_json_key_order(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *tabs = envop_table_files(c, ".json");
	int rc = 0;
	size_t changed = 0, i;
	const json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		json_t *arr = NULL;
		if (envop_table_read(&arr, c, f))
			continue;
		json_t *out = json_array();
		size_t r;
		json_t *rec;
		size_t *idx = NULL;
		json_array_foreach(arr, r, rec)
		{
			size_t n = json_object_size(rec);
			if (!json_is_object(rec) || n < 2) {
				json_array_append(out, rec);
				continue;
			}
			idx = jolt_xrealloc(idx, n * sizeof(*idx));
			/* Mild: reversed; medium: one shuffle for the file;
			 * heavy: a shuffle per record. */
			if (c->level <= 1)
				for (size_t k = 0; k < n; k++)
					idx[k] = n - 1 - k;
			else
				jolt_op_shuffle(
				    idx, n, c, f,
				    (c->level >= 3 ? r + 1 : n) * 1000 + 1,
				    JOLT_SHUFFLE_REVERSE);
			json_array_append_new(out, reorder(rec, idx));
		}
		free(idx);
		char *nt = envop_table_text(out, c->level >= 3 ? 4 : 0);
		rc = envop_add_write(v, f, nt, strlen(nt));
		changed++;
		free(nt);
		json_decref(out);
		json_decref(arr);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (rc)
		return rc;
	if (!changed)
		return jolt_err_set(
		    JOLT_ENOTFOUND,
		    "json_key_order: the task has no JSON table");
	jolt_variant_summary(v, "key order changed in %zu JSON table file(s)", changed);
	jolt_variant_give_up(v);
	return 0;
}

/* ---- operator: extra_records -------------------------------------------- */

static const char *const fake_a[] = {
    "Northwind", "Harbor",   "Summit",	"Granite", "Lumen",
    "Cobalt",	 "Meridian", "Pioneer", "Vertex",  "Juniper"};
static const char *const fake_b[] = {"Holdings", "Labs",    "Group",
				     "Partners", "Systems", "Works"};

static bool all_upper(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s))
			return false;
	return true;
}

/* A value for the first key column that no record and no text of the
 * task uses. */
static char *new_key(const jolt_op_ctx *c, const json_t *taken,
		     const char *like, uint64_t n)
{
	for (uint64_t attempt = 0;; attempt++) {
		char *s;
		if (all_upper(like)) {
			size_t l = strlen(like);
			s = jolt_xmalloc(l + 1);
			for (size_t i = 0; i < l; i++)
				s[i] =
				    (char)('A' + jolt_op_pick(
						     c, "rec.key",
						     n * 977 + attempt * 31 + i,
						     26));
			s[l] = '\0';
		} else {
			s = jolt_xasprintf(
			    "%s-%c%c", like,
			    (char)('a' +
				   jolt_op_pick(c, "rec.k1", n + attempt, 26)),
			    (char)('a' +
				   jolt_op_pick(c, "rec.k2", n + attempt, 26)));
		}
		if (!json_object_get(taken, s) &&
		    !(c->task->user && strstr(c->task->user, s)))
			return s;
		free(s);
	}
}

/* A number like `s` (same decimals), scaled by a seeded factor. */
static char *scaled(const jolt_op_ctx *c, const char *s, uint64_t n)
{
	double f = 0.6 + 0.8 * jolt_op_rand(c, "rec.scale", n);
	const char *dot = strchr(s, '.');
	int dec = dot ? (int)strlen(dot + 1) : 0;
	return jolt_xasprintf("%.*f", dec, strtod(s, NULL) * f);
}

int envop_extra_records(jolt_variant *v, const jolt_op_ctx *c)
{
	static const int entities[] = {0, 1, 3, 8};
	json_t *tabs = envop_table_files(c, "");
	int rc = 0;
	size_t changed = 0, i;
	const json_t *t;
	jolt_buf sum;
	jolt_buf_init(&sum, 0);
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		const char *k0 = json_string_value(
		    json_array_get(json_object_get(t, "key"), 0));
		size_t fl = strlen(f);
		bool is_json = fl >= 5 && !strcasecmp(f + fl - 5, ".json");
		char *text = NULL, *nt = NULL;
		size_t len = 0;
		jolt_csv d = {0};
		json_t *recs = NULL; /* records as objects of strings/values */
		if (!k0)
			continue;
		if (is_json) {
			if (envop_table_read(&recs, c, f))
				continue;
		} else {
			if (jolt_env_read(&text, &len, c->suite, c->task, f) ||
			    jolt_csv_read(&d, text, len) ||
			    json_array_size(d.rows) < 2 ||
			    col_index(json_array_get(d.rows, 0), k0) < 0) {
				free(text);
				jolt_csv_release(&d);
				continue;
			}
			recs = json_array();
			const json_t *hdr = json_array_get(d.rows, 0);
			for (size_t r = 1; r < json_array_size(d.rows); r++) {
				json_t *o = json_object();
				for (size_t col = 0; col < json_array_size(hdr);
				     col++) {
					json_t *cell = json_array_get(
					    json_array_get(d.rows, r), col);
					json_object_set_new(
					    o,
					    json_string_value(
						json_array_get(hdr, col)),
					    cell ? json_incref(cell)
						 : json_string(""));
				}
				json_array_append_new(recs, o);
			}
		}
		/* The distinct values of the first key column, in order. */
		json_t *taken = json_object(), *order = json_array();
		size_t r;
		json_t *rec;
		json_array_foreach(recs, r, rec)
		{
			json_t *kv = json_object_get(rec, k0);
			const char *s = json_string_value(kv);
			if (s && !json_object_get(taken, s)) {
				json_object_set_new(taken, s, json_true());
				json_array_append_new(order, json_string(s));
			}
		}
		size_t ne = (size_t)entities[c->level];
		json_t *added = json_array();
		for (size_t e = 0; e < ne && json_array_size(order); e++) {
			const char *src = json_string_value(json_array_get(
			    order, jolt_op_pick(c, "rec.src", e,
					      json_array_size(order))));
			char *nk = new_key(c, taken, src, e);
			json_object_set_new(taken, nk, json_true());
			char *fake = jolt_xasprintf(
			    "%s %s",
			    envop_pick(c, "rec.a", e, fake_a, JOLT_ARRAY_LEN(fake_a)),
			    envop_pick(c, "rec.b", e, fake_b,
				 JOLT_ARRAY_LEN(fake_b)));
			size_t rr;
			json_t *sr;
			json_array_foreach(recs, rr, sr)
			{
				const char *sk =
				    json_string_value(json_object_get(sr, k0));
				if (!sk || strcmp(sk, src))
					continue;
				json_t *o = json_deep_copy(sr);
				json_object_set_new(o, k0, json_string(nk));
				const char *ck;
				json_t *cv;
				json_object_foreach(o, ck, cv)
				{
					if (envop_is_key(json_object_get(t, "key"),
						   ck))
						continue;
					const char *s = json_string_value(cv);
					if (json_is_integer(cv)) {
						double fct =
						    0.6 +
						    0.8 * jolt_op_rand(
							      c, "rec.scale",
							      e * 131 + rr);
						json_object_set_new(
						    o, ck,
						    json_integer((
							json_int_t)((double)
									json_integer_value(
									    cv) *
								    fct)));
					} else if (s && plain_number(s)) {
						char *sc =
						    scaled(c, s, e * 131 + rr);
						json_object_set_new(
						    o, ck, json_string(sc));
						free(sc);
					} else if (s && strlen(s) > 8 &&
						   strchr(s, ' ')) {
						/* A name-like field: a made-up
						 * one, so that no two records
						 * share a name. */
						json_object_set_new(
						    o, ck, json_string(fake));
					}
				}
				json_array_append_new(added, o);
			}
			jolt_buf_addf(&sum, "%s%s %s=%s", sum.len ? ", " : "",
				      f, k0, nk);
			free(fake);
			free(nk);
		}
		/* Mild appends; heavier levels scatter the new records. */
		size_t na;
		json_t *a;
		json_array_foreach(added, na, a)
		{
			if (c->level <= 1)
				json_array_append(recs, a);
			else
				json_array_insert(
				    recs,
				    jolt_op_pick(c, "rec.pos", na,
					       json_array_size(recs) + 1),
				    a);
		}
		if (json_array_size(added)) {
			size_t nl = 0;
			if (is_json) {
				nt = envop_table_text(recs, 0);
				nl = strlen(nt);
			} else {
				const json_t *hdr = json_array_get(d.rows, 0);
				json_t *rows = json_array();
				json_array_append(rows, (json_t *)hdr);
				json_array_foreach(recs, r, rec)
				{
					json_t *row = json_array();
					for (size_t col = 0;
					     col < json_array_size(hdr); col++)
						json_array_append(
						    row,
						    json_object_get(
							rec,
							json_string_value(
							    json_array_get(
								hdr, col))));
					json_array_append_new(rows, row);
				}
				jolt_csv_release(&d);
				d.rows = rows;
				rc = jolt_csv_write(&nt, &nl, &d, false);
			}
			if (!rc)
				rc = envop_add_write(v, f, nt, nl);
			changed++;
		}
		json_decref(added);
		json_decref(order);
		json_decref(taken);
		json_decref(recs);
		jolt_csv_release(&d);
		free(nt);
		free(text);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (!rc && !changed)
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "extra_records: the task has no table");
	if (!rc) {
		jolt_variant_summary(v, "added records for %s", jolt_buf_cstr(&sum));
		jolt_variant_give_up(v);
	}
	jolt_buf_release(&sum);
	return rc;
}
