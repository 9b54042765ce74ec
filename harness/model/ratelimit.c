/*
 * ratelimit.c - the token buckets of ratelimit.h.
 *
 * A bucket refills continuously at rate/60000 per ms up to its capacity;
 * reserving subtracts the cost, possibly below zero, and the wait is the
 * time the refill needs to bring the level back to zero.
 */
#include <math.h>
#include <pthread.h>

#include "core/common.h"
#include "model/ratelimit.h"

/* Seconds of quota a bucket may hold: the largest burst. */
#define JOLT_RL_BURST_S 10.0

typedef struct bucket {
	double per_ms; /* refill rate; 0 = off */
	double capacity;
	double level;
	int64_t last_ms;
} bucket;

struct jolt_ratelimit {
	pthread_mutex_t mu;
	bucket req;
	bucket tok;
};

static void bucket_init(bucket *b, double per_min)
{
	if (!(per_min > 0)) {
		b->per_ms = 0;
		return;
	}
	b->per_ms = per_min / 60000.0;
	b->capacity = fmax(1.0, per_min * JOLT_RL_BURST_S / 60.0);
	b->level = b->capacity;
	b->last_ms = jolt_now_ms();
}

static void bucket_refill(bucket *b, int64_t now)
{
	if (now > b->last_ms) {
		b->level =
		    fmin(b->capacity,
			 b->level + (double)(now - b->last_ms) * b->per_ms);
		b->last_ms = now;
	}
}

static double bucket_take(bucket *b, double cost, int64_t now)
{
	if (b->per_ms == 0)
		return 0;
	bucket_refill(b, now);
	b->level -= cost;
	return b->level >= 0 ? 0 : -b->level / b->per_ms;
}

jolt_ratelimit *jolt_ratelimit_new(double rpm, double tpm)
{
	jolt_ratelimit *rl = jolt_xcalloc(1, sizeof(*rl));
	pthread_mutex_init(&rl->mu, NULL);
	bucket_init(&rl->req, rpm);
	bucket_init(&rl->tok, tpm);
	return rl;
}

void jolt_ratelimit_free(jolt_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

long jolt_ratelimit_reserve(jolt_ratelimit *rl, double tokens, int64_t now_ms)
{
	if (!rl)
		return 0;
	if (!(tokens >= 0))
		tokens = 0;
	pthread_mutex_lock(&rl->mu);
	double a = bucket_take(&rl->req, 1.0, now_ms);
	double b = bucket_take(&rl->tok, tokens, now_ms);
	pthread_mutex_unlock(&rl->mu);
	return (long)ceil(fmax(a, b));
}

void jolt_ratelimit_correct(jolt_ratelimit *rl, double estimated, double actual,
			    int64_t now_ms)
{
	if (!rl || rl->tok.per_ms == 0 || !(actual >= 0) || !(estimated >= 0))
		return;
	pthread_mutex_lock(&rl->mu);
	bucket_refill(&rl->tok, now_ms);
	rl->tok.level =
	    fmin(rl->tok.capacity, rl->tok.level + estimated - actual);
	pthread_mutex_unlock(&rl->mu);
}
