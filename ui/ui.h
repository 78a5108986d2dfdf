/* SPDX-License-Identifier: GPL-2.0 */
/* ui/ui.h: the full-screen sink. This header is curses-free so core/ can name it. */
#ifndef KTOP_UI_UI_H
#define KTOP_UI_UI_H

#include "core/ktop.h"

extern const struct sink_ops screen_sink;

#endif
