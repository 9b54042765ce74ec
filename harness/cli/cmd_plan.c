/*
 * cmd_plan.c - `jolt plan`: before a run, how large a drop its design can
 * detect at 80% power, and how many tasks or repeats a given drop needs
 * (reports/power.h: Connor's paired sample size, psi = d + noise / K).
 * The baseline pass rate and the noise between repeats are assumed
 * (--p0, --rho) or measured on a pilot run's database (--pilot).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/common.h"
#include "reports/power.h"
#include "reports/report.h"
#include "reports/robust.h"
#include "run/report_load.h"

/* The most repeats a plan proposes before saying none is enough. */
#define PLAN_MAX_REPEATS 100

struct plan_opts {
	const char *pilot;
	const char *db; /* --db, the same as --pilot */
	long repeats;
	double drop;
	double p0;
	double rho;
	double alpha;
	double power;
	long comparisons;
	jolt_strlist tasks;
	long limit;
};

static const jolt_opt plan_options[] = {
	{"pilot", 0, JOLT_OPT_STR, offsetof(struct plan_opts, pilot), "DB",
	 "measure the baseline pass rate and the noise on a pilot run's database"},
	{"db", 0, JOLT_OPT_STR, offsetof(struct plan_opts, db), "DB",
	 "the same as --pilot"},
	{"repeats", 0, JOLT_OPT_INT, offsetof(struct plan_opts, repeats), "K",
	 "plan for K repeats per (task, variant) (default: show 1 and 3)"},
	{"drop", 0, JOLT_OPT_DOUBLE, offsetof(struct plan_opts, drop), "D",
	 "also the tasks and repeats a drop of D (0.10 = 10 points) needs"},
	{"p0", 0, JOLT_OPT_DOUBLE, offsetof(struct plan_opts, p0), "P",
	 "assumed baseline pass rate (default 0.7, or the pilot's)"},
	{"rho", 0, JOLT_OPT_DOUBLE, offsetof(struct plan_opts, rho), "R",
	 "assumed correlation between two repeats of a task (default 0.75, or the pilot's noise)"},
	{"alpha", 0, JOLT_OPT_DOUBLE, offsetof(struct plan_opts, alpha), "A",
	 "two-sided significance level (default 0.05)"},
	{"power", 0, JOLT_OPT_DOUBLE, offsetof(struct plan_opts, power), "P",
	 "power (default 0.80)"},
	{"comparisons", 0, JOLT_OPT_INT, offsetof(struct plan_opts, comparisons), "M",
	 "Holm family size: the strictest step tests at alpha/M (default 5, one per axis)"},
	{"tasks", 0, JOLT_OPT_LIST, offsetof(struct plan_opts, tasks), "ID,GLOB,...",
	 JOLT_TASKS_HELP},
	{"limit", 0, JOLT_OPT_INT, offsetof(struct plan_opts, limit), "N",
	 JOLT_LIMIT_HELP},
	{NULL, 0, 0, 0, NULL, NULL},
};

static void plan_init(void *vo)
{
	struct plan_opts *o = vo;
	o->limit = -1;
	o->repeats = -1; /* not given */
	o->drop = o->p0 = o->rho = NAN; /* not given */
	o->alpha = 0.05;
	o->power = 0.80;
	o->comparisons = 5;
}

static int check_unit(const char *flag, double v, bool open)
{
	if (isnan(v) || (open ? (v > 0.0 && v < 1.0) : (v >= 0.0 && v <= 1.0)))
		return 0;
	return jolt_err_set(JOLT_EUSAGE, "--%s %g: expected a number %s", flag,
			    v, open ? "between 0 and 1" : "from 0 to 1");
}

static int check_opts(const struct plan_opts *o)
{
	int rc = 0;
	if (o->pilot && o->db)
		rc = jolt_err_set(JOLT_EUSAGE, "--pilot and --db name the same "
				  "thing: give one");
	if (!rc)
		rc = check_unit("p0", o->p0, false);
	if (!rc)
		rc = check_unit("rho", o->rho, false);
	if (!rc)
		rc = check_unit("alpha", o->alpha, true);
	if (!rc)
		rc = check_unit("power", o->power, true);
	if (!rc)
		rc = check_unit("drop", o->drop, true);
	if (!rc && o->repeats != -1)
		rc = jolt_cli_range("--repeats", o->repeats, 1, PLAN_MAX_REPEATS);
	if (!rc)
		rc = jolt_cli_range("--comparisons", o->comparisons, 1, 100000);
	return rc;
}

/* What a pilot run measured, pooled over its models and scaffolds. */
typedef struct pilot {
	long base_pass, base_n;
	double disagree;
	long rep_pairs, fixes, pairs;
	int repeats;
} pilot;

static int read_pilot(pilot *out, const char *db)
{
	jolt_report *r = NULL;
	const char *dbs[] = {db};
	int rc = jolt_report_load(&r, dbs, 1);
	if (rc)
		return rc;
	const jolt_robust *rb = r->robust;
	for (size_t i = 0; i < rb->nmodels; i++) {
		const jolt_robust_model *m = &rb->models[i];
		out->base_pass += m->baseline.pass;
		out->base_n += m->baseline.n;
		if (m->noise_pairs > 0)
			out->disagree += m->noise_flip_rate * (double)m->noise_pairs;
		out->rep_pairs += m->noise_pairs;
		out->fixes += m->flips.n01;
		out->pairs += jolt_flips_total(&m->flips);
		if (m->repeats > out->repeats)
			out->repeats = m->repeats;
	}
	jolt_report_free(r);
	if (out->base_n == 0)
		return jolt_err_set(JOLT_EINPUT, "--pilot %s: no graded baseline "
				    "trial to measure a pass rate on", db);
	return 0;
}

/* Fill the design from the options and the pilot; say where each figure
 * comes from. */
static int design(jolt_power_design *d, const struct plan_opts *o,
		  const char *pilot_db)
{
	pilot p = {0};
	int rc = pilot_db ? read_pilot(&p, pilot_db) : 0;
	if (rc)
		return rc;
	d->alpha = o->alpha;
	d->power = o->power;
	d->comparisons = o->comparisons;
	double rho = isnan(o->rho) ? 0.75 : o->rho;
	if (!isnan(o->p0)) {
		d->p0 = o->p0;
		printf("baseline pass rate p0 = %.3f (--p0)\n", d->p0);
	} else if (pilot_db) {
		d->p0 = (double)p.base_pass / (double)p.base_n;
		printf("baseline pass rate p0 = %.3f: %ld of %ld baseline trials "
		       "of the pilot\n", d->p0, p.base_pass, p.base_n);
	} else {
		d->p0 = 0.7;
		printf("baseline pass rate p0 = 0.700: ASSUMED (--p0; measure it "
		       "with --pilot RUN.db)\n");
	}
	enum jolt_power_src src = JOLT_POWER_SRC_NONE;
	if (pilot_db && isnan(o->rho))
		src = jolt_power_measure(&d->noise, p.disagree, p.rep_pairs,
					 p.fixes, p.pairs);
	if (src == JOLT_POWER_SRC_REPEATS) {
		printf("noise = %.3f: repeats of a pilot baseline disagree on "
		       "%.1f%% of %ld pairs\n", d->noise, 100 * d->noise,
		       p.rep_pairs);
	} else if (src == JOLT_POWER_SRC_FIXES) {
		printf("noise = %.3f: twice the pilot's fix rate (%ld of %ld "
		       "pairs went fail -> pass; it has no repeats)\n",
		       d->noise, p.fixes, p.pairs);
	} else {
		d->noise = jolt_power_noise(d->p0, rho);
		printf("noise = %.3f = 2 p0 (1 - p0) (1 - rho), within-task "
		       "correlation rho = %.2f%s\n", d->noise, rho,
		       !isnan(o->rho) ? " (--rho)"
		       : pilot_db ? ": ASSUMED, the pilot has neither repeats "
				    "nor perturbed trials (--rho)"
				  : ": ASSUMED (--rho)");
	}
	if (d->p0 > 0.0 && d->p0 < 1.0 && src != JOLT_POWER_SRC_NONE)
		printf("  (that is a within-task correlation rho = %.2f)\n",
		       1.0 - d->noise / (2.0 * d->p0 * (1.0 - d->p0)));
	return 0;
}

/* "18.1 points", or why there is none. */
static void print_mdd(double mdd)
{
	if (isnan(mdd))
		printf("  %18s", "none up to p0");
	else
		printf("  %11.1f points", 100.0 * mdd);
}

static void print_needed(double n)
{
	if (isnan(n))
		printf("  %12s", "-");
	else
		printf("  %12.0f", ceil(n));
}

int jolt_cmd_plan(void *vo, int argc, char **argv)
{
	struct plan_opts *o = vo;
	jolt_suite **suites = NULL;
	jolt_task_ref *tasks = NULL;
	size_t ntasks = 0;
	jolt_run_cfg sel;
	memset(&sel, 0, sizeof(sel));
	const char *pilot_db = o->pilot ? o->pilot : o->db;
	int rc = check_opts(o);
	if (!rc)
		rc = jolt_cli_select_tasks(&sel, &o->tasks, o->limit);
	if (rc) {
		jolt_cli_fail("plan", rc);
		return rc;
	}
	rc = jolt_cli_load_suites(&suites, "plan", argc, argv);
	if (rc)
		return rc;
	sel.suites = suites;
	sel.nsuites = (size_t)argc;
	jolt_power_design d;
	memset(&d, 0, sizeof(d));
	rc = jolt_run_tasks(&tasks, &ntasks, &sel);
	if (rc)
		goto done;
	printf("%s%s: %zu tasks\n", argv[0], argc > 1 ? " and more" : "",
	       ntasks);
	rc = design(&d, o, pilot_db);
	if (rc)
		goto done;
	printf("paired test, two-sided alpha %.3g, %.0f%% power; Holm over %ld "
	       "comparisons tests the first at alpha %.3g\n",
	       o->alpha, 100 * o->power, o->comparisons,
	       o->alpha / (double)o->comparisons);
	printf("n = [z(1-a/2) sqrt(psi) + z(power) sqrt(psi - d^2)]^2 / d^2 "
	       "(Connor 1987), psi = d + noise/K\n\n");

	long ks[2] = {1, 3};
	size_t nk = 2;
	if (o->repeats > 0) {
		ks[0] = o->repeats;
		nk = 1;
	}
	jolt_power_design one = d;
	one.comparisons = 1;
	printf("repeats  smallest detectable drop  (Holm, %ld comparisons)",
	       o->comparisons);
	if (!isnan(o->drop))
		printf("  tasks for %.1f points  (Holm)", 100 * o->drop);
	printf("\n");
	for (size_t i = 0; i < nk; i++) {
		printf("%7ld", ks[i]);
		print_mdd(jolt_power_mdd(&one, (double)ntasks, (double)ks[i]));
		printf("      ");
		print_mdd(jolt_power_mdd(&d, (double)ntasks, (double)ks[i]));
		if (!isnan(o->drop)) {
			printf("       ");
			print_needed(jolt_power_tasks(&one, o->drop, (double)ks[i]));
			print_needed(jolt_power_tasks(&d, o->drop, (double)ks[i]));
		}
		printf("\n");
	}
	if (!isnan(o->drop)) {
		const jolt_power_design *ds[] = {&one, &d};
		for (size_t i = 0; i < 2; i++) {
			long k = jolt_power_repeats(ds[i], o->drop,
						    (double)ntasks, PLAN_MAX_REPEATS);
			printf("%s: ", i ? "Holm" : "one comparison");
			if (k > 0)
				printf("%zu tasks detect %.1f points with %ld "
				       "repeat%s\n", ntasks, 100 * o->drop, k,
				       k == 1 ? "" : "s");
			else
				printf("no number of repeats lets %zu tasks "
				       "detect %.1f points: repeats do not add "
				       "tasks (%.0f needed even with %d)\n",
				       ntasks, 100 * o->drop,
				       ceil(jolt_power_tasks(ds[i], o->drop,
							     PLAN_MAX_REPEATS)),
				       PLAN_MAX_REPEATS);
		}
	}
done:
	if (rc)
		jolt_cli_fail("plan", rc);
	free(tasks);
	jolt_cli_free_suites(suites, argc);
	return rc;
}

const jolt_cmd_syntax jolt_plan_syntax = {
	.usage = "SUITE... [--pilot DB] [--repeats K] [--drop D] [--p0 P] [--rho R]\n"
		 "       [--alpha A] [--power P] [--comparisons M] [--tasks ID,GLOB,...]",
	.help =
	 "The paired design: every variant is compared with the baseline of\n"
	 "the same task and repeat, and a task's outcome is its pass fraction\n"
	 "over its repeats. The sample size of the paired McNemar test\n"
	 "(Connor 1987), n = [z(1-a/2) sqrt(psi) + z(power) sqrt(psi - d^2)]^2\n"
	 "/ d^2, is solved for the drop d, with the discordance psi = d +\n"
	 "noise/K: a drop breaks the same tasks on every repeat, while the\n"
	 "noise (the share of pairs of repeats of one baseline that disagree,\n"
	 "the report's noise floor) averages out over K repeats. Repeats\n"
	 "therefore shrink the detectable drop only down to what the number of\n"
	 "tasks allows.\n\n"
	 "Without --pilot the baseline pass rate p0 (0.7) and the correlation\n"
	 "rho between two repeats of a task (0.75) are assumptions, and the\n"
	 "output says so; noise = 2 p0 (1 - p0) (1 - rho). With --pilot RUN.db\n"
	 "they are measured: p0 on its baseline trials, the noise on its\n"
	 "repeats, or, with one repeat, as twice its fix rate (fail -> pass).\n"
	 "Reports call a drop significant on its Holm-adjusted p-value, so the\n"
	 "second column tests at alpha / M, Holm's strictest step.\n\n"
	 "Every report shows the same figure for the run it describes, next\n"
	 "to each drop (\"detectable\").",
	.opts = plan_options,
	.opts_size = sizeof(struct plan_opts),
	.min_args = 1,
	.max_args = -1,
	.init = plan_init,
};
