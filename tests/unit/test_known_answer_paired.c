/*
 * test_known_answer_paired.c - known answers where pairing matters.
 *
 * The other known-answer tests start from a baseline that passes every
 * task, where a pairing bug would be invisible: every clean side is 1.
 * Here the simulator finds about 30% of the tasks too hard (difficulty=,
 * sim.c: picked by a hash of the task id, failing on the baseline and
 * every variant and repeat), as a real model fails the same hard tasks
 * again and again. On the easy tasks it is thrown by the tool axis with
 * probability 0.6, so the planted drop, averaged over tasks, is 0.6 x the
 * share of easy tasks. The measured drop's paired interval (the report's
 * task bootstrap of clean - perturbed) must cover it, and must be
 * narrower than the unpaired interval (clean and perturbed task rates
 * resampled independently): hard tasks fail on both sides, which only
 * pairing cancels.
 */
#include "known_answer.h"

#include "model/sim.h"

#define PROFILE "sim:tool=0.6,difficulty=0.3"
#define UNPAIRED_REPS 10000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The unpaired 95% percentile interval of mean(b) - mean(p): b and p
 * resampled over tasks independently of each other. */
static void unpaired_ci(double *lo, double *hi, const double *b,
			const double *p, size_t n)
{
	double *rep = jolt_xcalloc(UNPAIRED_REPS, sizeof(*rep));
	for (long r = 0; r < UNPAIRED_REPS; r++) {
		double sb = 0, sp = 0;
		for (size_t k = 0; k < n; k++) {
			sb += b[jolt_hash_u64(2 * (uint64_t)r, k) % n];
			sp += p[jolt_hash_u64(2 * (uint64_t)r + 1, k) % n];
		}
		rep[r] = (sb - sp) / (double)n;
	}
	qsort(rep, UNPAIRED_REPS, sizeof(*rep), cmp_double);
	*lo = rep[(size_t)(0.025 * (UNPAIRED_REPS - 1))];
	*hi = rep[(size_t)(0.975 * (UNPAIRED_REPS - 1))];
	free(rep);
}

/* Per task (in ka order, tasks with tool pairs only): b = the baseline's
 * pass (one repeat), p = the pass fraction over its tool variants. */
static size_t task_rates(double *b, double *p, const jolt_trial_row *rows,
			 size_t n)
{
	size_t k = 0;
	for (size_t t = 0; t < starter->ntasks; t++) {
		const char *id = starter->tasks[t].id;
		long base = -1, pass = 0, tried = 0;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rows[i].task, id))
				continue;
			bool ok = rows[i].outcome == JOLT_OUTCOME_PASS;
			if (!strcmp(rows[i].axis, "baseline"))
				base = ok;
			else if (!strcmp(rows[i].axis, "tool")) {
				pass += ok;
				tried++;
			}
		}
		if (base < 0 || tried == 0)
			continue;
		b[k] = (double)base;
		p[k++] = (double)pass / (double)tried;
	}
	return k;
}

static const jolt_robust_cmp *tool_axis(const jolt_robust *rb)
{
	for (size_t i = 0; i < rb->nby_axis; i++)
		if (!strcmp(rb->by_axis[i].axis, "tool"))
			return &rb->by_axis[i];
	fail_msg("no tool comparison");
	return NULL;
}

/* As in test_known_answer.c, each repeat is an independent replication
 * with its own interval; a correct harness covers the planted value in
 * at least 3 of 4 (probability 0.986 at 95% coverage). */
static void test_paired_with_hard_tasks(void **st)
{
	(void)st;
	enum { REPS = 4 };
	jolt_sim_profile prof;
	assert_int_equal(jolt_sim_profile_parse(&prof, PROFILE + 4), 0);
	char *db = run(PROFILE, "tool", NULL, REPS);
	jolt_report *r = NULL;
	jolt_robust *rb = NULL;
	summary(&r, &rb, db);

	/* The baseline fails exactly the hard tasks, on every repeat. */
	long hard = 0;
	for (size_t t = 0; t < starter->ntasks; t++)
		for (size_t j = 0; j < JOLT_ARRAY_LEN(ka_tasks); j++)
			if (!fnmatch(ka_tasks[j], starter->tasks[t].id, 0)) {
				hard += jolt_sim_task_hard(&prof, starter->tasks[t].id);
				break;
			}
	const jolt_rate *base = &rb->models[0].baseline;
	fprintf(stderr, "# %s: %ld of %ld tasks hard; baseline %.3f of %ld\n",
		PROFILE, hard, ka_ntasks, base->rate, base->n);
	assert_int_equal(base->n, ka_ntasks * REPS);
	assert_int_equal(base->pass, (ka_ntasks - hard) * REPS);
	assert_true(base->rate >= 0.6 && base->rate <= 0.85);

	jolt_trial_row *rows = jolt_xcalloc(r->ntrials, sizeof(*rows));
	double *b = jolt_xcalloc(starter->ntasks, sizeof(*b));
	double *p = jolt_xcalloc(starter->ntasks, sizeof(*p));
	int covered = 0, narrower = 0;
	for (int rep = 0; rep < REPS; rep++) {
		size_t n = ka_repeat_rows(rows, r, rep);
		jolt_robust *one = NULL;
		assert_int_equal(jolt_robust_build(&one, rows, n, NULL), 0);
		const jolt_robust_cmp *c = tool_axis(one);
		size_t nt = task_rates(b, p, rows, n);
		assert_int_equal((long)nt, c->tasks);
		/* Planted: 0.6 on each easy task (b = 1), 0 on a hard one. */
		double easy = 0, drop = 0;
		for (size_t k = 0; k < nt; k++) {
			easy += b[k];
			drop += b[k] - p[k];
		}
		double planted = 0.6 * easy / (double)nt;
		/* The report's drop is this mean over tasks: pairing is by
		 * task and repeat, whatever the baseline rate. */
		assert_true(fabs(c->drop.est - drop / (double)nt) < 1e-12);
		double ulo, uhi;
		unpaired_ci(&ulo, &uhi, b, p, nt);
		bool in = c->drop.lo <= planted + 1e-9 &&
			  c->drop.hi >= planted - 1e-9;
		bool tighter = c->drop.hi - c->drop.lo < uhi - ulo;
		fprintf(stderr, "# repeat %d: planted %.3f measured %.3f paired "
			"[%.3f, %.3f] unpaired [%.3f, %.3f] tasks %zu pairs "
			"%ld%s\n", rep, planted, c->drop.est, c->drop.lo,
			c->drop.hi, ulo, uhi, nt, jolt_flips_total(&c->flips),
			in ? "" : "  (not covered)");
		covered += in;
		narrower += tighter;
		/* A hard task never passes on either side: no fixes come
		 * from it, and every fix would be a pairing error here. */
		assert_int_equal(c->flips.n01, 0);
		jolt_robust_free(one);
	}
	assert_true(covered >= REPS - 1);
	assert_int_equal(narrower, REPS);
	/* Pooled, the drop is found. */
	assert_true(tool_axis(rb)->significant);
	free(b);
	free(p);
	free(rows);
	jolt_robust_free(rb);
	jolt_report_free(r);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paired_with_hard_tasks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
