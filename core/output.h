/* SPDX-License-Identifier: GPL-2.0 */
/* core/output.h: frames as batch text (-b), NDJSON (-J) and metrics; see docs/JSON.md. */
#ifndef KTOP_CORE_OUTPUT_H
#define KTOP_CORE_OUTPUT_H

#include <stdio.h>

#include "ktop.h"

void output_frame_text(const struct ktop *k, const struct frame *f, FILE *out);
void output_frame_json(const struct ktop *k, const struct frame *f, FILE *out);
/* s as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD */
void output_json_string(FILE *out, const char *s);
/* Length of the valid UTF-8 sequence at s, 0 when it is not one */
unsigned int output_utf8_length(const unsigned char *s);
/* -b --format prometheus|openmetrics (core/openmetrics.h) */
extern const struct sink_ops exposition_sink;

#endif
