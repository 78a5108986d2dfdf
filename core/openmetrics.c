// SPDX-License-Identifier: GPL-2.0
/*
 * core/openmetrics.c: the exposition writer. Running totals from frames, written as the
 * Prometheus text format 0.0.4 or OpenMetrics 1.0; docs/EXPORTER.md lists the metrics.
 *
 * Each exported table is a group: its rows are summed per label set into entities that
 * keep cumulative totals (counts, ns, log2 histogram slots). Counts are written as
 * integers, times as exact decimal seconds, histograms as classic cumulative buckets
 * whose upper bounds are the kernel's log2 slot bounds (le = 2^(i+1) ns).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "format.h"
#include "openmetrics.h"
#include "output.h"

#define OM_LABEL_VALUE_MAX 128 /* bytes of one label value; longer ones are cut */
#define OM_LABELS_MAX 1024     /* one entity's rendered labels (6 values of at most 128 bytes, escaped) */
#define OM_GROUP_ENTITIES 4096 /* entities one table may hold; more are counted, not kept */
#define OM_GONE_FRAMES 60      /* a gone container nobody scrapes is forgotten after this */
#define OM_SCORE_DECAY 0.5
#define STR_(x) #x
#define STR(x) STR_(x)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))     /* the busiest rank follows activity over a few frames */

enum label_transform {
	LABEL_AS_IS,
	LABEL_IRQ_ACTIONS,  /* "24 virtio0-input" -> "virtio0-input" */
	LABEL_SOFTIRQ_TYPE, /* "NET_RX" -> node_exporter's "net_rx" */
	/* a pod's container (the row's "kubernetes" strings), cAdvisor's label names: */
	LABEL_K8S_CONTAINER, /* its container name, else the row's name */
	LABEL_K8S_NAMESPACE, /* its namespace; left out when not a pod's */
	LABEL_K8S_POD,	     /* its pod; left out when not a pod's */
};

#define RULE_LABELS 6

enum metric_kind { METRIC_COUNT, METRIC_SECONDS, METRIC_GAUGE };

struct label_rule {
	const char *label, *column;
	enum label_transform transform;
};

/* name NULL: the column is not exported (another metric carries it) */
struct metric_rule {
	const char *column, *name, *help;
	bool gauge;
};

struct hist_rule {
	const char *hist, *name, *help, *sum_column;
};

/* How one table is exported when the generic naming is not what people expect */
struct table_rule {
	const char *table;
	bool skip;	 /* not exported */
	bool containers; /* top N + _other; a row missing from a frame is a container gone */
	struct label_rule labels[RULE_LABELS];
	struct metric_rule metrics[8];
	struct hist_rule hists[2];
};

static const struct table_rule table_rules[] = {
	{ .table = "syscalls",
	  .labels = { { "syscall", "name" } },
	  .metrics = {
		  { "count", "ktop_syscalls_total", "System calls completed." },
		  { "errors", "ktop_syscall_errors_total", "System calls that returned an error." },
		  { "total_ns", "ktop_syscall_seconds_total", "Time spent in system calls." },
		  { "restarts", "ktop_syscall_restarts_total",
		    "System calls ended to be restarted (-ERESTARTSYS and kin)." } },
	  .hists = { { "latency", "ktop_syscall_duration_seconds",
		       "System call latency (the busiest system calls only).", "total_ns" } } },
	/* one series per process id would churn without end: containers carry it */
	{ .table = "processes", .skip = true },
	{ .table = "hardirqs",
	  .labels = { { "irq", "irq" }, { "name", "name", LABEL_IRQ_ACTIONS } },
	  .metrics = {
		  { "count", "ktop_hardirq_total", "Hard interrupts handled." },
		  { "total_ns", "ktop_hardirq_seconds_total", "Time in hard interrupt handlers." },
		  { "calls", "ktop_hardirq_handler_runs_total",
		    "Handler runs (more than interrupts on a shared line)." } },
	  .hists = { { "duration", "ktop_hardirq_duration_seconds",
		       "Hard interrupt handler duration.", "total_ns" } } },
	{ .table = "softirqs",
	  .labels = { { "type", "name", LABEL_SOFTIRQ_TYPE } },
	  .metrics = {
		  { "count", "ktop_softirq_total", "Softirq runs." },
		  { "total_ns", "ktop_softirq_seconds_total",
		    "Time in softirqs, hard interrupts nested inside removed." },
		  { "ksoftirqd", "ktop_softirq_ksoftirqd_total", "Softirq runs in ksoftirqd." },
		  { "delays", NULL },
		  { "delay_total_ns", NULL },
		  { "irq_ns", "ktop_softirq_hardirq_seconds_total",
		    "Hard interrupt time that interrupted softirqs." } },
	  .hists = { { "duration", "ktop_softirq_duration_seconds", "Softirq run duration.",
		       "total_ns" },
		     { "delay", "ktop_softirq_raise_delay_seconds",
		       "Wait from the first raise of a softirq to its run.", "delay_total_ns" } } },
	{ .table = "tasklets",
	  .labels = { { "function", "func" }, { "kind", "kind" } },
	  .metrics = {
		  { "count", "ktop_tasklet_total", "Tasklet and BH work runs." },
		  { "total_ns", "ktop_tasklet_seconds_total", "Time in tasklets and BH work." },
		  { "queue_total_ns", NULL } },
	  .hists = { { "exec", "ktop_tasklet_duration_seconds", "Tasklet run duration.",
		       "total_ns" },
		     { "queue", "ktop_tasklet_queue_delay_seconds",
		       "Wait from scheduling a tasklet to its run.", "queue_total_ns" } } },
	{ .table = "critical",
	  .labels = { { "kind", "kind" } },
	  .metrics = {
		  { "count", "ktop_critical_sections_total",
		    "Critical sections (interrupts, BH or preemption off) detected above the threshold." },
		  { "total_ns", "ktop_critical_section_seconds_total",
		    "Time in critical sections above the threshold." } },
	  .hists = { { "duration", "ktop_critical_section_duration_seconds",
		       "Critical section duration (above the threshold).", "total_ns" } } },
	{ .table = "containers",
	  .containers = true,
	  .labels = { { "container", "name", LABEL_K8S_CONTAINER },
		      { "namespace", "name", LABEL_K8S_NAMESPACE },
		      { "pod", "name", LABEL_K8S_POD }, { "runtime", "runtime" },
		      { "container_id", "id" } },
	  .metrics = {
		  { "count", "ktop_container_syscalls_total",
		    "System calls made by the container's processes." },
		  { "errors", "ktop_container_syscall_errors_total",
		    "System calls of the container's processes that returned an error." },
		  { "irq_ns", "ktop_container_irq_seconds_total",
		    "Hard and soft interrupt time charged to the container (work that "
		    "interrupted its tasks)." },
		  { "procs", "ktop_container_processes", "Processes in the container.", true } } },
};

struct om_label {
	char name[CONFIG_NAME_MAX + 1];
	int column;
	enum label_transform transform;
};

struct om_metric {
	char name[96];
	const char *help;
	unsigned int src;
	enum metric_kind kind;
};

struct om_hist {
	char name[96];
	const char *help;
	unsigned int which;
	int sum_src; /* value index of the summed durations in ns, -1: estimated from slots */
};

struct entity {
	char *labels; /* rendered: name="value",name="value" */
	uint64_t hash;
	uint64_t total[TABLE_MAX_VALUES]; /* running totals by value index; gauges: last */
	uint64_t hist[2][HIST_SLOTS];
	double score;		/* decayed activity: who is busiest */
	uint64_t seen_frame;	/* the last frame it had a row in */
	uint64_t gone_scrapes;	/* scrapes so far when it went away */
	bool gone, exported;
};

struct group {
	const struct table_schema *schema;
	const struct table_rule *rule;
	struct om_label labels[RULE_LABELS];
	unsigned int nlabels;
	struct om_metric metrics[TABLE_MAX_COLUMNS];
	unsigned int nmetrics;
	struct om_hist hists[2];
	unsigned int nhists;
	struct entity **entities;
	unsigned int nentities, capacity;
	int32_t *index; /* open addressing over entities, -1 free */
	unsigned int index_size;
	struct entity *other; /* containers beyond the busiest */
	uint64_t rows_dropped; /* rows the collector dropped (beyond max_rows), cumulative */
};

struct openmetrics {
	struct openmetrics_limits limits;
	struct group groups[TABLE_MAX_TABLES];
	unsigned int ngroups;
	bool grouped;
	uint64_t frames, scrapes;
	uint64_t dropped_events, entities_dropped, cap_hits;
	uint64_t bpf_run_ns;
	double cpu_s;
	uint64_t rss_kb;
	double interval_s;
	struct timespec wall;
	/* scratch, reused */
	struct entity **sorted;
	unsigned int sorted_capacity;
	struct entity **row_entity;
	unsigned int row_entity_capacity;
};

static const struct table_rule *rule_find(const char *table)
{
	for (size_t i = 0; i < ARRAY_SIZE(table_rules); i++)
		if (strcmp(table_rules[i].table, table) == 0)
			return &table_rules[i];
	return NULL;
}

static const struct metric_rule *metric_rule_find(const struct table_rule *rule,
						  const char *column)
{
	for (size_t i = 0; rule && i < ARRAY_SIZE(rule->metrics) && rule->metrics[i].column; i++)
		if (strcmp(rule->metrics[i].column, column) == 0)
			return &rule->metrics[i];
	return NULL;
}

static bool column_is_label(const struct group *g, unsigned int col)
{
	for (unsigned int i = 0; i < g->nlabels; i++)
		if (g->labels[i].column == (int)col)
			return true;
	return false;
}

/* "total_ns" -> "total": the unit goes to the end of the metric name */
static void column_stem(const char *id, char *buf, size_t len)
{
	size_t n = strlen(id);

	if (n > 3 && strcmp(id + n - 3, "_ns") == 0)
		n -= 3;
	snprintf(buf, len, "%.*s", (int)n, id);
}

static void group_add_hists(struct group *g)
{
	const struct table_schema *s = g->schema;

	for (unsigned int h = 0; h < s->hist_count && h < 2; h++) {
		const struct hist_rule *hr = NULL;
		struct om_hist *oh = &g->hists[g->nhists];
		int sum = -1;

		for (size_t i = 0; g->rule && i < ARRAY_SIZE(g->rule->hists); i++)
			if (g->rule->hists[i].hist && strcmp(g->rule->hists[i].hist,
							    s->hist_names[h]) == 0)
				hr = &g->rule->hists[i];
		if (hr) {
			snprintf(oh->name, sizeof(oh->name), "%s", hr->name);
			oh->help = hr->help;
			if (hr->sum_column)
				sum = table_column_index(s, hr->sum_column);
		} else {
			char col[96];

			snprintf(oh->name, sizeof(oh->name), "ktop_%s_%s_seconds", s->id,
				 s->hist_names[h]);
			oh->help = s->title;
			snprintf(col, sizeof(col), "%s_total_ns", s->hist_names[h]);
			sum = table_column_index(s, col);
			if (sum < 0 && h == 0)
				sum = table_column_index(s, "total_ns");
		}
		oh->which = h;
		oh->sum_src = sum >= 0 ? s->columns[sum].src : -1;
		g->nhists++;
	}
}

/* Labels, metrics and histograms of one table, from its rule or from its schema */
static void group_init(struct group *g, const struct table_schema *s,
		       const struct table_rule *rule)
{
	memset(g, 0, sizeof(*g));
	g->schema = s;
	g->rule = rule;
	if (rule && rule->labels[0].label) {
		for (size_t i = 0; i < ARRAY_SIZE(rule->labels) && rule->labels[i].label; i++) {
			int col = table_column_index(s, rule->labels[i].column);

			if (col < 0)
				continue;
			snprintf(g->labels[g->nlabels].name, sizeof(g->labels[0].name), "%s",
				 rule->labels[i].label);
			g->labels[g->nlabels].column = col;
			g->labels[g->nlabels++].transform = rule->labels[i].transform;
		}
	} else {
		for (unsigned int c = 0; c < s->ncolumns && g->nlabels < ARRAY_SIZE(g->labels); c++) {
			if (s->columns[c].derived || (s->columns[c].kind != COL_NAME &&
						      s->columns[c].kind != COL_TEXT_VALUE))
				continue;
			snprintf(g->labels[g->nlabels].name, sizeof(g->labels[0].name), "%s",
				 s->columns[c].id);
			g->labels[g->nlabels++].column = (int)c;
		}
	}
	for (unsigned int c = 0; c < s->ncolumns; c++) {
		const struct table_column *col = &s->columns[c];
		const struct metric_rule *mr = metric_rule_find(rule, col->id);
		struct om_metric *m = &g->metrics[g->nmetrics];
		char stem[64];

		if (col->derived || column_is_label(g, c) || (mr && !mr->name))
			continue;
		if (mr && mr->gauge)
			m->kind = METRIC_GAUGE;
		else if (col->kind == COL_COUNT)
			m->kind = METRIC_COUNT;
		else if (col->kind == COL_TIME)
			m->kind = METRIC_SECONDS;
		else
			continue; /* maxima, ids, CPU lists: the histograms carry durations */
		column_stem(col->id, stem, sizeof(stem));
		if (mr)
			snprintf(m->name, sizeof(m->name), "%s", mr->name);
		else
			snprintf(m->name, sizeof(m->name), "ktop_%s_%s%s", s->id, stem,
				 m->kind == METRIC_SECONDS ? "_seconds_total"
				 : m->kind == METRIC_COUNT ? "_total" : "");
		m->help = mr ? mr->help : col->help;
		m->src = col->src;
		g->nmetrics++;
	}
	group_add_hists(g);
}

static void groups_init(struct openmetrics *om)
{
	for (unsigned int i = 0; i < frame_schema_count() && om->ngroups < TABLE_MAX_TABLES; i++) {
		const struct table_schema *s = frame_schema(i);
		const struct table_rule *rule = rule_find(s->id);

		if (!s->pane || s->detail || s->internal || (rule && rule->skip))
			continue;
		group_init(&om->groups[om->ngroups++], s, rule);
	}
	om->grouped = true;
}

struct openmetrics *openmetrics_new(const struct openmetrics_limits *limits)
{
	struct openmetrics *om = calloc(1, sizeof(*om));

	if (!om)
		return NULL;
	om->limits = *limits;
	return om;
}

static void group_free(struct group *g)
{
	for (unsigned int i = 0; i < g->nentities; i++) {
		free(g->entities[i]->labels);
		free(g->entities[i]);
	}
	if (g->other) {
		free(g->other->labels);
		free(g->other);
	}
	free(g->entities);
	free(g->index);
}

void openmetrics_free(struct openmetrics *om)
{
	if (!om)
		return;
	for (unsigned int i = 0; i < om->ngroups; i++)
		group_free(&om->groups[i]);
	free(om->sorted);
	free(om->row_entity);
	free(om);
}

/* Append s as a label value: valid UTF-8 (bad bytes become U+FFFD), \ " and newline
 * escaped, at most OM_LABEL_VALUE_MAX bytes of it */
static size_t label_value_append(char *buf, size_t used, size_t len, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *start = p;

	while (*p && (size_t)(p - start) < OM_LABEL_VALUE_MAX && used + 8 < len) {
		unsigned int n;

		if (*p == '\\' || *p == '"') {
			buf[used++] = '\\';
			buf[used++] = (char)*p++;
		} else if (*p == '\n') {
			buf[used++] = '\\';
			buf[used++] = 'n';
			p++;
		} else if ((n = output_utf8_length(p)) == 0) {
			memcpy(buf + used, "\xef\xbf\xbd", 3);
			used += 3;
			p++;
		} else {
			memcpy(buf + used, p, n);
			used += n;
			p += n;
		}
	}
	buf[used] = '\0';
	return used;
}

static const char *softirq_type(const char *kernel_name, char *buf, size_t len)
{
	size_t i;

	/* node_exporter's names (its stat collector), so joins on type work */
	if (strcmp(kernel_name, "IRQ_POLL") == 0)
		return "block_iopoll";
	for (i = 0; kernel_name[i] && i + 1 < len; i++)
		buf[i] = (char)(kernel_name[i] >= 'A' && kernel_name[i] <= 'Z'
				? kernel_name[i] - 'A' + 'a' : kernel_name[i]);
	buf[i] = '\0';
	return buf;
}

/* The text of one label of a row */
static const char *label_text(const struct table *t, const struct table_row *r,
			      const struct om_label *l, char *buf, size_t len)
{
	const struct table_column *c = &t->schema->columns[l->column];
	const char *text;

	switch (c->kind) {
	case COL_NAME:
		text = c->src ? r->label : r->name;
		break;
	case COL_ID:
		snprintf(buf, len, "%" PRIu64, r->v[c->src]);
		return buf;
	default:
		text = format_cell(t, r, (unsigned int)l->column, 1.0, buf, len);
		break;
	}
	if (l->transform == LABEL_K8S_CONTAINER || l->transform == LABEL_K8S_NAMESPACE ||
	    l->transform == LABEL_K8S_POD) {
		/* strings: namespace, pod, container, pod UID (collectors/containers.c) */
		unsigned int at = l->transform == LABEL_K8S_NAMESPACE ? 0
				  : l->transform == LABEL_K8S_POD ? 1 : 2;
		const char *k = t->schema->strings_id && r->nstrings > at ? r->strings[at] : NULL;

		if (k && *k)
			return k;
		return l->transform == LABEL_K8S_CONTAINER && text ? text : "";
	}
	if (!text)
		return "";
	if (l->transform == LABEL_IRQ_ACTIONS) {
		const char *p = text;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p != text && (*p == ' ' || !*p))
			text = *p ? p + 1 : p;
	} else if (l->transform == LABEL_SOFTIRQ_TYPE) {
		char name[32];

		snprintf(name, sizeof(name), "%s", text);
		text = softirq_type(name, buf, len);
	}
	return text;
}

static void row_labels(const struct group *g, const struct table *t, const struct table_row *r,
		       char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < g->nlabels && used + 64 < len; i++) {
		char text[256];
		const char *v = label_text(t, r, &g->labels[i], text, sizeof(text));

		/* an empty value is no label to Prometheus: not written (namespace and pod of
		 * a container that is not a pod's) */
		if (!*v && g->labels[i].transform >= LABEL_K8S_NAMESPACE)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s=\"", used ? "," : "",
					 g->labels[i].name);
		used = label_value_append(buf, used, len - 2, v);
		buf[used++] = '"';
		buf[used] = '\0';
	}
}

static uint64_t hash_string(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int index_rebuild(struct group *g, unsigned int size)
{
	int32_t *index = malloc(size * sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (unsigned int i = 0; i < size; i++)
		index[i] = -1;
	for (unsigned int i = 0; i < g->nentities; i++) {
		unsigned int slot = (unsigned int)(g->entities[i]->hash & (size - 1));

		while (index[slot] >= 0)
			slot = (slot + 1) & (size - 1);
		index[slot] = (int32_t)i;
	}
	free(g->index);
	g->index = index;
	g->index_size = size;
	return 0;
}

static struct entity *entity_new(const char *labels, uint64_t hash)
{
	struct entity *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->labels = strdup(labels);
	if (!e->labels) {
		free(e);
		return NULL;
	}
	e->hash = hash;
	return e;
}

/* The entity with these labels, made if new; NULL when out of memory or room */
static struct entity *entity_get(struct openmetrics *om, struct group *g, const char *labels)
{
	uint64_t hash = hash_string(labels);
	unsigned int slot;
	struct entity *e;

	if (g->index_size) {
		for (slot = (unsigned int)(hash & (g->index_size - 1)); g->index[slot] >= 0;
		     slot = (slot + 1) & (g->index_size - 1)) {
			e = g->entities[g->index[slot]];
			if (e->hash == hash && strcmp(e->labels, labels) == 0)
				return e;
		}
	}
	if (g->nentities >= OM_GROUP_ENTITIES) {
		om->entities_dropped++;
		return NULL;
	}
	if (g->nentities == g->capacity) {
		unsigned int cap = g->capacity ? g->capacity * 2 : 64;
		struct entity **ents = realloc(g->entities, cap * sizeof(*ents));

		if (!ents)
			return NULL;
		g->entities = ents;
		g->capacity = cap;
	}
	e = entity_new(labels, hash);
	if (!e)
		return NULL;
	g->entities[g->nentities++] = e;
	if (g->nentities * 2 > g->index_size) {
		if (index_rebuild(g, g->index_size ? g->index_size * 2 : 128) < 0) {
			g->nentities--;
			free(e->labels);
			free(e);
			return NULL;
		}
		return e;
	}
	for (slot = (unsigned int)(hash & (g->index_size - 1)); g->index[slot] >= 0;
	     slot = (slot + 1) & (g->index_size - 1))
		;
	g->index[slot] = (int32_t)(g->nentities - 1);
	return e;
}

static void entity_add_row(const struct group *g, struct entity *e, const struct frame *f,
			   const struct table_row *r)
{
	for (unsigned int m = 0; m < g->nmetrics; m++) {
		unsigned int src = g->metrics[m].src;

		if (g->metrics[m].kind == METRIC_GAUGE)
			e->total[src] = r->v[src];
	}
	/* every value, not only the exported ones: the histograms' sums come from them */
	for (unsigned int v = 0; v < TABLE_MAX_VALUES; v++) {
		bool gauge = false;

		for (unsigned int m = 0; m < g->nmetrics; m++)
			gauge |= g->metrics[m].kind == METRIC_GAUGE && g->metrics[m].src == v;
		if (!gauge)
			e->total[v] += r->v[v];
	}
	for (unsigned int h = 0; h < g->nhists; h++) {
		const struct hist *hist = frame_row_hist_const(f, r, g->hists[h].which);

		for (unsigned int i = 0; hist && i < HIST_SLOTS; i++)
			e->hist[h][i] += hist->slot[i];
	}
}

/* Containers gone and seen gone by a scrape (or by nobody for a long time) are dropped */
static void group_forget_gone(struct openmetrics *om, struct group *g)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < g->nentities; i++) {
		struct entity *e = g->entities[i];

		if (e->gone && (om->scrapes > e->gone_scrapes ||
				om->frames - e->seen_frame > OM_GONE_FRAMES)) {
			free(e->labels);
			free(e);
			continue;
		}
		g->entities[kept++] = e;
	}
	if (kept != g->nentities) {
		g->nentities = kept;
		index_rebuild(g, g->index_size);
	}
}

static int by_score(const void *a, const void *b)
{
	const struct entity *x = *(struct entity *const *)a, *y = *(struct entity *const *)b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->labels, y->labels);
}

static int scratch_reserve(struct entity ***buf, unsigned int *capacity, unsigned int n)
{
	struct entity **p;

	if (n <= *capacity)
		return 0;
	p = realloc(*buf, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*buf = p;
	*capacity = n;
	return 0;
}

/* Containers: the busiest have series of their own, the rest add to _other */
static int group_add_containers(struct openmetrics *om, struct group *g, const struct frame *f,
				const struct table *t)
{
	unsigned int n = 0;

	if (!g->other) {
		g->other = entity_new("container=\"_other\"", 0);
		if (!g->other)
			return -ENOMEM;
	}
	if (scratch_reserve(&om->sorted, &om->sorted_capacity, g->nentities) < 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < g->nentities; i++) {
		struct entity *e = g->entities[i];

		/* one that went away keeps its place until its final values were read */
		if (e->seen_frame == om->frames) {
			e->exported = false;
			om->sorted[n++] = e;
		} else if (!e->gone) {
			e->gone = true;
			e->gone_scrapes = om->scrapes;
		}
	}
	if (n > 1) /* qsort(NULL, 0) is undefined, and there is nothing to order */
		qsort(om->sorted, n, sizeof(*om->sorted), by_score);
	for (unsigned int i = 0; i < n && i < om->limits.containers; i++)
		om->sorted[i]->exported = true;
	for (unsigned int i = 0; i < t->nrows; i++) {
		struct entity *e = om->row_entity[i];

		if (e)
			entity_add_row(g, e->exported ? e : g->other, f, &t->rows[i]);
	}
	/* _other's gauges are sums over its containers, not one row's value */
	for (unsigned int m = 0; m < g->nmetrics; m++) {
		unsigned int src = g->metrics[m].src;

		if (g->metrics[m].kind != METRIC_GAUGE)
			continue;
		g->other->total[src] = 0;
		for (unsigned int i = 0; i < t->nrows; i++)
			if (om->row_entity[i] && !om->row_entity[i]->exported)
				g->other->total[src] += t->rows[i].v[src];
	}
	return 0;
}

static int group_add_frame(struct openmetrics *om, struct group *g, const struct frame *f)
{
	const struct table *t = frame_table_const(f, g->schema);
	char labels[OM_LABELS_MAX];

	if (!t)
		return 0;
	if (g->rule && g->rule->containers)
		group_forget_gone(om, g);
	g->rows_dropped += t->dropped_rows;
	for (unsigned int i = 0; i < g->nentities; i++)
		g->entities[i]->score *= OM_SCORE_DECAY;
	if (scratch_reserve(&om->row_entity, &om->row_entity_capacity, t->nrows) < 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		struct entity *e;

		row_labels(g, t, r, labels, sizeof(labels));
		e = entity_get(om, g, labels);
		om->row_entity[i] = e;
		if (!e)
			continue;
		e->seen_frame = om->frames;
		e->gone = false;
		e->score += table_column_value(t, r, g->schema->sort_column, f->interval_s);
		if (!g->rule || !g->rule->containers)
			entity_add_row(g, e, f, r);
	}
	if (g->rule && g->rule->containers)
		return group_add_containers(om, g, f, t);
	return 0;
}

int openmetrics_add_frame(struct openmetrics *om, const struct ktop *k, const struct frame *f)
{
	int err = 0;

	(void)k;
	if (!om->grouped)
		groups_init(om);
	om->frames++;
	om->dropped_events += f->self.dropped;
	if (f->self.bpf_stats)
		om->bpf_run_ns += (uint64_t)(f->self.bpf_ns_per_s * f->interval_s);
	om->cpu_s += f->self.cpu_pct / 100.0 * f->interval_s;
	om->rss_kb = f->self.rss_kb;
	om->interval_s = f->interval_s;
	om->wall = f->wall;
	for (unsigned int i = 0; i < om->ngroups; i++) {
		int e = group_add_frame(om, &om->groups[i], f);

		if (e && !err)
			err = e;
	}
	return err;
}

void openmetrics_scraped(struct openmetrics *om)
{
	om->scrapes++;
}

/* What one exposition has written so far, against the cap */
struct writer {
	FILE *out;
	enum openmetrics_format format;
	unsigned int series, max_series, dropped;
};

static void help_text(struct writer *w, const char *help)
{
	for (const char *p = help ? help : ""; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", w->out);
		else if (*p == '\n')
			fputs("\\n", w->out);
		else if (*p == '"' && w->format == OPENMETRICS_OPENMETRICS)
			fputs("\\\"", w->out);
		else
			fputc(*p, w->out);
	}
}

enum family_type { FAMILY_COUNTER, FAMILY_GAUGE, FAMILY_HISTOGRAM, FAMILY_INFO };

/* # HELP, # TYPE (and # UNIT in OpenMetrics) of a family; name is a sample's name */
static void family_header(struct writer *w, const char *name, enum family_type type,
			  const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "info" };
	size_t n = strlen(name);
	const char *type_name = types[type];

	if (w->format == OPENMETRICS_OPENMETRICS) {
		/* the family is named without the sample suffix */
		if (type == FAMILY_COUNTER && n > 6 && strcmp(name + n - 6, "_total") == 0)
			n -= 6;
		if (type == FAMILY_INFO && n > 5 && strcmp(name + n - 5, "_info") == 0)
			n -= 5;
	} else if (type == FAMILY_INFO) {
		type_name = "gauge";
	}
	fprintf(w->out, "# HELP %.*s ", (int)n, name);
	help_text(w, help);
	fprintf(w->out, "\n# TYPE %.*s %s\n", (int)n, name, type_name);
	if (w->format == OPENMETRICS_OPENMETRICS) {
		if (n > 8 && strncmp(name + n - 8, "_seconds", 8) == 0)
			fprintf(w->out, "# UNIT %.*s seconds\n", (int)n, name);
		else if (n > 6 && strncmp(name + n - 6, "_bytes", 6) == 0)
			fprintf(w->out, "# UNIT %.*s bytes\n", (int)n, name);
	}
}

static void write_seconds(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
}

static void write_sample_start(struct writer *w, const char *name, const char *suffix,
			       const char *labels, const char *extra)
{
	bool any = (labels && *labels) || extra;

	fprintf(w->out, "%s%s", name, suffix);
	if (any)
		fprintf(w->out, "{%s%s%s}", labels ? labels : "",
			labels && *labels && extra ? "," : "", extra ? extra : "");
	fputc(' ', w->out);
}

/* The entities a family writes, busiest first: om->sorted[0..n) */
static unsigned int group_sorted(struct openmetrics *om, struct group *g)
{
	unsigned int n = 0;
	bool containers = g->rule && g->rule->containers;

	if (scratch_reserve(&om->sorted, &om->sorted_capacity, g->nentities + 1) < 0)
		return 0;
	for (unsigned int i = 0; i < g->nentities; i++)
		if (!containers || g->entities[i]->exported)
			om->sorted[n++] = g->entities[i];
	if (n > 1)
		qsort(om->sorted, n, sizeof(*om->sorted), by_score);
	if (containers && g->other)
		om->sorted[n++] = g->other;
	return n;
}

static void write_metric(struct writer *w, struct entity **ents, unsigned int n,
			 const struct om_metric *m)
{
	bool header = false;

	for (unsigned int i = 0; i < n; i++) {
		const struct entity *e = ents[i];

		if (w->series >= w->max_series) {
			w->dropped++;
			continue;
		}
		if (!header) {
			family_header(w, m->name, m->kind == METRIC_GAUGE ? FAMILY_GAUGE
					  : FAMILY_COUNTER, m->help);
			header = true;
		}
		write_sample_start(w, m->name, "", e->labels, NULL);
		if (m->kind == METRIC_SECONDS)
			write_seconds(w->out, e->total[m->src]);
		else
			fprintf(w->out, "%" PRIu64, e->total[m->src]);
		fputc('\n', w->out);
		w->series++;
	}
}

/* Series of one histogram: a bucket per slot bound below the last, +Inf, _sum, _count */
#define HIST_SERIES (HIST_SLOTS + 2)

static void write_histogram(struct writer *w, const struct entity *e, const struct om_hist *h,
			    unsigned int which)
{
	const uint64_t *slot = e->hist[which];
	uint64_t cumulative = 0, sum_ns = 0;
	char le[48];

	for (unsigned int i = 0; i + 1 < HIST_SLOTS; i++) {
		cumulative += slot[i];
		snprintf(le, sizeof(le), "le=\"%.10g\"", (double)(1ULL << (i + 1)) / 1e9);
		write_sample_start(w, h->name, "_bucket", e->labels, le);
		fprintf(w->out, "%" PRIu64 "\n", cumulative);
	}
	cumulative += slot[HIST_SLOTS - 1];
	write_sample_start(w, h->name, "_bucket", e->labels, "le=\"+Inf\"");
	fprintf(w->out, "%" PRIu64 "\n", cumulative);
	if (h->sum_src >= 0) {
		sum_ns = e->total[h->sum_src];
	} else {
		/* no summed column: each sample counted at its slot's middle */
		for (unsigned int i = 0; i < HIST_SLOTS; i++)
			sum_ns += slot[i] * (hist_slot_floor(i) + hist_slot_floor(i) / 2);
	}
	write_sample_start(w, h->name, "_sum", e->labels, NULL);
	write_seconds(w->out, sum_ns);
	fputc('\n', w->out);
	write_sample_start(w, h->name, "_count", e->labels, NULL);
	fprintf(w->out, "%" PRIu64 "\n", cumulative);
	w->series += HIST_SERIES;
}

static void write_hist_family(struct openmetrics *om, struct writer *w, struct entity **ents,
			      unsigned int n, const struct om_hist *h, unsigned int which)
{
	unsigned int written = 0;
	bool header = false;

	for (unsigned int i = 0; i < n && written < om->limits.histograms; i++) {
		const struct entity *e = ents[i];
		uint64_t total = 0;

		for (unsigned int s = 0; s < HIST_SLOTS; s++)
			total += e->hist[which][s];
		if (!total)
			continue;
		written++;
		if (w->series + HIST_SERIES > w->max_series) {
			w->dropped += HIST_SERIES;
			continue;
		}
		if (!header) {
			family_header(w, h->name, FAMILY_HISTOGRAM, h->help);
			header = true;
		}
		write_histogram(w, e, h, which);
	}
}

static void write_group(struct openmetrics *om, struct writer *w, struct group *g)
{
	unsigned int n = group_sorted(om, g);

	for (unsigned int m = 0; m < g->nmetrics; m++)
		write_metric(w, om->sorted, n, &g->metrics[m]);
	for (unsigned int h = 0; h < g->nhists; h++)
		write_hist_family(om, w, om->sorted, n, &g->hists[h], h);
}

static void write_gauge(struct writer *w, const char *name, const char *help, double v)
{
	family_header(w, name, FAMILY_GAUGE, help);
	fprintf(w->out, "%s %.17g\n", name, v);
}

static void write_counter(struct writer *w, const char *name, const char *help, uint64_t v)
{
	family_header(w, name, FAMILY_COUNTER, help);
	fprintf(w->out, "%s %" PRIu64 "\n", name, v);
}

/* ktop's own health: never cut by the cap */
static void write_self(struct openmetrics *om, struct writer *w, const struct ktop *k)
{
	char value[OM_LABELS_MAX];
	size_t used;
	bool header = false;

	family_header(w, "ktop_build_info", FAMILY_INFO, "ktop's version and the kernel it runs on.");
	used = (size_t)snprintf(value, sizeof(value), "ktop_build_info{version=\"");
	used = label_value_append(value, used, sizeof(value) - 32, KTOP_VERSION);
	used += (size_t)snprintf(value + used, sizeof(value) - used, "\",kernel=\"");
	used = label_value_append(value, used, sizeof(value) - 8, k->kernel);
	fprintf(w->out, "%s\"} 1\n", value);
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		const struct collector *c = &k->collectors[i];

		if (!header)
			family_header(w, "ktop_collector_up", FAMILY_GAUGE,
				      "1 when the collector runs, 0 when it cannot or is off "
				      "(ktop --check says why).");
		header = true;
		used = label_value_append(value, 0, sizeof(value), c->ops->name);
		fprintf(w->out, "ktop_collector_up{collector=\"%s\"} %d\n", value,
			c->running && !c->sample_err);
	}
	write_counter(w, "ktop_frames_total", "Frames sampled since ktop started.", om->frames);
	write_gauge(w, "ktop_last_frame_timestamp_seconds",
		    "When the newest frame ended, in seconds since the epoch.",
		    (double)om->wall.tv_sec + om->wall.tv_nsec / 1e9);
	write_gauge(w, "ktop_frame_interval_seconds", "Length of the newest frame's interval.",
		    om->interval_s);
	family_header(w, "ktop_process_cpu_seconds_total", FAMILY_COUNTER,
		      "CPU time of ktop's own process (user and system).");
	fprintf(w->out, "ktop_process_cpu_seconds_total %.6f\n", om->cpu_s);
	write_gauge(w, "ktop_process_resident_memory_bytes", "Resident memory of ktop's process.",
		    (double)om->rss_kb * 1024);
	family_header(w, "ktop_bpf_run_seconds_total", FAMILY_COUNTER,
		      "Run time of ktop's BPF programs, estimated from the kernel's BPF "
		      "statistics measured one interval in ten.");
	fputs("ktop_bpf_run_seconds_total ", w->out);
	write_seconds(w->out, om->bpf_run_ns);
	fputc('\n', w->out);
	write_counter(w, "ktop_dropped_events_total",
		      "Events lost in the kernel (a full ring buffer or map), all collectors.",
		      om->dropped_events);
	header = false;
	for (unsigned int i = 0; i < om->ngroups; i++) {
		if (!header)
			family_header(w, "ktop_rows_dropped_total", FAMILY_COUNTER,
				      "Rows a collector left out of its table (beyond the "
				      "table's row limit); their figures are missing.");
		header = true;
		fprintf(w->out, "ktop_rows_dropped_total{table=\"%s\"} %" PRIu64 "\n",
			om->groups[i].schema->id, om->groups[i].rows_dropped);
	}
	write_gauge(w, "ktop_series", "Series in this exposition, ktop's own metrics aside.",
		    w->series);
	write_gauge(w, "ktop_series_limit", "Most series one exposition may hold "
		    "([export] max_series).", w->max_series);
	write_gauge(w, "ktop_series_dropped", "Series left out of this exposition by the "
		    "series limit.", w->dropped);
	write_counter(w, "ktop_series_limit_hits_total",
		      "Expositions that reached the series limit.", om->cap_hits);
	write_counter(w, "ktop_entities_dropped_total", "Rows not tracked because their table "
		      "already held the most label sets kept (" STR(OM_GROUP_ENTITIES) ").",
		      om->entities_dropped);
}

int openmetrics_write(struct openmetrics *om, const struct ktop *k,
		      enum openmetrics_format format, FILE *out)
{
	struct writer w = { out, format, 0, om->limits.max_series, 0 };

	if (!om->grouped)
		groups_init(om);
	for (unsigned int i = 0; i < om->ngroups; i++)
		write_group(om, &w, &om->groups[i]);
	if (w.dropped)
		om->cap_hits++;
	write_self(om, &w, k);
	if (format == OPENMETRICS_OPENMETRICS)
		fputs("# EOF\n", out);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

const char *openmetrics_content_type(enum openmetrics_format format)
{
	return format == OPENMETRICS_OPENMETRICS
		       ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
		       : "text/plain; version=0.0.4; charset=utf-8";
}

/* The q value of one media range's parameters (";q=0.5;version=1.0.0"), and its version */
static double media_q(const char *params, size_t len, char *version, size_t vlen)
{
	double q = 1.0;
	size_t i = 0;

	version[0] = '\0';
	while (i < len) {
		size_t start, end;

		while (i < len && (params[i] == ';' || params[i] == ' ' || params[i] == '\t'))
			i++;
		start = i;
		while (i < len && params[i] != ';')
			i++;
		end = i;
		while (end > start && (params[end - 1] == ' ' || params[end - 1] == '\t'))
			end--;
		if (end - start > 2 && strncasecmp(params + start, "q=", 2) == 0) {
			char num[16];

			snprintf(num, sizeof(num), "%.*s", (int)(end - start - 2), params + start + 2);
			q = strtod(num, NULL);
			if (!(q >= 0 && q <= 1))
				q = 0;
		} else if (end - start > 8 && strncasecmp(params + start, "version=", 8) == 0) {
			snprintf(version, vlen, "%.*s", (int)(end - start - 8), params + start + 8);
		}
	}
	return q;
}

enum openmetrics_format openmetrics_negotiate(const char *accept)
{
	double best_om = 0, best_text = 0;
	const char *p = accept;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t type_len;
		char version[32];
		double q;

		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		type_len = strcspn(p, ";,");
		if (type_len > len)
			type_len = len;
		while (type_len && (p[type_len - 1] == ' ' || p[type_len - 1] == '\t'))
			type_len--;
		q = media_q(p + type_len, len - type_len, version, sizeof(version));
		if (type_len == 28 && strncasecmp(p, "application/openmetrics-text", 28) == 0) {
			/* 1.0.0 (or no version) is what this writer speaks */
			if ((!version[0] || strcmp(version, "1.0.0") == 0) && q > best_om)
				best_om = q;
		} else if ((type_len == 10 && strncasecmp(p, "text/plain", 10) == 0) ||
			   (type_len == 3 && strncmp(p, "*/*", 3) == 0) ||
			   (type_len == 6 && strncasecmp(p, "text/*", 6) == 0)) {
			if (q > best_text)
				best_text = q;
		}
		p = end ? end + 1 : NULL;
	}
	return best_om > 0 && best_om >= best_text ? OPENMETRICS_OPENMETRICS
						   : OPENMETRICS_PROMETHEUS;
}

bool openmetrics_accepts_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding;
	double gzip = -1, any = -1;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p), name_len;
		char version[8];
		double q;

		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		name_len = strcspn(p, ";,");
		if (name_len > len)
			name_len = len;
		while (name_len && (p[name_len - 1] == ' ' || p[name_len - 1] == '\t'))
			name_len--;
		q = media_q(p + name_len, len - name_len, version, sizeof(version));
		if ((name_len == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (name_len == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			gzip = q;
		else if (name_len == 1 && *p == '*')
			any = q;
		p = end ? end + 1 : NULL;
	}
	/* a coding named outright wins over "*" (RFC 9110 12.5.3) */
	return gzip >= 0 ? gzip > 0 : any > 0;
}

int openmetrics_gzip(const char *in, size_t len, char **out, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap;
	char *buf;
	int err;

	/* windowBits 15 + 16: a gzip header and trailer, not zlib's */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, (uLong)len);
	buf = malloc(cap ? cap : 1);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)cap;
	err = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (err != Z_STREAM_END) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	return 0;
}

int openmetrics_format_parse(const char *name)
{
	if (strcmp(name, "prometheus") == 0)
		return OPENMETRICS_PROMETHEUS;
	if (strcmp(name, "openmetrics") == 0)
		return OPENMETRICS_OPENMETRICS;
	return -1;
}
