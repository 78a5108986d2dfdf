// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/functions.c: any kernel function the user names (-f FUNC, [functions] trace):
 * one row per function with calls, time, the longest call, errors and CPUs; Enter shows
 * its latency histogram.
 *
 * How a function is traced depends on what the kernel allows, found once at open:
 * fentry/fexit (cheapest; the target is set before load), else kprobe/kretprobe, else
 * nothing, and the pane says why. Each function is one loaded bpf/functions.bpf.c object
 * with its stats slot in rodata; the objects share the stats array and the in-flight map.
 * A function is refused, with the reason, when the kernel cannot trace it: not in
 * available_filter_functions (notrace, inlined away, or no such function) where tracefs
 * is mounted, not in the BTF (fentry) or in kallsyms (kprobe) where it is not, or when the
 * kernel refuses the load or the attach. Errors are counted only for a function whose BTF
 * says it returns int or long.
 *
 * Test hook: KTOP_FUNCTIONS_METHOD=kprobe (or fentry) tries only that method.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/functions.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "counters.h"
#include "core/collector.h"
#include "core/intern.h"
#include "core/ksyms.h"
#include "functions.skel.h"
#include "registry.h"

#define FUNCTION_NAME_MAX 128
#define KPROBE_TYPE_PATH "/sys/bus/event_source/devices/kprobe/type"
#define FILTER_FUNCTIONS_PATH "/sys/kernel/tracing/available_filter_functions"
/* A function every kernel has, traceable, in its BTF: what the fentry probe loads against */
#define PROBE_FUNCTION "vfs_read"
#define FUNCTIONS_GLOBS 8
#define STR_(x) #x
#define STR(x) STR_(x)

/* Row values */
enum {
	V_CALLS,
	V_RETURNS,
	V_TOTAL,
	V_ERRORS,
	V_MAX,
	V_CPUS,
};

enum function_method { METHOD_NONE, METHOD_FENTRY, METHOD_KPROBE };

/* Its settings, [functions] of the config file; -f FUNC adds to trace (ktop.c) */
enum functions_setting { FUNCTIONS_TRACE };

static const struct option_def functions_options[] = {
	[FUNCTIONS_TRACE] = { "functions", "trace", OPTION_LIST, 0, 0, "",
			      "kernel functions to count and time, as -f FUNC does (at most 32; "
			      "names of 32 characters at most here, longer with -f); empty: none" },
};

static const char *const method_names[] = {
	[METHOD_NONE] = "none", [METHOD_FENTRY] = "fentry", [METHOD_KPROBE] = "kprobe",
};

static const struct table_column function_columns[] = {
	{ "func", "FUNCTION", COL_NAME, 0, 0, 24, false, "kernel function" },
	{ "traced", "TRACED", COL_NAME, 1, 0, 10, false,
	  "how it is traced (fentry, kprobe), or why it is not (refused: the kernel's reason)" },
	{ "calls", "CALLS/s", COL_COUNT, V_CALLS, 0, 8, false, "calls per second" },
	{ "total_ns", "TIME/s", COL_TIME, V_TOTAL, 0, 8, false,
	  "time in the function (entry to return, callees included) per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, V_TOTAL, V_RETURNS, 8, true, "average time per call" },
	{ "max_ns", "MAX", COL_DURATION, V_MAX, 0, 8, false, "longest call in the interval" },
	{ "errors", "ERR/s", COL_COUNT, V_ERRORS, 0, 7, false,
	  "calls per second that returned a negative value (only for functions returning "
	  "int or long)" },
	{ "cpus", "CPUS", COL_CPUS, V_CPUS, 0, 8, false, "CPUs it was called on" },
	{ "returns", "TIMED/s", COL_COUNT, V_RETURNS, 0, 8, false,
	  "returns per second whose call was seen: the timed calls (AVG, ERR/s, histogram)" },
};

/* Not const: open() puts the method in the title ("Functions (fentry)") */
struct table_schema functions_table = {
	.id = "functions",
	.title = "Functions",
	.columns = function_columns,
	.ncolumns = sizeof(function_columns) / sizeof(function_columns[0]),
	.sort_column = 2,
	.max_rows = FUNCTIONS_MAX,
	.hist_count = 1,
	.hist_names = { "latency" },
	.pane = true,
	.opt_in = true, /* shown when functions are asked for (-f, [functions] trace) */
};

static const struct table_schema *const function_tables[] = { &functions_table, NULL };

static const struct counter_layout function_stat_layout = {
	.size = sizeof(struct function_stat),
	.u64s = offsetof(struct function_stat, max) / sizeof(__u64),
	.maxes = 1,
	.u32s = KTOP_HIST_SLOTS,
};

struct traced_function {
	char name[FUNCTION_NAME_MAX];
	char target[FUNCTION_NAME_MAX]; /* what the kernel knows its code as (an alias) */
	bool counts_only;		/* from a glob: calls and CPUs, no timing */
	struct functions_bpf *skel; /* NULL when refused */
	struct bpf_link *entry, *exit;
	const char *traced;	    /* interned: "fentry", "kprobe" or "refused: why" */
};

/* A pattern from the list ("tcp_*") and how many functions it matched */
struct function_glob {
	char pattern[FUNCTION_NAME_MAX];
	unsigned int matched, added; /* not counting functions named before */
};

struct functions_state {
	enum function_method method;
	struct traced_function funcs[FUNCTIONS_MAX];
	unsigned int nfuncs;
	struct function_glob globs[FUNCTIONS_GLOBS];
	unsigned int nglobs;
	int stats_fd, starts_fd; /* the shared maps, owned by the first loaded object */
	struct counter_map stats;
	bool stats_ready;
	struct btf *btf;     /* the kernel's, while opening */
	char *filter_funcs;  /* available_filter_functions, "\n"-led, while opening; or NULL */
	struct frame *frame; /* the frame being filled */
	__u64 epoch;
};

static void functions_close(struct collector *c)
{
	struct functions_state *s = c->priv;

	if (!s)
		return;
	for (unsigned int i = 0; i < s->nfuncs; i++) {
		bpf_link__destroy(s->funcs[i].entry);
		bpf_link__destroy(s->funcs[i].exit);
		functions_bpf__destroy(s->funcs[i].skel);
	}
	counter_map_free(&s->stats);
	btf__free(s->btf);
	free(s->filter_funcs);
	free(s);
	c->priv = NULL;
}

/* The whole of a file the kernel generates (its size is not known before), "\n" first */
static char *read_generated_file(const char *path)
{
	FILE *in = fopen(path, "re");
	size_t len = 1, cap = 1 << 20, n;
	char *buf, *bigger;

	if (!in)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf) {
		fclose(in);
		return NULL;
	}
	buf[0] = '\n';
	while ((n = fread(buf + len, 1, cap - len, in)) > 0) {
		len += n;
		if (len < cap)
			continue;
		bigger = realloc(buf, 2 * cap + 1);
		if (!bigger) {
			free(buf);
			fclose(in);
			return NULL;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(in);
	buf[len] = '\0';
	return buf;
}

/* Is name a line of available_filter_functions ("name" or "name [module]")? */
static bool filter_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if (p[-1] == '\n' && (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static bool function_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= FUNCTION_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* What the function's return value says, from its BTF prototype */
static enum function_ret return_kind(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	__s32 id;

	if (!btf)
		return FUNCTION_RET_NONE;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id <= 0)
		return FUNCTION_RET_NONE;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type); /* the FUNC_PROTO */
	if (!t || !btf_is_func_proto(t) || !t->type)
		return FUNCTION_RET_NONE;
	id = btf__resolve_type(btf, t->type); /* through typedefs and qualifiers */
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t || !btf_is_int(t) || !(btf_int_encoding(t) & BTF_INT_SIGNED))
		return FUNCTION_RET_NONE;
	return t->size == 8 ? FUNCTION_RET_INT64 : t->size == 4 ? FUNCTION_RET_INT32
							       : FUNCTION_RET_NONE;
}

/* Open the object with one method's pair of programs, aimed at target */
static struct functions_bpf *object_open(enum function_method method, const char *target)
{
	struct functions_bpf *skel = functions_bpf__open();
	bool fentry = method == METHOD_FENTRY;

	if (!skel)
		return NULL;
	bpf_program__set_autoload(skel->progs.function_entry, fentry);
	bpf_program__set_autoload(skel->progs.function_exit, fentry);
	bpf_program__set_autoload(skel->progs.function_kprobe, !fentry);
	bpf_program__set_autoload(skel->progs.function_kretprobe, !fentry);
	if (fentry && (bpf_program__set_attach_target(skel->progs.function_entry, 0, target) ||
		       bpf_program__set_attach_target(skel->progs.function_exit, 0, target))) {
		functions_bpf__destroy(skel);
		errno = EINVAL;
		return NULL;
	}
	return skel;
}

/* Can an fentry/fexit pair load here? 0, or -errno with why */
static int probe_fentry(char *why, size_t len)
{
	struct functions_bpf *skel = object_open(METHOD_FENTRY, PROBE_FUNCTION);
	int err = skel ? functions_bpf__load(skel) : -errno;

	if (err)
		snprintf(why, len, "fentry: %s", strerror(-err));
	functions_bpf__destroy(skel);
	return err;
}

/* The cheapest method this kernel allows, or METHOD_NONE with why */
static enum function_method choose_method(char *why, size_t len)
{
	const char *force = getenv("KTOP_FUNCTIONS_METHOD");
	bool try_fentry = !force || strcmp(force, "fentry") == 0;
	bool try_kprobe = !force || strcmp(force, "kprobe") == 0;
	char fentry_why[160] = "";

	if (try_fentry && probe_fentry(fentry_why, sizeof(fentry_why)) == 0)
		return METHOD_FENTRY;
	if (try_kprobe && access(KPROBE_TYPE_PATH, F_OK) == 0)
		return METHOD_KPROBE;
	if (try_fentry && try_kprobe)
		snprintf(why, len, "this kernel has no kprobes (no %s) and refuses fentry (%s)",
			 KPROBE_TYPE_PATH, fentry_why + strlen("fentry: "));
	else if (try_fentry)
		snprintf(why, len, "this kernel refuses fentry (%s); kprobes not tried "
			 "(KTOP_FUNCTIONS_METHOD=fentry)", fentry_why + strlen("fentry: "));
	else if (try_kprobe)
		snprintf(why, len, "this kernel has no kprobes (no %s); fentry not tried "
			 "(KTOP_FUNCTIONS_METHOD=kprobe)", KPROBE_TYPE_PATH);
	else
		snprintf(why, len, "KTOP_FUNCTIONS_METHOD=%s: expected fentry or kprobe", force);
	return METHOD_NONE;
}

/* NULL when the kernel can trace code under this name with the method, else why not */
static const char *name_refusal(struct functions_state *s, const char *name,
				const struct ksyms *ksyms)
{
	if (s->filter_funcs && !filter_listed(s->filter_funcs, name))
		return "not in available_filter_functions (notrace, inlined, or no such function)";
	if (s->method == METHOD_FENTRY && s->btf &&
	    btf__find_by_name_kind(s->btf, name, BTF_KIND_FUNC) <= 0)
		return "not a function in the kernel's BTF";
	if (!s->filter_funcs && s->method == METHOD_KPROBE && ksyms && !ksyms_address(ksyms, name))
		return "not a symbol in /proc/kallsyms";
	return NULL;
}

/*
 * The name to attach to for fn into fn->target: its own, or another symbol at the same
 * address (SYSCALL_DEFINE0 makes __x64_sys_getppid an alias of __do_sys_getppid, and
 * ftrace and BTF know only one of them). NULL, or why the kernel cannot trace it.
 */
static const char *function_refusal(struct functions_state *s, struct traced_function *fn,
				    const struct ksyms *ksyms)
{
	const char *why = NULL;
	const struct ksym *sym, *end;
	uint64_t addr, offset;

	if (!function_name_valid(fn->name))
		return "not a function name (letters, digits, '_' and '.')";
	memcpy(fn->target, fn->name, sizeof(fn->target)); /* the same size */
	why = name_refusal(s, fn->name, ksyms);
	if (!why || !ksyms)
		return why;
	addr = ksyms_address(ksyms, fn->name);
	sym = addr ? ksyms_find(ksyms, addr, &offset) : NULL;
	if (!sym || offset)
		return why;
	while (sym > ksyms->syms && sym[-1].addr == addr)
		sym--;
	end = ksyms->syms + ksyms->count;
	for (; sym < end && sym->addr == addr; sym++)
		if (!ksyms_module(ksyms, sym) && strcmp(sym->name, fn->name) != 0 &&
		    !name_refusal(s, sym->name, ksyms)) {
			snprintf(fn->target, sizeof(fn->target), "%s", sym->name);
			return NULL;
		}
	return why;
}

static int attach_pair(struct functions_state *s, struct traced_function *fn)
{
	struct functions_bpf *skel = fn->skel;

	if (s->method == METHOD_FENTRY) {
		fn->entry = bpf_program__attach(skel->progs.function_entry);
		if (fn->counts_only)
			return fn->entry ? 0 : -errno;
		fn->exit = fn->entry ? bpf_program__attach(skel->progs.function_exit) : NULL;
	} else {
		fn->entry = bpf_program__attach_kprobe(skel->progs.function_kprobe, false,
						       fn->target);
		if (fn->counts_only)
			return fn->entry ? 0 : -errno;
		fn->exit = fn->entry ? bpf_program__attach_kprobe(skel->progs.function_kretprobe,
								  true, fn->target)
				     : NULL;
	}
	return fn->exit ? 0 : -errno;
}

/* Load and attach fn into stats slot: 0, or -errno with fn->traced saying why not */
static int function_trace(struct functions_state *s, struct traced_function *fn, __u32 slot,
			  const struct ksyms *ksyms)
{
	const char *refusal = function_refusal(s, fn, ksyms);
	struct functions_bpf *skel;
	char why[300];
	int err;

	if (refusal) {
		snprintf(why, sizeof(why), "refused: %s", refusal);
		fn->traced = intern(why);
		return -EINVAL;
	}
	skel = object_open(s->method, fn->target);
	if (!skel) {
		err = -errno;
		snprintf(why, sizeof(why), "refused: cannot open: %s", strerror(-err));
		fn->traced = intern(why);
		return err;
	}
	fn->skel = skel;
	skel->rodata->slot = slot;
	skel->rodata->ret_kind = return_kind(s->btf, fn->target);
	skel->rodata->counts_only = fn->counts_only;
	if (fn->counts_only) {
		bpf_program__set_autoload(skel->progs.function_exit, false);
		bpf_program__set_autoload(skel->progs.function_kretprobe, false);
	}
	err = 0;
	if (s->stats_fd >= 0)
		err = bpf_map__reuse_fd(skel->maps.function_stats, s->stats_fd);
	if (!err && s->starts_fd >= 0)
		err = bpf_map__reuse_fd(skel->maps.function_starts, s->starts_fd);
	if (!err)
		err = container_filter_reuse(skel->obj);
	if (!err)
		err = functions_bpf__load(skel);
	if (err) {
		snprintf(why, sizeof(why), "refused: the kernel would not load it: %s",
			 bpf_error_reason(err));
		goto fail;
	}
	skel->bss->counter_epoch = s->epoch; /* the same epochs as the other objects */
	err = attach_pair(s, fn);
	if (err) {
		snprintf(why, sizeof(why), "refused: the kernel would not attach it: %s",
			 bpf_error_reason(err));
		goto fail;
	}
	if (s->stats_fd < 0) {
		s->stats_fd = bpf_map__fd(skel->maps.function_stats);
		s->starts_fd = bpf_map__fd(skel->maps.function_starts);
	}
	snprintf(why, sizeof(why), "%s%s", method_names[s->method],
		 fn->counts_only ? " count" : "");
	fn->traced = intern(why);
	return 0;
fail:
	fn->traced = intern(why);
	bpf_link__destroy(fn->entry);
	fn->entry = NULL;
	functions_bpf__destroy(skel);
	fn->skel = NULL;
	return err;
}

/* The configured names ("a, b, c") into s->funcs, duplicates once */
static bool function_known(const struct functions_state *s, const char *name, size_t n)
{
	for (unsigned int i = 0; i < s->nfuncs; i++)
		if (strlen(s->funcs[i].name) == n && strncmp(s->funcs[i].name, name, n) == 0)
			return true;
	return false;
}

static void function_add(struct functions_state *s, const char *name, size_t n,
			 bool counts_only)
{
	struct traced_function *fn;

	if (!n || n >= FUNCTION_NAME_MAX || s->nfuncs >= FUNCTIONS_MAX ||
	    function_known(s, name, n))
		return;
	fn = &s->funcs[s->nfuncs++];
	memcpy(fn->name, name, n);
	fn->name[n] = '\0';
	fn->counts_only = counts_only;
}

/* The configured names ("a, b, c") into s->funcs, duplicates once; globs ("tcp_*") into
 * s->globs, expanded once the kernel's function list is read */
static void functions_parse(struct functions_state *s, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ", \t");

		if (n && strcspn(p, "*?[") < n) {
			if (s->nglobs < FUNCTIONS_GLOBS && n < FUNCTION_NAME_MAX) {
				memcpy(s->globs[s->nglobs].pattern, p, n);
				s->globs[s->nglobs++].pattern[n] = '\0';
			}
		} else {
			function_add(s, p, n, false);
		}
		p += n;
		p += strspn(p, ", \t");
	}
}

/*
 * Each glob's matches among the functions the kernel can trace (available_filter_functions
 * lines, or the BTF's functions without tracefs) into the slots the named functions left,
 * counts only: a glob easily matches hundreds, and a start time per call is what costs
 */
static void functions_expand_globs(struct functions_state *s)
{
	for (unsigned int g = 0; g < s->nglobs; g++) {
		struct function_glob *glob = &s->globs[g];
		unsigned int before = s->nfuncs;
		char name[FUNCTION_NAME_MAX];

		if (s->filter_funcs) {
			for (const char *p = s->filter_funcs + 1; *p; p += strcspn(p, "\n"), p += !!*p) {
				size_t n = strcspn(p, " \n");

				if (n >= sizeof(name))
					continue;
				memcpy(name, p, n);
				name[n] = '\0';
				if (fnmatch(glob->pattern, name, 0) != 0)
					continue;
				glob->matched += !function_known(s, name, n);
				function_add(s, name, n, true);
			}
		} else if (s->btf) {
			for (__u32 id = 1; id < btf__type_cnt(s->btf); id++) {
				const struct btf_type *t = btf__type_by_id(s->btf, id);
				const char *fname;

				if (!btf_is_func(t))
					continue;
				fname = btf__name_by_offset(s->btf, t->name_off);
				if (!fname || fnmatch(glob->pattern, fname, 0) != 0)
					continue;
				glob->matched += !function_known(s, fname, strlen(fname));
				function_add(s, fname, strlen(fname), true);
			}
		}
		glob->added = s->nfuncs - before;
	}
}

static int functions_open(struct collector *c, const struct ktop_config *cfg)
{
	static char title[64];
	const struct ksyms *ksyms = NULL;
	struct functions_state *s;
	unsigned int traced = 0, refused = 0;
	char why[COLLECTOR_REASON_MAX];
	const char *first_refused = NULL, *first_why = NULL;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->stats_fd = s->starts_fd = -1;
	s->method = choose_method(why, sizeof(why));
	if (s->method == METHOD_NONE) {
		functions_close(c);
		return collector_fail(c, "%s", why);
	}
	snprintf(title, sizeof(title), "Functions (%s)", method_names[s->method]);
	functions_table.title = title;
	functions_parse(s, options_text(cfg, &functions_options[FUNCTIONS_TRACE]));
	if (s->nfuncs || s->nglobs) {
		s->btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(s->btf))
			s->btf = NULL;
		s->filter_funcs = read_generated_file(FILTER_FUNCTIONS_PATH);
		ksyms = ksyms_kernel_get(&err); /* for aliases; NULL: names as they are */
		functions_expand_globs(s);
	}
	for (unsigned int i = 0; i < s->nfuncs; i++) {
		if (function_trace(s, &s->funcs[i], i, ksyms) == 0) {
			traced++;
			continue;
		}
		if (!refused++) {
			first_refused = s->funcs[i].name;
			first_why = s->funcs[i].traced + strlen("refused: ");
		}
	}
	/* what only opening needed: the BTF and the function list are megabytes */
	btf__free(s->btf);
	s->btf = NULL;
	free(s->filter_funcs);
	s->filter_funcs = NULL;
	if (ksyms)
		ksyms_kernel_put();
	if (traced) {
		err = counter_map_init(&s->stats, s->stats_fd, &function_stat_layout, 1, false);
		if (err) {
			functions_close(c);
			return collector_fail(c, "out of memory");
		}
		s->stats_ready = true;
	}
	/* running; --check and the status line say how, and what was refused */
	if (!s->nfuncs && !s->nglobs)
		snprintf(c->reason, sizeof(c->reason),
			 "%s; no functions asked for (-f FUNC, [functions] trace)",
			 method_names[s->method]);
	else if (refused)
		snprintf(c->reason, sizeof(c->reason), "%s; %u traced, %u refused (%s: %s)",
			 method_names[s->method], traced, refused, first_refused, first_why);
	else
		snprintf(c->reason, sizeof(c->reason), "%s; %u traced", method_names[s->method],
			 traced);
	for (unsigned int g = 0; g < s->nglobs; g++) {
		size_t used = strlen(c->reason);

		snprintf(c->reason + used, sizeof(c->reason) - used, "; %s: %u matched%s",
			 s->globs[g].pattern, s->globs[g].matched,
			 s->globs[g].matched > s->globs[g].added ? ", the rest beyond the "
			 STR(FUNCTIONS_MAX) "-function limit" : "");
	}
	return 0;
}

static uint64_t max_at_least_avg(uint64_t max, uint64_t total, uint64_t count)
{
	uint64_t avg = count ? (total + count - 1) / count : 0;

	return max > avg ? max : avg;
}

static struct table_row *function_row(struct functions_state *s, struct table *t, __u32 slot)
{
	struct table_row *r = table_find_row(t, slot);

	if (r)
		return r;
	r = table_add_row(t, slot);
	if (!r)
		return NULL;
	r->name = intern(s->funcs[slot].name);
	r->label = s->funcs[slot].traced;
	return r;
}

/* One function's interval into its row (the row key is its slot) */
static int add_slot(void *arg, __u32 slot, const void *values)
{
	struct functions_state *s = arg;
	const struct function_stat *st = values;
	struct table *t = frame_table(s->frame, &functions_table);
	struct table_row *r;

	if (!t || slot >= s->nfuncs)
		return 0;
	r = function_row(s, t, slot);
	if (!r)
		return -ENOMEM;
	r->v[V_CALLS] = st->calls;
	r->v[V_RETURNS] = st->returns;
	r->v[V_TOTAL] = st->total_ns;
	r->v[V_ERRORS] = st->errors;
	/* a shared maximum can lose a race to a shorter call on another CPU: keep AVG <= MAX */
	r->v[V_MAX] = max_at_least_avg(st->max.ns, st->total_ns, st->returns);
	r->v[V_CPUS] = st->cpus.epoch == s->epoch ? st->cpus.bits : 0;
	hist_add_u32(frame_row_hist(s->frame, r, 0), st->hist);
	return 0;
}

static int functions_sample(struct collector *c, struct frame *f)
{
	struct functions_state *s = c->priv;
	struct table *t = frame_table(f, &functions_table);
	int err = 0;

	s->frame = f;
	if (s->stats_ready)
		err = counter_map_read(&s->stats, s->epoch, add_slot, s);
	s->epoch++;
	for (unsigned int i = 0; i < s->nfuncs; i++)
		if (s->funcs[i].skel)
			counter_epoch_advance(&s->funcs[i].skel->bss->counter_epoch);
	/* every function asked for has its row, idle or refused: the pane says what it got */
	for (unsigned int i = 0; t && i < s->nfuncs && !err; i++)
		if (!function_row(s, t, i))
			err = -ENOMEM;
	s->frame = NULL;
	return err;
}

const struct collector_ops functions_collector = {
	.name = "functions",
	.tables = function_tables,
	.open = functions_open,
	.sample = functions_sample,
	.close = functions_close,
	.options = functions_options,
	.noptions = sizeof(functions_options) / sizeof(functions_options[0]),
};
