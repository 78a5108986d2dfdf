/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/manpage.h: ktop.1, written in roff from the tables behind --help (core/cli.h),
 * --dump-config (core/options.h) and --list-actions, so the manual cannot drift from them.
 */
#ifndef KTOP_CORE_MANPAGE_H
#define KTOP_CORE_MANPAGE_H

#include <stdio.h>

#include "cli.h"

/* actions: --list-actions' output (name TAB keys TAB help, one per line), from the screen */
void manpage_write(FILE *out, const struct cli_option *opts, unsigned int n,
		   const char *actions);

#endif
