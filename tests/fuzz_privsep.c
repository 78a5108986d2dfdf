// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_privsep.c: libFuzzer target for the privileged helper's request parser
 * (privsep_request_parse in core/privsep.c): any bytes as one message from the channel,
 * with the first byte's low four bits taken as the number of fds that came with it.
 * What it accepts must be exactly one request the helper knows, with the arguments that
 * request allows; everything else is refused. A PRIVSEP_FUNC_ATTACH request must name a
 * function with [A-Za-z0-9_.] only, NUL-terminated in its field, and come with exactly
 * the map fds its bits name (the functions' six shared maps: all or none). Build and run:
 * make fuzz (seed corpus: tests/corpus/privsep/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/privsep.h"

static void func_check(const struct privsep_func_request *func, unsigned int nfds)
{
	const uint32_t shared = (1u << PRIVSEP_FUNC_SHARED) - 1;
	size_t n = strnlen(func->name, sizeof(func->name));

	if (func->head.pid || func->head.arg >= PRIVSEP_FUNC_SLOTS)
		abort();
	if (func->method != PRIVSEP_FUNC_FENTRY && func->method != PRIVSEP_FUNC_KPROBE)
		abort();
	if (func->flags & ~PRIVSEP_FUNC_COUNTS_ONLY || func->ret_kind > PRIVSEP_FUNC_RET_MAX)
		abort();
	if (func->maps >> PRIVSEP_FUNC_MAP_END || (unsigned int)__builtin_popcount(func->maps) != nfds)
		abort();
	if ((func->maps & shared) && (func->maps & shared) != shared)
		abort();
	if (n == 0 || n == sizeof(func->name))
		abort();
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.",
			    func->name[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct privsep_func_request func;
	struct privsep_request req;
	unsigned int nfds;
	int err;

	if (size < 1)
		return 0;
	nfds = data[0] & 15;
	data++, size--;
	memset(&req, 0xa5, sizeof(req));
	memset(&func, 0xa5, sizeof(func));
	err = privsep_request_parse(data, size, nfds, &req, &func);
	if (err != 0 && err != -EINVAL)
		abort();
	if (err)
		return 0;
	if (req.magic != PRIVSEP_MAGIC)
		abort();
	if (req.op == PRIVSEP_FUNC_ATTACH) {
		if (size != sizeof(func) || memcmp(&func, data, sizeof(func)) != 0)
			abort();
		func_check(&func, nfds);
		return 0;
	}
	if (size != sizeof(req) || nfds)
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
