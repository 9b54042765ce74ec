/*
 * ratelimit.h - token buckets for --rpm (requests per minute) and --tpm
 * (tokens per minute), shared by every network backend of a run, so the
 * whole run stays under a provider's quota however many trials are in
 * flight.
 *
 * The limiter never blocks: jolt_ratelimit_reserve() takes the cost out of
 * the buckets at once (a bucket may go into debt) and returns how long the
 * caller must wait before sending, which the backend puts in the request's
 * delay_ms. Requests reserved later queue behind the debt, so the start
 * times come out spaced at the configured rate.
 *
 * Each bucket holds at most 10 seconds' worth of its rate (at least one
 * request), so a run starts with a small burst, never with a whole
 * minute's quota at once. Thread-safe.
 */
#ifndef JOLT_RATELIMIT_H
#define JOLT_RATELIMIT_H

#include <stdint.h>

typedef struct jolt_ratelimit jolt_ratelimit;

/* rpm, tpm: per-minute limits; 0 (or less) = that limit is off. */
jolt_ratelimit *jolt_ratelimit_new(double rpm, double tpm);
void jolt_ratelimit_free(jolt_ratelimit *rl);

/* Reserve one request estimated at `tokens` tokens at time now_ms
 * (jolt_now_ms()); returns the delay in ms before it may be sent (0 when
 * it may go now). */
long jolt_ratelimit_reserve(jolt_ratelimit *rl, double tokens, int64_t now_ms);

/* The request reserved with `estimated` tokens really used `actual`
 * (from the reply's usage): settle the difference. */
void jolt_ratelimit_correct(jolt_ratelimit *rl, double estimated, double actual,
			    int64_t now_ms);

/* A request's token estimate from its body size: about 4 bytes a token. */
static inline double jolt_ratelimit_estimate(size_t body_bytes)
{
	return (double)body_bytes / 4.0;
}

#endif
