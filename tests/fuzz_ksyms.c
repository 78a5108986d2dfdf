// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_ksyms.c: libFuzzer target for the /proc/kallsyms parser (core/ksyms.c): any
 * text is loaded as a symbol table, then looked up (addresses in and around the table,
 * names) and formatted. Build and run: make fuzz (seed corpus: tests/corpus/ksyms/).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms k = { 0 };
	char buf[256];
	uint64_t off;
	FILE *in;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (ksyms_load_stream(&k, in) == 0) {
		for (size_t i = 0; i < k.count && i < 64; i++) {
			uint64_t a = k.syms[i].addr;

			ksyms_find(&k, a, &off);
			ksyms_find(&k, a - 1, &off);
			ksyms_find(&k, a + 1, NULL);
			ksyms_format(&k, a + 3, buf, sizeof(buf));
			ksyms_format(&k, a, buf, 8);
			ksyms_address(&k, k.syms[i].name);
		}
		ksyms_find(&k, 0, &off);
		ksyms_find(&k, UINT64_MAX, &off);
		ksyms_format(&k, UINT64_MAX, buf, sizeof(buf));
		ksyms_address(&k, "");
		ksyms_address(&k, "_stext");
	}
	fclose(in);
	ksyms_free(&k);
	return 0;
}
