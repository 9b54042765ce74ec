/*
 * csv.c - CSV reading and writing for data files (see csv.h for the
 * dialect and the ownership rule).
 */
#include "core/buf.h"
#include "core/common.h"
#include "core/csv.h"

static bool is_candidate(char ch)
{
	return ch == ',' || ch == ';' || ch == '\t' || ch == '|';
}

char jolt_csv_detect(const char *s, size_t n)
{
	/* The most frequent candidate on the first record that has one
	 * outside quotes, so a file an operator rewrote with ';' still
	 * loads, and a one-column first record does not hide it. Quotes are
	 * seen as the reader sees them: one opens a field only at its start. */
	const char cand[] = {',', ';', '\t', '|'};
	size_t i = 0;
	while (i < n) {
		size_t count[4] = {0};
		bool q = false, any = false;
		for (; i < n && (q || (s[i] != '\n' && s[i] != '\r')); i++) {
			if (q) {
				if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
					i++;
				else if (s[i] == '"')
					q = false;
				continue;
			}
			if (s[i] == '"' && (i == 0 || s[i - 1] == '\n' ||
					    s[i - 1] == '\r' ||
					    is_candidate(s[i - 1]))) {
				q = true;
				continue;
			}
			for (int k = 0; k < 4; k++)
				if (s[i] == cand[k]) {
					count[k]++;
					any = true;
				}
		}
		if (any) {
			int best = 0;
			for (int k = 1; k < 4; k++)
				if (count[k] > count[best])
					best = k;
			return cand[best];
		}
		i++; /* past the line break */
	}
	return ',';
}

void jolt_csv_release(jolt_csv *c)
{
	json_decref(c->rows);
	c->rows = NULL;
}

int jolt_csv_read(jolt_csv *out, const char *s, size_t n)
{
	jolt_csv_release(out);
	out->delim = jolt_csv_detect(s, n);
	out->crlf = n && memchr(s, '\r', n) != NULL;
	json_t *rows = json_array();
	json_t *rec = json_array();
	jolt_buf f;
	jolt_buf_init(&f, 0);
	size_t i = 0;
	size_t recno = 1; /* counted as read, blank records included */
	bool any = false; /* the current record has content */
	int rc = 0;
	const char d = out->delim;
	while (i < n) {
		bool quoted = false;
		jolt_buf_reset(&f);
		if (s[i] == '"') {
			quoted = true;
			for (i++;; i++) {
				if (i >= n) {
					rc = jolt_err_set(
					    JOLT_EINPUT,
					    "record %zu: unterminated quoted "
					    "field",
					    recno);
					goto done;
				}
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						jolt_buf_addc(&f, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				jolt_buf_addc(&f, s[i]);
			}
		}
		/* Text after a closing quote belongs to the same field, as
		 * both earlier readers had it. */
		while (i < n && s[i] != d && s[i] != '\n' && s[i] != '\r')
			jolt_buf_addc(&f, s[i++]);
		if (quoted || f.len || (i < n && s[i] == d))
			any = true;
		json_t *fs = json_stringn(jolt_buf_cstr(&f), f.len);
		if (!fs) {
			rc = jolt_err_set(JOLT_EINPUT,
					  "record %zu, field %zu: not valid "
					  "UTF-8",
					  recno, json_array_size(rec) + 1);
			goto done;
		}
		json_array_append_new(rec, fs);
		if (i < n && s[i] == d) {
			i++;
			/* A delimiter at the very end opens one empty,
			 * last field. */
			if (i == n)
				json_array_append_new(rec, json_string(""));
			else
				continue;
		}
		if (i < n && s[i] == '\r')
			i++;
		if (i < n && s[i] == '\n')
			i++;
		if (any)
			json_array_append(rows, rec);
		json_decref(rec);
		rec = json_array();
		any = false;
		recno++;
	}
done:
	json_decref(rec);
	jolt_buf_release(&f);
	if (rc) {
		json_decref(rows);
		return rc;
	}
	out->rows = rows;
	return 0;
}

int jolt_csv_write(char **out, size_t *len, const jolt_csv *c,
		   bool quote_all)
{
	*out = NULL;
	*len = 0;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	int rc = 0;
	size_t r, k;
	const json_t *row, *f;
	bool shown = false; /* a record of several fields has been written */
	json_array_foreach(c->rows, r, row)
	{
		if (!json_is_array(row)) {
			rc = jolt_err_set(JOLT_EINPUT,
					  "csv row %zu is not an array", r);
			goto done;
		}
		json_array_foreach(row, k, f)
		{
			const char *s = json_string_value(f);
			size_t n = json_string_length(f);
			if (!s) {
				rc = jolt_err_set(JOLT_EINPUT,
						  "csv row %zu, field %zu is "
						  "not a string",
						  r, k + 1);
				goto done;
			}
			if (k)
				jolt_buf_addc(&b, c->delim);
			/* The reader detects the delimiter from the first
			 * record with a candidate outside quotes: up to and
			 * including the first record of several fields, any
			 * candidate inside a field is quoted, so the file
			 * reads back the same way. */
			const char *special = !shown ? "\"\n\r,;\t|" : "\"\n\r";
			bool q = quote_all || memchr(s, c->delim, n);
			for (const char *p = special; !q && *p; p++)
				q = memchr(s, *p, n) != NULL;
			if (!q) {
				jolt_buf_add(&b, s, n);
				continue;
			}
			jolt_buf_addc(&b, '"');
			for (size_t i = 0; i < n; i++) {
				if (s[i] == '"')
					jolt_buf_addc(&b, '"');
				jolt_buf_addc(&b, s[i]);
			}
			jolt_buf_addc(&b, '"');
		}
		jolt_buf_adds(&b, c->crlf ? "\r\n" : "\n");
		shown = shown || json_array_size(row) > 1;
	}
	*len = b.len;
	*out = jolt_buf_detach(&b);
done:
	jolt_buf_release(&b);
	return rc;
}
