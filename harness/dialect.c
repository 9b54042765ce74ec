/*
 * dialect.c - the registry of wire formats. Each dialect lives in its own
 * file (dialect_openai.c, dialect_anthropic.c, dialect_m2.c) and exports
 * one const descriptor; this table is how the HTTP backend and `jolt
 * serve` find them by name.
 */
#include <string.h>

#include "common.h"
#include "dialect.h"

extern const jolt_dialect jolt_dialect_openai;
extern const jolt_dialect jolt_dialect_anthropic;
extern const jolt_dialect jolt_dialect_m2;

const jolt_dialect *const jolt_dialects[] = {
    &jolt_dialect_openai,
    &jolt_dialect_anthropic,
    &jolt_dialect_m2,
    NULL,
};

const jolt_dialect *jolt_dialect_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; jolt_dialects[i]; i++)
		if (!strcmp(jolt_dialects[i]->name, name))
			return jolt_dialects[i];
	return NULL;
}
