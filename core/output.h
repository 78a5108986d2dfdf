/* SPDX-License-Identifier: GPL-2.0 */
/* core/output.h: frames as batch text (-b) and NDJSON (-J); see docs/JSON.md. */
#ifndef KTOP_CORE_OUTPUT_H
#define KTOP_CORE_OUTPUT_H

#include <stdio.h>

#include "ktop.h"

void output_frame_text(const struct ktop *k, const struct frame *f, FILE *out);
void output_frame_json(const struct ktop *k, const struct frame *f, FILE *out);
/* s as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD */
void output_json_string(FILE *out, const char *s);

#endif
