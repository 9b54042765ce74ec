/*
 * serve.c - `jolt serve`: the sim policies behind libmicrohttpd, one
 * thread per connection (so a latency or a stall is a plain sleep that
 * holds only its own connection). Routes by suffix, so any base-URL
 * prefix works: .../chat/completions (OpenAI), .../v1/messages
 * (Anthropic), .../completions (M2 raw), GET /health, GET /stats (model
 * requests answered so far, and in flight).
 *
 * Each request: read the body (capped), read the trial from X-Jolt-Trial,
 * rebuild the variant (cached), decode the history (the server half of
 * the route's dialect descriptor, model/dialect.h), count the attempt for
 * (trial, step), pick a fault and a latency from hashes, ask
 * jolt_sim_decide(), encode through the descriptor, and answer -- or fail
 * the way the picked fault says. Nothing here depends on which dialect it
 * is: what differs (error shapes and names, id prefixes, MiniMax's
 * base_resp rate limits) is descriptor data. Faults are the transport's (429, 500, reset, stall,
 * truncate) except `malformed`, which is the model's.
 */
#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/sim.h"
#include "perturb/perturb.h"
#include "serve/serve.h"
#include "scaffolds/scaffold.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_STALL_MS 60000
#define LATENCY_MAX_MS 600000
#define ATTEMPTS_CAP 200000 /* (trial, step) counters kept; reset beyond */
#define VARIANT_CACHE_CAP 8192
#define NAP_SLICE_MS 20
/* Connections at once: above `jolt run --concurrency`'s 4096. */
#define SERVE_CONN_MAX 8192

struct jolt_server {
	struct MHD_Daemon *d;
	const jolt_suite **suites; /* our copy of the array; suites borrowed */
	size_t nsuites;
	jolt_sim_profile policy;
	jolt_latency lat;
	jolt_faults faults;
	long stall_ms;
	uint64_t seed;
	int verbose;
	int port;
	jolt_buf tls_cert, tls_key; /* PEM, when serving HTTPS */
	char *api_key; /* $JOLT_SERVE_API_KEY: requests must carry it */
	atomic_int stopping;
	/* For GET /stats: model requests answered 200, and being answered. */
	atomic_long answered;
	atomic_long inflight;
	pthread_mutex_t mu; /* guards attempts and the variant cache */
	json_t *attempts;   /* "KEY\x1fSTEP" -> attempts so far */
	json_t *vindex;     /* "SUITE\x1fVARIANT" -> index into vars */
	jolt_variant **vars;
	size_t nvars;
	/* sim:literal's forms (literal_forms): the hook, and held while it
	 * runs, so that a task's baseline is replayed once. */
	void (*literal_forms)(const jolt_suite *s, const jolt_task *t,
			      void *payload);
	void *literal_payload;
	pthread_mutex_t lmu;
};

/* ---- specs ---- */

static const char *const fault_names[] = {
#define JOLT_X_NAME(n, s) s,
	JOLT_FAULTS(JOLT_X_NAME)
#undef JOLT_X_NAME
};

const char *jolt_fault_name(enum jolt_fault f)
{
	return (unsigned)f < JOLT_FAULT_COUNT ? fault_names[f] : "?";
}

static int parse_num(double *out, const char *s, size_t n)
{
	char tmp[64];
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	double v = strtod(tmp, &end);
	if (end == tmp || *end || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int jolt_latency_parse(jolt_latency *out, const char *spec)
{
	memset(out, 0, sizeof(*out));
	if (!spec || !spec[0])
		return 0;
	static const char lp[] = "lognormal:";
	if (!strncmp(spec, lp, strlen(lp))) {
		const char *a = spec + strlen(lp), *comma = strchr(a, ',');
		if (!comma || parse_num(&out->a, a, (size_t)(comma - a)) ||
		    parse_num(&out->b, comma + 1, strlen(comma + 1)) || out->a <= 0)
			return jolt_err_set(JOLT_EUSAGE,
					    "--latency '%s': expected lognormal:MEDIAN_MS,SIGMA "
					    "with MEDIAN_MS > 0 and SIGMA >= 0, e.g. lognormal:800,0.5",
					    spec);
		out->kind = JOLT_LAT_LOGNORMAL;
		return 0;
	}
	const char *dash = strchr(spec, '-');
	if (dash) {
		if (parse_num(&out->a, spec, (size_t)(dash - spec)) ||
		    parse_num(&out->b, dash + 1, strlen(dash + 1)) || out->a > out->b)
			return jolt_err_set(JOLT_EUSAGE,
					    "--latency '%s': expected MIN-MAX in milliseconds "
					    "with MIN <= MAX, e.g. 200-900",
					    spec);
		out->kind = JOLT_LAT_UNIFORM;
		return 0;
	}
	if (parse_num(&out->a, spec, strlen(spec)))
		return jolt_err_set(JOLT_EUSAGE,
				    "--latency '%s': expected milliseconds (250), a range "
				    "(200-900) or lognormal:MEDIAN,SIGMA",
				    spec);
	out->kind = JOLT_LAT_FIXED;
	return 0;
}

long jolt_latency_sample(const jolt_latency *l, uint64_t seed, const char *key,
			 int step)
{
	uint64_t h = jolt_hash_u64(jolt_hash_str(seed, key ? key : ""), (uint64_t)step);
	double u = jolt_hash_unit(jolt_hash_u64(h, 1));
	double ms = 0;
	switch (l->kind) {
	case JOLT_LAT_NONE:
		return 0;
	case JOLT_LAT_FIXED:
		ms = l->a;
		break;
	case JOLT_LAT_UNIFORM:
		ms = l->a + u * (l->b - l->a);
		break;
	case JOLT_LAT_LOGNORMAL: {
		/* Box-Muller from two independent draws; 1-u keeps log() finite. */
		double u2 = jolt_hash_unit(jolt_hash_u64(h, 2));
		double z = sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * u2);
		ms = l->a * exp(l->b * z);
		break;
	}
	}
	if (!(ms >= 0))
		ms = 0;
	return ms > LATENCY_MAX_MS ? LATENCY_MAX_MS : (long)(ms + 0.5);
}

int jolt_faults_parse(jolt_faults *out, const char *spec)
{
	memset(out, 0, sizeof(*out));
	if (!spec || !spec[0])
		return 0;
	int rc = 0;
	char *copy = jolt_xstrdup(spec), *save = NULL;
	int seen[JOLT_FAULT_COUNT] = {0};
	double total = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		int kind = -1;
		for (int k = 1; colon && k < JOLT_FAULT_COUNT; k++)
			if ((size_t)(colon - tok) == strlen(fault_names[k]) &&
			    !strncmp(tok, fault_names[k], (size_t)(colon - tok)))
				kind = k;
		if (!colon || kind < 0) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "--faults: '%s': expected KIND:RATE with KIND one of "
					  "429, 500, reset, stall, truncate, malformed",
					  tok);
			goto done;
		}
		double p;
		if (parse_num(&p, colon + 1, strlen(colon + 1)) || p > 1) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "--faults: '%s': the rate must be a number from 0 to 1",
					  tok);
			goto done;
		}
		if (seen[kind]++) {
			rc = jolt_err_set(JOLT_EUSAGE, "--faults: '%s' is given twice",
					  fault_names[kind]);
			goto done;
		}
		out->p[kind] = p;
		total += p;
	}
	if (total > 1.0 + 1e-9)
		rc = jolt_err_set(JOLT_EUSAGE,
				  "--faults '%s': the rates add up to %g; they must total at most 1",
				  spec, total);
done:
	free(copy);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

enum jolt_fault jolt_faults_pick(const jolt_faults *f, uint64_t seed,
				 const char *key, int step, int attempt)
{
	uint64_t h = jolt_hash_u64(jolt_hash_str(seed, key ? key : ""), (uint64_t)step);
	double u = jolt_hash_unit(jolt_hash_u64(jolt_hash_u64(h, (uint64_t)attempt), 3));
	double acc = 0;
	for (int k = 1; k < JOLT_FAULT_COUNT; k++) {
		acc += f->p[k];
		if (f->p[k] > 0 && u < acc)
			return (enum jolt_fault)k;
	}
	return JOLT_FAULT_NONE;
}

static int parse_listen(struct sockaddr_in *out, const char *spec)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	if (!spec || !spec[0])
		spec = DEFAULT_LISTEN;
	const char *colon = strrchr(spec, ':');
	const char *port = colon ? colon + 1 : spec;
	char host[64] = "127.0.0.1";
	if (colon) {
		size_t hl = (size_t)(colon - spec);
		if (hl == 0)
			return jolt_err_set(JOLT_EUSAGE,
					    "--listen '%s': give the address explicitly: "
					    "127.0.0.1:PORT, or 0.0.0.0:PORT to listen on every "
					    "interface",
					    spec);
		if (hl >= sizeof(host))
			return jolt_err_set(JOLT_EUSAGE, "--listen '%s': address too long", spec);
		memcpy(host, spec, hl);
		host[hl] = '\0';
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!port[0] || *end || p < 0 || p > 65535)
		return jolt_err_set(JOLT_EUSAGE,
				    "--listen '%s': expected ADDR:PORT with a port from 0 to 65535",
				    spec);
	out->sin_port = htons((uint16_t)p);
	if (!strcmp(host, "localhost"))
		memcpy(host, "127.0.0.1", sizeof("127.0.0.1"));
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
		return jolt_err_set(JOLT_EUSAGE,
				    "--listen '%s': '%s' is not an IPv4 address (e.g. 127.0.0.1)",
				    spec, host);
	return 0;
}

/* ---- helpers ---- */

/* Sleep up to ms, in slices, so that stopping the server ends stalls. */
static void nap(jolt_server *s, long ms)
{
	while (ms > 0 && !atomic_load(&s->stopping)) {
		long k = ms < NAP_SLICE_MS ? ms : NAP_SLICE_MS;
		struct timespec ts = {k / 1000, (k % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		ms -= k;
	}
}

static void vlog(jolt_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vlog(jolt_server *s, const char *fmt, ...)
{
	if (!s->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "serve: %s\n", line);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	jolt_server *s = cls;
	if (!s->verbose)
		return;
	fputs("serve: microhttpd: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static int next_attempt(jolt_server *s, const char *key, int step)
{
	char *k = jolt_xasprintf("%s\x1f%d", key, step);
	pthread_mutex_lock(&s->mu);
	if (json_object_size(s->attempts) >= ATTEMPTS_CAP)
		json_object_clear(s->attempts);
	json_t *v = json_object_get(s->attempts, k);
	int n = v ? (int)json_integer_value(v) : 0;
	json_object_set_new(s->attempts, k, json_integer(n + 1));
	pthread_mutex_unlock(&s->mu);
	free(k);
	return n;
}

/* The variant named `name` of suite `su`: cached, since building one may
 * read the environment. *own is set when the caller must free it (the
 * cache was full). */
static int get_variant(const jolt_variant **out, jolt_variant **own, jolt_server *s,
		       const jolt_suite *su, const char *name)
{
	*own = NULL;
	char *k = jolt_xasprintf("%s\x1f%s", su->name, name);
	pthread_mutex_lock(&s->mu);
	json_t *idx = json_object_get(s->vindex, k);
	*out = idx ? s->vars[json_integer_value(idx)] : NULL;
	pthread_mutex_unlock(&s->mu);
	int rc = 0;
	if (*out)
		goto done;
	jolt_variant *v = NULL;
	rc = jolt_variant_from_name(&v, su, name);
	if (rc)
		goto done;
	pthread_mutex_lock(&s->mu);
	idx = json_object_get(s->vindex, k);
	if (idx) {
		*out = s->vars[json_integer_value(idx)];
		*own = v; /* lost a race: use the cached one */
	} else if (s->nvars < VARIANT_CACHE_CAP) {
		json_object_set_new(s->vindex, k, json_integer((json_int_t)s->nvars));
		s->vars[s->nvars++] = v;
		*out = v;
	} else {
		*out = v;
		*own = v;
	}
	pthread_mutex_unlock(&s->mu);
done:
	free(k);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* ---- responses ---- */

typedef struct conn {
	jolt_buf body;
	int too_big;
} conn;

typedef struct stream_state {
	jolt_server *srv;
	jolt_serve_chunks ch;
	size_t n;      /* chunks to send: fewer than ch.n when truncated */
	size_t i, off; /* next chunk, bytes of it already sent */
	long delay_ms; /* before each chunk */
	int reset;     /* fail at once: the connection closes */
} stream_state;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	stream_state *st = cls;
	if (st->reset || atomic_load(&st->srv->stopping))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (st->i >= st->n)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (st->off == 0 && st->delay_ms > 0)
		nap(st->srv, st->delay_ms);
	const char *c = st->ch.v[st->i];
	size_t left = strlen(c) - st->off, k = left < max ? left : max;
	memcpy(buf, c + st->off, k);
	st->off += k;
	if (st->off == strlen(c)) {
		st->i++;
		st->off = 0;
	}
	return (ssize_t)k;
}

static void stream_free(void *cls)
{
	stream_state *st = cls;
	jolt_serve_chunks_release(&st->ch);
	free(st);
}

/* Queue `body` (taken; malloc'd) with `status`. */
static enum MHD_Result send_body(struct MHD_Connection *mc, int status, char *body,
				 size_t len, const char *ctype, int retry_after)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (retry_after)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	enum MHD_Result ok = MHD_queue_response(mc, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *mc, const jolt_dialect *d,
				  int status, const char *type, const char *msg)
{
	char *b = d->serve_error(type, msg);
	return send_body(mc, status, b, strlen(b), "application/json", status == 429);
}

static enum MHD_Result send_stream(struct MHD_Connection *mc, stream_state *st)
{
	struct MHD_Response *r = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, st, stream_free);
	if (!r) {
		stream_free(st);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	enum MHD_Result ok = MHD_queue_response(mc, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

/* ---- the request ---- */

typedef struct req_log {
	char key[160]; /* a copy: the header it came from is freed first */
	int step, attempt;
	enum jolt_fault fault;
	int status;
} req_log;

static const jolt_suite *find_suite(jolt_server *s, const char *name)
{
	for (size_t i = 0; i < s->nsuites; i++)
		if (s->suites[i]->name && !strcmp(s->suites[i]->name, name))
			return s->suites[i];
	return NULL;
}

/* The key the client sent (Authorization: Bearer K, or x-api-key: K, as
 * the Anthropic dialect sends it) against the one the server requires. */
static bool key_ok(const jolt_server *s, struct MHD_Connection *mc)
{
	const char *x = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
						    "x-api-key");
	if (x && !strcmp(x, s->api_key))
		return true;
	const char *a = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
						    "Authorization");
	return a && !strncmp(a, "Bearer ", 7) && !strcmp(a + 7, s->api_key);
}

/* sim:literal reads the form of the task's baseline tool results
 * (model/sim.h). In process `jolt check` and `jolt run` replay the
 * baseline for them before it plays; here the opts' hook does, the first
 * time sim:literal plays the task, so that over HTTP it judges as it does
 * in process. A hook that leaves no entry is asked again next time. */
static void literal_forms(jolt_server *s, const jolt_suite *su,
			  const jolt_task *t)
{
	if (!s->literal_forms || jolt_sim_literal_knows(su->name, t->id))
		return;
	pthread_mutex_lock(&s->lmu);
	if (!jolt_sim_literal_knows(su->name, t->id)) {
		s->literal_forms(su, t, s->literal_payload);
		if (s->verbose)
			fprintf(stderr, "serve: sim:literal: %s/%s's baseline "
				"replayed for its results' form%s\n", su->name,
				t->id,
				jolt_sim_literal_knows(su->name, t->id)
				    ? ""
				    : " (failed)");
	}
	pthread_mutex_unlock(&s->lmu);
}

static enum MHD_Result handle_model(jolt_server *s, struct MHD_Connection *mc,
				    const jolt_dialect *d, conn *c, req_log *lg)
{
	enum MHD_Result ret;
	json_t *hdr = NULL;
	jolt_serve_call call = {0};
	jolt_variant *own = NULL;
	jolt_model_reply reply = {0};
	char *id = NULL;
	char msg[512];

	if (c->too_big) {
		lg->status = 413;
		snprintf(msg, sizeof(msg), "request body over the %d MiB cap",
			 JOLT_SERVE_BODY_CAP >> 20);
		return send_error(mc, d, 413, "invalid_request_error", msg);
	}
	if (s->api_key && !key_ok(s, mc)) {
		lg->status = 401;
		return send_error(mc, d, 401, "authentication_error",
				  "invalid API key");
	}
	const char *h = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Jolt-Trial");
	if (!h || strlen(h) > JOLT_SERVE_HEADER_CAP) {
		lg->status = 400;
		return send_error(mc, d, 400, "invalid_request_error",
				  h ? "X-Jolt-Trial header is too long"
				    : "missing X-Jolt-Trial header: the harness names the trial "
				      "there as {\"suite\", \"variant\", \"key\", \"seed\"}");
	}
	hdr = json_loads(h, 0, NULL);
	const char *sname = json_string_value(json_object_get(hdr, "suite"));
	const char *vname = json_string_value(json_object_get(hdr, "variant"));
	const char *key = json_string_value(json_object_get(hdr, "key"));
	const json_t *jsc = json_object_get(hdr, "scaffold");
	const char *scname = jsc ? json_string_value(jsc) : JOLT_SCAFFOLD_DEFAULT;
	const json_t *jseed = json_object_get(hdr, "seed");
	uint64_t tseed = 0;
	if (json_is_integer(jseed))
		tseed = (uint64_t)json_integer_value(jseed); /* a uint64 sent as int64 */
	else if (json_is_string(jseed))
		tseed = strtoull(json_string_value(jseed), NULL, 10);
	if (!sname || !vname || !key || !scname || !jolt_scaffold_find(scname) ||
	    (jseed && !json_is_integer(jseed) && !json_is_string(jseed))) {
		lg->status = 400;
		ret = send_error(mc, d, 400, "invalid_request_error",
				 "X-Jolt-Trial must be a JSON object {\"suite\": NAME, "
				 "\"variant\": TASK/baseline or TASK/AXIS.OP@L#S, \"key\": "
				 "TRIAL_KEY, \"seed\": N, \"scaffold\": a known scaffold "
				 "(optional, default native)}");
		goto done;
	}
	snprintf(lg->key, sizeof(lg->key), "%s", key);
	const jolt_suite *su = find_suite(s, sname);
	if (!su) {
		lg->status = 400;
		snprintf(msg, sizeof(msg),
			 "unknown suite '%.100s': load it with jolt serve --suite DIR", sname);
		ret = send_error(mc, d, 400, "invalid_request_error", msg);
		goto done;
	}
	if (jolt_dialect_serve_decode(&call, d, jolt_buf_cstr(&c->body), c->body.len)) {
		lg->status = 400;
		ret = send_error(mc, d, 400, "invalid_request_error", jolt_err_msg());
		goto done;
	}
	lg->step = call.step;
	jolt_sim_profile prof = s->policy;
	if (call.model && !strncmp(call.model, "sim:", 4) &&
	    jolt_sim_profile_parse(&prof, call.model + 4)) {
		lg->status = 400;
		ret = send_error(mc, d, 400, "invalid_request_error", jolt_err_msg());
		goto done;
	}
	const jolt_variant *v;
	int rc = get_variant(&v, &own, s, su, vname);
	if (rc) {
		lg->status = 400;
		snprintf(msg, sizeof(msg), "variant '%.200s' of suite '%.100s': %s", vname,
			 sname, jolt_err_msg());
		ret = send_error(mc, d, 400, "invalid_request_error", msg);
		goto done;
	}

	if (prof.policy == JOLT_SIM_LITERAL)
		literal_forms(s, su, v->task);

	jolt_trial trial = {
		.model = call.model ? call.model : "",
		.scaffold = scname,
		.suite = su,
		.task = v->task,
		.variant = v->op ? v->name : JOLT_BASELINE,
		.axis = v->op ? jolt_axis_name(v->op->axis) : JOLT_BASELINE,
		.op = v->op ? v->op->name : "",
		.level = v->level,
		.vseed = v->seed,
		.seed = tseed,
		.key = (char *)key,
		.v = v,
	};
	jolt_model_req mreq = {.trial = &trial, .messages = call.messages,
			       .tools = call.tools, .step = call.step};

	uint64_t fseed = jolt_hash_u64(s->seed, tseed);
	lg->attempt = next_attempt(s, key, call.step);
	lg->fault = jolt_faults_pick(&s->faults, fseed, key, call.step, lg->attempt);
	long delay = jolt_latency_sample(&s->lat, fseed, key, call.step);
	uint64_t fh = jolt_hash_u64(jolt_hash_str(fseed, key),
				    ((uint64_t)call.step << 20) ^ (uint64_t)lg->attempt);

	switch (lg->fault) {
	case JOLT_FAULT_RATE:
		if (d->base_resp_limits && jolt_hash_unit(fh) < 0.5) {
			/* MiniMax reports limits in base_resp with HTTP 200. */
			lg->status = 200;
			char *b = jolt_xstrdup("{\"base_resp\":{\"status_code\":1002,"
					       "\"status_msg\":\"rate limit\"}}");
			ret = send_body(mc, 200, b, strlen(b), "application/json", 1);
		} else {
			lg->status = 429;
			ret = send_error(mc, d, 429, d->rate_error,
					 "rate limit (injected by jolt serve --faults)");
		}
		goto done;
	case JOLT_FAULT_SERVER:
		lg->status = 500;
		ret = send_error(mc, d, 500, d->server_error,
				 "internal error (injected by jolt serve --faults)");
		goto done;
	case JOLT_FAULT_RESET: {
		lg->status = 0;
		stream_state *st = jolt_xcalloc(1, sizeof(*st));
		st->srv = s;
		st->reset = 1;
		ret = send_stream(mc, st);
		goto done;
	}
	case JOLT_FAULT_STALL:
		nap(s, s->stall_ms);
		break;
	default:
		break;
	}

	rc = jolt_sim_decide(&reply, &prof, &mreq);
	if (rc) {
		lg->status = 500;
		ret = send_error(mc, d, 500, "server_error", jolt_err_msg());
		goto done;
	}
	id = jolt_xasprintf("%s%016llx", d->id_prefix,
			    (unsigned long long)jolt_hash_u64(jolt_hash_str(fseed, key),
							      (uint64_t)call.step));
	jolt_serve_reply out = {
		.message = reply.message,
		.tokens_in = reply.tokens_in,
		.tokens_out = reply.tokens_out,
		.model = call.model ? call.model : "sim",
		.id = id,
		.created = (long)time(NULL),
		.malformed = lg->fault == JOLT_FAULT_MALFORMED,
	};
	lg->status = 200;
	if (call.stream) {
		stream_state *st = jolt_xcalloc(1, sizeof(*st));
		st->srv = s;
		d->serve_stream(&st->ch, &call, &out);
		st->n = st->ch.n;
		if (lg->fault == JOLT_FAULT_TRUNCATE)
			st->n = st->ch.n / 2;
		st->delay_ms = st->ch.n ? delay / (long)st->ch.n : 0;
		ret = send_stream(mc, st);
		goto done;
	}
	char *body = NULL;
	rc = d->serve_encode(&body, &call, &out);
	if (rc) {
		lg->status = 500;
		ret = send_error(mc, d, 500, "server_error", jolt_err_msg());
		goto done;
	}
	nap(s, delay);
	size_t len = strlen(body);
	if (lg->fault == JOLT_FAULT_TRUNCATE)
		len /= 2;
	ret = send_body(mc, 200, body, len, "application/json", 0);
done:
	free(id);
	jolt_model_reply_release(&reply);
	jolt_serve_call_release(&call);
	jolt_variant_free(own);
	json_decref(hdr);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	jolt_server *s = cls;
	conn *c = *con_cls;
	if (!c) {
		c = jolt_xcalloc(1, sizeof(*c));
		jolt_buf_init(&c->body, JOLT_SERVE_BODY_CAP);
		*con_cls = c;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!c->too_big && jolt_buf_add(&c->body, upload_data, *upload_size))
			c->too_big = 1;
		if (c->too_big)
			jolt_buf_release(&c->body);
		*upload_size = 0;
		return MHD_YES;
	}

	int64_t t0 = jolt_now_ms();
	req_log lg = {.fault = JOLT_FAULT_NONE};
	enum MHD_Result ret;
	/* Errors before a route is known are answered the OpenAI way. */
	const jolt_dialect *d = jolt_dialect_find("openai");
	if (!strcmp(url, "/health") || ends_with(url, "/health")) {
		lg.status = 200;
		ret = send_body(mc, 200, jolt_xstrdup("ok"), 2, "text/plain", 0);
		goto done;
	}
	if (!strcmp(url, "/stats") || ends_with(url, "/stats")) {
		/* What `make bench` samples to measure a run's steady rate. */
		char *b = jolt_xasprintf("answered %ld\ninflight %ld\n",
					 atomic_load(&s->answered),
					 atomic_load(&s->inflight));
		lg.status = 200;
		ret = send_body(mc, 200, b, strlen(b), "text/plain", 0);
		goto done;
	}
	const jolt_dialect *routed = jolt_dialect_for_route(url);
	if (routed) {
		d = routed;
	} else {
		lg.status = 404;
		ret = send_error(mc, d, 404, "not_found",
				 "no such route: POST .../chat/completions, .../v1/messages "
				 "or .../completions, or GET /health");
		goto done;
	}
	if (strcmp(method, "POST")) {
		lg.status = 405;
		ret = send_error(mc, d, 405, "invalid_request_error",
				 "this route takes POST");
		goto done;
	}
	atomic_fetch_add(&s->inflight, 1);
	ret = handle_model(s, mc, d, c, &lg);
	atomic_fetch_sub(&s->inflight, 1);
	if (lg.status == 200)
		atomic_fetch_add(&s->answered, 1);
done:
	vlog(s, "%s %s %s key=%s step=%d attempt=%d fault=%s status=%d %lldms", method,
	     url, d->name, lg.key, lg.step, lg.attempt,
	     jolt_fault_name(lg.fault), lg.status, (long long)(jolt_now_ms() - t0));
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	conn *c = *con_cls;
	if (!c)
		return;
	jolt_buf_release(&c->body);
	free(c);
	*con_cls = NULL;
}

/* ---- lifecycle ---- */

static void server_free(jolt_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nvars; i++)
		jolt_variant_free(s->vars[i]);
	free(s->vars);
	free(s->suites);
	json_decref(s->vindex);
	json_decref(s->attempts);
	jolt_buf_release(&s->tls_cert);
	jolt_buf_release(&s->tls_key);
	free(s->api_key);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->lmu);
	free(s);
}

int jolt_serve_start(jolt_server **out, const jolt_serve_opts *o)
{
	*out = NULL;
	jolt_server *s = jolt_xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->lmu, NULL);
	s->attempts = json_object();
	s->vindex = json_object();
	s->vars = jolt_xcalloc(VARIANT_CACHE_CAP, sizeof(*s->vars));
	s->nsuites = o->nsuites;
	s->suites = jolt_xcalloc(o->nsuites ? o->nsuites : 1, sizeof(*s->suites));
	for (size_t i = 0; i < o->nsuites; i++)
		s->suites[i] = o->suites[i];
	s->seed = o->seed;
	s->verbose = o->verbose;
	s->literal_forms = o->literal_forms;
	s->literal_payload = o->literal_payload;
	const char *want_key = getenv("JOLT_SERVE_API_KEY");
	s->api_key = want_key && *want_key ? jolt_xstrdup(want_key) : NULL;
	struct sockaddr_in addr;
	int rc = jolt_sim_profile_parse(&s->policy, o->policy ? o->policy : "oracle");
	if (rc) {
		rc = jolt_err_wrap(JOLT_EUSAGE, "--policy");
		goto fail;
	}
	if ((rc = jolt_latency_parse(&s->lat, o->latency)) ||
	    (rc = jolt_faults_parse(&s->faults, o->faults)) ||
	    (rc = parse_listen(&addr, o->listen)))
		goto fail;
	if (o->stall_ms < 0 || o->stall_ms > JOLT_SERVE_STALL_MS_MAX) {
		rc = jolt_err_set(JOLT_EUSAGE, "--stall-ms %ld: expected 0 to %d", o->stall_ms,
				  JOLT_SERVE_STALL_MS_MAX);
		goto fail;
	}
	s->stall_ms = o->stall_ms ? o->stall_ms : DEFAULT_STALL_MS;
	if (addr.sin_addr.s_addr != htonl(INADDR_LOOPBACK) && s->verbose)
		fprintf(stderr, "serve: warning: listening beyond loopback (%s)\n", o->listen);

	/* poll, not select: a run keeps more than FD_SETSIZE turns in
	 * flight. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			 MHD_USE_ERROR_LOG;
	if (!o->tls_cert != !o->tls_key) {
		rc = jolt_err_set(JOLT_EUSAGE,
				  "--tls-cert and --tls-key go together");
		goto fail;
	}
	if (o->tls_cert) {
		if ((rc = jolt_buf_read_file(&s->tls_cert, o->tls_cert)) ||
		    (rc = jolt_buf_read_file(&s->tls_key, o->tls_key))) {
			rc = jolt_err_wrap(JOLT_EUSAGE, "TLS");
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	/* The TLS options are read only with MHD_USE_TLS; without it the
	 * list ends at the first MHD_OPTION_END. */
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				/* First, so that every message goes through it. */
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)600,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_CONN_MAX,
				o->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT
					    : MHD_OPTION_END,
				jolt_buf_cstr(&s->tls_cert),
				MHD_OPTION_HTTPS_MEM_KEY, jolt_buf_cstr(&s->tls_key),
				MHD_OPTION_END);
	if (!s->d) {
		char ip[INET_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip));
		rc = jolt_err_set(JOLT_EIO,
				  "cannot listen on %s:%d (address in use or not available); "
				  "pick another with --listen",
				  ip, ntohs(addr.sin_port));
		goto fail;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : ntohs(addr.sin_port);
	*out = s;
	return 0;
fail:
	server_free(s);
	return rc;
}

int jolt_serve_port(const jolt_server *s)
{
	return s ? s->port : 0;
}

void jolt_serve_stop(jolt_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	if (s->d)
		MHD_stop_daemon(s->d);
	server_free(s);
}

int jolt_serve(const jolt_serve_opts *o)
{
	/* Block the signals before the daemon's threads exist so that they
	 * inherit the mask and only sigwait() below sees them. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	jolt_server *s;
	int rc = jolt_serve_start(&s, o);
	if (rc) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	fprintf(stderr, "jolt serve: listening on http://%s (port %d), %zu suite(s); "
			"Ctrl-C to stop\n",
		o->listen && o->listen[0] ? o->listen : DEFAULT_LISTEN, s->port, o->nsuites);
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "jolt serve: stopping\n");
	jolt_serve_stop(s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}
