/* SPDX-License-Identifier: GPL-2.0 */
/* ui/ui.h: the full-screen sink. This header is curses-free so core/ can name it. */
#ifndef KTOP_UI_UI_H
#define KTOP_UI_UI_H

#include "core/ktop.h"
#include "core/options.h"

extern const struct sink_ops screen_sink;
/* The [keys] section of the config: checked against the action table (no curses used) */
extern const struct options_keys_ops ui_keys_options;
/* --list-actions: one line per action: name, keys, help (tab-separated) */
void ui_actions_list(FILE *out, const struct ktop_config *cfg);

#endif
