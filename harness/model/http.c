/*
 * http.c - the HTTP transport of http.h: a few loop threads per jolt_http
 * (one per core by default), each driving its own libcurl multi handle
 * with its own connection pool, so every model turn in flight shares a
 * handful of threads and no single one of them bounds the turns a run
 * can carry. Also the incremental SSE parser the transport feeds streamed
 * bodies through.
 *
 * Threads: jolt_http_submit() may be called from any thread (including a
 * completion callback on a loop thread, which is how retries are queued).
 * It deals the request to the next loop in turn, copies it onto that
 * loop's mutex-protected pending list and wakes the loop through its
 * eventfd. Everything else of a loop (its easy handles, delayed list,
 * callbacks) belongs to its thread; loops share nothing but the options.
 *
 * The loop drives curl by its socket interface over epoll: curl says which
 * sockets to watch (on_socket) and when its next timeout is (on_timer),
 * and only the sockets that are ready are handed back to it, so a wakeup
 * costs the same with a thousand turns in flight as with one.
 * (curl_multi_perform and curl_multi_poll walk every transfer each time.)
 *
 * Delays: a request with delay_ms waits on a list sorted by start time;
 * the loop's poll timeout is the time until the first one is due. A
 * sorted list is O(n) per insert, which is fine for the hundreds of turns
 * jolt keeps in flight.
 *
 * Secrets: request headers (Authorization, x-api-key) are handed to curl
 * and never formatted into a message; URLs are shown without userinfo or
 * query string, and curl is never put in verbose mode.
 *
 * What curl already parses is left to curl: Retry-After (both forms) is
 * read back with CURLINFO_RETRY_AFTER, and URLs are joined, shown and
 * judged local with its URL API, so jolt never slices a URL by hand.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/http.h"

/* One SSE event (its data lines joined) or one line may not exceed this. */
#define JOLT_SSE_EVENT_CAP (1024 * 1024)
/* An event name longer than this is not a real server's. */
#define JOLT_SSE_NAME_CAP 256
/* Largest Retry-After honoured, in seconds (a day: anything longer is a
 * broken server, and the backend caps it much lower anyway). */
#define JOLT_RETRY_AFTER_MAX_S 86400L
/* Longest shown form of a URL in an error message. */
#define JOLT_URL_SHOWN_CAP 200

/* ---------------------------------------------------------------- SSE */

struct jolt_sse {
	int (*fn)(void *payload, const char *event, const char *data,
		  size_t len);
	void *payload;
	jolt_buf line;	/* the line being read (may span chunks) */
	jolt_buf data;	/* data lines of the current event, each + '\n' */
	jolt_buf event; /* the `event:` name of the current event */
	int has_data;	/* a data line was seen since the last dispatch */
	int after_cr;	/* the last byte was '\r': a following '\n' is part
			 * of the same line break */
	int first_line; /* the next line is the stream's first (BOM check) */
	int err;	/* sticky: once the stream failed, it stays failed */
};

jolt_sse *jolt_sse_new(int (*fn)(void *payload, const char *event,
				 const char *data, size_t len),
		       void *payload)
{
	jolt_sse *s = jolt_xcalloc(1, sizeof(*s));
	s->fn = fn;
	s->payload = payload;
	jolt_buf_init(&s->line, JOLT_SSE_EVENT_CAP);
	jolt_buf_init(&s->data, JOLT_SSE_EVENT_CAP);
	jolt_buf_init(&s->event, JOLT_SSE_NAME_CAP);
	s->first_line = 1;
	return s;
}

void jolt_sse_free(jolt_sse *s)
{
	if (!s)
		return;
	jolt_buf_release(&s->line);
	jolt_buf_release(&s->data);
	jolt_buf_release(&s->event);
	free(s);
}

static int sse_dispatch(jolt_sse *s)
{
	int rc = 0;
	if (s->has_data) {
		/* Every data line added a '\n'; the spec drops the last. */
		size_t len = s->data.len ? s->data.len - 1 : 0;
		s->data.s[len] = '\0';
		rc = s->fn(s->payload, s->event.len ? s->event.s : NULL,
			   s->data.s, len);
	}
	jolt_buf_reset(&s->data);
	jolt_buf_reset(&s->event);
	s->has_data = 0;
	return rc;
}

static int sse_line(jolt_sse *s)
{
	const char *l = jolt_buf_cstr(&s->line);
	size_t n = s->line.len;
	if (s->first_line) {
		s->first_line = 0;
		if (n >= 3 && !memcmp(l, "\xEF\xBB\xBF", 3)) {
			l += 3;
			n -= 3;
		}
	}
	if (n == 0)
		return sse_dispatch(s);
	if (l[0] == ':')
		return 0; /* comment, e.g. keep-alive pings */
	const char *colon = memchr(l, ':', n);
	size_t flen = colon ? (size_t)(colon - l) : n;
	const char *v = colon ? colon + 1 : l + n;
	size_t vlen = (size_t)(l + n - v);
	if (vlen && *v == ' ') {
		v++;
		vlen--;
	}
	if (flen == 4 && !memcmp(l, "data", 4)) {
		s->has_data = 1;
		if (jolt_buf_add(&s->data, v, vlen) ||
		    jolt_buf_addc(&s->data, '\n'))
			return jolt_err_set(JOLT_ETOOBIG,
					    "sse event larger than %d bytes",
					    JOLT_SSE_EVENT_CAP);
	} else if (flen == 5 && !memcmp(l, "event", 5)) {
		jolt_buf_reset(&s->event);
		if (jolt_buf_add(&s->event, v, vlen))
			return jolt_err_set(
			    JOLT_ETOOBIG, "sse event name longer than %d bytes",
			    JOLT_SSE_NAME_CAP);
	}
	/* id, retry and unknown fields do not matter to a one-shot reply. */
	return 0;
}

int jolt_sse_feed(jolt_sse *s, const char *chunk, size_t len)
{
	if (s->err)
		return s->err;
	size_t i = 0;
	while (i < len) {
		if (s->after_cr) {
			s->after_cr = 0;
			if (chunk[i] == '\n') {
				i++;
				continue;
			}
		}
		size_t j = i;
		while (j < len && chunk[j] != '\n' && chunk[j] != '\r')
			j++;
		if (jolt_buf_add(&s->line, chunk + i, j - i)) {
			s->err = jolt_err_set(JOLT_ETOOBIG,
					      "sse line longer than %d bytes",
					      JOLT_SSE_EVENT_CAP);
			return s->err;
		}
		if (j == len)
			break;
		s->after_cr = chunk[j] == '\r';
		int rc = sse_line(s);
		jolt_buf_reset(&s->line);
		if (rc) {
			s->err = rc;
			return rc;
		}
		i = j + 1;
	}
	return 0;
}

/* ---------------------------------------------------------- transport */

typedef struct loop loop;

typedef struct xfer {
	struct xfer *next;
	jolt_http *h;
	loop *lp; /* the loop it was dealt to */
	CURL *easy;
	struct curl_slist *hdrs;
	char *url;
	char *shown_url; /* for messages: no userinfo, no query; made by
			  * shown() when a message needs it */
	char *body;
	size_t body_len;
	double timeout_s;
	int64_t start_at; /* monotonic ms */
	int64_t t0;	  /* when the transfer actually started */
	int (*on_event)(void *payload, const char *event, const char *data,
			size_t len);
	void (*done)(void *payload, jolt_http_resp *resp);
	void *payload;
	jolt_buf resp;	 /* the body (capped at max_body) */
	size_t received; /* body bytes seen, streamed or not */
	jolt_sse *sse;
	int is_stream; /* -1 until the first body byte, then 0 or 1 */
	long retry_after_ms;
	int abort_err; /* set when a callback aborted the transfer */
	char *abort_msg;
	char errbuf[CURL_ERROR_SIZE];
} xfer;

/* One event loop: a thread, a multi handle and its connection pool. */
struct loop {
	jolt_http *h;
	CURLM *multi;
	pthread_t thread;
	bool running;		      /* the thread was started */
	pthread_mutex_t mu;
	xfer *pending, *pending_tail; /* under mu */
	int stopping;		      /* under mu */
	xfer *delayed;		      /* loop thread: sorted by start_at */
	size_t active;		      /* loop thread: handles in multi */
	int epfd;		      /* the sockets curl asked us to watch */
	int wakefd;		      /* eventfd: submit and free wake the loop */
	int64_t timer_at;	      /* loop thread: curl's timeout, -1 none */
	/* Loop thread: easy handles of finished transfers, reset, for the
	 * next ones (a handle costs several allocations to make), at most
	 * h->idle_cap. */
	CURL **idle;
	size_t nidle;
};

struct jolt_http {
	loop *loops;
	size_t nloops;
	atomic_size_t deal;	      /* the loop the next request goes to */
	size_t max_body;
	long connect_timeout_ms;
	char *cacert;		      /* CA bundle, or NULL: the system's */
	bool insecure;		      /* --insecure: no verification */
	size_t idle_cap;	      /* idle easy handles a loop keeps */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---------------------------------------------------------------- URLs */

/* URLs are sliced by curl's own parser (CURLU), the one that will send
 * the request, so that what jolt joins, shows and judges local is what
 * curl understands: IPv6 literals, userinfo, ports, query strings. */

static bool is_http_scheme(CURLU *u)
{
	char *scheme = NULL;
	bool ok = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		  (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"));
	curl_free(scheme);
	return ok;
}

int jolt_http_url_join(char **out, const char *base, const char *path)
{
	*out = NULL;
	CURLU *u = curl_url();
	char *have = NULL, *url = NULL, *joined = NULL;
	int rc = 0;
	if (!u) {
		rc = jolt_err_set(JOLT_ENOMEM, "http: out of memory");
		goto done;
	}
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, base, 0);
	if (uc != CURLUE_OK || !is_http_scheme(u)) {
		rc = jolt_err_set(JOLT_EUSAGE,
				  "base URL '%s' must start with http:// or https://%s%s",
				  base, uc != CURLUE_OK ? " and be a URL: " : "",
				  uc != CURLUE_OK ? curl_url_strerror(uc) : "");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_PATH, &have, 0) != CURLUE_OK) {
		rc = jolt_err_set(JOLT_EUSAGE, "base URL '%s' has no path", base);
		goto done;
	}
	/* A trailing slash is not a path segment of its own: /v1/ is /v1. */
	size_t hl = strlen(have), pl = strlen(path);
	while (hl && have[hl - 1] == '/')
		hl--;
	/* A base that already ends with the endpoint's path is kept. */
	if (hl >= pl && !memcmp(have + hl - pl, path, pl))
		joined = jolt_xstrndup(have, hl);
	else
		joined = jolt_xasprintf("%.*s%s", (int)hl, have, path);
	if (curl_url_set(u, CURLUPART_PATH, joined, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		rc = jolt_err_set(JOLT_EUSAGE, "base URL '%s': cannot append %s",
				  base, path);
		goto done;
	}
	*out = jolt_xstrdup(url);
done:
	free(joined);
	curl_free(have);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

bool jolt_http_url_is_loopback(const char *url)
{
	static const char *const hosts[] = {"127.0.0.1", "localhost", "[::1]"};
	CURLU *u = curl_url();
	char *host = NULL;
	bool local = false;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		for (size_t i = 0; i < JOLT_ARRAY_LEN(hosts); i++)
			local = local || !strcasecmp(host, hosts[i]);
	curl_free(host);
	curl_url_cleanup(u);
	return local;
}

char *jolt_http_url_shown(const char *url)
{
	CURLU *u = curl_url();
	char *s = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		/* Clearing a part that is absent is not an error. */
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
		curl_url_set(u, CURLUPART_QUERY, NULL, 0);
		curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
		if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
			s = NULL;
	}
	curl_url_cleanup(u);
	/* What curl cannot parse, jolt cannot tell the secret parts of. */
	char *out = s ? jolt_xasprintf("%.*s", JOLT_URL_SHOWN_CAP, s)
		      : jolt_xstrdup("(a URL curl cannot parse)");
	curl_free(s);
	return out;
}

/* The transfer's URL as messages show it. */
static const char *shown(xfer *x)
{
	if (!x->shown_url)
		x->shown_url = jolt_http_url_shown(x->url);
	return x->shown_url;
}

/* Loop thread: an easy handle no transfer uses any more (not in the
 * multi), kept for the next one or freed. The reset drops every option,
 * so nothing points into the freed transfer. */
static void easy_put(loop *lp, CURL *e)
{
	if (lp->nidle == lp->h->idle_cap) {
		curl_easy_cleanup(e);
		return;
	}
	curl_easy_reset(e);
	if (!lp->idle)
		lp->idle = jolt_xcalloc(lp->h->idle_cap, sizeof(*lp->idle));
	lp->idle[lp->nidle++] = e;
}

static void xfer_free(xfer *x)
{
	if (!x)
		return;
	if (x->easy)
		easy_put(x->lp, x->easy);
	curl_slist_free_all(x->hdrs);
	free(x->url);
	free(x->shown_url);
	free(x->body);
	jolt_buf_release(&x->resp);
	jolt_sse_free(x->sse);
	free(x->abort_msg);
	free(x);
}

/* Run the callback with a response and free the transfer. */
static void xfer_finish(xfer *x, int err, char *errmsg, long status)
{
	jolt_http_resp r = {
	    .err = err,
	    .errmsg = errmsg,
	    .status = status,
	    .retry_after_ms = x->retry_after_ms,
	    .latency_ms = x->t0 ? (long)(jolt_now_ms() - x->t0) : 0,
	};
	r.len = x->resp.len;
	r.body = jolt_buf_detach(&x->resp);
	x->done(x->payload, &r);
	xfer_free(x);
}

static void xfer_fail(xfer *x, int err, const char *fmt, const char *detail)
{
	xfer_finish(x, err, jolt_xasprintf(fmt, shown(x), detail), 0);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	xfer *x = userdata;
	size_t n = size * nmemb;
	x->received += n;
	if (x->received > x->h->max_body) {
		x->abort_err = JOLT_ETOOBIG;
		x->abort_msg = jolt_xasprintf(
		    "POST %s: response body larger than %zu bytes",
		    shown(x), x->h->max_body);
		return 0;
	}
	/* Only a successful response that is not plain JSON is a stream: an
	 * error response, or a server that ignored "stream": true, keeps its
	 * body for classification and decoding. */
	if (x->sse && x->is_stream < 0) {
		long status = 0;
		char *ctype = NULL;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
		x->is_stream =
		    status >= 200 && status < 300 &&
		    !(ctype && !strncasecmp(ctype, "application/json", 16));
	}
	if (x->sse && x->is_stream == 1) {
		jolt_err_clear();
		int rc = jolt_sse_feed(x->sse, ptr, n);
		if (rc) {
			x->abort_err = rc;
			x->abort_msg = jolt_xasprintf(
			    "POST %s: stream: %s", shown(x),
			    jolt_err_msg()[0] ? jolt_err_msg()
					      : jolt_err_name(rc));
			return 0;
		}
		return n;
	}
	jolt_buf_add(&x->resp, ptr, n); /* within max_body: checked above */
	return n;
}

/* The final response's Retry-After in ms, -1 when it sent none. curl
 * reads both forms (delta-seconds and HTTP-date, 7.66+); a value it cannot
 * read, or a date already past, it reports as 0: retry now. */
static long retry_after_ms(CURL *e)
{
	curl_off_t s = 0;
	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &s) != CURLE_OK || s < 0)
		s = 0;
	struct curl_header *hd = NULL;
	/* request -1: the last response, not a 100 or a redirect before it */
	CURLHcode hc = curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &hd);
	if (hc == CURLHE_NOT_BUILT_IN ? s == 0 : hc != CURLHE_OK)
		return -1;
	if (s > JOLT_RETRY_AFTER_MAX_S)
		s = JOLT_RETRY_AFTER_MAX_S;
	return (long)s * 1000;
}

/* Loop thread: hand a due transfer to curl. */
static void xfer_start(loop *lp, xfer *x)
{
	jolt_http *h = lp->h;
	CURL *e = lp->nidle ? lp->idle[--lp->nidle] : curl_easy_init();
	if (!e) {
		xfer_fail(x, JOLT_EINFRA, "POST %s: %s",
			  "cannot create a curl handle");
		return;
	}
	x->easy = e;
	long timeout_ms = (long)(x->timeout_s * 1000);
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)x->body_len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "jolt/" JOLT_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 timeout_ms > 0 ? timeout_ms : 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->insecure ? 0L : 2L);
	if (h->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->cacert);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* Waiting to share a connection only pays where HTTP/2 can be
	 * negotiated (over TLS): over plain http every turn but the first
	 * would wait for the first's whole answer before connecting. */
	curl_easy_setopt(e, CURLOPT_PIPEWAIT,
			 strncasecmp(x->url, "https:", 6) ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	/* A redirected POST would carry the key to another host. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	x->t0 = jolt_now_ms();
	CURLMcode mc = curl_multi_add_handle(lp->multi, e);
	if (mc != CURLM_OK) {
		xfer_fail(x, JOLT_EINFRA, "POST %s: %s",
			  curl_multi_strerror(mc));
		return;
	}
	lp->active++;
}

/* Loop thread: a transfer curl reports done. */
static void xfer_reap(loop *lp, CURL *e, CURLcode code)
{
	xfer *x = NULL;
	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
	curl_multi_remove_handle(lp->multi, e);
	lp->active--;
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	x->retry_after_ms = retry_after_ms(e);
	if (x->abort_err) {
		char *msg = x->abort_msg;
		x->abort_msg = NULL;
		xfer_finish(x, x->abort_err, msg, status);
		return;
	}
	if (code == CURLE_OK) {
		xfer_finish(x, 0, NULL, status);
		return;
	}
	const char *detail =
	    x->errbuf[0] ? x->errbuf : curl_easy_strerror(code);
	if (code == CURLE_OPERATION_TIMEDOUT) {
		xfer_finish(x, JOLT_ETIMEOUT,
			    jolt_xasprintf("POST %s: timed out (%s)",
					   shown(x), detail),
			    status);
		return;
	}
	/* Refused, reset, DNS, TLS, truncated (CURLE_PARTIAL_FILE), empty
	 * reply...: the server or the network, never the request. */
	xfer_finish(x, JOLT_EINFRA,
		    jolt_xasprintf("POST %s: %s", shown(x), detail),
		    status);
}

static void delayed_insert(loop *lp, xfer *x)
{
	xfer **p = &lp->delayed;
	while (*p && (*p)->start_at <= x->start_at)
		p = &(*p)->next;
	x->next = *p;
	*p = x;
}

/* curl: watch socket s for `what` (or stop watching it). */
static int on_socket(CURL *e, curl_socket_t s, int what, void *userp,
		     void *socketp)
{
	loop *lp = userp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(lp->epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	struct epoll_event ev = {
	    .events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
		      (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
	    .data.fd = s,
	};
	if (epoll_ctl(lp->epfd, EPOLL_CTL_MOD, s, &ev) < 0 && errno == ENOENT &&
	    epoll_ctl(lp->epfd, EPOLL_CTL_ADD, s, &ev) < 0)
		return -1; /* curl fails that transfer */
	return 0;
}

/* curl: call back with CURL_SOCKET_TIMEOUT in timeout_ms (-1: no timer). */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
	loop *lp = userp;
	lp->timer_at = timeout_ms < 0 ? -1 : jolt_now_ms() + timeout_ms;
	return 0;
}

static void wake(loop *lp)
{
	uint64_t one = 1;
	while (write(lp->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

#define LOOP_EVENTS 256

static void *loop_main(void *arg)
{
	loop *lp = arg;
	pthread_setname_np(pthread_self(), "jolt-http");
	struct epoll_event evs[LOOP_EVENTS];
	int running = 0;
	for (;;) {
		pthread_mutex_lock(&lp->mu);
		xfer *in = lp->pending;
		lp->pending = lp->pending_tail = NULL;
		int stopping = lp->stopping;
		pthread_mutex_unlock(&lp->mu);

		while (in) {
			xfer *next = in->next;
			in->next = NULL;
			delayed_insert(lp, in);
			in = next;
		}
		int64_t now = jolt_now_ms();
		while (lp->delayed &&
		       (lp->delayed->start_at <= now || stopping)) {
			xfer *x = lp->delayed;
			lp->delayed = x->next;
			x->next = NULL;
			if (x->start_at > now)
				xfer_fail(x, JOLT_EINFRA, "POST %s: %s",
					  "not sent: the http client is "
					  "shutting down");
			else
				xfer_start(lp, x);
		}

		if (lp->timer_at >= 0 && jolt_now_ms() >= lp->timer_at) {
			lp->timer_at = -1;
			curl_multi_socket_action(lp->multi, CURL_SOCKET_TIMEOUT,
						 0, &running);
		}
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(lp->multi, &left)))
			if (m->msg == CURLMSG_DONE)
				xfer_reap(lp, m->easy_handle, m->data.result);

		if (stopping && !lp->delayed && lp->active == 0) {
			pthread_mutex_lock(&lp->mu);
			int idle = lp->pending == NULL;
			pthread_mutex_unlock(&lp->mu);
			if (idle)
				break;
			continue;
		}
		long timeout = 1000;
		now = jolt_now_ms();
		if (lp->delayed) {
			int64_t wait = lp->delayed->start_at - now;
			if (wait < timeout)
				timeout = wait < 0 ? 0 : (long)wait;
		}
		if (lp->timer_at >= 0) {
			int64_t wait = lp->timer_at - now;
			if (wait < timeout)
				timeout = wait < 0 ? 0 : (long)wait;
		}
		int n = epoll_wait(lp->epfd, evs, LOOP_EVENTS, (int)timeout);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lp->wakefd) {
				uint64_t v;
				while (read(fd, &v, sizeof(v)) < 0 &&
				       errno == EINTR)
					;
				continue;
			}
			uint32_t ev = evs[i].events;
			int flags = (ev & EPOLLIN ? CURL_CSELECT_IN : 0) |
				    (ev & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				    (ev & (EPOLLERR | EPOLLHUP)
					 ? CURL_CSELECT_ERR
					 : 0);
			curl_multi_socket_action(lp->multi, fd, flags, &running);
		}
	}
	return NULL;
}

/* Set up loop lp of h (not yet started); conns as jolt_http_new. */
static int loop_init(loop *lp, jolt_http *h, long conns)
{
	lp->h = h;
	lp->timer_at = -1;
	lp->epfd = lp->wakefd = -1;
	pthread_mutex_init(&lp->mu, NULL);
	lp->multi = curl_multi_init();
	if (!lp->multi)
		return jolt_err_set(JOLT_EINFRA,
				    "libcurl: cannot create a multi handle");
	curl_multi_setopt(lp->multi, CURLMOPT_PIPELINING,
			  (long)CURLPIPE_MULTIPLEX);
	/* Each loop may carry every turn in flight: requests are dealt in
	 * turn, but they finish at their own pace, so a loop's share
	 * wanders; connections open only as its turns need them. */
	curl_multi_setopt(lp->multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
	curl_multi_setopt(lp->multi, CURLMOPT_MAXCONNECTS, conns * 2);
	curl_multi_setopt(lp->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(lp->multi, CURLMOPT_SOCKETDATA, lp);
	curl_multi_setopt(lp->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(lp->multi, CURLMOPT_TIMERDATA, lp);
	lp->epfd = epoll_create1(EPOLL_CLOEXEC);
	lp->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event wev = {.events = EPOLLIN};
	wev.data.fd = lp->wakefd;
	if (lp->epfd < 0 || lp->wakefd < 0 ||
	    epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->wakefd, &wev) < 0)
		return jolt_err_set(JOLT_EINFRA, "http: epoll: %s",
				    strerror(errno));
	if (pthread_create(&lp->thread, NULL, loop_main, lp))
		return jolt_err_set(JOLT_EINFRA,
				    "http: cannot start a loop thread");
	lp->running = true;
	return 0;
}

/* Stop loop lp once what it carries is done (its callbacks run), and
 * free it. */
static void loop_release(loop *lp)
{
	if (lp->running) {
		pthread_mutex_lock(&lp->mu);
		lp->stopping = 1;
		pthread_mutex_unlock(&lp->mu);
		wake(lp);
		pthread_join(lp->thread, NULL);
	}
	for (size_t i = 0; i < lp->nidle; i++)
		curl_easy_cleanup(lp->idle[i]);
	free(lp->idle);
	if (lp->multi)
		curl_multi_cleanup(lp->multi);
	if (lp->epfd >= 0)
		close(lp->epfd);
	if (lp->wakefd >= 0)
		close(lp->wakefd);
	pthread_mutex_destroy(&lp->mu);
}

size_t jolt_http_loops_default(long conns)
{
	/* One loop until it becomes the ceiling. A second loop costs CPU on
	 * every turn (more wake-ups, less batching: at 64 in flight on two
	 * cores, 0.43 ms a turn against 0.34 with one) and only pays once
	 * a single loop's queue delays turns: at 1,024 in flight one loop
	 * added 150-300 ms to each 200 ms turn, two loops 20-30 ms. So a
	 * loop per JOLT_HTTP_CONNS_PER_LOOP connections, at most one per
	 * core. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long n = conns > 0 ? (conns + JOLT_HTTP_CONNS_PER_LOOP - 1) /
				 JOLT_HTTP_CONNS_PER_LOOP
			   : 1;
	if (cores > 0 && n > cores)
		n = cores;
	if (n > JOLT_HTTP_LOOPS_MAX)
		n = JOLT_HTTP_LOOPS_MAX;
	return n < 1 ? 1 : (size_t)n;
}

int jolt_http_new(jolt_http **out, const jolt_http_opts *o)
{
	*out = NULL;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return jolt_err_set(JOLT_EINFRA, "libcurl: %s",
				    curl_easy_strerror(curl_init_rc));
	jolt_http_opts def = {0};
	if (!o)
		o = &def;
	const char *ca = jolt_http_cacert(o->cacert);
	if (ca && access(ca, R_OK) < 0)
		return jolt_err_set(JOLT_EUSAGE, "CA bundle %s: %s", ca,
				    strerror(errno));
	jolt_http *h = jolt_xcalloc(1, sizeof(*h));
	h->cacert = ca ? jolt_xstrdup(ca) : NULL;
	h->insecure = o->insecure;
	h->max_body = o->max_body ? o->max_body : JOLT_BODY_CAP;
	double ct = o->connect_timeout_s > 0 ? o->connect_timeout_s : 10;
	h->connect_timeout_ms = (long)(ct * 1000);
	long conns = o->max_conns_per_host > 0 ? o->max_conns_per_host : 64;
	h->idle_cap = (size_t)conns;
	h->nloops = o->loops > 0 ? (size_t)o->loops : jolt_http_loops_default(conns);
	if (h->nloops > JOLT_HTTP_LOOPS_MAX)
		h->nloops = JOLT_HTTP_LOOPS_MAX;
	h->loops = jolt_xcalloc(h->nloops, sizeof(*h->loops));
	for (size_t i = 0; i < h->nloops; i++) {
		int rc = loop_init(&h->loops[i], h, conns);
		if (rc) {
			/* Loops already started carry nothing yet. */
			for (size_t k = 0; k <= i; k++)
				loop_release(&h->loops[k]);
			free(h->loops);
			free(h->cacert);
			free(h);
			return rc;
		}
	}
	*out = h;
	return 0;
}

void jolt_http_free(jolt_http *h)
{
	if (!h)
		return;
	/* Every loop is told first, so they wind down together. */
	for (size_t i = 0; i < h->nloops; i++) {
		pthread_mutex_lock(&h->loops[i].mu);
		h->loops[i].stopping = 1;
		pthread_mutex_unlock(&h->loops[i].mu);
		wake(&h->loops[i]);
	}
	for (size_t i = 0; i < h->nloops; i++)
		loop_release(&h->loops[i]);
	free(h->loops);
	free(h->cacert);
	free(h);
}

size_t jolt_http_nloops(const jolt_http *h)
{
	return h->nloops;
}

const char *jolt_http_cacert(const char *flag)
{
	/* As curl's tool does, and Python's clients: the flag, then
	 * CURL_CA_BUNDLE, then SSL_CERT_FILE. libcurl reads neither
	 * variable by itself. */
	const char *env[] = {"CURL_CA_BUNDLE", "SSL_CERT_FILE"};
	if (flag && *flag)
		return flag;
	for (size_t i = 0; i < 2; i++) {
		const char *v = getenv(env[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

int jolt_http_submit(jolt_http *h, const jolt_http_req *req,
		     void (*done)(void *payload, jolt_http_resp *resp),
		     void *payload)
{
	if (!req->url || strncmp(req->url, "http", 4))
		return jolt_err_set(JOLT_EUSAGE,
				    "http: '%s' is not an http(s) URL",
				    req->url ? req->url : "(null)");
	xfer *x = jolt_xcalloc(1, sizeof(*x));
	x->h = h;
	x->url = jolt_xstrdup(req->url);
	x->body = jolt_xstrdup(req->body ? req->body : "");
	x->body_len = strlen(x->body);
	x->timeout_s = req->timeout_s > 0 ? req->timeout_s : 300;
	x->start_at = jolt_now_ms() + (req->delay_ms > 0 ? req->delay_ms : 0);
	x->on_event = req->on_event;
	x->done = done;
	x->payload = payload;
	x->retry_after_ms = -1;
	x->is_stream = -1;
	jolt_buf_init(&x->resp, h->max_body);
	if (req->on_event)
		x->sse = jolt_sse_new(req->on_event, payload);
	x->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	x->hdrs = curl_slist_append(x->hdrs, req->on_event
						 ? "Accept: text/event-stream"
						 : "Accept: application/json");
	/* No "Expect: 100-continue" round trip on large bodies. */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	for (size_t i = 0; req->headers && req->headers[i]; i++)
		x->hdrs = curl_slist_append(x->hdrs, req->headers[i]);
	if (!x->hdrs) {
		xfer_free(x);
		return jolt_err_set(JOLT_ENOMEM,
				    "http: cannot build the headers");
	}

	loop *lp = &h->loops[atomic_fetch_add_explicit(
				 &h->deal, 1, memory_order_relaxed) %
			     h->nloops];
	x->lp = lp;
	pthread_mutex_lock(&lp->mu);
	int stopping = lp->stopping;
	/* A list that already holds requests has a wake-up on its way
	 * (whoever queued the first one sends it after unlocking), and the
	 * loop takes the whole list at once: only the first one wakes it. */
	bool first = !lp->pending;
	if (!stopping) {
		if (lp->pending_tail)
			lp->pending_tail->next = x;
		else
			lp->pending = x;
		lp->pending_tail = x;
	}
	pthread_mutex_unlock(&lp->mu);
	if (stopping) {
		xfer_free(x);
		return jolt_err_set(
		    JOLT_EINFRA,
		    "http: not sent: the http client is shutting down");
	}
	if (first)
		wake(lp);
	return 0;
}

void jolt_http_resp_release(jolt_http_resp *r)
{
	if (!r)
		return;
	free(r->errmsg);
	free(r->body);
	memset(r, 0, sizeof(*r));
	r->retry_after_ms = -1;
}
