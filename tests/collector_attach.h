/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/collector_attach.h: `bpf_NAME --attach SECONDS` for the benchmarks
 * (tools/bench-deferred.sh, tests/workloads/tasklet_bench.sh): one collector alone, opened
 * with defaults, sampled once a second for SECONDS. Prints "attached" once its programs are
 * attached. Included once per test program (static functions).
 */
#ifndef KTOP_TESTS_COLLECTOR_ATTACH_H
#define KTOP_TESTS_COLLECTOR_ATTACH_H

#include <stdio.h>
#include <time.h>

#include "core/collector.h"
#include "core/config.h"
#include "core/frame.h"

/* Register ops's tables with the frames; -1 when there is no room */
static int collector_register_schemas(const struct collector_ops *ops)
{
	for (const struct table_schema *const *s = ops->tables; *s; s++)
		if (frame_register_schema(*s) < 0)
			return -1;
	return 0;
}

/* Attach ops's collector for seconds, sampling once a second; the exit status */
static int collector_attach_for(const struct collector_ops *ops, double seconds)
{
	struct collector c = { .ops = ops };
	struct ktop_config cfg = { 0 };
	struct history h;

	if (collector_register_schemas(ops) < 0 || history_init(&h, 4) < 0)
		return 1;
	if (c.ops->open(&c, &cfg) < 0) {
		fprintf(stderr, "%s: %s\n", ops->name, c.reason);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	for (double t = 0; t < seconds; t += 1) {
		double step = seconds - t >= 1 ? 1 : seconds - t;
		struct timespec ts = { (time_t)step, (long)((step - (time_t)step) * 1e9) };

		nanosleep(&ts, NULL);
		c.ops->sample(&c, history_next(&h));
	}
	c.ops->close(&c);
	history_free(&h);
	return 0;
}

#endif
