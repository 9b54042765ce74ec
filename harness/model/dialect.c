/*
 * dialect.c - the registry of wire formats. Each dialect lives in its own
 * file (dialect_openai.c, dialect_anthropic.c, dialect_m2.c) and exports
 * one const descriptor; this table is how the HTTP backend and `jolt
 * serve` find them by name.
 */
#include <string.h>

#include "core/common.h"
#include "model/dialect.h"

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

double jolt_dialect_temperature(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->temperature >= 0 ? o->b->temperature : 1.0;
}

double jolt_dialect_top_p(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->top_p > 0 ? o->b->top_p : 0.95;
}

int jolt_dialect_top_k(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->top_k >= 0 ? o->b->top_k : 40;
}

long jolt_dialect_max_tokens(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->max_tokens > 0 ? o->b->max_tokens : 8192;
}

bool jolt_dialect_stream(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->stream;
}

json_t *jolt_dialect_tool_decl(const json_t *tool, const char *schema_key)
{
	const char *name = json_string_value(json_object_get(tool, "name"));
	const json_t *desc = json_object_get(tool, "description");
	const json_t *params = json_object_get(tool, "parameters");
	json_t *d = json_object();
	json_object_set_new(d, "name", json_string(name ? name : ""));
	if (desc)
		json_object_set_new(d, "description", json_deep_copy(desc));
	json_object_set_new(d, schema_key,
			    params ? json_deep_copy(params)
				   : json_pack("{s:s}", "type", "object"));
	return d;
}
