/*
 * report_html.h - what the files of the HTML report share (report_html.c
 * writes the page, the leaderboard, the trial index and the trace chunks;
 * report_html_svg.c draws the charts; report_html_js.c holds the style
 * sheet and the viewer's script). Internal to reports/.
 *
 * Escaping rule: every string that came from outside (a model name, a
 * task id, a detail, a trace) reaches the page through jolt_html_text() (text
 * and attribute values) or jolt_html_json_str() (the JSON index inside a
 * <script> element), or as base64 (trace chunks); nothing else writes
 * outside text.
 */
#ifndef JOLT_REPORT_HTML_H
#define JOLT_REPORT_HTML_H

#include <stdio.h>

#include "reports/report.h"
#include "reports/robust.h"

/* `s` as HTML text or a quoted attribute value: & < > " ' escaped,
 * control characters other than tab and newline dropped, bytes that are
 * not UTF-8 written as U+FFFD. At most `max` bytes of `s` (0 = all), cut
 * on a character boundary with an ellipsis. */
void jolt_html_text(FILE *f, const char *s, size_t max);

/* `s` as a JSON string (quotes included) that is safe inside a <script>
 * element: < > & and U+2028/9 as \u escapes, bad UTF-8 as U+FFFD. */
void jolt_html_json_str(FILE *f, const char *s, size_t max);

/* A figure as a percentage with one decimal ("12.5%"), "–" for NAN. */
void jolt_html_pct(FILE *f, double x);
/* An interval of two such: "[1.0%, 20.5%]". */
void jolt_html_interval(FILE *f, double lo, double hi);

/* The series of the charts: one per model x scaffold, in the order of
 * r->robust->models; its colour and its label. */
const char *jolt_html_color(size_t series);
void jolt_html_series_label(FILE *f, const jolt_robust_model *m);

/* A small inline bar of a rate in [0, 1] with its interval whisker. */
void jolt_html_rate_bar(FILE *f, double rate, double lo, double hi);

/* The chart sections. `base` maps each trial to its baseline trial (or
 * -1), as the trace viewer pairs them. */
void jolt_html_chart_drops(FILE *f, const jolt_report *r);
void jolt_html_chart_heatmap(FILE *f, const jolt_report *r);
int jolt_html_chart_levels(FILE *f, const jolt_report *r, const long *base);
void jolt_html_chart_passk(FILE *f, const jolt_report *r);

extern const char jolt_html_css[];
extern const char jolt_html_js[];

#endif
