// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_privsep.c: libFuzzer target for the privileged helper's request parser
 * (privsep_request_parse in core/privsep.c): any bytes as one message from the channel.
 * What it accepts must be exactly one request the helper knows, with the arguments that
 * request allows; everything else is refused. Build and run: make fuzz (seed corpus:
 * tests/corpus/privsep/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/privsep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct privsep_request req;
	int err;

	memset(&req, 0xa5, sizeof(req));
	err = privsep_request_parse(data, size, &req);
	if (err != 0 && err != -EINVAL)
		abort();
	if (err)
		return 0;
	if (size != sizeof(req) || req.magic != PRIVSEP_MAGIC)
		abort();
	switch (req.op) {
	case PRIVSEP_NS_INODE:
		if (!req.pid || req.arg >= PRIVSEP_NS_END)
			abort();
		break;
	case PRIVSEP_UTS_HOSTNAME:
		if (!req.pid || req.arg)
			abort();
		break;
	case PRIVSEP_BPF_STATS:
	case PRIVSEP_RECORD_FILE:
		if (req.pid || req.arg > 1 || (req.op == PRIVSEP_BPF_STATS && req.arg))
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
