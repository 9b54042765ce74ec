/*
 * backend.c - the backend registry, --model spec parsing, and the
 * in-process `sim:` backend (a thin shell over sim.c's policy).
 */
#include <stdlib.h>
#include <string.h>

#include "model/backend.h"
#include "model/backend_http.h"
#include "core/common.h"
#include "model/sim.h"

int jolt_model_spec_parse(jolt_model_spec *out, const char *spec)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strchr(spec, ':');
	if (!colon || colon == spec || !colon[1])
		return jolt_err_set(JOLT_EUSAGE,
				    "--model '%s': expected PROVIDER:MODEL[@BASE_URL], "
				    "e.g. sim:brittle or openai:MiniMax-M2@http://127.0.0.1:8000/v1",
				    spec);
	out->provider = jolt_xstrndup(spec, (size_t)(colon - spec));
	const char *model = colon + 1;
	/* The URL starts at the first '@' followed by a scheme; model names
	 * themselves never contain "@http". */
	const char *at = strstr(model, "@http");
	if (at) {
		out->model = jolt_xstrndup(model, (size_t)(at - model));
		out->url = jolt_xstrdup(at + 1);
	} else {
		out->model = jolt_xstrdup(model);
	}
	if (!out->model[0]) {
		jolt_model_spec_release(out);
		return jolt_err_set(JOLT_EUSAGE, "--model '%s': the model name is empty",
				    spec);
	}
	return 0;
}

void jolt_model_spec_release(jolt_model_spec *s)
{
	free(s->provider);
	free(s->model);
	free(s->url);
	memset(s, 0, sizeof(*s));
}

void jolt_render_cache_cut(jolt_render_cache *c, size_t n, const void *owner)
{
	if (c->owner != owner) {
		n = 0;
		json_decref(c->tools);
		free(c->tools_text);
		c->tools = NULL;
		c->tools_text = NULL;
		c->owner = owner;
	}
	for (size_t i = n; i < c->n; i++) {
		json_decref(c->msg[i]);
		free(c->text[i]);
	}
	if (n < c->n)
		c->n = n;
}

void jolt_render_cache_push_tag(jolt_render_cache *c, json_t *m, char *text,
				int tag)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 16;
		c->msg = jolt_xrealloc(c->msg, c->alloc * sizeof(*c->msg));
		c->text = jolt_xrealloc(c->text, c->alloc * sizeof(*c->text));
		c->tag = jolt_xrealloc(c->tag, c->alloc * sizeof(*c->tag));
	}
	c->msg[c->n] = json_incref(m);
	c->text[c->n] = text;
	c->tag[c->n] = tag;
	c->n++;
}

void jolt_render_cache_push(jolt_render_cache *c, json_t *m, char *text)
{
	jolt_render_cache_push_tag(c, m, text, 0);
}

void jolt_render_cache_release(jolt_render_cache *c)
{
	jolt_render_cache_cut(c, 0, NULL);
	json_decref(c->tools);
	free(c->tools_text);
	free(c->msg);
	free(c->text);
	free(c->tag);
	memset(c, 0, sizeof(*c));
}

void jolt_model_reply_release(jolt_model_reply *r)
{
	json_decref(r->message);
	free(r->malformed_detail);
	memset(r, 0, sizeof(*r));
}

static int sim_open(void **out, const jolt_model_spec *spec)
{
	jolt_sim_profile *p = jolt_xcalloc(1, sizeof(*p));
	int rc = jolt_sim_profile_parse(p, spec->model);
	if (rc) {
		free(p);
		return rc;
	}
	if (spec->url) {
		free(p);
		return jolt_err_set(JOLT_EUSAGE,
				    "--model sim:%s takes no URL; the simulator runs in process",
				    spec->model);
	}
	*out = p;
	return 0;
}

static int sim_complete(jolt_model_reply *out, void *state,
			const jolt_model_req *req)
{
	return jolt_sim_decide(out, state, req);
}

static void sim_close(void *state)
{
	free(state);
}

static const jolt_backend sim_backend = {
	.name = "sim",
	.description = "scripted in-process policy: sim:oracle, sim:robust, "
		       "sim:brittle, sim:literal, sim:null or "
		       "sim:tool=0.6,...,noise=0.05",
	.open = sim_open,
	.complete = sim_complete,
	.close = sim_close,
};

const jolt_backend *const jolt_backends[] = {
	&sim_backend,
	&jolt_backend_openai,
	&jolt_backend_anthropic,
	&jolt_backend_m2,
	NULL,
};

const jolt_backend *jolt_backend_find(const char *name)
{
	for (size_t i = 0; jolt_backends[i]; i++)
		if (!strcmp(jolt_backends[i]->name, name))
			return jolt_backends[i];
	return NULL;
}
