/*
 * mhd_server.h - a scripted HTTP server on 127.0.0.1 (libmicrohttpd) for
 * the transport and backend tests: request i gets step min(i, n-1) of a
 * script (status, body, a header, a delay, or a fault: connection closed
 * without a reply, a body cut short, a stall, an SSE stream in pieces),
 * and the server records what it received and when.
 *
 * Header-only (static functions) so that each test binary gets its own.
 */
#ifndef JOLT_TEST_MHD_SERVER_H
#define JOLT_TEST_MHD_SERVER_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/common.h"

#define TS_MAX_REQ 512
#define TS_BODY_CAP (1024 * 1024)

typedef enum {
	TS_NORMAL,   /* status, body, header */
	TS_CLOSE,    /* close the connection without a reply */
	TS_TRUNCATE, /* promise more bytes than the body, then close */
	TS_STALL, /* hold the request for delay_ms (or until stop), then close
		   */
	TS_SSE,	  /* 200 text/event-stream, chunks[] one per write */
} ts_mode;

typedef struct ts_step {
	ts_mode mode;
	int status;
	const char *body;
	const char *hname, *hvalue; /* one extra response header, or NULL */
	long delay_ms;		    /* before replying */
	const char *const *chunks;  /* TS_SSE: NULL-terminated */
} ts_step;

typedef struct ts_request {
	int64_t at_ms; /* jolt_now_ms() on arrival */
	char *path;
	char *body;
	char *content_type;
	char *authorization;
	char *x_api_key;
	char *anthropic_version;
	char *trial;
} ts_request;

typedef struct ts_server {
	struct MHD_Daemon *d;
	int port;
	const ts_step *steps;
	size_t nsteps;
	pthread_mutex_t mu;
	size_t nreq;
	ts_request req[TS_MAX_REQ];
	atomic_int stopping;
} ts_server;

typedef struct ts_conn {
	char *body;
	size_t len;
} ts_conn;

typedef struct ts_reader {
	const ts_step *step;
	size_t i; /* next chunk */
	int sent; /* TS_TRUNCATE: the body went out */
} ts_reader;

static char *ts_dup_header(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
	return v ? strdup(v) : NULL;
}

static void ts_sleep(ts_server *s, long ms)
{
	for (long t = 0; t < ms && !atomic_load(&s->stopping); t += 10)
		usleep(10 * 1000);
}

static ssize_t ts_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	ts_reader *r = cls;
	const ts_step *st = r->step;
	if (st->mode == TS_TRUNCATE) {
		if (r->sent)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		size_t n = strlen(st->body);
		if (n > max)
			n = max;
		memcpy(buf, st->body, n);
		r->sent = 1;
		return (ssize_t)n;
	}
	const char *c = st->chunks[r->i];
	if (!c)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = strlen(c);
	if (n > max)
		n = max; /* chunks in tests are small */
	memcpy(buf, c, n);
	r->i++;
	return (ssize_t)n;
}

static enum MHD_Result ts_handler(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	ts_server *s = cls;
	ts_conn *cc = *con_cls;
	if (!cc) {
		*con_cls = calloc(1, sizeof(ts_conn));
		return MHD_YES;
	}
	if (*upload_size) {
		if (cc->len + *upload_size <= TS_BODY_CAP) {
			cc->body =
			    realloc(cc->body, cc->len + *upload_size + 1);
			memcpy(cc->body + cc->len, upload, *upload_size);
			cc->len += *upload_size;
			cc->body[cc->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->mu);
	size_t idx = s->nreq < TS_MAX_REQ ? s->nreq : TS_MAX_REQ - 1;
	s->nreq++;
	ts_request *r = &s->req[idx];
	r->at_ms = jolt_now_ms();
	r->path = strdup(url);
	r->body = strdup(cc->body ? cc->body : "");
	r->content_type = ts_dup_header(c, "Content-Type");
	r->authorization = ts_dup_header(c, "Authorization");
	r->x_api_key = ts_dup_header(c, "x-api-key");
	r->anthropic_version = ts_dup_header(c, "anthropic-version");
	r->trial = ts_dup_header(c, "X-Jolt-Trial");
	pthread_mutex_unlock(&s->mu);

	const ts_step *st = &s->steps[idx < s->nsteps ? idx : s->nsteps - 1];
	if (st->delay_ms && st->mode != TS_STALL)
		ts_sleep(s, st->delay_ms);
	struct MHD_Response *resp = NULL;
	switch (st->mode) {
	case TS_CLOSE:
		return MHD_NO;
	case TS_STALL:
		ts_sleep(s, st->delay_ms ? st->delay_ms : 30000);
		return MHD_NO;
	case TS_NORMAL:
		resp = MHD_create_response_from_buffer(
		    strlen(st->body ? st->body : ""),
		    (void *)(st->body ? st->body : ""), MHD_RESPMEM_MUST_COPY);
		break;
	case TS_TRUNCATE:
	case TS_SSE: {
		ts_reader *rd = calloc(1, sizeof(*rd));
		rd->step = st;
		uint64_t size = st->mode == TS_TRUNCATE
				    ? strlen(st->body) + 1000
				    : MHD_SIZE_UNKNOWN;
		resp = MHD_create_response_from_callback(size, 4096, ts_read,
							 rd, free);
		if (st->mode == TS_SSE)
			MHD_add_response_header(resp, "Content-Type",
						"text/event-stream");
		break;
	}
	}
	if (st->hname)
		MHD_add_response_header(resp, st->hname, st->hvalue);
	enum MHD_Result ret = MHD_queue_response(
	    c, st->mode == TS_SSE ? 200 : (unsigned)st->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void ts_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	ts_conn *cc = *con_cls;
	if (cc) {
		free(cc->body);
		free(cc);
		*con_cls = NULL;
	}
}

/* Start a server running `steps` (borrowed); returns NULL on failure. */
static ts_server *ts_start(const ts_step *steps, size_t nsteps)
{
	ts_server *s = calloc(1, sizeof(*s));
	s->steps = steps;
	s->nsteps = nsteps;
	pthread_mutex_init(&s->mu, NULL);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_POLL,
	    0, NULL, NULL, ts_handler, s, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, ts_completed,
	    s, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000, MHD_OPTION_END);
	if (!s->d) {
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	return s;
}

static void ts_stop(ts_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	MHD_stop_daemon(s->d);
	size_t n = s->nreq < TS_MAX_REQ ? s->nreq : TS_MAX_REQ;
	for (size_t i = 0; i < n; i++) {
		ts_request *r = &s->req[i];
		free(r->path);
		free(r->body);
		free(r->content_type);
		free(r->authorization);
		free(r->x_api_key);
		free(r->anthropic_version);
		free(r->trial);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static size_t ts_count(ts_server *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->nreq;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* A loopback port nothing listens on (bound then closed). */
static int ts_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	int port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

#endif
