/*
 * report_md.c - the Markdown report: pass rates with Wilson intervals by
 * model and by suite, the robustness tables (drop per axis and per
 * operator and level with bootstrap intervals, flips, adjusted McNemar p),
 * pass^k, per-task tallies, and the first failures, for a human or a CI
 * summary page.
 *
 * Everything that came from outside (model names, task ids, details) is
 * escaped so it cannot break a table or inject markup.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <math.h>

#include "core/buf.h"
#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"

/* How many failed (and infra) trials the lists show. */
#define MD_MAX_LISTED 20
/* Bytes of a detail's first line shown in a list. */
#define MD_DETAIL_CAP 200

/* An underscore between two alphanumerics never starts emphasis in
 * CommonMark, so "graded_fail" stays readable in the raw text. */
static bool intraword(const char *s, const char *p)
{
	return p > s && isalnum((unsigned char)p[-1]) &&
	       isalnum((unsigned char)p[1]);
}

void jolt_md_text(FILE *f, const char *s, size_t max, bool one_line)
{
	size_t n = 0;
	bool cut = false;
	if (!s)
		return;
	for (const char *p = s; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if (one_line && (c == '\n' || c == '\r'))
			break;
		/* Cut on a character boundary, never inside UTF-8. */
		if (max && n >= max && (c & 0xC0) != 0x80) {
			cut = true;
			break;
		}
		if (strchr("\\`*[]<>|#!", c) || (c == '_' && !intraword(s, p)))
			fputc('\\', f);
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		fputc(c, f);
	}
	if (cut)
		fputs("…", f);
}

void jolt_md_code(FILE *f, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	if (longest)
		fputc(' ', f);
	for (const char *p = s; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
	if (longest)
		fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

static void md_rate_cells(FILE *f, const jolt_report_group *g)
{
	double rate, lo, hi;
	fprintf(f, " %ld | %ld | %ld | %ld |", g->trials, g->pass, g->fail,
		g->infra);
	if (jolt_report_rate(g, &rate, &lo, &hi))
		fprintf(f, " %.1f%% | [%.1f%%, %.1f%%] |\n", rate * 100.0,
			lo * 100.0, hi * 100.0);
	else
		fputs(" n/a | n/a |\n", f);
}

static void md_groups(FILE *f, const jolt_report_group *gs, size_t n,
		      bool with_suite)
{
	fprintf(f,
		"| model | scaffold |%s trials | pass | fail | "
		"infra errors | pass rate | 95%% CI (Wilson) |\n",
		with_suite ? " suite |" : "");
	fprintf(f, "|---|---|%s---:|---:|---:|---:|---:|---|\n",
		with_suite ? "---|" : "");
	for (size_t i = 0; i < n; i++) {
		const jolt_report_group *g = &gs[i];
		fputs("| ", f);
		jolt_md_text(f, g->model, 0, true);
		fputs(" | ", f);
		jolt_md_text(f, g->scaffold, 0, true);
		if (with_suite) {
			fputs(" | ", f);
			jolt_md_text(f, g->suite, 0, true);
		}
		fputs(" |", f);
		md_rate_cells(f, g);
	}
}

static void md_tasks(FILE *f, const jolt_report *r)
{
	fputs("| model | scaffold | task | passes/trials | outcomes |\n"
	      "|---|---|---|---:|---|\n",
	      f);
	for (size_t i = 0; i < r->nby_task; i++) {
		const jolt_report_group *g = &r->by_task[i];
		fputs("| ", f);
		jolt_md_text(f, g->model, 0, true);
		fputs(" | ", f);
		jolt_md_text(f, g->scaffold, 0, true);
		fputs(" | ", f);
		jolt_md_text(f, g->suite, 0, true);
		fputc('/', f);
		jolt_md_text(f, g->task, 0, true);
		/* Graded trials only, as in the rates; infra errors are
		 * named in the outcomes column. */
		fprintf(f, " | %ld/%ld | ", g->pass, g->pass + g->fail);
		const char *sep = "";
		const struct {
			long n;
			enum jolt_outcome o;
		} parts[] = {{g->pass, JOLT_OUTCOME_PASS},
			     {g->fail, JOLT_OUTCOME_FAIL},
			     {g->infra, JOLT_OUTCOME_INFRA}};
		for (size_t k = 0; k < JOLT_ARRAY_LEN(parts); k++) {
			if (!parts[k].n)
				continue;
			fprintf(f, "%s%ld %s", sep, parts[k].n,
				jolt_outcome_name(parts[k].o));
			sep = ", ";
		}
		fputs(" |\n", f);
	}
}

/* One listed trial: a line with its key, class and detail. */
static void md_trial_line(FILE *f, const jolt_trial_row *t)
{
	fputs("- ", f);
	jolt_md_code(f, t->key);
	fputs(" — ", f);
	if (t->error_class[0])
		jolt_md_text(f, t->error_class, 0, true);
	else
		fputs("(no error class)", f);
	if (t->detail && t->detail[0]) {
		fputs(": ", f);
		jolt_md_text(f, t->detail, MD_DETAIL_CAP, true);
	}
	fputc('\n', f);
}

/* The sqlite3 command that lists every trial with outcome `o` of each
 * database, for when the list is cut. */
static void md_query(FILE *f, const jolt_report *r, enum jolt_outcome o)
{
	fputs("\nEvery one of them:\n\n", f);
	for (size_t d = 0; d < r->ndb; d++) {
		jolt_buf cmd = JOLT_BUF_INIT;
		jolt_buf_addf(&cmd, "sqlite3 '");
		for (const char *p = r->dbs[d]; *p; p++)
			if (*p == '\'')
				jolt_buf_addf(&cmd, "'\\''");
			else
				jolt_buf_addf(&cmd, "%c", *p);
		jolt_buf_addf(&cmd,
			      "' \"SELECT key, error_class, detail FROM trials "
			      "WHERE outcome = '%s' ORDER BY key\"",
			      jolt_outcome_name(o));
		fputs("- ", f);
		jolt_md_code(f, jolt_buf_cstr(&cmd));
		fputc('\n', f);
		jolt_buf_release(&cmd);
	}
}

/* How informative a failed trial is, most first (see md_failures). */
typedef struct {
	const jolt_trial_row *t;
	int rank;    /* 0 break in a significant comparison, 1 other break,
		      * 2 failed baseline, 3 failure the baseline shares */
	double drop; /* its operator's drop, for breaks */
} md_fail;

static int cmp_rows(const void *a, const void *b)
{
	return jolt_report_cmp_instance(*(const jolt_trial_row *const *)a,
					*(const jolt_trial_row *const *)b);
}

static int cmp_fail(const void *a, const void *b)
{
	const md_fail *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->drop != y->drop)
		return x->drop > y->drop ? -1 : 1;
	return strcmp(x->t->key, y->t->key);
}

/* The graded baseline paired with `t` (robust.h's pairing), or NULL. */
static const jolt_trial_row *md_baseline(const jolt_trial_row **base,
					 size_t n, const jolt_trial_row *t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (jolt_report_cmp_instance(base[mid], t) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && jolt_report_cmp_instance(base[lo], t) == 0)
		return base[lo];
	return NULL;
}

static const jolt_robust_cmp *md_op_cmp(const jolt_robust *s,
					const jolt_trial_row *t)
{
	for (size_t i = 0; s && i < s->nby_op; i++) {
		const jolt_robust_cmp *c = &s->by_op[i];
		if (!strcmp(c->model, t->model) &&
		    !strcmp(c->scaffold, t->scaffold) &&
		    !strcmp(c->axis, t->axis) && !strcmp(c->op, t->op))
			return c;
	}
	return NULL;
}

/* The MD_MAX_LISTED most informative failed trials: breaks (the variant
 * failed where its paired baseline passed) first, those of significant
 * comparisons and larger drops before the rest; then failed baselines
 * (the task fails unperturbed); then failures the baseline shares. Ties
 * go by key, so the list does not depend on the order trials finished
 * in (a merged run lists what the unsharded run lists). */
static void md_failures(FILE *f, const jolt_report *r)
{
	const jolt_trial_row **base =
	    jolt_xmalloc((r->ntrials + 1) * sizeof(*base));
	md_fail *fs = jolt_xmalloc((r->ntrials + 1) * sizeof(*fs));
	size_t nbase = 0, nf = 0;
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = &r->trials[i];
		if (!strcmp(t->axis, JOLT_BASELINE) &&
		    t->outcome != JOLT_OUTCOME_INFRA)
			base[nbase++] = t;
	}
	qsort(base, nbase, sizeof(*base), cmp_rows);
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = &r->trials[i];
		if (t->outcome != JOLT_OUTCOME_FAIL)
			continue;
		md_fail *x = &fs[nf++];
		*x = (md_fail){.t = t, .rank = 2, .drop = 0.0};
		if (!strcmp(t->axis, JOLT_BASELINE))
			continue;
		const jolt_trial_row *b = md_baseline(base, nbase, t);
		const jolt_robust_cmp *c = md_op_cmp(r->robust, t);
		x->rank = 3;
		if (b && b->outcome == JOLT_OUTCOME_PASS) {
			x->rank = c && c->significant ? 0 : 1;
			x->drop = c && isfinite(c->drop.est) ? c->drop.est : 0;
		}
	}
	qsort(fs, nf, sizeof(*fs), cmp_fail);
	fputs("\n## Failures\n\n", f);
	if (nf == 0) {
		fputs("No failed trials.\n", f);
	} else {
		if (nf > MD_MAX_LISTED)
			fprintf(f,
				"%zu failed trials; the %d most informative "
				"(breaks of significant drops first, then "
				"other breaks, failed baselines, the rest):\n\n",
				nf, MD_MAX_LISTED);
		for (size_t i = 0; i < nf && i < MD_MAX_LISTED; i++)
			md_trial_line(f, fs[i].t);
		if (nf > MD_MAX_LISTED)
			md_query(f, r, JOLT_OUTCOME_FAIL);
	}
	free(base);
	free(fs);
}

/* Up to MD_MAX_LISTED infra errors, in load order. */
static void md_infra(FILE *f, const jolt_report *r)
{
	size_t total = 0, shown = 0;
	for (size_t i = 0; i < r->ntrials; i++)
		total += r->trials[i].outcome == JOLT_OUTCOME_INFRA;
	fputs("\n## Infra errors\n\n", f);
	if (total == 0) {
		fputs("No trials with infra errors.\n", f);
		return;
	}
	if (total > MD_MAX_LISTED)
		fprintf(f, "%zu trials with infra errors; the first %d:\n\n",
			total, MD_MAX_LISTED);
	for (size_t i = 0; i < r->ntrials && shown < MD_MAX_LISTED; i++) {
		if (r->trials[i].outcome != JOLT_OUTCOME_INFRA)
			continue;
		shown++;
		md_trial_line(f, &r->trials[i]);
	}
	if (total > MD_MAX_LISTED)
		md_query(f, r, JOLT_OUTCOME_INFRA);
}

/* A proportion as a percentage, "n/a" when undefined. */
static void md_pct(FILE *f, double x)
{
	/* Rounding noise around zero must not print as "-0.0%". */
	double v = x * 100.0;
	if (fabs(v) < 0.05)
		v = 0.0;
	if (isfinite(x))
		fprintf(f, "%.1f%%", v);
	else
		fputs("n/a", f);
}

static void md_p(FILE *f, double p)
{
	if (!isfinite(p))
		fputs("n/a", f);
	else if (p < 0.0001)
		fputs("<0.0001", f);
	else
		fprintf(f, "%.4f", p);
}

static void md_name(FILE *f, const char *s)
{
	fputs(" ", f);
	jolt_md_text(f, s, 0, true);
	fputs(" |", f);
}

/* The cells from "pairs" on, shared by the axis and operator tables. */
static void md_cmp_cells(FILE *f, const jolt_robust_cmp *c)
{
	fprintf(f, " %ld | ", jolt_flips_total(&c->flips));
	md_pct(f, c->clean.rate);
	fputs(" | ", f);
	md_pct(f, c->perturbed.rate);
	fputs(" | ", f);
	md_pct(f, c->drop.est);
	if (isfinite(c->drop.lo)) {
		fputs(" [", f);
		md_pct(f, c->drop.lo);
		fputs(", ", f);
		md_pct(f, c->drop.hi);
		fputc(']', f);
	}
	fputs(" | ", f);
	md_pct(f, c->mdd);
	fprintf(f, " | %ld | %ld | ", c->flips.n10, c->flips.n01);
	md_pct(f, c->break_rate);
	fputs(" | ", f);
	md_pct(f, c->noise_break_rate);
	fputs(" | ", f);
	if (c->significant)
		fputs("**", f);
	md_p(f, c->p);
	fputs(" (", f);
	md_p(f, c->p_holm);
	fputc(')', f);
	if (c->significant)
		fputs("**", f);
	fputs(" |\n", f);
}

static void md_robust_summary(FILE *f, const jolt_robust *s)
{
	fputs("\n## Robustness summary\n\n"
	      "| model | scaffold | baseline | perturbed | PDR | worst case | "
	      "noise (flips between repeats) | "
	      "malformed calls/step | mean tokens in | mean tokens out | "
	      "mean latency (ms) |\n"
	      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
	      f);
	for (size_t i = 0; i < s->nmodels; i++) {
		const jolt_robust_model *m = &s->models[i];
		fputc('|', f);
		md_name(f, m->model);
		md_name(f, m->scaffold);
		fputc(' ', f);
		md_pct(f, m->baseline.rate);
		fputs(" | ", f);
		md_pct(f, m->perturbed.rate);
		fputs(" | ", f);
		md_pct(f, m->pdr);
		fputs(" | ", f);
		md_pct(f, m->worst_case);
		fputs(" | ", f);
		md_pct(f, m->noise_flip_rate);
		if (m->noise_pairs > 0)
			fprintf(f, " of %ld", m->noise_pairs);
		fputs(" | ", f);
		if (isfinite(m->malformed_rate))
			fprintf(f, "%.3f", m->malformed_rate);
		else
			fputs("n/a", f);
		fprintf(f, " | %.0f | %.0f | %.0f |\n", m->mean_tokens_in,
			m->mean_tokens_out, m->mean_latency_ms);
	}
	fputs("\nPDR = 1 - perturbed passes / baseline passes over matched "
	      "pairs. Worst case: per task, the lowest pass rate over its "
	      "baseline and each variant, averaged over tasks. Noise: the "
	      "share of pairs of repeats of the same baseline whose outcomes "
	      "differ (of that many pairs): the model's own run-to-run "
	      "noise.\n",
	      f);
}

static void md_robust_tables(FILE *f, const jolt_robust *s)
{
	static const char *const cols =
	    " pairs | baseline | perturbed | drop [95% CI] | detectable | "
	    "breaks | fixes | break rate | noise floor | McNemar p (Holm) |\n";
	static const char *const rule =
	    "---:|---:|---:|---|---:|---:|---:|---:|---:|---|\n";

	fputs("\n## Robustness by axis\n\n| model | scaffold | axis |", f);
	fputs(cols, f);
	fprintf(f, "|---|---|---|%s", rule);
	for (size_t i = 0; i < s->nby_axis; i++) {
		const jolt_robust_cmp *c = &s->by_axis[i];
		fputc('|', f);
		md_name(f, c->model);
		md_name(f, c->scaffold);
		md_name(f, c->axis);
		md_cmp_cells(f, c);
	}
	fprintf(f,
		"\nPairs: each perturbed trial with the baseline trial of the "
		"same task and repeat; infra errors are left out. Drop = "
		"baseline - perturbed, averaged over tasks, with a paired "
		"bootstrap interval over tasks (%ld replicates). Breaks: "
		"baseline pass, perturbed fail; fixes: the reverse. **Bold** "
		"p: significant: the exact McNemar p after Holm adjustment "
		"over all %zu comparisons is below %g, and the drop's "
		"interval excludes zero (pairs of one task share its "
		"baseline trials, so McNemar alone overstates the "
		"evidence). Noise floor: the break rate between two repeats "
		"of the same baseline, with no perturbation at all (of the "
		"repeats that pass, the share another repeat fails; n/a "
		"without --repeats 2 or more); a break rate near it is "
		"run-to-run noise, not brittleness. Detectable: the "
		"smallest drop this comparison could detect at 80%% power "
		"(paired McNemar, Connor 1987: n = [z(1-a/2) sqrt(psi) + "
		"z(.8) sqrt(psi - d^2)]^2 / d^2 with psi = d + noise/K, at "
		"the Holm level %g/%zu, for its tasks, K from the repeats "
		"and its pairs per task, its baseline rate and the model's "
		"noise between repeats, or twice its fix rate without "
		"repeats, assuming a drop breaks the same tasks every "
		"time); a drop "
		"that is not significant and smaller than this means the "
		"run was too small to tell, not that there is no drop "
		"(`jolt plan` sizes the next run).\n",
		s->opts.bootstrap_reps, s->family, s->opts.alpha,
		s->opts.alpha, s->family ? s->family : 1);

	fputs("\n## By operator\n\n"
	      "| model | scaffold | axis | operator | level |",
	      f);
	fputs(cols, f);
	fprintf(f, "|---|---|---|---|---:|%s", rule);
	size_t j = 0;
	for (size_t i = 0; i < s->nby_op; i++) {
		const jolt_robust_cmp *c = &s->by_op[i];
		fputc('|', f);
		md_name(f, c->model);
		md_name(f, c->scaffold);
		md_name(f, c->axis);
		md_name(f, c->op);
		fputs(" all |", f);
		md_cmp_cells(f, c);
		/* Its levels follow (both lists share the sort order), unless
		 * there is only one and it would repeat the row above. */
		for (; j < s->nby_level; j++) {
			const jolt_robust_cmp *l = &s->by_level[j];
			if (strcmp(l->model, c->model) ||
			    strcmp(l->scaffold, c->scaffold) ||
			    strcmp(l->axis, c->axis) || strcmp(l->op, c->op))
				break;
			if (l->same_as_parent)
				continue;
			fputc('|', f);
			md_name(f, l->model);
			md_name(f, l->scaffold);
			md_name(f, l->axis);
			md_name(f, l->op);
			fprintf(f, " %d |", l->level);
			md_cmp_cells(f, l);
		}
	}
}

static void md_pass_k(FILE *f, const jolt_robust *s)
{
	bool any = false;
	for (size_t i = 0; i < s->nmodels; i++)
		any |= s->models[i].npassk > 0;
	if (!any)
		return;
	fputs("\n## pass^k over repeats\n\n"
	      "| model | scaffold | k | pass^k baseline | pass@k baseline | "
	      "pass^k all | pass@k all |\n"
	      "|---|---|---:|---:|---:|---:|---:|\n",
	      f);
	for (size_t i = 0; i < s->nmodels; i++) {
		const jolt_robust_model *m = &s->models[i];
		for (size_t k = 0; k < m->npassk; k++) {
			const jolt_robust_k *r = &m->passk[k];
			fputc('|', f);
			md_name(f, m->model);
			md_name(f, m->scaffold);
			fprintf(f, " %d | ", r->k);
			md_pct(f, r->base_hat);
			fputs(" | ", f);
			md_pct(f, r->base_at);
			fputs(" | ", f);
			md_pct(f, r->all_hat);
			fputs(" | ", f);
			md_pct(f, r->all_at);
			fputs(" |\n", f);
		}
	}
	fputs("\npass^k = C(c,k)/C(n,k): all k tries of a task pass; "
	      "pass@k = 1 - C(n-c,k)/C(n,k): at least one does. Baseline: per "
	      "task; all: per task and variant.\n",
	      f);
}

/* The scaffold swap, measured like an axis, and its interaction with
 * the axes. */
static void md_scaffolds(FILE *f, const jolt_robust *s)
{
	if (s->nby_scaffold == 0)
		return;
	fputs("\n## Scaffold swap\n\n| model | scaffold | against |"
	      " pairs | native | this scaffold | drop [95% CI] | "
	      "detectable | breaks | fixes | break rate | noise floor | "
	      "McNemar p (Holm) |\n"
	      "|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|\n",
	      f);
	for (size_t i = 0; i < s->nby_scaffold; i++) {
		const jolt_robust_cmp *c = &s->by_scaffold[i];
		fputc('|', f);
		md_name(f, c->model);
		md_name(f, c->scaffold);
		md_name(f, c->ref_scaffold);
		md_cmp_cells(f, c);
	}
	fputs("\nPairs: each baseline trial under a scaffold with the same "
	      "model's baseline trial of the same task and repeat under its "
	      "native scaffold; drop and significance as for the axes (the "
	      "same Holm family).\n",
	      f);
	if (s->ninter == 0)
		return;
	fputs("\n### Scaffold x axis\n\n| model | scaffold | axis | tasks | "
	      "drop under native | drop under this scaffold | difference "
	      "[95% CI] |\n|---|---|---|---:|---:|---:|---|\n",
	      f);
	for (size_t i = 0; i < s->ninter; i++) {
		const jolt_robust_inter *in = &s->inter[i];
		fputc('|', f);
		md_name(f, in->model);
		md_name(f, in->scaffold);
		md_name(f, in->axis);
		fprintf(f, " %ld | ", in->tasks);
		md_pct(f, in->ref_drop);
		fputs(" | ", f);
		md_pct(f, in->drop);
		fputs(" | ", f);
		md_pct(f, in->diff.est);
		if (isfinite(in->diff.lo)) {
			fputs(" [", f);
			md_pct(f, in->diff.lo);
			fputs(", ", f);
			md_pct(f, in->diff.hi);
			fputc(']', f);
		}
		fputs(" |\n", f);
	}
	fputs("\nDifference: how much larger the axis's drop is under this "
	      "scaffold than under native, per task over the tasks measured "
	      "under both, with a bootstrap interval over tasks.\n",
	      f);
}

/* The variants the runs refused because their oracle fails (report.h):
 * measured nowhere, so a reader must see them. */
static void md_refused(FILE *f, const jolt_report *r)
{
	fputs("\n## Refused variants\n\n", f);
	if (r->nrefused == 0) {
		fputs("No variant was refused: the oracle passed every "
		      "variant run.\n", f);
		return;
	}
	fprintf(f, "%zu variant%s refused before the run because the task's "
		"oracle fails on %s (an operator or task bug, or the "
		"environment drifted from the oracle); not run, not counted. "
		"`jolt check --tasks TASK` replays them.\n\n"
		"| suite | task | operator | level | seed | why |\n"
		"|---|---|---|---:|---:|---|\n",
		r->nrefused, r->nrefused == 1 ? " was" : "s were",
		r->nrefused == 1 ? "it" : "them");
	for (size_t i = 0; i < r->nrefused && i < MD_MAX_LISTED; i++) {
		const jolt_report_refused *x = &r->refused[i];
		fputc('|', f);
		md_name(f, x->suite);
		md_name(f, x->level >= 0 ? x->task : x->variant);
		md_name(f, x->op);
		if (x->level >= 0)
			fprintf(f, " %d | %lld |", x->level, x->seed);
		else
			fputs(" | |", f);
		fputc(' ', f);
		jolt_md_text(f, x->why, 200, true);
		fputs(" |\n", f);
	}
	if (r->nrefused > MD_MAX_LISTED)
		fprintf(f, "\n%zu more: `jolt report --format json` lists "
			"every one.\n", r->nrefused - MD_MAX_LISTED);
}

/* The variants the runs did not run because they change nothing the
 * model is shown, by operator; nothing when there are none. */
static void md_inapplicable(FILE *f, const jolt_report *r)
{
	if (r->ninapplicable == 0)
		return;
	jolt_report_na_op *ops = NULL;
	size_t n = jolt_report_na_by_op(r, &ops);
	char *intro = jolt_report_na_intro(r);
	fprintf(f, "\n## Variants not applicable\n\n%s\n\n"
		"| suite | operator | variants | tasks |\n"
		"|---|---|---:|---:|\n", intro);
	free(intro);
	for (size_t i = 0; i < n; i++) {
		fputc('|', f);
		md_name(f, ops[i].suite);
		md_name(f, ops[i].op);
		fprintf(f, " %ld | %ld |\n", ops[i].variants, ops[i].tasks);
	}
	free(ops);
}

/* Models and scaffolds side by side, best first (report.h). */
static void md_board(FILE *f, const jolt_report *r)
{
	fputs("## Leaderboard\n\n| # | model | scaffold | baseline | "
	      "perturbed |",
	      f);
	for (int a = 0; a < JOLT_AXIS_COUNT; a++)
		fprintf(f, " %s drop |", jolt_axis_name((enum jolt_axis)a));
	fputs(" worst case | noise | infra errors |\n|---:|---|---|---:|---:|",
	      f);
	for (int a = 0; a < JOLT_AXIS_COUNT; a++)
		fputs("---:|", f);
	fputs("---:|---:|---:|\n", f);
	for (size_t i = 0; i < r->nboard; i++) {
		const jolt_report_entry *e = &r->board[i];
		fprintf(f, "| %zu |", i + 1);
		md_name(f, e->model);
		md_name(f, e->scaffold);
		fputc(' ', f);
		md_pct(f, e->m->baseline.rate);
		fputs(" | ", f);
		md_pct(f, e->m->perturbed.rate);
		for (int a = 0; a < JOLT_AXIS_COUNT; a++) {
			fputs(" | ", f);
			if (e->significant[a])
				fputs("**", f);
			md_pct(f, e->drop[a]);
			if (e->significant[a])
				fputs("**", f);
		}
		fputs(" | ", f);
		md_pct(f, e->m->worst_case);
		fputs(" | ", f);
		md_pct(f, e->m->noise_flip_rate);
		fprintf(f, " | %ld |\n", e->m->infra);
	}
	fputs("\nRanked by perturbed pass rate, then baseline pass rate. "
	      "Drop per axis: baseline minus perturbed pass rate over matched "
	      "pairs, mean over tasks; **bold**: significant (see Robustness "
	      "by axis). Noise: share of pairs of repeats of the same "
	      "baseline whose outcomes differ.\n\n",
	      f);
}

static int md_write(FILE *f, const jolt_report *r)
{
	fputs("# jolt report\n\n", f);
	fputs(r->ndb == 1 ? "Database:" : "Databases:", f);
	fputc('\n', f);
	for (size_t d = 0; d < r->ndb; d++) {
		size_t n = 0;
		for (size_t i = 0; i < r->ntrials; i++)
			n += r->trials[i].db == d;
		fputs("\n- ", f);
		jolt_md_code(f, r->dbs[d]);
		fprintf(f, " (%zu trial%s)", n, n == 1 ? "" : "s");
	}
	fputs("\n\n", f);
	if (r->tls_insecure)
		fprintf(f, "**Warning:** %ld run%s made with `--insecure`: the "
			"model server's TLS certificate was not verified.\n\n",
			r->tls_insecure, r->tls_insecure == 1 ? " was" : "s were");
	if (r->ntrials == 0) {
		fputs("_no trials: these databases hold no results yet._\n", f);
		if (r->nrefused)
			md_refused(f, r);
		md_inapplicable(f, r);
		return 0;
	}

	if (r->nboard > 1)
		md_board(f, r);

	fputs("## Pass rate by model\n\n", f);
	md_groups(f, r->by_model, r->nby_model, false);
	fputs("\nPass rate = pass / (pass + fail). Infra errors are "
	      "excluded from the rate and shown in their own column.\n",
	      f);

	fputs("\n## By suite\n\n", f);
	md_groups(f, r->by_suite, r->nby_suite, true);

	if (r->robust && r->robust->nby_axis > 0) {
		md_robust_summary(f, r->robust);
		md_robust_tables(f, r->robust);
	}
	if (r->robust)
		md_scaffolds(f, r->robust);
	if (r->robust)
		md_pass_k(f, r->robust);

	fputs("\n## Tasks\n\n", f);
	md_tasks(f, r);

	md_failures(f, r);
	md_infra(f, r);
	md_refused(f, r);
	md_inapplicable(f, r);
	return 0;
}

const jolt_report_format jolt_report_md = {
    .name = "md",
    .description = "Markdown: pass rates with Wilson intervals, tasks, "
		   "failures",
    .flags = 0,
    .write = md_write,
};
