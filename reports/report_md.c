/*
 * report_md.c - the Markdown report: pass rates with Wilson intervals by
 * model and by suite, per-task tallies, and the first failures, for a
 * human or a CI summary page.
 *
 * Everything that came from outside (model names, task ids, details) is
 * escaped so it cannot break a table or inject markup.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "report.h"

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

/* Write `s` (at most `max` bytes, 0 = all; never past a newline when
 * `one_line`) escaped for Markdown inline text and table cells. */
static void md_text(FILE *f, const char *s, size_t max, bool one_line)
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

/* A code span that holds any text: the fence is longer than the longest
 * run of backticks inside. */
static void md_code(FILE *f, const char *s)
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
		md_text(f, g->model, 0, true);
		fputs(" | ", f);
		md_text(f, g->scaffold, 0, true);
		if (with_suite) {
			fputs(" | ", f);
			md_text(f, g->suite, 0, true);
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
		md_text(f, g->model, 0, true);
		fputs(" | ", f);
		md_text(f, g->scaffold, 0, true);
		fputs(" | ", f);
		md_text(f, g->suite, 0, true);
		fputc('/', f);
		md_text(f, g->task, 0, true);
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

/* List up to MD_MAX_LISTED trials with outcome `o`, in load order. */
static void md_list(FILE *f, const jolt_report *r, enum jolt_outcome o,
		    const char *title, const char *noun)
{
	size_t total = 0, shown = 0;
	for (size_t i = 0; i < r->ntrials; i++)
		total += r->trials[i].outcome == o;
	fprintf(f, "\n## %s\n\n", title);
	if (total == 0) {
		fprintf(f, "No %s.\n", noun);
		return;
	}
	if (total > MD_MAX_LISTED)
		fprintf(f, "%zu %s; the first %d:\n\n", total, noun,
			MD_MAX_LISTED);
	for (size_t i = 0; i < r->ntrials && shown < MD_MAX_LISTED; i++) {
		const jolt_report_trial *t = &r->trials[i];
		if (t->outcome != o)
			continue;
		shown++;
		fputs("- ", f);
		md_code(f, t->key);
		fputs(" — ", f);
		if (t->error_class[0])
			md_text(f, t->error_class, 0, true);
		else
			fputs("(no error class)", f);
		if (t->detail && t->detail[0]) {
			fputs(": ", f);
			md_text(f, t->detail, MD_DETAIL_CAP, true);
		}
		fputc('\n', f);
	}
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
		md_code(f, r->dbs[d]);
		fprintf(f, " (%zu trial%s)", n, n == 1 ? "" : "s");
	}
	fputs("\n\n", f);
	if (r->ntrials == 0) {
		fputs("_no trials: these databases hold no results yet._\n", f);
		return 0;
	}

	fputs("## Pass rate by model\n\n", f);
	md_groups(f, r->by_model, r->nby_model, false);
	fputs("\nPass rate = pass / (pass + fail). Infra errors are "
	      "excluded from the rate and shown in their own column.\n",
	      f);

	fputs("\n## By suite\n\n", f);
	md_groups(f, r->by_suite, r->nby_suite, true);

	fputs("\n## Tasks\n\n", f);
	md_tasks(f, r);

	md_list(f, r, JOLT_OUTCOME_FAIL, "Failures", "failed trials");
	md_list(f, r, JOLT_OUTCOME_INFRA, "Infra errors",
		"trials with infra errors");
	return 0;
}

const jolt_report_format jolt_report_md = {
    .name = "md",
    .description = "Markdown: pass rates with Wilson intervals, tasks, "
		   "failures",
    .flags = 0,
    .write = md_write,
};
