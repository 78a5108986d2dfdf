// SPDX-License-Identifier: GPL-2.0
/*
 * export/exporter.c: serving /metrics over HTTP with libmicrohttpd.
 *
 * ktop's loop stays one thread; libmicrohttpd runs its own (epoll) thread for the
 * connections. The two share one thing: the newest pair of responses (Prometheus text
 * and OpenMetrics), swapped under a mutex held only to swap or to queue a response. A
 * libmicrohttpd response counts its users, so an old snapshot lives on for the clients
 * still reading it and is freed after the last one.
 *
 * The thread is started by the sink, after the privilege drop: capabilities are per
 * thread, and a thread started before the drop would keep them.
 *
 * gzip (Accept-Encoding): a format is compressed once per frame, in the main thread, only
 * after a client has asked for it gzipped; until then (the first such scrape) it is sent
 * as is, which HTTP allows. Nobody who does not ask pays for the compression.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/openmetrics.h"
#include "exporter.h"
#include "httpd_library.h"
#include "web_config.h"

#define EXPORTER_MEMORY_PER_CONNECTION (32 * 1024)
#define EXPORTER_BACKLOG 64

struct exporter {
	int listen_fd;
	char address[300]; /* as given, for messages */
	struct MHD_Daemon *daemon;
	struct openmetrics *om;
	unsigned int connections, timeout_s;
	struct web_config web; /* TLS and basic auth (--web-config) */
	pthread_mutex_t lock; /* guards the two responses */
	/* by enum openmetrics_format, then plain [0] and gzip [1]; NULL before a frame (gzip:
	 * before one was asked for) */
	struct MHD_Response *responses[2][2];
	int gzip_wanted[2];		  /* a client asked for this format gzipped (atomic) */
	uint64_t scrapes;		  /* answered /metrics requests (atomic) */
	uint64_t scrapes_seen;		  /* by the writer (main thread only) */
};

static const char landing_page[] =
	"ktop exporter: metrics of kernel activity at /metrics (docs/EXPORTER.md)\n";

int exporter_parse_listen(const char *listen, char *host, size_t host_len, char *port,
			  size_t port_len, char *err, size_t err_len)
{
	const char *colon, *h = listen, *p;
	size_t hlen;
	char *end;
	long n;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			goto bad;
		h = listen + 1;
		hlen = (size_t)(close - h);
		p = close + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || strchr(listen, ':') != colon)
			goto bad; /* an IPv6 address needs brackets */
		hlen = (size_t)(colon - listen);
		p = colon + 1;
	}
	errno = 0;
	n = strtol(p, &end, 10);
	if (!*p || *end || errno || n < 1 || n > 65535 || hlen >= host_len)
		goto bad;
	snprintf(host, host_len, "%.*s", (int)hlen, h);
	snprintf(port, port_len, "%ld", n);
	return 0;
bad:
	snprintf(err, err_len, "invalid address '%s' for --listen: expected ADDR:PORT with a "
		 "port from 1 to 65535 (127.0.0.1:9435, [::1]:9435, or :9435 for every address)",
		 listen);
	return -1;
}

static int listen_socket(const char *host, const char *port, char *err, size_t err_len,
			 const char *address)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE |
								   AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	int fd = -1, rc, saved = 0, one = 1;

	hints.ai_family = AF_UNSPEC;
	rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (rc) {
		snprintf(err, err_len, "--listen %s: %s", address, gai_strerror(rc));
		return -1;
	}
	/* ":PORT" means every address: prefer IPv6 with IPv4 mapped in, where there is one */
	for (int pass = 0; pass < 2 && fd < 0; pass++) {
		for (ai = res; ai && fd < 0; ai = ai->ai_next) {
			if (!*host && (pass == 0) != (ai->ai_family == AF_INET6))
				continue;
			if (*host && pass == 1)
				break;
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				    ai->ai_protocol);
			if (fd < 0) {
				saved = errno;
				continue;
			}
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (ai->ai_family == AF_INET6 && !*host) {
				int zero = 0;

				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
			}
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
			    listen(fd, EXPORTER_BACKLOG) < 0) {
				saved = errno;
				close(fd);
				fd = -1;
			}
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, err_len, "cannot listen on %s: %s%s", address, strerror(saved),
			 saved == EACCES ? " (ports below 1024 need CAP_NET_BIND_SERVICE)" : "");
		return -1;
	}
	return fd;
}

struct exporter *exporter_open(const struct ktop_config *cfg, char *err, size_t err_len)
{
	char host[256], port[16];
	struct exporter *e;
	int fd;

	if (exporter_parse_listen(cfg->listen, host, sizeof(host), port, sizeof(port), err,
				  err_len) < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (httpd_library_load(err, err_len) < 0) {
		errno = ENOENT;
		return NULL;
	}
	fd = listen_socket(host, port, err, err_len, cfg->listen);
	if (fd < 0) {
		errno = EIO; /* not a usage error: the address is taken, or not ours */
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		close(fd);
		snprintf(err, err_len, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	e->listen_fd = fd;
	/* read now: a key file is often readable by root only */
	if (cfg->web_config && web_config_load(cfg->web_config, &e->web, err, err_len) < 0) {
		close(fd);
		free(e);
		errno = EINVAL;
		return NULL;
	}
	if (e->web.cert_pem && !httpd.is_feature_supported(MHD_FEATURE_TLS)) {
		snprintf(err, err_len, "--web-config %s: this libmicrohttpd has no TLS support",
			 cfg->web_config);
		web_config_free(&e->web);
		close(fd);
		free(e);
		errno = ENOTSUP;
		return NULL;
	}
	e->connections = cfg->export_connections ? cfg->export_connections : 64;
	e->timeout_s = cfg->export_timeout_s ? cfg->export_timeout_s : 10;
	snprintf(e->address, sizeof(e->address), "%s", cfg->listen);
	pthread_mutex_init(&e->lock, NULL);
	return e;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text, const char *allow)
{
	struct MHD_Response *r = httpd.create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	httpd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		httpd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		httpd.add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = httpd.queue_response(conn, status, r);
	httpd.destroy_response(r);
	return ret;
}

/* Called from libmicrohttpd's thread */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct exporter *e = cls;
	enum openmetrics_format format;
	struct MHD_Response *r;
	enum MHD_Result ret;
	bool gzip;

	(void)version;
	(void)upload_data;
	/* the first call brings the headers only; answer once the request is whole */
	if (!*con_cls) {
		*con_cls = e;
		return MHD_YES;
	}
	if (*upload_data_size) /* no request here has a body */
		return reply_text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "no body expected\n", NULL);
	if (e->web.nusers) {
		char *password = NULL;
		char *user = httpd.basic_auth_get_username_password(conn, &password);
		bool ok = user && web_config_user_ok(&e->web, user, password);

		httpd.free(user);
		if (password) {
			explicit_bzero(password, strlen(password));
			httpd.free(password);
		}
		if (!ok) {
			static const char denied[] = "unauthorized\n";
			struct MHD_Response *d = httpd.create_response_from_buffer(
				sizeof(denied) - 1, (void *)denied, MHD_RESPMEM_PERSISTENT);

			if (!d)
				return MHD_NO;
			ret = httpd.queue_basic_auth_fail_response(conn, "ktop", d);
			httpd.destroy_response(d);
			return ret;
		}
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n",
				  "GET, HEAD");
	if (strcmp(url, "/") == 0)
		return reply_text(conn, MHD_HTTP_OK, landing_page, NULL);
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: see /metrics\n", NULL);
	format = openmetrics_negotiate(httpd.lookup_connection_value(conn, MHD_HEADER_KIND,
								   MHD_HTTP_HEADER_ACCEPT));
	gzip = openmetrics_accepts_gzip(httpd.lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	if (gzip)
		__atomic_store_n(&e->gzip_wanted[format], 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&e->lock);
	r = gzip && e->responses[format][1] ? e->responses[format][1] : e->responses[format][0];
	ret = r ? httpd.queue_response(conn, MHD_HTTP_OK, r) : MHD_NO;
	pthread_mutex_unlock(&e->lock);
	if (!r)
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no frame yet\n", NULL);
	if (ret == MHD_YES)
		__atomic_add_fetch(&e->scrapes, 1, __ATOMIC_RELAXED);
	return ret;
}

static int exporter_start(struct ktop *k)
{
	struct exporter *e = k->sink_state;
	struct openmetrics_limits limits = { k->cfg.export_containers, k->cfg.export_histograms,
					     k->cfg.export_max_series };
	unsigned int per_ip = e->connections >= 8 ? e->connections / 2 : e->connections;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, e->web.cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, e->web.key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};

	e->om = openmetrics_new(&limits);
	if (!e->om) {
		fprintf(stderr, "ktop: out of memory for the metrics\n");
		return 1;
	}
	if (e->web.cert_pem)
		flags |= MHD_USE_TLS;
	else
		tls[0].option = MHD_OPTION_END;
	e->daemon = httpd.start_daemon(
		flags, 0, NULL, NULL, answer, e,
		MHD_OPTION_LISTEN_SOCKET, e->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, e->connections,
		/* one client may not take every connection: a scraper still gets in */
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, e->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)EXPORTER_MEMORY_PER_CONNECTION,
		MHD_OPTION_ARRAY, tls,
		MHD_OPTION_END);
	if (!e->daemon) {
		fprintf(stderr, "ktop: cannot serve HTTP on %s\n", e->address);
		return 1;
	}
	e->listen_fd = -1; /* the daemon's now */
	fprintf(stderr, "ktop: serving metrics at http%s://%s/metrics%s\n",
		e->web.cert_pem ? "s" : "", e->address,
		e->web.nusers ? " (basic auth)" : "");
	return 0;
}

/* A response holding buf (freed with it), or NULL (buf freed) */
static struct MHD_Response *response_of(char *buf, size_t len, enum openmetrics_format format,
					bool gzip)
{
	struct MHD_Response *r = httpd.create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);

	if (!r) {
		free(buf);
		return NULL;
	}
	httpd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				openmetrics_content_type(format));
	/* caches between the scraper and ktop must not hand one client's form to another */
	httpd.add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
	if (gzip)
		httpd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	return r;
}

/* One format rendered into responses: plain, and gzip when asked (else NULL) */
static void render(struct exporter *e, struct ktop *k, enum openmetrics_format format,
		   struct MHD_Response *out[2])
{
	char *buf = NULL, *z = NULL;
	size_t len = 0, zlen = 0;
	FILE *stream = open_memstream(&buf, &len);

	out[0] = out[1] = NULL;
	if (!stream)
		return;
	if (openmetrics_write(e->om, k, format, stream) < 0) {
		fclose(stream);
		free(buf);
		return;
	}
	fclose(stream);
	if (__atomic_load_n(&e->gzip_wanted[format], __ATOMIC_RELAXED) &&
	    openmetrics_gzip(buf, len, &z, &zlen) == 0)
		out[1] = response_of(z, zlen, format, true);
	out[0] = response_of(buf, len, format, false);
}

static void exporter_frame(struct ktop *k)
{
	struct exporter *e = k->sink_state;
	uint64_t scrapes = __atomic_load_n(&e->scrapes, __ATOMIC_RELAXED);
	struct MHD_Response *fresh[2][2], *old[2][2];

	if (scrapes != e->scrapes_seen) {
		openmetrics_scraped(e->om);
		e->scrapes_seen = scrapes;
	}
	openmetrics_add_frame(e->om, k, history_get(&k->history, 0));
	render(e, k, OPENMETRICS_PROMETHEUS, fresh[OPENMETRICS_PROMETHEUS]);
	render(e, k, OPENMETRICS_OPENMETRICS, fresh[OPENMETRICS_OPENMETRICS]);
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < 2; i++) {
		for (int z = 0; z < 2; z++) {
			old[i][z] = e->responses[i][z];
			/* a failed rendering keeps the previous one: stale, not missing */
			e->responses[i][z] = fresh[i][z] ? fresh[i][z] : old[i][z];
		}
	}
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < 2; i++)
		for (int z = 0; z < 2; z++)
			if (old[i][z] && fresh[i][z])
				httpd.destroy_response(old[i][z]);
}

static void exporter_stop(struct ktop *k)
{
	struct exporter *e = k->sink_state;

	if (e->daemon)
		httpd.stop_daemon(e->daemon);
	e->daemon = NULL;
}

void exporter_close(struct exporter *e)
{
	if (!e)
		return;
	if (e->daemon)
		httpd.stop_daemon(e->daemon);
	for (int i = 0; i < 2; i++)
		for (int z = 0; z < 2; z++)
			if (e->responses[i][z])
				httpd.destroy_response(e->responses[i][z]);
	if (e->listen_fd >= 0)
		close(e->listen_fd);
	openmetrics_free(e->om);
	web_config_free(&e->web);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

const struct sink_ops exporter_sink = {
	.name = "exporter",
	.start = exporter_start,
	.frame = exporter_frame,
	.stop = exporter_stop,
};
