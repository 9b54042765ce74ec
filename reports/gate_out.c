/*
 * gate_out.c - the gate's verdict as Markdown (a PR comment or a CI step
 * summary) and as JUnit XML (one testcase per check), and the `junit`
 * report format, which is the gate with its default limits.
 *
 * Names that came from outside (models, scaffolds, operators, paths) are
 * escaped for each output: Markdown table cells, XML attributes and text
 * (bytes XML 1.0 cannot hold become '?').
 */
#include <math.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "reports/gate.h"
#include "reports/report.h"

static const char *verdict_name(enum jolt_gate_verdict v)
{
	return v == JOLT_GATE_PASS ? "PASS" : v == JOLT_GATE_FAIL ? "FAIL" : "INFRA";
}

static const char *status_name(enum jolt_gate_status s)
{
	return s == JOLT_GATE_OK ? "ok" : s == JOLT_GATE_FAILED ? "FAILED" : "skipped";
}

/* "tool", "tool/rename", "baseline pass rate"... what a check is about. */
static void case_subject(jolt_buf *b, const jolt_gate_case *c)
{
	switch (c->check) {
	case JOLT_GATE_CHECK_INFRA:
		jolt_buf_addf(b, "infra errors");
		return;
	case JOLT_GATE_CHECK_MIN_PASS:
		jolt_buf_addf(b, "baseline pass rate");
		return;
	case JOLT_GATE_CHECK_DROP:
	case JOLT_GATE_CHECK_REGRESSION:
		jolt_buf_addf(b, "%s: %s%s%s", jolt_gate_check_name(c->check),
			      c->axis ? c->axis : "", c->op ? "/" : "",
			      c->op ? c->op : "");
		if (c->check == JOLT_GATE_CHECK_REGRESSION && c->ref_model)
			jolt_buf_addf(b, " vs %s", c->ref_model);
		return;
	}
}

static void md_pct(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.1f%%", fabs(x) < 0.0005 ? 0.0 : x * 100.0);
	else
		fputs("n/a", f);
}

static void md_row(FILE *f, const jolt_gate_case *c)
{
	jolt_buf subj = JOLT_BUF_INIT;
	case_subject(&subj, c);
	fprintf(f, "| %s | ", status_name(c->status));
	jolt_md_text(f, c->model, 0, true);
	fputs(" | ", f);
	jolt_md_text(f, c->scaffold, 0, true);
	fputs(" | ", f);
	jolt_md_text(f, jolt_buf_cstr(&subj), 0, true);
	fputs(" | ", f);
	md_pct(f, c->value);
	if (isfinite(c->lo)) {
		fputs(" [", f);
		md_pct(f, c->lo);
		fputs(", ", f);
		md_pct(f, c->hi);
		fputc(']', f);
	}
	fputs(" | ", f);
	if (c->check == JOLT_GATE_CHECK_DROP ||
	    c->check == JOLT_GATE_CHECK_REGRESSION) {
		md_pct(f, c->mdd);
		if (c->undetectable)
			fputs(" (above limit)", f);
	}
	fputs(" | ", f);
	if (c->check == JOLT_GATE_CHECK_MIN_PASS)
		fputs(">= ", f);
	else
		fputs("<= ", f);
	md_pct(f, c->limit);
	fputs(" | ", f);
	if (isfinite(c->p_holm))
		fprintf(f, "%.4g%s", c->p_holm,
			c->significant ? " (significant)" : "");
	fputs(" | ", f);
	md_pct(f, c->noise);
	fputs(" |\n", f);
	jolt_buf_release(&subj);
}

static const char md_head[] =
    "| result | model | scaffold | check | figure [95% CI] | detectable | "
    "limit | Holm p | noise floor |\n"
    "|---|---|---|---|---:|---:|---:|---:|---:|\n";

/* The checks whose threshold is below what the run can detect: each
 * axis-level one named, the per-operator ones counted. */
static void md_undetectable(FILE *f, const jolt_gate *g)
{
	if (!g->nundetectable)
		return;
	size_t ops = 0;
	fprintf(f, "\n**Warning:** %zu of the drop checks cannot detect a "
		"drop as small as the limit they enforce: a drop between "
		"the limit and the detectable drop (the smallest this run "
		"finds at 80%% power) passes the gate unnoticed. More tasks "
		"or repeats close the gap: ",
		g->nundetectable);
	char *cmd = jolt_xasprintf("jolt plan SUITE --pilot %s --drop %g",
				   g->report->ndb ? g->report->dbs[0] : "RUN.db",
				   g->opts.max_drop);
	jolt_md_code(f, cmd);
	free(cmd);
	fputs(" says how many.\n\n", f);
	for (size_t i = 0; i < g->ncases; i++) {
		const jolt_gate_case *c = &g->cases[i];
		if (!c->undetectable)
			continue;
		if (c->op) {
			ops++;
			continue;
		}
		jolt_buf subj = JOLT_BUF_INIT;
		case_subject(&subj, c);
		char *w = jolt_gate_undetectable_text(c);
		fputs("- ", f);
		jolt_md_text(f, c->model, 0, true);
		fputs(" / ", f);
		jolt_md_text(f, c->scaffold, 0, true);
		fputs(", ", f);
		jolt_md_text(f, jolt_buf_cstr(&subj), 0, true);
		fprintf(f, ": %s\n", w);
		free(w);
		jolt_buf_release(&subj);
	}
	if (ops)
		fprintf(f, "- and %zu per-operator check%s (the detectable "
			"column below)\n", ops, ops == 1 ? "" : "s");
}

int jolt_gate_md(FILE *f, const jolt_gate *g)
{
	const jolt_gate_opts *o = &g->opts;
	const jolt_report *r = g->report;
	fprintf(f, "## jolt gate: %s\n\n", verdict_name(g->verdict));
	if (g->verdict == JOLT_GATE_INFRA)
		fprintf(f, "**Infra errors exceed the limit** (%zu of %zu "
			   "checks failed): the run measured its endpoint, not "
			   "its model.\n\n",
			g->nfailed, g->ncases);
	else if (g->verdict == JOLT_GATE_FAIL)
		fprintf(f, "**%zu of %zu checks failed.**\n\n", g->nfailed,
			g->ncases);
	else
		fprintf(f, "All %zu checks hold.\n\n", g->ncases);
	fputs("Run: ", f);
	for (size_t i = 0; i < r->ndb; i++) {
		fputs(i ? ", " : "", f);
		jolt_md_code(f, r->dbs[i]);
	}
	fprintf(f, " (%zu trials)", r->ntrials);
	if (g->baseline) {
		fputs("; baseline run: ", f);
		for (size_t i = 0; i < g->baseline->ndb; i++) {
			fputs(i ? ", " : "", f);
			jolt_md_code(f, g->baseline->dbs[i]);
		}
		fprintf(f, " (%zu trials)", g->baseline->ntrials);
	}
	fputs(".\n\nLimits: baseline pass rate ", f);
	if (o->min_pass > 0) {
		fputs(">= ", f);
		md_pct(f, o->min_pass);
	} else {
		fputs("not held to a floor", f);
	}
	fputs(", drop <= ", f);
	md_pct(f, o->max_drop);
	fprintf(f, " unless significant at alpha %g (Holm), infra errors <= ",
		o->alpha);
	md_pct(f, o->max_infra);
	fputs(" of trials", f);
	if (o->axes) {
		fputs("; axes: ", f);
		for (size_t i = 0; i < o->naxes; i++) {
			fputs(i ? ", " : "", f);
			jolt_md_text(f, o->axes[i], 0, true);
		}
	}
	fputs(".\n", f);
	md_undetectable(f, g);

	if (g->nfailed) {
		fprintf(f, "\n### Failed checks\n\n%s", md_head);
		for (size_t i = 0; i < g->ncases; i++)
			if (g->cases[i].status == JOLT_GATE_FAILED)
				md_row(f, &g->cases[i]);
	}
	fprintf(f, "\n<details><summary>All %zu checks</summary>\n\n%s",
		g->ncases, md_head);
	for (size_t i = 0; i < g->ncases; i++)
		md_row(f, &g->cases[i]);
	fputs("\n</details>\n\n"
	      "A drop fails only when it is above the limit and significant: "
	      "the exact McNemar p, Holm-adjusted over every comparison, below "
	      "alpha, and the task-clustered bootstrap interval excluding "
	      "zero. Noise floor: the break rate between repeats of the same "
	      "baseline, with no perturbation (n/a without --repeats 2 or "
	      "more): a break rate near it is run-to-run noise. Detectable: "
	      "the smallest drop the check finds at 80% power at this alpha "
	      "(n/a: none up to the clean pass rate); a limit below it "
	      "cannot be enforced by this run.",
	      f);
	if (g->baseline)
		fputs(" Regression: each trial paired with the baseline run's "
		      "trial of the same scaffold, task, variant and repeat; "
		      "drop = baseline run minus this run.",
		      f);
	fputc('\n', f);
	return 0;
}

/* ---- JUnit ---- */

/* `s` as XML character data or an attribute value: markup escaped,
 * control bytes and malformed UTF-8 replaced by '?'. */
static void xml_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		unsigned char c = *p;
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4 : 0;
		bool valid = len > 0;
		for (size_t i = 1; valid && i < len; i++)
			valid = (p[i] & 0xC0) == 0x80;
		if (!valid) {
			fputc('?', f);
			p++;
			continue;
		}
		if (len > 1) {
			fwrite(p, 1, len, f);
			p += len;
			continue;
		}
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\n': case '\t': fputc(c, f); break;
		default: fputc(c < 0x20 ? '?' : c, f);
		}
		p++;
	}
}

static bool same_group(const jolt_gate_case *a, const jolt_gate_case *b)
{
	return !strcmp(a->model, b->model) && !strcmp(a->scaffold, b->scaffold);
}

int jolt_gate_junit(FILE *f, const jolt_gate *g)
{
	size_t fails = 0, errors = 0, skipped = 0;
	for (size_t i = 0; i < g->ncases; i++) {
		const jolt_gate_case *c = &g->cases[i];
		skipped += c->status == JOLT_GATE_SKIPPED;
		if (c->status == JOLT_GATE_FAILED)
			*(c->check == JOLT_GATE_CHECK_INFRA ? &errors : &fails) += 1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"jolt gate\" tests=\"%zu\" "
		   "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
		g->ncases, fails, errors, skipped);
	bool *done = jolt_xcalloc(g->ncases + 1, sizeof(*done));
	for (size_t i = 0; i < g->ncases; i++) {
		if (done[i])
			continue;
		const jolt_gate_case *first = &g->cases[i];
		size_t n = 0, nf = 0, ne = 0, ns = 0;
		for (size_t j = i; j < g->ncases; j++) {
			const jolt_gate_case *c = &g->cases[j];
			if (!same_group(first, c))
				continue;
			n++;
			ns += c->status == JOLT_GATE_SKIPPED;
			if (c->status == JOLT_GATE_FAILED)
				*(c->check == JOLT_GATE_CHECK_INFRA ? &ne : &nf) += 1;
		}
		fputs("  <testsuite name=\"jolt.", f);
		xml_text(f, first->model);
		fputc('.', f);
		xml_text(f, first->scaffold);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
			   "skipped=\"%zu\">\n",
			n, nf, ne, ns);
		for (size_t j = i; j < g->ncases; j++) {
			const jolt_gate_case *c = &g->cases[j];
			if (!same_group(first, c))
				continue;
			done[j] = true;
			jolt_buf subj = JOLT_BUF_INIT;
			case_subject(&subj, c);
			fputs("    <testcase classname=\"jolt.", f);
			xml_text(f, c->model);
			fputc('.', f);
			xml_text(f, c->scaffold);
			fputs("\" name=\"", f);
			xml_text(f, jolt_buf_cstr(&subj));
			fputs("\">", f);
			const char *tag = c->status == JOLT_GATE_SKIPPED ? "skipped"
					  : c->check == JOLT_GATE_CHECK_INFRA	 ? "error"
									 : "failure";
			if (c->status != JOLT_GATE_OK) {
				fprintf(f, "\n      <%s type=\"%s\" message=\"", tag,
					jolt_gate_check_name(c->check));
				xml_text(f, c->message);
				fputs("\">", f);
				xml_text(f, c->message);
				fprintf(f, "</%s>\n    ", tag);
			} else {
				fputs("\n      <system-out>", f);
				xml_text(f, c->message);
				fputs("</system-out>\n    ", f);
			}
			/* A limit the run cannot enforce, where a CI page
			 * shows warnings, whatever the check's result. */
			char *w = jolt_gate_undetectable_text(c);
			if (w) {
				fputs("  <system-err>warning: ", f);
				xml_text(f, w);
				fputs("</system-err>\n    ", f);
				free(w);
			}
			fputs("</testcase>\n", f);
			jolt_buf_release(&subj);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	free(done);
	return 0;
}

/* `jolt report --format junit`: the gate with its default limits. */
static int junit_write(FILE *f, const jolt_report *r)
{
	jolt_gate *g;
	int err = jolt_gate_build(&g, r, NULL, NULL);
	if (err)
		return err;
	err = jolt_gate_junit(f, g);
	jolt_gate_free(g);
	return err;
}

const jolt_report_format jolt_report_junit = {
    .name = "junit",
    .description = "JUnit XML: the checks of 'jolt gate' at its default "
		   "limits, one testcase per model, scaffold, axis and "
		   "operator",
    .flags = 0,
    .write = junit_write,
};
