/*
 * sha256.h - SHA-256 of a byte string (sha256.c), at once or streamed.
 */
#ifndef JOLT_SHA256_H
#define JOLT_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* out: 64 lowercase hex digits and a NUL. */
void jolt_sha256_hex(char out[65], const void *data, size_t len);

/* A digest fed in pieces: init, update any number of times, final once
 * (the state is spent after it). */
typedef struct jolt_sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes fed so far */
	unsigned char buf[64]; /* a partial block */
	size_t nbuf;
} jolt_sha256;

void jolt_sha256_init(jolt_sha256 *c);
void jolt_sha256_update(jolt_sha256 *c, const void *data, size_t len);
void jolt_sha256_final_hex(jolt_sha256 *c, char out[65]);

#endif
