/*
 * sha256.h - SHA-256 of a byte string (sha256.c).
 */
#ifndef JOLT_SHA256_H
#define JOLT_SHA256_H

#include <stddef.h>

/* out: 64 lowercase hex digits and a NUL. */
void jolt_sha256_hex(char out[65], const void *data, size_t len);

#endif
