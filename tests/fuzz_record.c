// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_record.c: libFuzzer target for the recording reader (core/replay.c).
 *
 * Every input is opened twice: once as a file would be (CRCs checked), once with CRCs
 * ignored so the fuzzer reaches the decoders behind them. Each frame the reader accepts
 * is decoded into a small history, rendered as JSON and text (to /dev/null), and sought to.
 * Build and run: make fuzz (seed corpus: tests/corpus/record/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "collectors/registry.h"
#include "core/output.h"
#include "core/record.h"

static struct ktop k;
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	collectors_register_schemas();
	config_defaults(&k.cfg);
	if (history_init(&k.history, 4) < 0)
		abort();
	sink = fopen("/dev/null", "w");
	if (!sink)
		abort();
	return 0;
}

static void replay_all(const uint8_t *data, size_t size, unsigned int flags)
{
	char err[600];
	struct replay *r = replay_open_memory(data, size, "fuzz", flags, err, sizeof(err));

	if (!r)
		return;
	replay_identity(r, &k);
	k.source = &replay_source;
	k.source_state = r;
	for (unsigned int i = 0; i < replay_frame_count(r) && i < 64; i++) {
		struct frame *f = history_next(&k.history);

		if (replay_read(r, i, &k, f) < 0)
			abort(); /* the scan accepted this frame: decoding it must work */
		output_frame_json(&k, f, sink);
		output_frame_text(&k, f, sink);
	}
	replay_seek(&k, replay_frame_count(r) / 2);
	replay_seek_time(&k, "00:00");
	k.source = NULL;
	k.source_state = NULL;
	k.ncollectors = 0;
	k.cfg.container = NULL;
	replay_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	replay_all(data, size, 0);
	replay_all(data, size, REPLAY_NO_CRC);
	return 0;
}
