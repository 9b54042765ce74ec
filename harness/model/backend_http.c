/*
 * backend_http.c - the `openai`, `anthropic` and `m2` backends of
 * backend_http.h: a dialect for the bytes, the transport for the wire, and
 * here the policy around one model turn: which replica, which headers,
 * when to retry and how long to wait, and how a failure is classified for
 * the scheduler (JOLT_EINFRA retried then infra_error, JOLT_EDENIED stops
 * the run, JOLT_EINPUT fails the trial at once).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>

#include "model/backend_http.h"
#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/http.h"
#include "model/ratelimit.h"

#define JOLT_BACKOFF_BASE_MS 500.0
#define JOLT_BACKOFF_CAP_MS 30000.0
/* Longest Retry-After obeyed: a server asking for more gets this. */
#define JOLT_RETRY_AFTER_CAP_MS 300000L
#define JOLT_DEFAULT_RETRIES 6
/* How much of an error body a message quotes. */
#define JOLT_ERR_SNIPPET 300
/* Base URLs in one --model. */
#define JOLT_MAX_URLS 64
/* Longest API key accepted from the environment. */
#define JOLT_KEY_CAP 4096

typedef struct hb {
	const jolt_dialect *d;
	char *label; /* "openai:MODEL", for messages */
	char **urls; /* endpoints: base URL + dialect path */
	size_t nurls;
	atomic_size_t rr;    /* round-robin cursor over urls */
	char *key;	     /* NULL when none; only for masking messages */
	const char *key_var; /* where the key came from, for messages */
	char *hdrs[4];	     /* auth headers, NULL-terminated */
	jolt_backend_opts opts;
	jolt_dialect_opts dopts;
	int max_retries;
	double timeout_s;
	jolt_http *http;
	jolt_ratelimit *rl; /* the run-wide limiter, or NULL */
} hb;

/* One model turn across its attempts. */
typedef struct call {
	hb *s;
	const jolt_model_req *req;
	void (*done)(void *payload, jolt_model_reply *reply, int err);
	void *payload;
	char *body;
	double est_tokens;
	uint64_t jitter_seed; /* a hash of the body: made at the first retry */
	bool seeded;
	int attempt;	 /* attempts completed */
	char *trial_hdr; /* "X-Jolt-Trial: {...}" or NULL */
	char *last_err;
	jolt_stream *st; /* this attempt's stream decoder */
} call;

/* ------------------------------------------------- run-wide rate limiter */

static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;
static jolt_ratelimit *rl_shared;
static int rl_refs;

/* The first backend that asks creates the limiter with its --rpm/--tpm
 * (all backends of a run get the same flags); the last close frees it. */
static jolt_ratelimit *rl_acquire(double rpm, double tpm)
{
	if (!(rpm > 0) && !(tpm > 0))
		return NULL;
	pthread_mutex_lock(&rl_mu);
	if (!rl_shared)
		rl_shared = jolt_ratelimit_new(rpm, tpm);
	rl_refs++;
	jolt_ratelimit *rl = rl_shared;
	pthread_mutex_unlock(&rl_mu);
	return rl;
}

static void rl_release(jolt_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_lock(&rl_mu);
	if (--rl_refs == 0) {
		jolt_ratelimit_free(rl_shared);
		rl_shared = NULL;
	}
	pthread_mutex_unlock(&rl_mu);
}

/* ------------------------------------------------------------- helpers */

/* A copy of msg with every occurrence of the key masked. */
static char *scrub(const hb *s, const char *msg)
{
	if (!s->key || !s->key[0] || !strstr(msg, s->key))
		return jolt_xstrdup(msg);
	jolt_buf b;
	jolt_buf_init(&b, 0);
	size_t klen = strlen(s->key);
	const char *p = msg, *q;
	while ((q = strstr(p, s->key))) {
		jolt_buf_add(&b, p, (size_t)(q - p));
		jolt_buf_adds(&b, "[redacted]");
		p = q + klen;
	}
	jolt_buf_adds(&b, p);
	return jolt_buf_detach(&b);
}

/* The start of an error body, printable, for a message. */
static char *snippet(const char *body, size_t len)
{
	if (len > JOLT_ERR_SNIPPET)
		len = JOLT_ERR_SNIPPET;
	char *out = jolt_xstrndup(body ? body : "", body ? len : 0);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
	return out;
}

static void hb_free(hb *s)
{
	if (!s)
		return;
	jolt_http_free(s->http);
	rl_release(s->rl);
	for (size_t i = 0; i < s->nurls; i++)
		free(s->urls[i]);
	free(s->urls);
	for (size_t i = 0; s->hdrs[i]; i++) {
		explicit_bzero(s->hdrs[i], strlen(s->hdrs[i]));
		free(s->hdrs[i]);
	}
	if (s->key) {
		explicit_bzero(s->key, strlen(s->key));
		free(s->key);
	}
	free(s->label);
	free(s);
}

/* Split URL1,URL2 into endpoints (base + the dialect's path). */
static int parse_urls(hb *s, const char *provider, const char *model,
		      const char *list)
{
	if (!list || !list[0])
		return jolt_err_set(JOLT_EUSAGE,
				    "--model %s:%s@URL needs a base URL, e.g. "
				    "%s:%s@https://api.minimax.io/%s or "
				    "%s:%s@http://127.0.0.1:8000/v1",
				    provider, model, provider, model,
				    !strcmp(provider, "anthropic") ? "anthropic"
								   : "v1",
				    provider, model);
	s->urls = jolt_xcalloc(JOLT_MAX_URLS, sizeof(*s->urls));
	const char *p = list;
	for (;;) {
		size_t n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		while (n && *p == ' ') {
			p++;
			n--;
		}
		if (s->nurls == JOLT_MAX_URLS)
			return jolt_err_set(
			    JOLT_EUSAGE,
			    "--model %s:%s: more than %d base URLs", provider,
			    model, JOLT_MAX_URLS);
		char *base = jolt_xstrndup(p, n);
		int rc = jolt_http_url_join(&s->urls[s->nurls], base, s->d->path);
		free(base);
		if (rc)
			return jolt_err_wrap(rc, "--model %s:%s", provider, model);
		s->nurls++;
		p += strcspn(p, ",");
		if (!*p)
			break;
		p++;
	}
	return 0;
}

static int read_key(hb *s, const char *provider)
{
	static const struct {
		const char *provider;
		const char *vars[3];
	} env[] = {
	    {"openai", {"JOLT_API_KEY", "OPENAI_API_KEY", "MINIMAX_API_KEY"}},
	    {"anthropic",
	     {"JOLT_API_KEY", "ANTHROPIC_API_KEY", "MINIMAX_API_KEY"}},
	    {"m2", {"JOLT_API_KEY", "MINIMAX_API_KEY", NULL}},
	};
	const char *const *vars = env[0].vars;
	for (size_t i = 0; i < JOLT_ARRAY_LEN(env); i++)
		if (!strcmp(env[i].provider, provider))
			vars = env[i].vars;
	for (size_t i = 0; i < 3 && vars[i]; i++) {
		const char *v = getenv(vars[i]);
		if (!v || !v[0])
			continue;
		size_t n = strnlen(v, JOLT_KEY_CAP + 1);
		if (n > JOLT_KEY_CAP)
			return jolt_err_set(
			    JOLT_EUSAGE,
			    "the API key in %s is longer than %d bytes",
			    vars[i], JOLT_KEY_CAP);
		for (size_t j = 0; j < n; j++)
			if ((unsigned char)v[j] < 0x20 || v[j] == 0x7f)
				return jolt_err_set(
				    JOLT_EUSAGE,
				    "the API key in %s contains a control "
				    "character (a stray newline?)",
				    vars[i]);
		s->key = jolt_xstrdup(v);
		s->key_var = vars[i];
		return 0;
	}
	bool local = true;
	for (size_t i = 0; i < s->nurls; i++)
		local = local && jolt_http_url_is_loopback(s->urls[i]);
	if (!local && strcmp(provider, "m2"))
		return jolt_err_set(
		    JOLT_EUSAGE,
		    "--model %s needs an API key for %s: set %s (or "
		    "JOLT_API_KEY) in the environment",
		    s->label, s->urls[0], vars[1]);
	return 0;
}

static void set_headers(hb *s, const char *provider)
{
	size_t n = 0;
	bool anthropic =
	    !strcmp(provider, "anthropic") || !strcmp(s->d->name, "anthropic");
	if (s->key) {
		s->hdrs[n++] =
		    jolt_xasprintf("Authorization: Bearer %s", s->key);
		if (anthropic)
			s->hdrs[n++] = jolt_xasprintf("x-api-key: %s", s->key);
	}
	if (anthropic)
		s->hdrs[n++] = jolt_xstrdup("anthropic-version: 2023-06-01");
	s->hdrs[n] = NULL;
}

int jolt_backend_http_open(void **out, const jolt_model_spec *spec,
			   const jolt_dialect *d)
{
	*out = NULL;
	int rc = 0;
	hb *s = jolt_xcalloc(1, sizeof(*s));
	const char *provider = spec->provider ? spec->provider : d->name;
	s->d = d;
	s->label = jolt_xasprintf("%s:%s", provider, spec->model);
	if (spec->opts) {
		s->opts = *spec->opts;
	} else {
		s->opts.temperature = -1;
		s->opts.top_p = -1;
		s->opts.top_k = -1;
		s->opts.max_retries = -1;
	}
	/* A dialect without a stream decoder is asked for whole bodies. */
	if (!d->stream_new || !d->stream_event || !d->stream_finish)
		s->opts.stream = 0;
	s->dopts.model = spec->model;
	s->dopts.b = &s->opts;
	s->max_retries = s->opts.max_retries >= 0 ? s->opts.max_retries
						  : JOLT_DEFAULT_RETRIES;
	s->timeout_s =
	    s->opts.request_timeout_s > 0 ? s->opts.request_timeout_s : 300;
	rc = parse_urls(s, provider, spec->model, spec->url);
	if (rc)
		goto done;
	rc = read_key(s, provider);
	if (rc)
		goto done;
	set_headers(s, provider);
	jolt_http_opts ho = {
	    .connect_timeout_s = s->opts.connect_timeout_s,
	    .max_body = JOLT_BODY_CAP,
	    .cacert = s->opts.cacert,
	    .insecure = s->opts.insecure,
	    .max_conns_per_host = s->opts.max_inflight,
	};
	rc = jolt_http_new(&s->http, &ho);
	if (rc)
		goto done;
	s->rl = rl_acquire(s->opts.rpm, s->opts.tpm);
done:
	if (rc) {
		/* dopts.model borrows from spec; nothing else to undo */
		hb_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* --------------------------------------------------------- one turn */

static char *trial_header(const call *c)
{
	const jolt_trial *t = c->req->trial;
	if (!t)
		return NULL;
	json_t *o = json_object();
	if (t->suite && t->suite->name)
		json_object_set_new(o, "suite", json_string(t->suite->name));
	if (t->variant) {
		if (!strcmp(t->variant, JOLT_BASELINE) && t->task && t->task->id) {
			char *v = jolt_xasprintf("%s/baseline", t->task->id);
			json_object_set_new(o, "variant", json_string(v));
			free(v);
		} else {
			json_object_set_new(o, "variant",
					    json_string(t->variant));
		}
	}
	if (t->key)
		json_object_set_new(o, "key", json_string(t->key));
	if (t->scaffold)
		json_object_set_new(o, "scaffold", json_string(t->scaffold));
	json_object_set_new(o, "seed", json_integer((json_int_t)t->seed));
	json_object_set_new(o, "step", json_integer(c->req->step));
	json_object_set_new(o, "attempt", json_integer(c->attempt));
	/* Compact and ASCII: no byte a header line cannot carry. */
	char *j = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (!j)
		return NULL;
	char *h = jolt_xasprintf("X-Jolt-Trial: %s", j);
	free(j);
	return h;
}

static void call_free(call *c)
{
	if (!c)
		return;
	if (c->st)
		c->s->d->stream_free(c->st);
	free(c->body);
	free(c->trial_hdr);
	free(c->last_err);
	free(c);
}

/* Deliver the turn's outcome (err 0: reply) and free the call. */
static void call_finish(call *c, jolt_model_reply *reply, int err,
			const char *msg)
{
	jolt_model_reply none = {0};
	if (err) {
		char *m = scrub(c->s, msg ? msg : jolt_err_name(err));
		jolt_err_set(err, "%s", m);
		free(m);
		if (reply)
			jolt_model_reply_release(reply);
		reply = &none;
	}
	void (*done)(void *, jolt_model_reply *, int) = c->done;
	void *payload = c->payload;
	call_free(c);
	done(payload, reply, err);
}

static long backoff_ms(call *c, long retry_after_ms)
{
	if (!c->seeded) {
		c->jitter_seed = jolt_hash_str((uint64_t)c->req->step, c->body);
		c->seeded = true;
	}
	/* Full jitter over an exponentially growing window; reproducible
	 * from the request and the attempt. */
	double window = JOLT_BACKOFF_BASE_MS * pow(2.0, c->attempt - 1);
	if (window > JOLT_BACKOFF_CAP_MS)
		window = JOLT_BACKOFF_CAP_MS;
	uint64_t h = jolt_hash_u64(c->jitter_seed, (uint64_t)c->attempt);
	long d = (long)(jolt_hash_unit(h) * window);
	if (retry_after_ms > d)
		d = retry_after_ms < JOLT_RETRY_AFTER_CAP_MS
			? retry_after_ms
			: JOLT_RETRY_AFTER_CAP_MS;
	return d;
}

static int on_event(void *payload, const char *event, const char *data,
		    size_t len)
{
	call *c = payload;
	return c->s->d->stream_event(c->st, event, data, len);
}

static void on_http_done(void *payload, jolt_http_resp *resp);

/* Send attempt number c->attempt + 1 after delay_ms. */
static int call_submit(call *c, long delay_ms)
{
	hb *s = c->s;
	if (s->rl) {
		long rl =
		    jolt_ratelimit_reserve(s->rl, c->est_tokens, jolt_now_ms());
		if (rl > delay_ms)
			delay_ms = rl;
	}
	if (c->st) {
		s->d->stream_free(c->st);
		c->st = NULL;
	}
	if (s->opts.stream) {
		int rc = s->d->stream_new(&c->st, c->req, &s->dopts);
		if (rc)
			return rc;
	}
	free(c->trial_hdr);
	c->trial_hdr = trial_header(c);
	const char *hdrs[JOLT_ARRAY_LEN(s->hdrs) + 2];
	size_t n = 0;
	for (size_t i = 0; s->hdrs[i]; i++)
		hdrs[n++] = s->hdrs[i];
	if (c->trial_hdr)
		hdrs[n++] = c->trial_hdr;
	hdrs[n] = NULL;
	size_t i = atomic_fetch_add(&s->rr, 1) % s->nurls;
	jolt_http_req hr = {
	    .url = s->urls[i],
	    .body = c->body,
	    .headers = hdrs,
	    .timeout_s = s->timeout_s,
	    .delay_ms = delay_ms,
	    .on_event = s->opts.stream ? on_event : NULL,
	};
	return jolt_http_submit(s->http, &hr, on_http_done, c);
}

/* The status code alone, for a server whose error body the dialect does
 * not recognise. */
static int classify_status(long status)
{
	if (status == 401 || status == 403 || status == 404)
		return JOLT_EDENIED;
	if (status == 400 || status == 413 || status == 422)
		return JOLT_EINPUT;
	return JOLT_EINFRA;
}

static char *status_message(const hb *s, long status, const char *body,
			    size_t len, const char *url_hint)
{
	char *snip = snippet(body, len);
	const char *advice = "";
	if (status == 401 || status == 403)
		advice = s->key_var
			     ? " (check the API key in the environment)"
			     : " (no API key was sent: set JOLT_API_KEY or "
			       "the provider's key variable)";
	else if (status == 404)
		advice =
		    " (check the base URL: jolt appends the endpoint path)";
	char *m = jolt_xasprintf("HTTP %ld from %s%s: %s", status, url_hint,
				 advice, snip[0] ? snip : "(empty body)");
	free(snip);
	return m;
}

static void on_http_done(void *payload, jolt_http_resp *resp)
{
	call *c = payload;
	hb *s = c->s;
	jolt_model_reply reply = {0};
	int rc = 0;
	char *msg = NULL;
	c->attempt++;
	bool ok_status = resp->status >= 200 && resp->status < 300;

	if (resp->err) {
		rc = JOLT_EINFRA;
		msg = jolt_xstrdup(resp->errmsg ? resp->errmsg
						: jolt_err_name(resp->err));
	} else if (ok_status && c->st && resp->len == 0) {
		/* Streamed (a JSON body instead means the server ignored
		 * "stream": true: decoded below like any other). */
		jolt_err_clear();
		rc = s->d->stream_finish(&reply, c->st);
		if (rc) {
			msg = jolt_xasprintf("%s: stream: %s", s->label,
					     jolt_err_msg()[0] ? jolt_err_msg()
							       : "broke off");
			rc = JOLT_EINFRA;
		}
	} else {
		jolt_err_clear();
		rc = s->d->classify((int)resp->status, resp->body, resp->len);
		if (rc) {
			msg = jolt_err_msg()[0]
				  ? jolt_xasprintf("%s: %s", s->label,
						   jolt_err_msg())
				  : status_message(s, resp->status, resp->body,
						   resp->len, s->label);
		} else if (!ok_status) {
			rc = classify_status(resp->status);
			msg = status_message(s, resp->status, resp->body,
					     resp->len, s->label);
		} else {
			jolt_err_clear();
			rc = s->d->decode(&reply, resp->body, resp->len, c->req,
					  &s->dopts);
			if (rc) {
				/* Truncated or garbled: the server's fault. */
				msg = jolt_xasprintf(
				    "%s: bad response body: %s", s->label,
				    jolt_err_msg()[0] ? jolt_err_msg()
						      : jolt_err_name(rc));
				rc = JOLT_EINFRA;
			}
		}
	}

	if (rc == 0) {
		reply.latency_ms = resp->latency_ms;
		if (s->rl && (reply.tokens_in || reply.tokens_out))
			jolt_ratelimit_correct(
			    s->rl, c->est_tokens,
			    (double)(reply.tokens_in + reply.tokens_out),
			    jolt_now_ms());
		jolt_http_resp_release(resp);
		call_finish(c, &reply, 0, NULL);
		return;
	}
	jolt_model_reply_release(&reply);
	if (rc == JOLT_EDENIED || rc == JOLT_EINPUT) {
		jolt_http_resp_release(resp);
		call_finish(c, NULL, rc, msg);
		free(msg);
		return;
	}
	free(c->last_err);
	c->last_err = msg;
	long retry_after = resp->retry_after_ms;
	jolt_http_resp_release(resp);
	if (c->attempt <= s->max_retries) {
		rc = call_submit(c, backoff_ms(c, retry_after));
		if (rc == 0)
			return;
		char *m = jolt_xasprintf("%s (retry not sent: %s)", c->last_err,
					 jolt_err_msg());
		free(c->last_err);
		c->last_err = m;
	}
	msg =
	    jolt_xasprintf("model unreachable after %d attempt%s: %s",
			   c->attempt, c->attempt == 1 ? "" : "s", c->last_err);
	call_finish(c, NULL, JOLT_EINFRA, msg);
	free(msg);
}

static int hb_start(void *state, const jolt_model_req *req,
		    void (*done)(void *payload, jolt_model_reply *reply,
				 int err),
		    void *payload)
{
	hb *s = state;
	call *c = jolt_xcalloc(1, sizeof(*c));
	c->s = s;
	c->req = req;
	c->done = done;
	c->payload = payload;
	jolt_err_clear();
	int rc = s->d->encode(&c->body, req, &s->dopts);
	if (rc || !c->body) {
		rc = rc ? rc : JOLT_EINTERNAL;
		rc = jolt_err_msg()[0]
			 ? jolt_err_wrap(rc, "%s: cannot encode the request",
					 s->label)
			 : jolt_err_set(rc,
					"%s: cannot encode the request: no body",
					s->label);
		call_free(c);
		return rc;
	}
	size_t len = strlen(c->body);
	c->est_tokens = jolt_ratelimit_estimate(len);
	rc = call_submit(c, 0);
	if (rc) {
		char *m = scrub(s, jolt_err_msg());
		jolt_err_set(rc, "%s", m);
		free(m);
		call_free(c);
		return rc;
	}
	return 0;
}

/* complete(): start() and wait. */
typedef struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int finished;
	int err;
	jolt_model_reply reply;
	char msg[2048];
} waiter;

static void waiter_done(void *payload, jolt_model_reply *reply, int err)
{
	waiter *w = payload;
	pthread_mutex_lock(&w->mu);
	w->err = err;
	if (err)
		snprintf(w->msg, sizeof(w->msg), "%s", jolt_err_msg());
	else {
		w->reply = *reply;
		memset(reply, 0, sizeof(*reply));
	}
	w->finished = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static int hb_complete(jolt_model_reply *out, void *state,
		       const jolt_model_req *req)
{
	memset(out, 0, sizeof(*out));
	waiter w = {.finished = 0};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	int rc = hb_start(state, req, waiter_done, &w);
	if (rc == 0) {
		pthread_mutex_lock(&w.mu);
		while (!w.finished)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		rc = w.err;
		if (rc)
			jolt_err_set(rc, "%s", w.msg);
		else
			*out = w.reply;
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

static void hb_close(void *state)
{
	hb_free(state);
}

static int open_provider(void **out, const jolt_model_spec *spec)
{
	const jolt_dialect *d = jolt_dialect_find(spec->provider);
	if (!d)
		return jolt_err_set(
		    JOLT_EUSAGE, "--model %s:%s: no dialect named '%s'",
		    spec->provider, spec->model, spec->provider);
	return jolt_backend_http_open(out, spec, d);
}

const jolt_backend jolt_backend_openai = {
    .name = "openai",
    .description =
	"OpenAI-compatible /chat/completions: "
	"openai:MODEL@BASE_URL[,BASE_URL...] (MiniMax, vLLM, SGLang)",
    .open = open_provider,
    .complete = hb_complete,
    .start = hb_start,
    .close = hb_close,
};

const jolt_backend jolt_backend_anthropic = {
    .name = "anthropic",
    .description = "Anthropic-compatible /v1/messages: "
		   "anthropic:MODEL@BASE_URL[,BASE_URL...]",
    .open = open_provider,
    .complete = hb_complete,
    .start = hb_start,
    .close = hb_close,
};

const jolt_backend jolt_backend_m2 = {
    .name = "m2",
    .description = "raw /completions with M2's chat template rendered by "
		   "jolt: m2:MODEL@BASE_URL[,BASE_URL...]",
    .open = open_provider,
    .complete = hb_complete,
    .start = hb_start,
    .close = hb_close,
};
