/*
 * report_html.c - the HTML report: one self-contained file that opens
 * offline. It holds the leaderboard, the charts (inline SVG drawn here and
 * in report_html_svg.c), and a trial browser with a trace viewer.
 *
 * Scale. A run of 100,000 trials has some 400 MB of traces, so they are
 * not inlined as markup. The trials are laid out by model, scaffold,
 * task and repeat (a perturbed trial sits next to its baseline), their
 * stored trace texts are concatenated into chunks of about
 * HTML_CHUNK_RAW bytes, each chunk deflated (zlib) and written as base64
 * in its own <script type="application/octet-stream"> element, which the
 * browser keeps as an inert text node. A compact JSON index (one array per
 * trial: names as indices into a string table, outcome, figures, and where
 * its trace lives: chunk, byte offset, length) lets the script list,
 * filter and page the trials (failures first) without touching a chunk;
 * opening a trial inflates its chunk (DecompressionStream) and its
 * baseline's, and parses just those two traces.
 *
 * Safety. Traces and names are model output or user input: they reach the
 * page escaped (report_html.h) or base64-encoded, the script builds the
 * viewer with textContent only, and a Content-Security-Policy allows no
 * network at all and only the page's own script (by its SHA-256), so even
 * an escaping mistake could not run injected code or fetch anything.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/common.h"
#include "core/sha256.h"
#include "reports/report.h"
#include "reports/report_html.h"
#include "reports/robust.h"

/* Raw trace bytes per chunk before deflating: small enough that opening a
 * trial inflates little, large enough that a chunk's repeated prompts and
 * tool lists compress well. */
#define HTML_CHUNK_RAW (256 * 1024)
/* A stored trace longer than this is shown as a stub saying so. */
#define HTML_TRACE_CAP (8 * 1024 * 1024)
/* zlib level: 6 (the default) packs chunks some 20% smaller than 1 at
 * a small cost, and the page's size is what the browser pays for. */
#define HTML_DEFLATE_LEVEL 6
/* Bytes of a trial's detail carried in the index. */
#define HTML_DETAIL_CAP 160

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at p, 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	uint32_t cp;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4;
	else
		return 0;
	cp = p[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* the NUL stops here too */
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* The characters HTML text and attribute values escape. */
static const char *const entity[0x80] = {
    ['&'] = "&amp;",  ['<'] = "&lt;",	['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&#39;",
};

/* Write `s` (at most `max` bytes, 0 = all) as UTF-8 escaped for HTML or,
 * when `json`, for a JSON string inside a <script> element. */
static void escape(FILE *f, const char *s, size_t max, bool json)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *start = p;
	while (*p) {
		size_t n = utf8_len(p);
		if (max && (size_t)(p - start) >= max) {
			fputs("\xe2\x80\xa6", f); /* U+2026 */
			return;
		}
		if (n == 0) {
			fputs(json ? "\\ufffd" : "&#xfffd;", f);
			p++;
			continue;
		}
		if (n > 1) {
			/* U+2028 and U+2029 end a line in old script
			 * parsers: escape them in JSON. */
			if (json && p[0] == 0xE2 && p[1] == 0x80 &&
			    (p[2] == 0xA8 || p[2] == 0xA9))
				fprintf(f, "\\u20%x",
					p[2] == 0xA8 ? 0x28 : 0x29);
			else
				fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		if (json) {
			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c < 0x20 || c == '<' || c == '>' || c == '&' ||
				 c == 0x7F)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
			continue;
		}
		if (c < 0x80 && entity[c])
			fputs(entity[c], f);
		else if ((c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t')
			fputc(c, f);
	}
}

void jolt_html_text(FILE *f, const char *s, size_t max)
{
	escape(f, s, max, false);
}

void jolt_html_json_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	escape(f, s, max, true);
	fputc('"', f);
}

void jolt_html_pct(FILE *f, double x)
{
	if (isnan(x))
		fputs("\xe2\x80\x93", f); /* U+2013 */
	else
		fprintf(f, "%.1f%%", 100.0 * x);
}

void jolt_html_interval(FILE *f, double lo, double hi)
{
	fputc('[', f);
	jolt_html_pct(f, lo);
	fputs(", ", f);
	jolt_html_pct(f, hi);
	fputc(']', f);
}

static void html_num(FILE *f, double x, const char *fmt)
{
	if (isnan(x))
		fputs("\xe2\x80\x93", f);
	else
		fprintf(f, fmt, x);
}

/* ---- pairing: every perturbed trial with its baseline trial ---- */

static int cmp_layout(const void *a, const void *b, void *payload)
{
	const jolt_trial_row *rows = payload;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const jolt_trial_row *x = &rows[i], *y = &rows[j];
	int c = jolt_report_cmp_instance(x, y);
	if (c)
		return c;
	bool xb = strcmp(x->axis, JOLT_BASELINE) == 0;
	bool yb = strcmp(y->axis, JOLT_BASELINE) == 0;
	if (xb != yb)
		return xb ? -1 : 1;
	if ((c = strcmp(x->variant, y->variant)))
		return c;
	return i < j ? -1 : i > j;
}

/* The position in `order` of the first trial of key's instance, or
 * ntrials when there is none. */
static size_t find_instance(const jolt_report *r, const size_t *order,
			    const jolt_trial_row *key)
{
	size_t lo = 0, hi = r->ntrials;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (jolt_report_cmp_instance(&r->trials[order[mid]], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->ntrials &&
	    jolt_report_cmp_instance(&r->trials[order[lo]], key) == 0)
		return lo;
	return r->ntrials;
}

/* order: the trials laid out by model, scaffold, suite, task, repeat,
 * baselines first. base[i]: what trial i is compared with, as robust.h
 * pairs them: a perturbed trial's baseline trial (the first graded one
 * in load order, else the first one); for a baseline under a scaffold
 * other than native, the same model's native baseline (the scaffold
 * swap); -1 for a native baseline or when there is none. pick is scratch
 * room for ntrials. */
static void html_pair(const jolt_report *r, size_t *order, long *base,
		      long *pick)
{
	const jolt_trial_row *t = r->trials;
	for (size_t i = 0; i < r->ntrials; i++)
		order[i] = i;
	qsort_r(order, r->ntrials, sizeof(*order), cmp_layout,
		(void *)r->trials);
	for (size_t g = 0; g < r->ntrials;) {
		size_t end = g + 1;
		while (end < r->ntrials &&
		       jolt_report_cmp_instance(&t[order[g]], &t[order[end]]) ==
			   0)
			end++;
		long b = -1;
		for (size_t k = g; k < end; k++) {
			const jolt_trial_row *x = &t[order[k]];
			if (strcmp(x->axis, JOLT_BASELINE) != 0)
				break;
			if (b < 0 || (t[b].outcome == JOLT_OUTCOME_INFRA &&
				      x->outcome != JOLT_OUTCOME_INFRA))
				b = (long)order[k];
		}
		for (size_t k = g; k < end; k++) {
			bool is_base =
			    strcmp(t[order[k]].axis, JOLT_BASELINE) == 0;
			base[order[k]] = is_base ? -1 : b;
			pick[order[k]] = b;
		}
		g = end;
	}
	for (size_t i = 0; i < r->ntrials; i++) {
		if (strcmp(t[i].axis, JOLT_BASELINE) != 0 ||
		    strcmp(t[i].scaffold, JOLT_SCAFFOLD_DEFAULT) == 0)
			continue;
		jolt_trial_row key = t[i];
		key.scaffold = JOLT_SCAFFOLD_DEFAULT;
		size_t at = find_instance(r, order, &key);
		if (at < r->ntrials)
			base[i] = pick[order[at]];
	}
}

/* ---- the leaderboard ---- */

static void rate_cell(FILE *f, const jolt_rate *x)
{
	fputs("<td class=\"rate\">", f);
	jolt_html_rate_bar(f, x->rate, x->lo, x->hi);
	jolt_html_pct(f, x->rate);
	fputs(" <small>", f);
	jolt_html_interval(f, x->lo, x->hi);
	fprintf(f, " n=%ld</small></td>", x->n);
}

/* Which databases each series' trials came from. */
static bool *series_dbs(const jolt_report *r)
{
	const jolt_robust *s = r->robust;
	bool *in = jolt_xcalloc(s->nmodels * r->ndb + 1, sizeof(*in));
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = &r->trials[i];
		for (size_t m = 0; m < s->nmodels; m++)
			if (strcmp(s->models[m].model, t->model) == 0 &&
			    strcmp(s->models[m].scaffold, t->scaffold) == 0) {
				in[m * r->ndb + t->db] = true;
				break;
			}
	}
	return in;
}

static void html_leaderboard(FILE *f, const jolt_report *r)
{
	const jolt_robust *s = r->robust;
	bool *in = series_dbs(r);

	fputs("<section id=\"leaderboard\"><h2>Leaderboard</h2>\n"
	      "<p class=\"note\">One row per model and scaffold, ranked by "
	      "the pass rate under perturbation, then at baseline. Rates "
	      "exclude infra errors (counted apart); brackets: Wilson 95% "
	      "interval. PDR: performance drop rate over paired trials; "
	      "worst case: per task the lowest pass rate over its baseline "
	      "and variants, averaged; noise floor: how often two repeats "
	      "of the same baseline disagree (needs --repeats).</p>\n"
	      "<div class=\"scroll\"><table class=\"lb\">"
	      "<thead><tr><th>#</th><th>model</th><th>scaffold</th>"
	      "<th>source</th><th>trials</th><th>baseline</th>"
	      "<th>perturbed</th><th>PDR</th><th>breaks / fixes</th>"
	      "<th>worst case</th><th>noise floor</th><th>infra</th>"
	      "<th>malformed</th>"
	      "<th>tokens in / out</th><th>latency</th></tr></thead>"
	      "<tbody>\n",
	      f);
	for (size_t k = 0; k < r->nboard; k++) {
		const jolt_robust_model *m = r->board[k].m;
		size_t i = (size_t)(m - s->models); /* its series */
		fprintf(f,
			"<tr><td>%zu</td><td><span class=\"key\" "
			"style=\"background:%s\"></span>",
			k + 1, jolt_html_color(i));
		jolt_html_text(f, m->model, 0);
		fputs("</td><td>", f);
		jolt_html_text(f, m->scaffold, 0);
		fputs("</td><td class=\"src\">", f);
		for (size_t d = 0, n = 0; d < r->ndb; d++) {
			if (!in[i * r->ndb + d])
				continue;
			fputs(n++ ? "<br>" : "", f);
			const char *slash = strrchr(r->dbs[d], '/');
			jolt_html_text(f, slash ? slash + 1 : r->dbs[d], 60);
		}
		fprintf(f, "</td><td>%ld</td>", m->trials);
		rate_cell(f, &m->baseline);
		rate_cell(f, &m->perturbed);
		fputs("<td>", f);
		jolt_html_pct(f, m->pdr);
		fprintf(f, "</td><td>%ld / %ld</td><td>", m->flips.n10,
			m->flips.n01);
		jolt_html_pct(f, m->worst_case);
		fprintf(f, "</td><td title=\"over %ld pairs of repeats\">",
			m->noise_pairs);
		jolt_html_pct(f, m->noise_flip_rate);
		fprintf(f, "</td><td>%ld</td><td>", m->infra);
		jolt_html_pct(f, m->malformed_rate);
		fputs("</td><td>", f);
		html_num(f, m->mean_tokens_in, "%.0f");
		fputs(" / ", f);
		html_num(f, m->mean_tokens_out, "%.0f");
		fputs("</td><td>", f);
		html_num(f, m->mean_latency_ms, "%.0f ms");
		fputs("</td></tr>\n", f);
	}
	if (r->nboard == 0)
		fputs("<tr><td colspan=\"15\">no trials</td></tr>\n", f);
	fputs("</tbody></table></div></section>\n", f);
	free(in);
}

/* ---- the trial index and the trace chunks ---- */

/* Where a trial's trace is: chunk number, byte offset and length in the
 * inflated chunk; len -1 when none is stored. */
typedef struct {
	long chunk;
	long off;
	long len;
} trace_loc;

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of p[0..n) into out (room for 4 * ((n + 2) / 3) bytes); returns
 * the length written. */
static size_t base64(char *out, const unsigned char *p, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	return o;
}

/* One chunk: its raw trace texts, then its deflated base64 text. */
typedef struct {
	unsigned char *raw;
	size_t len;
	size_t cap;
	unsigned char *z;
	size_t zcap;
	char *text;
	size_t textlen;
	size_t textcap;
	bool failed;
} chunk_buf;

/* Chunks are filled HTML_BATCH at a time, then deflated in parallel
 * (deflate is most of the report's time at 100,000 trials) and written in
 * order. */
#define HTML_BATCH 16

typedef struct {
	chunk_buf c[HTML_BATCH];
	size_t n;     /* chunks in use; the last one is being filled */
	long written; /* chunks already on the page */
} chunker;

static void chunk_encode(chunk_buf *c)
{
	uLongf zlen = compressBound((uLong)c->len);
	size_t need;
	if (zlen > c->zcap) {
		c->zcap = zlen;
		c->z = jolt_xrealloc(c->z, c->zcap);
	}
	c->failed = compress2(c->z, &zlen, c->raw, (uLong)c->len,
			      HTML_DEFLATE_LEVEL) != Z_OK;
	need = 4 * ((zlen + 2) / 3);
	if (need > c->textcap) {
		c->textcap = need;
		c->text = jolt_xrealloc(c->text, c->textcap);
	}
	c->textlen = c->failed ? 0 : base64(c->text, c->z, zlen);
}

static int batch_flush(FILE *f, chunker *b)
{
	int err = 0;
	long n = (long)b->n;
#pragma omp parallel for schedule(dynamic, 1)
	for (long i = 0; i < n; i++)
		chunk_encode(&b->c[i]);
	for (size_t i = 0; i < b->n; i++) {
		chunk_buf *c = &b->c[i];
		if (c->failed && !err)
			err = jolt_err_set(JOLT_EINTERNAL,
					   "html report: deflating trace chunk "
					   "%ld failed",
					   b->written);
		fprintf(f,
			"<script type=\"application/octet-stream\" "
			"id=\"jolt-c%ld\">",
			b->written++);
		fwrite(c->text, 1, c->textlen, f);
		fputs("</script>\n", f);
		c->len = 0;
	}
	b->n = 0;
	return err;
}

/* Add a trace; *chunk and *off get where it went. */
static int chunk_add(FILE *f, chunker *b, const char *s, size_t n, long *chunk,
		     long *off)
{
	int err = 0;
	chunk_buf *c = b->n ? &b->c[b->n - 1] : NULL;
	if (!c || (c->len > 0 && c->len + n > HTML_CHUNK_RAW)) {
		if (b->n == HTML_BATCH && (err = batch_flush(f, b)) != 0)
			return err;
		c = &b->c[b->n++];
	}
	if (c->len + n > c->cap) {
		c->cap = c->len + n > 2 * c->cap ? c->len + n : 2 * c->cap;
		c->raw = jolt_xrealloc(c->raw, c->cap);
	}
	*chunk = b->written + (long)b->n - 1;
	*off = (long)c->len;
	memcpy(c->raw + c->len, s, n);
	c->len += n;
	return 0;
}

/* Read every trial's trace in layout order into chunks; *nchunks gets
 * how many were written. */
static int html_chunks(FILE *f, const jolt_report *r, const size_t *order,
		       trace_loc *loc, long *nchunks)
{
	chunker b = {0};
	int err = 0;
	for (size_t i = 0; i < r->ntrials; i++)
		loc[i] = (trace_loc){-1, 0, -1};
	if (!r->traces.read)
		return 0;
	for (size_t k = 0; k < r->ntrials && !err; k++) {
		const jolt_trial_row *t = &r->trials[order[k]];
		trace_loc *l = &loc[order[k]];
		char *text = NULL;
		err = r->traces.read(&text, t->db, t->id, r->traces.payload);
		if (err == JOLT_ENOTFOUND) {
			err = 0;
			continue;
		}
		if (err)
			break;
		size_t n = strlen(text);
		char stub[96];
		if (n > HTML_TRACE_CAP) {
			snprintf(stub, sizeof(stub),
				 "{\"jolt_truncated\": %zu}", n);
			free(text);
			text = jolt_xstrdup(stub);
			n = strlen(text);
		}
		l->len = (long)n;
		err = chunk_add(f, &b, text, n, &l->chunk, &l->off);
		free(text);
	}
	if (!err)
		err = batch_flush(f, &b);
	*nchunks = b.written;
	for (size_t i = 0; i < HTML_BATCH; i++) {
		free(b.c[i].raw);
		free(b.c[i].z);
		free(b.c[i].text);
	}
	return err;
}

/* The string table of the index: each distinct name once. */
typedef struct {
	const char **slot; /* open addressing, power-of-two size */
	long *id;
	size_t size;
	const char **list; /* by id */
	size_t n;
} strtab;

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static long strtab_id(strtab *t, const char *s)
{
	size_t i = str_hash(s) & (t->size - 1);
	while (t->slot[i]) {
		if (strcmp(t->slot[i], s) == 0)
			return t->id[i];
		i = (i + 1) & (t->size - 1);
	}
	t->slot[i] = s;
	t->id[i] = (long)t->n;
	t->list[t->n++] = s;
	return t->id[i];
}

/* Names of a trial that the index carries as string ids. */
#define INDEX_NAMES(t)                                                         \
	{                                                                      \
		(t)->model, (t)->scaffold, (t)->suite, (t)->task,              \
		    (t)->variant, (t)->axis, (t)->op, (t)->error_class         \
	}
#define INDEX_NNAMES 8

static void html_index(FILE *f, const jolt_report *r, const long *base,
		       const trace_loc *loc, long nchunks)
{
	strtab st = {0};
	st.size = 64;
	while (st.size < 2 * (INDEX_NNAMES * r->ntrials + 1))
		st.size *= 2;
	st.slot = jolt_xcalloc(st.size, sizeof(*st.slot));
	st.id = jolt_xcalloc(st.size, sizeof(*st.id));
	st.list = jolt_xcalloc(INDEX_NNAMES * r->ntrials + 1, sizeof(*st.list));
	for (size_t i = 0; i < r->ntrials; i++) {
		const char *names[] = INDEX_NAMES(&r->trials[i]);
		for (size_t k = 0; k < INDEX_NNAMES; k++)
			strtab_id(&st, names[k]);
	}

	fputs("<script type=\"application/json\" id=\"jolt-index\">"
	      "{\"dbs\":[",
	      f);
	for (size_t d = 0; d < r->ndb; d++) {
		fputs(d ? "," : "", f);
		jolt_html_json_str(f, r->dbs[d], 0);
	}
	fprintf(f, "],\"chunks\":%ld,\"traces\":%s,\"strings\":[", nchunks,
		r->traces.read ? "true" : "false");
	for (size_t i = 0; i < st.n; i++) {
		fputs(i ? "," : "", f);
		jolt_html_json_str(f, st.list[i], 0);
	}
	/* Keep in step with the column names the script reads (C). */
	fputs("],\n\"cols\":[\"db\",\"model\",\"scaffold\",\"suite\","
	      "\"task\",\"variant\",\"axis\",\"op\",\"error_class\","
	      "\"level\",\"repeat\",\"outcome\",\"steps\",\"tokens\","
	      "\"latency_ms\",\"reward\",\"base\",\"chunk\",\"off\",\"len\","
	      "\"detail\"],\n\"trials\":[",
	      f);
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = &r->trials[i];
		const char *names[] = INDEX_NAMES(t);
		fprintf(f, "%s\n[%zu", i ? "," : "", t->db);
		for (size_t k = 0; k < INDEX_NNAMES; k++)
			fprintf(f, ",%ld", strtab_id(&st, names[k]));
		fprintf(f, ",%d,%d,%d,%d,%ld,%ld,", t->level, t->repeat,
			(int)t->outcome, t->steps, t->tokens_in + t->tokens_out,
			t->latency_ms);
		if (isfinite(t->reward))
			fprintf(f, "%.3g", t->reward);
		else
			fputs("null", f);
		fprintf(f, ",%ld,%ld,%ld,%ld,", base[i], loc[i].chunk,
			loc[i].off, loc[i].len);
		const char *nl = t->detail ? strchr(t->detail, '\n') : NULL;
		size_t cap = HTML_DETAIL_CAP;
		if (nl && (size_t)(nl - t->detail) < cap)
			cap = (size_t)(nl - t->detail);
		jolt_html_json_str(f, t->detail ? t->detail : "",
				   cap ? cap : 1);
		fputc(']', f);
	}
	fputs("]}</script>\n", f);
	free(st.slot);
	free(st.id);
	free(st.list);
}

/* ---- the page ---- */

/* The Content-Security-Policy hash source of the script: base64 of its
 * SHA-256. */
static void script_hash(char out[45])
{
	char hex[65];
	unsigned char d[32];
	jolt_sha256_hex(hex, jolt_html_js, strlen(jolt_html_js));
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char h = hex[2 * i + k];
			v = v << 4 |
			    (unsigned)(h <= '9' ? h - '0' : h - 'a' + 10);
		}
		d[i] = (unsigned char)v;
	}
	out[base64(out, d, sizeof(d))] = '\0';
}

static void html_head(FILE *f, const jolt_report *r)
{
	char hash[45];
	long pass = 0, fail = 0, infra = 0;
	script_hash(hash);
	for (size_t i = 0; i < r->nby_model; i++) {
		pass += r->by_model[i].pass;
		fail += r->by_model[i].fail;
		infra += r->by_model[i].infra;
	}
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head>"
		"<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src 'unsafe-inline'; "
		"script-src 'sha256-%s'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, "
		"initial-scale=1\">\n<title>jolt report</title>\n"
		"<style>%s</style></head>\n<body>\n<header>"
		"<h1>jolt robustness report</h1><p>",
		hash, jolt_html_css);
	fprintf(f, "%zu trials (%ld pass, %ld fail, %ld infra) from ",
		r->ntrials, pass, fail, infra);
	for (size_t d = 0; d < r->ndb; d++) {
		fputs(d ? ", " : "", f);
		fputs("<code>", f);
		jolt_html_text(f, r->dbs[d], 0);
		fputs("</code>", f);
	}
	fputs("</p><nav><a href=\"#leaderboard\">leaderboard</a> "
	      "<a href=\"#drops\">drop per axis</a> "
	      "<a href=\"#detect\">detectable</a> "
	      "<a href=\"#heatmap\">operators</a> "
	      "<a href=\"#levels\">levels</a> "
	      "<a href=\"#passk\">pass^k</a> "
	      "<a href=\"#refused\">refused</a> "
	      "<a href=\"#trials\">trials and traces</a></nav></header>\n",
	      f);
}

/* Each axis's drop next to the smallest drop the run could detect, and
 * what that lets a reader conclude (robust.h, jolt_robust_verdict). */
static void html_detectable(FILE *f, const jolt_report *r)
{
	const jolt_robust *s = r->robust;
	if (!s || s->nby_axis == 0)
		return;
	fprintf(f, "<section id=\"detect\"><h2>What this run can detect</h2>\n"
		"<p class=\"note\">Detectable: the smallest drop each "
		"comparison could detect at 80%% power, with its tasks, K "
		"from the repeats and its pairs per task, its baseline rate "
		"and the model's noise (flips between repeats; without "
		"repeats, twice its fix rate), assuming a drop breaks the "
		"same tasks every time, "
		"at the Holm level %g/%zu: the paired McNemar sample size "
		"(Connor 1987) n = [z(1-a/2) &radic;&psi; + z(.8) "
		"&radic;(&psi; - d&sup2;)]&sup2; / d&sup2;, &psi; = d + "
		"noise/K, solved for d. A drop that is not significant means "
		"\"no drop\" only when its interval stays below the "
		"detectable drop; otherwise the run was too small to tell. "
		"<code>jolt plan</code> sizes the next run.</p>\n"
		"<div class=\"scroll\"><table class=\"lb\"><thead><tr>"
		"<th>model</th><th>scaffold</th><th>axis</th><th>tasks</th>"
		"<th>pairs</th><th>drop</th><th>95%% interval</th>"
		"<th>detectable</th><th>verdict</th></tr></thead><tbody>\n",
		s->opts.alpha, s->family ? s->family : 1);
	for (size_t i = 0; i < s->nby_axis; i++) {
		const jolt_robust_cmp *c = &s->by_axis[i];
		fputs("<tr><td>", f);
		jolt_html_text(f, c->model, 0);
		fputs("</td><td>", f);
		jolt_html_text(f, c->scaffold, 0);
		fputs("</td><td>", f);
		jolt_html_text(f, c->axis, 0);
		fprintf(f, "</td><td>%ld</td><td>%ld</td><td>", c->tasks,
			jolt_flips_total(&c->flips));
		jolt_html_pct(f, c->drop.est);
		fputs("</td><td>", f);
		jolt_html_interval(f, c->drop.lo, c->drop.hi);
		fputs("</td><td class=\"mdd\">", f);
		jolt_html_pct(f, c->mdd);
		fputs("</td><td>", f);
		jolt_html_text(f, jolt_robust_verdict(c), 0);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

/* The variants the runs refused because their oracle fails. */
static void html_refused(FILE *f, const jolt_report *r)
{
	fputs("<section id=\"refused\"><h2>Refused variants</h2>\n", f);
	if (r->nrefused == 0) {
		fputs("<p>No variant was refused: the oracle passed every "
		      "variant run.</p></section>\n", f);
		return;
	}
	fprintf(f, "<p class=\"note\">%zu variant%s refused before the run "
		"because the task's oracle fails on %s (an operator or task "
		"bug, or the environment drifted from the oracle): not run, "
		"not counted. <code>jolt check</code> replays them.</p>\n"
		"<div class=\"scroll\"><table class=\"lb\"><thead><tr>"
		"<th>suite</th><th>task</th><th>operator</th><th>level</th>"
		"<th>seed</th><th>why</th></tr></thead><tbody>\n",
		r->nrefused, r->nrefused == 1 ? " was" : "s were",
		r->nrefused == 1 ? "it" : "them");
	for (size_t i = 0; i < r->nrefused; i++) {
		const jolt_report_refused *x = &r->refused[i];
		fputs("<tr><td>", f);
		jolt_html_text(f, x->suite, 0);
		fputs("</td><td>", f);
		jolt_html_text(f, x->level >= 0 ? x->task : x->variant, 0);
		fputs("</td><td>", f);
		jolt_html_text(f, x->op, 0);
		if (x->level >= 0)
			fprintf(f, "</td><td>%d</td><td>%lld</td><td>",
				x->level, x->seed);
		else
			fputs("</td><td></td><td></td><td>", f);
		jolt_html_text(f, x->why, 300);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

/* The variants the runs did not run because they change nothing the
 * model is shown, by operator; nothing when there are none. */
static void html_inapplicable(FILE *f, const jolt_report *r)
{
	if (r->ninapplicable == 0)
		return;
	jolt_report_na_op *ops = NULL;
	size_t n = jolt_report_na_by_op(r, &ops);
	char *intro = jolt_report_na_intro(r);
	fputs("<section id=\"inapplicable\"><h2>Variants not applicable"
	      "</h2>\n<p class=\"note\">", f);
	jolt_html_text(f, intro, 0);
	fputs("</p>\n<div class=\"scroll\"><table class=\"lb\"><thead>"
	      "<tr><th>suite</th><th>operator</th><th>variants</th>"
	      "<th>tasks</th></tr></thead><tbody>\n", f);
	free(intro);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		jolt_html_text(f, ops[i].suite, 0);
		fputs("</td><td>", f);
		jolt_html_text(f, ops[i].op, 0);
		fprintf(f, "</td><td>%ld</td><td>%ld</td></tr>\n",
			ops[i].variants, ops[i].tasks);
	}
	fputs("</tbody></table></div></section>\n", f);
	free(ops);
}

static void html_browser(FILE *f)
{
	fputs("<section id=\"trials\"><h2>Trials and traces</h2>\n"
	      "<p class=\"note\">Failures first: perturbed trials that broke "
	      "(their baseline passed), then the other failures, infra "
	      "errors and passes. Open a trial to read it step by step "
	      "beside its baseline trial (same model, scaffold, task and "
	      "repeat; for a baseline under another scaffold, the native "
	      "one); what differs is marked.</p>\n"
	      "<div id=\"filters\"><input id=\"q\" type=\"search\" "
	      "placeholder=\"filter: task, variant, model, detail\">"
	      "<select id=\"fo\"><option value=\"\">every outcome</option>"
	      "<option value=\"broke\">broke</option>"
	      "<option value=\"fail\">fail</option>"
	      "<option value=\"infra\">infra</option>"
	      "<option value=\"pass\">pass</option></select>"
	      "<select id=\"fa\"><option value=\"\">every axis</option>"
	      "</select> <span id=\"count\"></span></div>\n"
	      "<table id=\"list\" class=\"list\"><thead><tr><th>outcome</th>"
	      "<th>model</th><th>scaffold</th><th>task</th><th>variant</th>"
	      "<th>rep</th><th>steps</th><th>detail</th></tr></thead>"
	      "<tbody></tbody></table>\n<div id=\"pager\"></div>\n"
	      "<div id=\"viewer\" hidden></div>\n"
	      "<noscript>The trial browser needs JavaScript.</noscript>"
	      "</section>\n",
	      f);
}

static int html_write(FILE *f, const jolt_report *r)
{
	size_t n = r->ntrials ? r->ntrials : 1;
	size_t *order = jolt_xcalloc(n, sizeof(*order));
	long *base = jolt_xcalloc(n, sizeof(*base));
	long *pick = jolt_xcalloc(n, sizeof(*pick));
	trace_loc *loc = jolt_xcalloc(n, sizeof(*loc));
	long nchunks = 0;
	int err;

	html_pair(r, order, base, pick);
	html_head(f, r);
	html_leaderboard(f, r);
	jolt_html_chart_drops(f, r);
	html_detectable(f, r);
	jolt_html_chart_heatmap(f, r);
	if ((err = jolt_html_chart_levels(f, r, base)) != 0)
		goto done;
	jolt_html_chart_passk(f, r);
	html_refused(f, r);
	html_inapplicable(f, r);
	html_browser(f);
	if ((err = html_chunks(f, r, order, loc, &nchunks)) != 0)
		goto done;
	html_index(f, r, base, loc, nchunks);
	fprintf(f, "<script>%s</script>\n</body></html>\n", jolt_html_js);
done:
	free(order);
	free(base);
	free(pick);
	free(loc);
	return err;
}

const jolt_report_format jolt_report_html = {
    .name = "html",
    .description = "HTML: one self-contained page with the leaderboard, "
		   "charts and a trace viewer",
    .flags = 0,
    .write = html_write,
};
