// SPDX-License-Identifier: GPL-2.0
/* core/output.c: batch text and NDJSON sinks. Both render tables from their schemas. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "containers.h"
#include "format.h"
#include "openmetrics.h"
#include "output.h"

unsigned int output_utf8_length(const unsigned char *s)
{
	unsigned int n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (unsigned int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void output_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*p) {
		unsigned int n;

		if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p++, out);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p++);
		} else if ((n = output_utf8_length(p)) == 0) {
			fputs("\\ufffd", out);
			p++;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
	fputc('"', out);
}

static void format_time_iso(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts->tv_nsec / 1000000);
}

static void json_cell(FILE *out, const struct table *t, const struct table_row *r,
		      const struct table_column *c)
{
	switch (c->kind) {
	case COL_NAME:
		output_json_string(out, c->src ? r->label : r->name);
		break;
	case COL_TEXT_VALUE: {
		char buf[64];

		output_json_string(out, format_cell(t, r, (unsigned int)(c - t->schema->columns),
						    1.0, buf, sizeof(buf)));
		break;
	}
	case COL_CPUS: {
		bool first = true;

		fputc('[', out);
		for (int cpu = 0; cpu < 64; cpu++)
			if (r->v[c->src] >> cpu & 1) {
				fprintf(out, first ? "%d" : ",%d", cpu);
				first = false;
			}
		fputc(']', out);
		break;
	}
	default:
		fprintf(out, "%llu", (unsigned long long)r->v[c->src]);
	}
}

static void json_hist(FILE *out, const struct hist *h)
{
	int last = HIST_SLOTS - 1;

	while (last >= 0 && h->slot[last] == 0)
		last--;
	fputc('[', out);
	for (int i = 0; i <= last; i++)
		fprintf(out, i ? ",%u" : "%u", h->slot[i]);
	fputc(']', out);
}

static void json_table(FILE *out, const struct frame *f, const struct table *t)
{
	const struct table_schema *s = t->schema;

	fprintf(out, ",\"%s\":[", s->id);
	for (unsigned int i = 0; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		bool first = true;

		fputs(i ? ",{" : "{", out);
		for (unsigned int c = 0; c < s->ncolumns; c++) {
			if (s->columns[c].derived)
				continue;
			fprintf(out, first ? "\"%s\":" : ",\"%s\":", s->columns[c].id);
			json_cell(out, t, r, &s->columns[c]);
			first = false;
		}
		if (table_row_exited(t, r))
			fprintf(out, ",\"exited\":%llu", (unsigned long long)table_row_exited(t, r));
		for (unsigned int h = 0; h < s->hist_count; h++) {
			const struct hist *hist = frame_row_hist_const(f, r, h);

			if (!hist)
				continue;
			fprintf(out, ",\"%s_hist\":", s->hist_names[h]);
			json_hist(out, hist);
		}
		if (s->strings_id) {
			fprintf(out, ",\"%s\":[", s->strings_id);
			for (unsigned int j = 0; j < r->nstrings; j++) {
				if (j)
					fputc(',', out);
				output_json_string(out, r->strings[j]);
			}
			fputc(']', out);
		}
		fputc('}', out);
	}
	fputc(']', out);
}

void output_frame_json(const struct ktop *k, const struct frame *f, FILE *out)
{
	char when[64];

	format_time_iso(&f->wall, when, sizeof(when));
	fprintf(out, "{\"time\":\"%s\",\"timestamp\":%ld.%03ld,\"seq\":%llu,\"interval_s\":%.6f",
		when, (long)f->wall.tv_sec, f->wall.tv_nsec / 1000000,
		(unsigned long long)f->seq, f->interval_s);
	/* the selected container's name (what was asked for while it is not running), as
	 * the frame was made: a replay says what the live run said */
	fputs(",\"container\":", out);
	if (f->container)
		output_json_string(out, f->container);
	else
		fputs("null", out);
	fputs(",\"container_state\":", out);
	output_json_string(out, f->container_state ? f->container_state : "all");
	fputs(",\"collectors\":{", out);
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		const struct collector *c = &k->collectors[i];
		char state[COLLECTOR_REASON_MAX + 32];

		fprintf(out, i ? ",\"%s\":" : "\"%s\":", c->ops->name);
		output_json_string(out, collector_state(c, state, sizeof(state)));
	}
	fputc('}', out);
	fprintf(out, ",\"self\":{\"cpu_pct\":%.2f,\"rss_kb\":%llu,\"dropped\":%llu", f->self.cpu_pct,
		(unsigned long long)f->self.rss_kb, (unsigned long long)f->self.dropped);
	if (f->self.bpf_stats)
		fprintf(out, ",\"bpf_ns_per_s\":%.0f", f->self.bpf_ns_per_s);
	fputc('}', out);
	for (unsigned int i = 0; i < f->ntables; i++) {
		const struct table *t = &f->tables[i];

		if (t->schema->internal || (t->schema->detail && t->nrows == 0))
			continue;
		json_table(out, f, t);
	}
	fputs("}\n", out);
	fflush(out);
}

/* -b prints a row's strings under it, one a line, when they read that way: a stack. Not
 * the Kubernetes names of a pod's container: its name already reads namespace/pod/container,
 * and a table of one row a line is what a reader, grep and awk want; -J, recordings and the
 * exporter carry them, with the pod UID */
static bool strings_in_text(const struct table_schema *s)
{
	return s->strings_id && strcmp(s->strings_id, "kubernetes") != 0;
}

static void text_table(FILE *out, const struct frame *f, const struct table *t)
{
	const struct table_schema *s = t->schema;
	char cell[128];

	fprintf(out, "\n%s\n", table_title(t));
	for (unsigned int c = 0; c < s->ncolumns; c++)
		fprintf(out, s->columns[c].kind == COL_NAME ? "%-*s " : "%*s ",
			s->columns[c].width, s->columns[c].title);
	fputc('\n', out);
	for (unsigned int i = 0; i < t->nrows; i++) {
		for (unsigned int c = 0; c < s->ncolumns; c++) {
			format_cell(t, &t->rows[i], c, f->interval_s, cell, sizeof(cell));
			fprintf(out, s->columns[c].kind == COL_NAME ? "%-*s " : "%*s ",
				s->columns[c].width, cell);
		}
		fputc('\n', out);
		for (unsigned int j = 0; strings_in_text(s) && j < t->rows[i].nstrings; j++)
			fprintf(out, "    %s\n", t->rows[i].strings[j]);
	}
}

void output_frame_text(const struct ktop *k, const struct frame *f, FILE *out)
{
	char when[64];

	format_time_iso(&f->wall, when, sizeof(when));
	fprintf(out, "ktop %s  host %s  kernel %s  cpus %d  interval %.3fs  %s\n",
		when, k->hostname, k->kernel, k->ncpus, f->interval_s,
		f->container_text ? f->container_text : "all containers");
	for (unsigned int i = 0; i < k->ncollectors; i++)
		if (!k->collectors[i].running)
			fprintf(out, "%s: unavailable: %s\n", k->collectors[i].ops->name,
				k->collectors[i].reason);
	for (unsigned int i = 0; i < f->ntables; i++) {
		const struct table *t = &f->tables[i];

		if (t->schema->internal || (t->schema->detail && t->nrows == 0))
			continue;
		text_table(out, f, t);
	}
	fputs("\n", out);
	fflush(out);
}

static int batch_start(struct ktop *k)
{
	(void)k;
	return 0;
}

static void text_frame(struct ktop *k)
{
	output_frame_text(k, history_get(&k->history, 0), k->out);
}

static void json_frame(struct ktop *k)
{
	output_frame_json(k, history_get(&k->history, 0), k->out);
}

const struct sink_ops text_sink = {
	.name = "text",
	.start = batch_start,
	.frame = text_frame,
};

const struct sink_ops json_sink = {
	.name = "json",
	.start = batch_start,
	.frame = json_frame,
};

/* -b --format prometheus|openmetrics: the exposition after every frame, cumulative since
 * start (the textfile collector's format); each one printed counts as a scrape */
static int exposition_start(struct ktop *k)
{
	struct openmetrics_limits limits = { k->cfg.export_containers, k->cfg.export_histograms,
					     k->cfg.export_max_series };

	k->sink_state = openmetrics_new(&limits);
	if (!k->sink_state) {
		fprintf(stderr, "ktop: out of memory for the metrics\n");
		return 1;
	}
	return 0;
}

static void exposition_frame(struct ktop *k)
{
	struct openmetrics *om = k->sink_state;
	bool om_format = k->cfg.output == OUTPUT_OPENMETRICS;

	openmetrics_add_frame(om, k, history_get(&k->history, 0));
	openmetrics_write(om, k, om_format ? OPENMETRICS_OPENMETRICS : OPENMETRICS_PROMETHEUS,
			  k->out);
	if (!om_format)
		fputc('\n', k->out); /* a blank line between expositions; parsers skip it */
	fflush(k->out);
	openmetrics_scraped(om);
}

static void exposition_stop(struct ktop *k)
{
	openmetrics_free(k->sink_state);
	k->sink_state = NULL;
}

const struct sink_ops exposition_sink = {
	.name = "openmetrics",
	.start = exposition_start,
	.frame = exposition_frame,
	.stop = exposition_stop,
};
