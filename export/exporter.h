/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export/exporter.h: ktop --listen ADDR:PORT, the HTTP side of the exporter.
 *
 * A sink: each frame is added to core's OpenMetrics writer and rendered once, in both
 * formats, into a snapshot that libmicrohttpd serves from its own thread until the next
 * frame replaces it. A client, however slow or hostile, only ever reads a finished
 * snapshot: it can neither delay a frame nor make one be rendered again. Connections are
 * limited in number, time and memory (docs/EXPORTER.md).
 */
#ifndef KTOP_EXPORT_EXPORTER_H
#define KTOP_EXPORT_EXPORTER_H

#include <stddef.h>

#include "core/ktop.h"

struct exporter;

/* Check "ADDR:PORT", "[IPV6]:PORT" or ":PORT" (every address); 0, or -1 with err set */
int exporter_parse_listen(const char *listen, char *host, size_t host_len, char *port,
			  size_t port_len, char *err, size_t err_len);

/* Bind and listen on cfg->listen: before privileges are dropped, so a port below 1024
 * works. Serves nothing until the sink starts. NULL with err set on failure. */
struct exporter *exporter_open(const struct ktop_config *cfg, char *err, size_t err_len);
/* Stop serving and free everything (after the sink stopped, or instead of starting it) */
void exporter_close(struct exporter *e);

/* k->sink_state is the exporter from exporter_open */
extern const struct sink_ops exporter_sink;

#endif
