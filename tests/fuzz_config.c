// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_config.c: libFuzzer target for config files and themes: any text through the
 * INI reader (core/ini_file.c) into the options table (core/options.c), and through the
 * theme parser (core/theme.c); the settings then dumped back as a config file. The first
 * byte picks config or theme so one corpus serves both. Build and run: make fuzz (seed
 * corpus: tests/corpus/config/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "collectors/registry.h"
#include "core/ini_file.h"
#include "core/options.h"
#include "core/theme.h"

static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the config names panes and columns: the schemas must be known */
	collectors_register_schemas();
	sink = fopen("/dev/null", "w");
	return sink ? 0 : -1;
}

static int config_value(void *user, const char *section, const char *key, const char *value,
			char *err, size_t errlen)
{
	return options_set(user, section, key, value, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[INI_ERROR_MAX];

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		struct theme t;

		theme_builtin(&t, false);
		theme_parse_text(&t, "fuzz.theme", (const char *)data + 1, size - 1, err,
				 sizeof(err));
	} else {
		static struct ktop_config cfg;

		config_defaults(&cfg);
		if (ini_text_parse("fuzz.conf", (const char *)data + 1, size - 1, config_value,
				   &cfg, err, sizeof(err)) == 0)
			options_dump(&cfg, sink);
	}
	return 0;
}
