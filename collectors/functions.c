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
 * Functions are also added and removed while ktop runs (the screen's trace prompt):
 * functions_live_add() checks the name here, and the privileged helper loads and attaches
 * (core/privsep.h, PRIVSEP_FUNC_ATTACH: this process holds no capability by then), reusing
 * the shared maps whose fds go with the request; the links come back as fds, and closing
 * them is the removal. Without the helper (tests) the same work runs in this process.
 *
 * Test hook: KTOP_FUNCTIONS_METHOD=kprobe (or fentry) tries only that method.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>

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
#include "core/privsep.h"
#include "functions.h"
#include "functions.skel.h"
#include "registry.h"

#define FUNCTION_NAME_MAX 128
#define KPROBE_TYPE_PATH "/sys/bus/event_source/devices/kprobe/type"
#define KPROBE_RETPROBE_PATH "/sys/bus/event_source/devices/kprobe/format/retprobe"
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
	struct functions_bpf *skel; /* traced at start-up; NULL when refused or added live */
	struct bpf_link *entry, *exit;
	int link_fds[2];	    /* added live: its entry and exit links, or -1 */
	void *bss;		    /* added live: its object's .bss, mapped here */
	size_t bss_len;
	__u64 *epoch;		    /* its counter_epoch (in skel's .bss or bss); NULL: none */
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
	int stats_fd, starts_fd; /* the shared maps (this state's own fds), or -1 */
	struct counter_map stats;
	bool stats_ready;
	struct btf *btf;     /* the kernel's, while opening */
	char *filter_funcs;  /* available_filter_functions, "\n"-led, while opening; or NULL */
	struct frame *frame; /* the frame being filled */
	__u64 epoch;
};

/* Detach fn and free its slot: links closed (the programs go with them), objects freed */
static void function_untrace(struct traced_function *fn)
{
	bpf_link__destroy(fn->entry);
	bpf_link__destroy(fn->exit);
	functions_bpf__destroy(fn->skel);
	for (unsigned int i = 0; i < 2; i++)
		if (fn->link_fds[i] >= 0)
			close(fn->link_fds[i]);
	if (fn->bss)
		munmap(fn->bss, fn->bss_len);
	memset(fn, 0, sizeof(*fn));
	fn->link_fds[0] = fn->link_fds[1] = -1;
}

static void functions_close(struct collector *c)
{
	struct functions_state *s = c->priv;

	if (!s)
		return;
	for (unsigned int i = 0; i < s->nfuncs; i++)
		function_untrace(&s->funcs[i]);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	if (s->starts_fd >= 0)
		close(s->starts_fd);
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
	if (s->stats_fd < 0) { /* this state's own: the object may be removed before others */
		s->stats_fd = fcntl(bpf_map__fd(skel->maps.function_stats), F_DUPFD_CLOEXEC, 0);
		s->starts_fd = fcntl(bpf_map__fd(skel->maps.function_starts), F_DUPFD_CLOEXEC, 0);
	}
	fn->epoch = &skel->bss->counter_epoch;
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

/* The slot of a function traced under name */
static unsigned int function_slot(const struct functions_state *s, const char *name)
{
	for (unsigned int i = 0; i < s->nfuncs; i++)
		if (strcmp(s->funcs[i].name, name) == 0)
			return i;
	return 0;
}

/* Slots in use */
static unsigned int function_count(const struct functions_state *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->nfuncs; i++)
		n += !!s->funcs[i].name[0];
	return n;
}

/* The configured names ("a, b, c") into s->funcs, duplicates once */
static bool function_known(const struct functions_state *s, const char *name, size_t n)
{
	for (unsigned int i = 0; i < s->nfuncs; i++)
		if (strlen(s->funcs[i].name) == n && strncmp(s->funcs[i].name, name, n) == 0)
			return true;
	return false;
}

/* name (n bytes) into the first free slot: the function, or NULL (known, or no room) */
static struct traced_function *function_add(struct functions_state *s, const char *name,
					    size_t n, bool counts_only)
{
	struct traced_function *fn = NULL;

	if (!n || n >= FUNCTION_NAME_MAX || function_known(s, name, n))
		return NULL;
	for (unsigned int i = 0; i < s->nfuncs && !fn; i++) /* a slot removed and free again */
		if (!s->funcs[i].name[0])
			fn = &s->funcs[i];
	if (!fn && s->nfuncs >= FUNCTIONS_MAX)
		return NULL;
	if (!fn)
		fn = &s->funcs[s->nfuncs++];
	fn->link_fds[0] = fn->link_fds[1] = -1;
	memcpy(fn->name, name, n);
	fn->name[n] = '\0';
	fn->counts_only = counts_only;
	return fn;
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
static void glob_expand(struct functions_state *s, struct function_glob *glob)
{
	unsigned int before = function_count(s);
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
	glob->added = function_count(s) - before;
}

static void functions_expand_globs(struct functions_state *s)
{
	for (unsigned int g = 0; g < s->nglobs; g++)
		glob_expand(s, &s->globs[g]);
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

	if (!t || slot >= s->nfuncs || !s->funcs[slot].name[0]) /* a slot freed since */
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
		if (s->funcs[i].epoch)
			counter_epoch_advance(s->funcs[i].epoch);
	/* every function asked for has its row, idle or refused: the pane says what it got */
	for (unsigned int i = 0; t && i < s->nfuncs && !err; i++)
		if (s->funcs[i].name[0] && !function_row(s, t, i))
			err = -ENOMEM;
	s->frame = NULL;
	return err;
}

/* ---- tracing while ktop runs: the helper's work, and this process's side ---- */

/* The kprobe PMU's config bit for a return probe ("config:0" in its format file) */
static int kprobe_retprobe_bit(void)
{
	FILE *in = fopen(KPROBE_RETPROBE_PATH, "re");
	int bit = -1;

	if (in) {
		if (fscanf(in, "config:%d", &bit) != 1)
			bit = -1;
		fclose(in);
	}
	return bit >= 0 && bit < 64 ? bit : -1;
}

/*
 * A kprobe (or return probe) on name running prog: the link's fd, or -errno. By hand, not
 * bpf_program__attach_kprobe(): libbpf's link owns a perf event fd of its own that would
 * stay open here, and the link must be handed over whole as one fd.
 */
static int kprobe_link(const struct bpf_program *prog, const char *name, bool retprobe)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type, bit = retprobe ? kprobe_retprobe_bit() : 0, pfd, link;
	FILE *in = fopen(KPROBE_TYPE_PATH, "re");

	if (!in)
		return -errno;
	if (fscanf(in, "%d", &type) != 1)
		type = -1;
	fclose(in);
	if (type < 0 || bit < 0)
		return -ENOTSUP;
	attr.type = (__u32)type;
	attr.config = retprobe ? 1ULL << bit : 0;
	attr.config1 = (__u64)(unsigned long)name; /* kprobe_func */
	attr.config2 = 0;			    /* probe_offset */
	pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	/* a BPF link holds the perf event: its fd alone keeps both, and closing it ends both */
	link = bpf_link_create(bpf_program__fd(prog), pfd, BPF_PERF_EVENT, NULL);
	if (link >= 0) {
		close(pfd);
		return link;
	}
	/* kernels before perf links (5.15): the event's fd is the link */
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(prog)) < 0 ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		link = -errno;
		close(pfd);
		return link;
	}
	return pfd;
}

/* An fentry/fexit program's link, as an fd of its own (libbpf's closes with it) */
static int tracing_link(const struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach(prog);
	int fd;

	if (!link)
		return -errno;
	fd = fcntl(bpf_link__fd(link), F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		fd = -errno;
	bpf_link__destroy(link); /* closes libbpf's fd only: the link lives on in fd */
	return fd;
}

static int reuse_map(struct bpf_object *obj, const char *name, int fd)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	return !map || fd < 0 ? 0 : bpf_map__reuse_fd(map, fd);
}

static int dup_fd(int fd)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return copy < 0 ? -errno : copy;
}

/*
 * PRIVSEP_FUNC_ATTACH's work (privsep_func_attach_fn), in the privileged helper, or in ktop
 * itself without one: the request was checked whole by the helper's parser.
 */
static int functions_attach_work(const struct privsep_func_request *req,
				 const int map_fds[PRIVSEP_FUNC_MAP_END],
				 int out_fds[PRIVSEP_FUNC_FDS_OUT], char *why, size_t len)
{
	static const char *const map_names[PRIVSEP_FUNC_MAP_END] = {
		[PRIVSEP_FUNC_STATS] = "function_stats",
		[PRIVSEP_FUNC_STARTS] = "function_starts",
		[PRIVSEP_FUNC_FILTER_CONFIG] = "container_filter_config",
		[PRIVSEP_FUNC_FILTER_IDS] = "container_filter_ids",
		[PRIVSEP_FUNC_FILTER_CHARGE] = "container_charged_ns",
	};
	enum function_method method = req->method == PRIVSEP_FUNC_FENTRY ? METHOD_FENTRY
									 : METHOD_KPROBE;
	bool counts_only = req->flags & PRIVSEP_FUNC_COUNTS_ONLY;
	struct functions_bpf *skel;
	int err = 0, fd;

	for (unsigned int i = 0; i < PRIVSEP_FUNC_FDS_OUT; i++)
		out_fds[i] = -1;
	skel = object_open(method, req->name);
	if (!skel) {
		err = -errno;
		snprintf(why, len, "cannot open: %s", strerror(-err));
		return err;
	}
	skel->rodata->slot = req->head.arg;
	skel->rodata->ret_kind = req->ret_kind;
	skel->rodata->counts_only = counts_only;
	if (counts_only) {
		bpf_program__set_autoload(skel->progs.function_exit, false);
		bpf_program__set_autoload(skel->progs.function_kretprobe, false);
	}
	for (unsigned int i = 0; i < PRIVSEP_FUNC_MAP_END && !err; i++)
		err = reuse_map(skel->obj, map_names[i], map_fds[i]);
	if (!err)
		err = functions_bpf__load(skel);
	if (err) {
		snprintf(why, len, "the kernel would not load it: %s", bpf_error_reason(err));
		goto fail;
	}
	skel->bss->counter_epoch = req->epoch;
	fd = method == METHOD_FENTRY ? tracing_link(skel->progs.function_entry)
				     : kprobe_link(skel->progs.function_kprobe, req->name, false);
	if (fd >= 0 && !counts_only) {
		out_fds[0] = fd;
		fd = method == METHOD_FENTRY
			     ? tracing_link(skel->progs.function_exit)
			     : kprobe_link(skel->progs.function_kretprobe, req->name, true);
		if (fd >= 0)
			out_fds[1] = fd;
	} else if (fd >= 0) {
		out_fds[0] = fd;
	}
	if (fd < 0) {
		err = fd;
		snprintf(why, len, "the kernel would not attach it: %s", bpf_error_reason(err));
		goto fail;
	}
	out_fds[2] = dup_fd(bpf_map__fd(skel->maps.bss));
	if (map_fds[PRIVSEP_FUNC_STATS] < 0) { /* the first: its maps are the shared ones now */
		out_fds[3] = dup_fd(bpf_map__fd(skel->maps.function_stats));
		out_fds[4] = dup_fd(bpf_map__fd(skel->maps.function_starts));
	}
	for (unsigned int i = 2; i < PRIVSEP_FUNC_FDS_OUT; i++)
		if (out_fds[i] < -1) {
			err = out_fds[i];
			snprintf(why, len, "%s", strerror(-err));
			goto fail;
		}
	functions_bpf__destroy(skel); /* the links hold the programs */
	return 0;
fail:
	for (unsigned int i = 0; i < PRIVSEP_FUNC_FDS_OUT; i++) {
		if (out_fds[i] >= 0)
			close(out_fds[i]);
		out_fds[i] = -1;
	}
	functions_bpf__destroy(skel);
	return err;
}

/* Register the helper's work: only where functions can be traced (a method was found) */
void functions_live_setup(const struct collector *c)
{
	const struct functions_state *s = c->running ? c->priv : NULL;

	privsep_set_func_attach(s && s->method != METHOD_NONE ? functions_attach_work : NULL);
}

/* fn's object through the helper, into slot; 0, or -errno with fn->traced saying why */
static int function_trace_live(struct functions_state *s, struct traced_function *fn,
			       __u32 slot, const struct ksyms *ksyms)
{
	struct privsep_func_request req = { .head.arg = slot, .epoch = s->epoch };
	int map_fds[PRIVSEP_FUNC_MAP_END], out[PRIVSEP_FUNC_FDS_OUT];
	const char *refusal = function_refusal(s, fn, ksyms);
	char why[PRIVSEP_TEXT_MAX], text[PRIVSEP_TEXT_MAX + 40];
	struct bpf_map_info info;
	__u32 info_len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	int err;

	if (refusal) {
		snprintf(text, sizeof(text), "refused: %s", refusal);
		fn->traced = intern(text);
		return -EINVAL;
	}
	req.method = s->method == METHOD_FENTRY ? PRIVSEP_FUNC_FENTRY : PRIVSEP_FUNC_KPROBE;
	req.flags = fn->counts_only ? PRIVSEP_FUNC_COUNTS_ONLY : 0;
	req.ret_kind = return_kind(s->btf, fn->target);
	snprintf(req.name, sizeof(req.name), "%s", fn->target);
	map_fds[PRIVSEP_FUNC_STATS] = s->stats_fd;
	map_fds[PRIVSEP_FUNC_STARTS] = s->starts_fd;
	if (container_filter_map_fds(&map_fds[PRIVSEP_FUNC_FILTER_CONFIG]) < 0)
		for (unsigned int i = PRIVSEP_FUNC_FILTER_CONFIG; i < PRIVSEP_FUNC_MAP_END; i++)
			map_fds[i] = -1; /* none here: the object's own, which let everyone in */
	why[0] = '\0';
	err = privsep_func_attach(&req, map_fds, out, why, sizeof(why));
	if (err) {
		snprintf(text, sizeof(text), "refused: %s", why[0] ? why : strerror(-err));
		fn->traced = intern(text);
		return err;
	}
	fn->link_fds[0] = out[0];
	fn->link_fds[1] = out[1];
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(out[2], &info, &info_len) == 0 && page > 0) {
		fn->bss_len = (info.value_size + (size_t)page - 1) / (size_t)page * (size_t)page;
		fn->bss = mmap(NULL, fn->bss_len, PROT_READ | PROT_WRITE, MAP_SHARED, out[2], 0);
		if (fn->bss == MAP_FAILED)
			fn->bss = NULL;
	}
	close(out[2]); /* the mapping keeps the map */
	/* without its epoch the longest call is the longest since it was added: still a row */
	fn->epoch = fn->bss ? &((struct functions_bpf__bss *)fn->bss)->counter_epoch : NULL;
	if (out[3] >= 0 && s->stats_fd < 0) {
		s->stats_fd = out[3];
		s->starts_fd = out[4];
	} else {
		if (out[3] >= 0)
			close(out[3]);
		if (out[4] >= 0)
			close(out[4]);
	}
	snprintf(text, sizeof(text), "%s%s", method_names[s->method],
		 fn->counts_only ? " count" : "");
	fn->traced = intern(text);
	return 0;
}

/* The kernel's function lists while checking names, freed after: megabytes */
static void lists_load(struct functions_state *s)
{
	s->btf = btf__load_vmlinux_btf();
	if (libbpf_get_error(s->btf))
		s->btf = NULL;
	s->filter_funcs = read_generated_file(FILTER_FUNCTIONS_PATH);
}

static void lists_free(struct functions_state *s)
{
	btf__free(s->btf);
	s->btf = NULL;
	free(s->filter_funcs);
	s->filter_funcs = NULL;
}

int functions_live_add(struct collector *c, const char *text, char *msg, size_t len)
{
	struct functions_state *s = c->running ? c->priv : NULL;
	unsigned int before[FUNCTIONS_MAX] = { 0 }, traced = 0, added = 0;
	struct function_glob glob = { 0 };
	const struct ksyms *ksyms;
	const char *last = NULL;
	size_t n = strlen(text);
	int err;

	if (!s) {
		snprintf(msg, len, "functions: %s", c->reason[0] ? c->reason : "not running");
		return -ENODEV;
	}
	if (!n || n >= FUNCTION_NAME_MAX) {
		snprintf(msg, len, "a function name of 1 to %d characters", FUNCTION_NAME_MAX - 1);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < s->nfuncs; i++)
		before[i] = !!s->funcs[i].name[0];
	if (strcspn(text, "*?[") < n) {
		lists_load(s);
		snprintf(glob.pattern, sizeof(glob.pattern), "%s", text);
		glob_expand(s, &glob);
	} else if (function_known(s, text, n)) {
		snprintf(msg, len, "%s is traced already", text);
		return -EEXIST;
	} else if (function_count(s) >= FUNCTIONS_MAX) {
		snprintf(msg, len, "%d functions traced already: remove one first", FUNCTIONS_MAX);
		return -ENOSPC;
	} else {
		lists_load(s);
		function_add(s, text, n, false);
	}
	ksyms = ksyms_kernel_get(&err); /* for aliases; NULL: names as they are */
	for (unsigned int i = 0; i < s->nfuncs; i++) {
		if (before[i] || !s->funcs[i].name[0])
			continue;
		added++;
		last = s->funcs[i].name;
		traced += function_trace_live(s, &s->funcs[i], i, ksyms) == 0;
	}
	if (ksyms)
		ksyms_kernel_put();
	lists_free(s);
	if (traced && !s->stats_ready && s->stats_fd >= 0) {
		err = counter_map_init(&s->stats, s->stats_fd, &function_stat_layout, 1, false);
		s->stats_ready = err == 0;
	}
	if (glob.pattern[0])
		snprintf(msg, len, "%s: %u matched, %u added, %u traced%s", glob.pattern,
			 glob.matched, added, traced,
			 glob.matched > added ? " (the " STR(FUNCTIONS_MAX) "-function limit)" : "");
	else if (added && traced)
		snprintf(msg, len, "tracing %s", last);
	else if (added)
		snprintf(msg, len, "%s: %s", last, s->funcs[function_slot(s, last)].traced);
	return added ? (int)added : -ENOENT;
}

int functions_live_remove(struct collector *c, uint64_t key, char *msg, size_t len)
{
	struct functions_state *s = c->running ? c->priv : NULL;

	if (!s || key >= s->nfuncs || !s->funcs[key].name[0]) {
		snprintf(msg, len, "no such function traced");
		return -ENOENT;
	}
	snprintf(msg, len, "%s no longer traced", s->funcs[key].name);
	function_untrace(&s->funcs[key]);
	while (s->nfuncs && !s->funcs[s->nfuncs - 1].name[0])
		s->nfuncs--;
	return 0;
}

/* Longest common start of what matched so far (out) and name */
static void common_start(char *out, const char *name, size_t n, bool first, size_t len)
{
	size_t i = 0;

	if (first) {
		snprintf(out, len, "%.*s", (int)n, name);
		return;
	}
	while (out[i] && i < n && out[i] == name[i])
		i++;
	out[i] = '\0';
}

long functions_complete(const char *prefix, char *out, size_t len)
{
	size_t plen = strlen(prefix);
	char line[512];
	long matches = 0;
	FILE *in;

	if (len == 0)
		return -EINVAL;
	out[0] = '\0';
	/* read a line at a time: the ~70 000 names are not kept */
	in = fopen(FILTER_FUNCTIONS_PATH, "re");
	if (in) {
		const char *last = NULL;
		char prev[FUNCTION_NAME_MAX] = "";

		while (fgets(line, sizeof(line), in)) {
			size_t n = strcspn(line, " \n");

			if (n < plen || n >= FUNCTION_NAME_MAX || strncmp(line, prefix, plen) != 0)
				continue;
			/* a name listed twice (static functions of several files) counts once */
			if (last && strlen(prev) == n && strncmp(prev, line, n) == 0)
				continue;
			common_start(out, line, n, !matches, len);
			memcpy(prev, line, n);
			prev[n] = '\0';
			last = prev;
			matches++;
		}
		fclose(in);
		return matches;
	}
	{
		struct btf *btf = btf__load_vmlinux_btf();

		if (libbpf_get_error(btf))
			return -ENOENT;
		for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
			const struct btf_type *t = btf__type_by_id(btf, id);
			const char *name;

			if (!btf_is_func(t))
				continue;
			name = btf__name_by_offset(btf, t->name_off);
			if (!name || strncmp(name, prefix, plen) != 0)
				continue;
			common_start(out, name, strlen(name), !matches, len);
			matches++;
		}
		btf__free(btf);
	}
	return matches;
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
