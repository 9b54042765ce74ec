/*
 * report_html_svg.c - the charts of the HTML report, drawn as inline SVG
 * from the robustness summary (robust.h): drop per axis with its interval,
 * the operator x model heatmap, drop by level per axis, and the pass^k
 * curves. One series per model x scaffold, in the summary's order, with
 * the same colour in every chart and in the leaderboard.
 *
 * Every bar and cell carries a <title> with its figures, so hovering
 * shows what the picture rounds off. Names are escaped (report_html.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/vocab.h"
#include "reports/report_html.h"
#include "reports/stats.h"

#define W 820	  /* chart width */
#define LABEL 150 /* left label column */
#define RIGHT 70  /* right margin, for the figures */
#define BAR_H 14  /* one series' bar */
#define MAX_LVL 3 /* levels drawn */
#define PANEL_W 250
#define PANEL_H 170

static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

static const char *const axes[] = {
#define JOLT_X_NAME(n) #n,
    JOLT_AXES(JOLT_X_NAME)
#undef JOLT_X_NAME
};
#define NAXES (sizeof(axes) / sizeof(axes[0]))

const char *jolt_html_color(size_t series)
{
	return palette[series % (sizeof(palette) / sizeof(palette[0]))];
}

void jolt_html_series_label(FILE *f, const jolt_robust_model *m)
{
	jolt_html_text(f, m->model, 60);
	fputs(" / ", f);
	jolt_html_text(f, m->scaffold, 30);
}

static int axis_index(const char *axis)
{
	for (size_t i = 0; i < NAXES; i++)
		if (strcmp(axes[i], axis) == 0)
			return (int)i;
	return -1;
}

static long series_of(const jolt_robust *s, const char *model,
		      const char *scaffold)
{
	for (size_t i = 0; i < s->nmodels; i++)
		if (strcmp(s->models[i].model, model) == 0 &&
		    strcmp(s->models[i].scaffold, scaffold) == 0)
			return (long)i;
	return -1;
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

void jolt_html_rate_bar(FILE *f, double rate, double lo, double hi)
{
	const double w = 80;
	fputs("<svg class=\"bar\" width=\"80\" height=\"10\" "
	      "aria-hidden=\"true\"><rect width=\"80\" height=\"10\" "
	      "fill=\"#eee\"/>",
	      f);
	if (!isnan(rate))
		fprintf(f, "<rect width=\"%.1f\" height=\"10\" fill=\"#8aa\"/>",
			w * clamp(rate, 0, 1));
	if (!isnan(lo) && !isnan(hi))
		fprintf(f,
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"5\" y2=\"5\" "
			"stroke=\"#333\"/>",
			w * clamp(lo, 0, 1), w * clamp(hi, 0, 1));
	fputs("</svg> ", f);
}

/* The tooltip of a comparison: its figures in full. */
static void cmp_title(FILE *f, const jolt_robust_cmp *c, const char *what)
{
	fputs("<title>", f);
	jolt_html_text(f, c->model, 0);
	fputs(" / ", f);
	jolt_html_text(f, c->scaffold, 0);
	fputs(" \xc2\xb7 ", f);
	jolt_html_text(f, what, 0);
	fputs(": drop ", f);
	jolt_html_pct(f, c->drop.est);
	fputc(' ', f);
	jolt_html_interval(f, c->drop.lo, c->drop.hi);
	fprintf(f,
		", %ld pairs over %ld tasks, breaks %ld, fixes %ld, "
		"p (Holm) %.3g%s",
		jolt_flips_total(&c->flips), c->tasks, c->flips.n10,
		c->flips.n01, c->p_holm, c->significant ? ", significant" : "");
	fputs("; detectable at 80% power ", f);
	jolt_html_pct(f, c->mdd);
	if (!isnan(c->noise_break_rate)) {
		fputs("; break rate ", f);
		jolt_html_pct(f, c->break_rate);
		fputs(" against a noise floor of ", f);
		jolt_html_pct(f, c->noise_break_rate);
		fputs(" between repeats", f);
	}
	fputs("</title>", f);
}

/* The x scale of a drop chart. */
typedef struct {
	double lo, hi; /* domain */
	double x0, x1; /* range in pixels */
} scale;

static double sx(const scale *s, double v)
{
	return s->x0 + (clamp(v, s->lo, s->hi) - s->lo) / (s->hi - s->lo) *
			   (s->x1 - s->x0);
}

static void widen(scale *s, const jolt_ci *d)
{
	double lo = isnan(d->lo) ? d->est : d->lo;
	double hi = isnan(d->hi) ? d->est : d->hi;
	if (!isnan(lo) && lo < s->lo)
		s->lo = lo;
	if (!isnan(hi) && hi > s->hi)
		s->hi = hi;
}

/* Round the domain out to tenths, within [-1, 1]. */
static void settle(scale *s)
{
	s->lo = clamp(floor(s->lo * 10 - 1e-9) / 10, -1, 0);
	s->hi = clamp(ceil(s->hi * 10 + 1e-9) / 10, 0.1, 1);
}

static void x_axis(FILE *f, const scale *s, double y0, double y1)
{
	double step = s->hi - s->lo > 0.8 ? 0.2 : 0.1;
	for (int i = (int)ceil(s->lo / step - 1e-9);
	     i <= (int)floor(s->hi / step + 1e-9); i++) {
		double v = i * step, x = sx(s, v);
		fprintf(f,
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			"y2=\"%.1f\" class=\"%s\"/><text x=\"%.1f\" "
			"y=\"%.1f\" class=\"tick\">%.0f%%</text>",
			x, x, y0, y1, i == 0 ? "zero" : "grid", x, y1 + 12,
			100 * v);
	}
}

/* One horizontal bar with its whisker, at row y. */
static void drop_bar(FILE *f, const scale *sc, const jolt_robust_cmp *c,
		     size_t series, double y, const char *what)
{
	double x0 = sx(sc, 0), xe = sx(sc, c->drop.est);
	fputs("<g>", f);
	cmp_title(f, c, what);
	if (isnan(c->drop.est)) {
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" class=\"na\">no "
			"pairs</text></g>",
			x0 + 4, y + BAR_H - 3);
		return;
	}
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
		"fill=\"%s\"/>",
		xe < x0 ? xe : x0, y + 1, fabs(xe - x0), BAR_H - 2,
		jolt_html_color(series));
	if (!isnan(c->drop.lo) && !isnan(c->drop.hi)) {
		double a = sx(sc, c->drop.lo), b = sx(sc, c->drop.hi);
		double m = y + BAR_H / 2.0;
		fprintf(f,
			"<path class=\"whisker\" d=\"M%.1f %.1fH%.1fM%.1f "
			"%.1fv%dM%.1f %.1fv%d\"/>",
			a, m, b, a, m - 4, 8, b, m - 4, 8);
	}
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"fig\">", W - RIGHT + 6,
		y + BAR_H - 3);
	jolt_html_pct(f, c->drop.est);
	fprintf(f, "%s</text></g>", c->significant ? " *" : "");
}

static const jolt_robust_cmp *find_cmp(const jolt_robust_cmp *list, size_t n,
				       const jolt_robust_model *m,
				       const char *axis)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].model, m->model) == 0 &&
		    strcmp(list[i].scaffold, m->scaffold) == 0 &&
		    (!axis || strcmp(list[i].axis, axis) == 0))
			return &list[i];
	return NULL;
}

static void legend(FILE *f, const jolt_robust *s)
{
	fputs("<p class=\"legend\">", f);
	for (size_t i = 0; i < s->nmodels; i++) {
		fprintf(f,
			"<span><span class=\"key\" style=\"background:%s\">"
			"</span>",
			jolt_html_color(i));
		jolt_html_series_label(f, &s->models[i]);
		fputs("</span> ", f);
	}
	fputs("</p>\n", f);
}

void jolt_html_chart_drops(FILE *f, const jolt_report *r)
{
	const jolt_robust *s = r->robust;
	const size_t S = s->nmodels;
	bool shown[NAXES + 1] = {false};
	size_t rows = 0;
	scale sc = {0, 0.1, LABEL, W - RIGHT};

	for (size_t i = 0; i < s->nby_axis; i++) {
		int a = axis_index(s->by_axis[i].axis);
		if (a >= 0) {
			shown[a] = true;
			widen(&sc, &s->by_axis[i].drop);
		}
	}
	for (size_t i = 0; i < s->nby_scaffold; i++) {
		shown[NAXES] = true;
		widen(&sc, &s->by_scaffold[i].drop);
	}
	for (size_t a = 0; a <= NAXES; a++)
		rows += shown[a];
	settle(&sc);

	fputs("<section id=\"drops\"><h2>Drop per axis</h2>\n<p "
	      "class=\"note\">Baseline minus perturbed pass rate over "
	      "paired trials, averaged over tasks; whiskers: paired "
	      "bootstrap 95% interval over tasks; *: significant (Holm-"
	      "adjusted McNemar and the interval excludes zero). The "
	      "scaffold row is a scaffold's baselines against the same "
	      "model's native ones. Hover a bar for its pairs, p and, with "
	      "repeats, its break rate against the noise floor.</p>\n",
	      f);
	if (rows == 0) {
		fputs("<p>No perturbed trials.</p></section>\n", f);
		return;
	}
	legend(f, s);
	double rh = (double)S * BAR_H + 12, h = rows * rh + 24;
	fprintf(f,
		"<svg id=\"chart-drops\" class=\"chart\" width=\"%d\" "
		"height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\" "
		"aria-label=\"drop per axis\">",
		W, h, W, h);
	x_axis(f, &sc, 0, rows * rh);
	double y = 0;
	for (size_t a = 0; a <= NAXES; a++) {
		if (!shown[a])
			continue;
		const char *name = a < NAXES ? axes[a] : "scaffold";
		fprintf(f, "<text x=\"4\" y=\"%.1f\" class=\"row\">%s</text>",
			y + rh / 2 + 4, name);
		for (size_t m = 0; m < S; m++) {
			const jolt_robust_cmp *c =
			    a < NAXES
				? find_cmp(s->by_axis, s->nby_axis,
					   &s->models[m], name)
				: find_cmp(s->by_scaffold, s->nby_scaffold,
					   &s->models[m], NULL);
			if (c)
				drop_bar(f, &sc, c, m, y + 6 + m * BAR_H, name);
		}
		y += rh;
		fprintf(f,
			"<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
			"class=\"sep\"/>",
			W, y, y);
	}
	fputs("</svg></section>\n", f);
}

/* ---- operator x model heatmap ---- */

static int cmp_op(const void *a, const void *b)
{
	const jolt_robust_cmp *x = *(const jolt_robust_cmp *const *)a;
	const jolt_robust_cmp *y = *(const jolt_robust_cmp *const *)b;
	int ax = axis_index(x->axis), ay = axis_index(y->axis);
	if (ax != ay)
		return ax < ay ? -1 : 1;
	int c = strcmp(x->axis, y->axis);
	return c ? c : strcmp(x->op, y->op);
}

/* A drop as a colour: red for a drop, blue for a gain, full at 50%. */
static void heat(char out[8], double d)
{
	int base[3] = {255, 255, 255};
	int red[3] = {192, 57, 43}, blue[3] = {43, 108, 176};
	const int *to = d >= 0 ? red : blue;
	double t = isnan(d) ? 0 : clamp(fabs(d) / 0.5, 0, 1);
	for (int i = 0; i < 3; i++)
		base[i] = (int)lround(base[i] + t * (to[i] - base[i]));
	snprintf(out, 8, "#%02x%02x%02x", base[0], base[1], base[2]);
}

void jolt_html_chart_heatmap(FILE *f, const jolt_report *r)
{
	const jolt_robust *s = r->robust;
	const size_t S = s->nmodels;
	const int cw = 92, ch = 20, lw = 230, top = 90;
	const jolt_robust_cmp **ops = jolt_xcalloc(s->nby_op + 1, sizeof(*ops));
	size_t n = 0;

	fputs("<section id=\"heatmap\"><h2>Operators \xc3\x97 models</h2>\n"
	      "<p class=\"note\">Drop per operator (all levels): red a "
	      "drop, blue a gain, full colour at 50 points; bold with *: "
	      "significant. Hover a cell for its interval and pairs.</p>\n",
	      f);
	for (size_t i = 0; i < s->nby_op; i++)
		ops[n++] = &s->by_op[i];
	qsort(ops, n, sizeof(*ops), cmp_op);
	/* One row per distinct (axis, operator). */
	size_t rows = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_op(&ops[i - 1], &ops[i]) != 0)
			ops[rows++] = ops[i];
	if (rows == 0) {
		fputs("<p>No perturbed trials.</p></section>\n", f);
		free(ops);
		return;
	}
	int w = lw + (int)S * cw + 10, h = top + (int)rows * ch + 4;
	fprintf(f,
		"<div class=\"scroll\"><svg id=\"chart-heatmap\" "
		"class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
		"%d\" role=\"img\" aria-label=\"operator by model heatmap\">",
		w, h, w, h);
	for (size_t m = 0; m < S; m++) {
		fprintf(f,
			"<text class=\"colhead\" transform=\"translate(%d %d) "
			"rotate(-30)\"><title>",
			lw + (int)m * cw + cw / 2, top - 6);
		jolt_html_series_label(f, &s->models[m]);
		fputs("</title>", f);
		jolt_html_text(f, s->models[m].model, 18);
		if (strcmp(s->models[m].scaffold, JOLT_SCAFFOLD_DEFAULT) != 0) {
			fputs(" / ", f);
			jolt_html_text(f, s->models[m].scaffold, 10);
		}
		fputs("</text>", f);
	}
	for (size_t i = 0; i < rows; i++) {
		int y = top + (int)i * ch;
		fprintf(f, "<text x=\"4\" y=\"%d\" class=\"row\">", y + 14);
		jolt_html_text(f, ops[i]->axis, 20);
		fputc('.', f);
		jolt_html_text(f, ops[i]->op, 40);
		fputs("</text>", f);
		for (size_t m = 0; m < S; m++) {
			const jolt_robust_cmp *c = NULL;
			for (size_t k = 0; k < s->nby_op && !c; k++)
				if (strcmp(s->by_op[k].axis, ops[i]->axis) ==
					0 &&
				    strcmp(s->by_op[k].op, ops[i]->op) == 0 &&
				    strcmp(s->by_op[k].model,
					   s->models[m].model) == 0 &&
				    strcmp(s->by_op[k].scaffold,
					   s->models[m].scaffold) == 0)
					c = &s->by_op[k];
			int x = lw + (int)m * cw;
			char color[8];
			heat(color, c ? c->drop.est : NAN);
			fputs("<g>", f);
			if (c)
				cmp_title(f, c, c->op);
			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" "
				"height=\"%d\" fill=\"%s\" class=\"cell\"/>",
				x, y, cw - 2, ch - 2, color);
			if (c) {
				bool dark = !isnan(c->drop.est) &&
					    fabs(c->drop.est) > 0.3;
				fprintf(f,
					"<text x=\"%d\" y=\"%d\" "
					"class=\"cellfig%s%s\">",
					x + cw / 2, y + 14, dark ? " dark" : "",
					c->significant ? " sig" : "");
				jolt_html_pct(f, c->drop.est);
				fprintf(f, "%s</text>",
					c->significant ? " *" : "");
			}
			fputs("</g>", f);
		}
	}
	fputs("</svg></div></section>\n", f);
	free(ops);
}

/* ---- drop by level per axis ---- */

/* One graded pair, for the level chart. */
typedef struct {
	long series;
	int axis;
	int level;
	const char *suite;
	const char *task;
	bool clean;
	bool perturbed;
} lvl_pair;

static int cmp_lvl(const void *a, const void *b)
{
	const lvl_pair *x = a, *y = b;
	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (x->axis != y->axis)
		return x->axis < y->axis ? -1 : 1;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	int c = strcmp(x->suite, y->suite);
	return c ? c : strcmp(x->task, y->task);
}

/* The drop of each (series, axis, level) with its task bootstrap
 * interval, pairs as robust.h pairs them; out[(series * NAXES + axis) *
 * MAX_LVL + level - 1], NAN where there is no pair. */
static int level_drops(jolt_ci *out, const jolt_report *r, const long *base)
{
	const jolt_robust *s = r->robust;
	lvl_pair *p = jolt_xcalloc(r->ntrials + 1, sizeof(*p));
	double *b = jolt_xcalloc(r->ntrials + 1, sizeof(*b));
	double *q = jolt_xcalloc(r->ntrials + 1, sizeof(*q));
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < s->nmodels * NAXES * MAX_LVL; i++)
		out[i] = (jolt_ci){NAN, NAN, NAN};
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = &r->trials[i];
		if (base[i] < 0 || t->level < 1 || t->level > MAX_LVL ||
		    t->outcome == JOLT_OUTCOME_INFRA ||
		    r->trials[base[i]].outcome == JOLT_OUTCOME_INFRA)
			continue;
		lvl_pair x = {
		    .series = series_of(s, t->model, t->scaffold),
		    .axis = axis_index(t->axis),
		    .level = t->level,
		    .suite = t->suite,
		    .task = t->task,
		    .clean = r->trials[base[i]].outcome == JOLT_OUTCOME_PASS,
		    .perturbed = t->outcome == JOLT_OUTCOME_PASS,
		};
		if (x.series >= 0 && x.axis >= 0)
			p[n++] = x;
	}
	qsort(p, n, sizeof(*p), cmp_lvl);
	for (size_t g = 0; g < n && !err;) {
		size_t tasks = 0, end = g;
		while (end < n && p[end].series == p[g].series &&
		       p[end].axis == p[g].axis && p[end].level == p[g].level) {
			size_t k = end, cp = 0, pp = 0;
			while (end < n && cmp_lvl(&p[k], &p[end]) == 0) {
				cp += p[end].clean;
				pp += p[end].perturbed;
				end++;
			}
			b[tasks] = (double)cp / (double)(end - k);
			q[tasks] = (double)pp / (double)(end - k);
			tasks++;
		}
		size_t at = ((size_t)p[g].series * NAXES + (size_t)p[g].axis) *
				MAX_LVL +
			    (size_t)p[g].level - 1;
		err = jolt_bootstrap_drop(&out[at], b, q, tasks,
					  s->opts.bootstrap_reps, s->opts.seed);
		g = end;
	}
	free(p);
	free(b);
	free(q);
	return err;
}

int jolt_html_chart_levels(FILE *f, const jolt_report *r, const long *base)
{
	const jolt_robust *s = r->robust;
	const size_t S = s->nmodels;
	jolt_ci *d = jolt_xcalloc(S * NAXES * MAX_LVL + 1, sizeof(*d));
	scale sc = {0, 0.1, 0, 0};
	bool shown[NAXES] = {false}, any = false;
	int err = level_drops(d, r, base);
	if (err)
		goto done;
	for (size_t i = 0; i < S * NAXES * MAX_LVL; i++)
		if (!isnan(d[i].est)) {
			shown[(i / MAX_LVL) % NAXES] = any = true;
			widen(&sc, &d[i]);
		}
	settle(&sc);

	fputs("<section id=\"levels\"><h2>Drop by level</h2>\n<p "
	      "class=\"note\">Per axis, the drop at level 1 (mild), 2 "
	      "(medium) and 3 (heavy), all operators of the axis pooled, "
	      "with a paired bootstrap 95% interval over tasks.</p>\n",
	      f);
	if (!any) {
		fputs("<p>No paired perturbed trials.</p></section>\n", f);
		goto done;
	}
	legend(f, s);
	fputs("<div class=\"panels\">", f);
	for (size_t a = 0; a < NAXES; a++) {
		if (!shown[a])
			continue;
		const double pl = 44, pr = PANEL_W - 10, pt = 24,
			     pb = PANEL_H - 24;
		/* Vertical scale: drop up, as the other charts put it
		 * right. */
		double span = sc.hi - sc.lo;
#define LY(v) (pb - (clamp((v), sc.lo, sc.hi) - sc.lo) / span * (pb - pt))
#define LX(l) (pl + ((l)-0.5) / MAX_LVL * (pr - pl))
		fprintf(f,
			"<svg class=\"chart panel\" id=\"chart-level-%s\" "
			"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			"role=\"img\" aria-label=\"drop by level, %s\">"
			"<text x=\"%.0f\" y=\"14\" class=\"ptitle\">%s"
			"</text>",
			axes[a], PANEL_W, PANEL_H, PANEL_W, PANEL_H, axes[a],
			pl, axes[a]);
		double step = span > 0.8 ? 0.2 : 0.1;
		for (int i = (int)ceil(sc.lo / step - 1e-9);
		     i <= (int)floor(sc.hi / step + 1e-9); i++)
			fprintf(f,
				"<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" "
				"y2=\"%.1f\" class=\"%s\"/><text x=\"%.0f\" "
				"y=\"%.1f\" class=\"ytick\">%.0f%%</text>",
				pl, pr, LY(i * step), LY(i * step),
				i == 0 ? "zero" : "grid", pl - 4,
				LY(i * step) + 4, 100 * i * step);
		for (int l = 1; l <= MAX_LVL; l++)
			fprintf(f,
				"<text x=\"%.1f\" y=\"%.0f\" class=\"tick\">"
				"level %d</text>",
				LX(l), pb + 16, l);
		for (size_t m = 0; m < S; m++) {
			const jolt_ci *c = &d[(m * NAXES + a) * MAX_LVL];
			const char *col = jolt_html_color(m);
			bool pen = false;
			fprintf(f, "<path class=\"line\" stroke=\"%s\" d=\"",
				col);
			for (int l = 1; l <= MAX_LVL; l++) {
				if (isnan(c[l - 1].est))
					continue;
				fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M',
					LX(l) + (double)m * 3,
					LY(c[l - 1].est));
				pen = true;
			}
			fputs("\"/>", f);
			for (int l = 1; l <= MAX_LVL; l++) {
				const jolt_ci *x = &c[l - 1];
				if (isnan(x->est))
					continue;
				double px = LX(l) + (double)m * 3;
				fputs("<g><title>", f);
				jolt_html_series_label(f, &s->models[m]);
				fprintf(f, " \xc2\xb7 %s level %d: drop ",
					axes[a], l);
				jolt_html_pct(f, x->est);
				fputc(' ', f);
				jolt_html_interval(f, x->lo, x->hi);
				fputs("</title>", f);
				if (!isnan(x->lo) && !isnan(x->hi))
					fprintf(f,
						"<path class=\"whisker\" "
						"stroke=\"%s\" d=\"M%.1f "
						"%.1fV%.1f\"/>",
						col, px, LY(x->lo), LY(x->hi));
				fprintf(f,
					"<circle cx=\"%.1f\" cy=\"%.1f\" "
					"r=\"3.5\" fill=\"%s\"/></g>",
					px, LY(x->est), col);
			}
		}
#undef LX
#undef LY
		fputs("</svg>", f);
	}
	fputs("</div></section>\n", f);
done:
	free(d);
	return err;
}

/* ---- pass^k ---- */

void jolt_html_chart_passk(FILE *f, const jolt_report *r)
{
	const jolt_robust *s = r->robust;
	int kmax = 0;
	for (size_t i = 0; i < s->nmodels; i++)
		for (size_t k = 0; k < s->models[i].npassk; k++)
			if (s->models[i].passk[k].k > kmax)
				kmax = s->models[i].passk[k].k;
	fputs("<section id=\"passk\"><h2>pass^k</h2>\n", f);
	if (kmax < 2) {
		fputs("<p>Needs repeats: run with <code>--repeats K</code> "
		      "(K &gt; 1) to see whether a model passes a task every "
		      "time, not just once.</p></section>\n",
		      f);
		return;
	}
	fputs("<p class=\"note\">On baseline trials, per task: pass^k "
	      "(solid), the chance that k runs all pass, and pass@k "
	      "(dashed), the chance that at least one does.</p>\n",
	      f);
	legend(f, s);
	const double pl = 44, pr = 520, pt = 10, pb = 200;
	int w = 540, h = 230;
#define PY(v) (pb - clamp((v), 0, 1) * (pb - pt))
#define PX(k) (pl + ((k)-1) / (double)(kmax - 1) * (pr - pl))
	fprintf(f,
		"<svg id=\"chart-passk\" class=\"chart\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"pass^k curves\">",
		w, h, w, h);
	for (int i = 0; i <= 4; i++)
		fprintf(f,
			"<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
			"class=\"grid\"/><text x=\"%.0f\" y=\"%.1f\" "
			"class=\"ytick\">%d%%</text>",
			pl, pr, PY(i / 4.0), PY(i / 4.0), pl - 4,
			PY(i / 4.0) + 4, 25 * i);
	for (int k = 1; k <= kmax; k++)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.0f\" class=\"tick\">k=%d"
			"</text>",
			PX(k), pb + 16, k);
	for (size_t m = 0; m < s->nmodels; m++) {
		const jolt_robust_model *mo = &s->models[m];
		for (int at = 0; at < 2; at++) {
			bool pen = false;
			fprintf(f, "<path class=\"line%s\" stroke=\"%s\" d=\"",
				at ? " dashed" : "", jolt_html_color(m));
			for (size_t k = 0; k < mo->npassk; k++) {
				double v = at ? mo->passk[k].base_at
					      : mo->passk[k].base_hat;
				if (isnan(v))
					continue;
				fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M',
					PX(mo->passk[k].k), PY(v));
				pen = true;
			}
			fputs("\"/>", f);
		}
		for (size_t k = 0; k < mo->npassk; k++) {
			const jolt_robust_k *x = &mo->passk[k];
			if (isnan(x->base_hat))
				continue;
			fputs("<g><title>", f);
			jolt_html_series_label(f, mo);
			fprintf(f, " \xc2\xb7 k=%d: pass^k ", x->k);
			jolt_html_pct(f, x->base_hat);
			fputs(", pass@k ", f);
			jolt_html_pct(f, x->base_at);
			fprintf(f,
				" over %ld tasks</title><circle cx=\"%.1f\" "
				"cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/></g>",
				x->base_tasks, PX(x->k), PY(x->base_hat),
				jolt_html_color(m));
		}
	}
#undef PX
#undef PY
	fputs("</svg></section>\n", f);
}
