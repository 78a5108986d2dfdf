// SPDX-License-Identifier: GPL-2.0
/*
 * ui/pane_state.c: what a view holds, and what an empty pane says. A pane whose collector
 * cannot run here says why, in the collector's own words (the Functions pane on a kernel
 * without kprobes or fentry), rather than look like an idle one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

const char *pane_empty_text(const struct ui *ui, const struct table_schema *s)
{
	static char text[COLLECTOR_REASON_MAX + 48];
	const struct ktop *k = ui->k;

	/* the detail of a row of exited processes: nothing of theirs is left to count */
	if (ui->depth > 0 && ui->trail_exited[ui->depth - 1] &&
	    (s == ui->detail.schema || s == ui->detail_also.schema))
		return "(these processes have exited: nothing of theirs is left to count)";
	if (k->source) /* a replay: the recording's collectors are not this run's */
		return "(nothing in this interval)";
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		const struct collector *c = &k->collectors[i];

		if (c->running || !c->ops)
			continue;
		for (const struct table_schema *const *t = c->ops->tables; *t; t++)
			if (*t == s) {
				snprintf(text, sizeof(text), "(%s: %s)",
					 strncmp(c->reason, "off:", 4) ? "unavailable" : "off",
					 strncmp(c->reason, "off:", 4) ? c->reason
								       : c->reason + 5);
				return text;
			}
	}
	return "(nothing in this interval)";
}

void pane_view_free(struct pane_view *v)
{
	free(v->order.index);
	v->order = (struct pane_order){ 0 };
}
