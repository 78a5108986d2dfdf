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
 * What a timed function's calls look like: the callers' stacks (counted per distinct
 * stack, resolved with the shared kernel symbols, named by caller <- its caller) and the
 * values of one argument or of the return value, chosen from its BTF prototype (counted per
 * distinct value). Both are the detail of a row (Enter) and tables of their own in JSON
 * and recordings. The argument distribution is on for every timed function: one hash
 * update per call. Stacks cost an unwind per call: they are on only for the function whose
 * detail is open, or for all with [functions] callers = yes (for -J and recordings).
 * function_config, a map by slot, switches both at run time.
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
#include "core/stacks.h"
#include "functions.skel.h"
#include "registry.h"

#define FUNCTION_NAME_MAX 128
#define KPROBE_TYPE_PATH "/sys/bus/event_source/devices/kprobe/type"
#define KPROBE_RETPROBE_PATH "/sys/bus/event_source/devices/kprobe/format/retprobe"
#define FILTER_FUNCTIONS_PATH "/sys/kernel/tracing/available_filter_functions"
/* A function every kernel has, traceable, in its BTF: what the fentry probe loads against */
#define PROBE_FUNCTION "vfs_read"
#define FUNCTIONS_GLOBS 8
#define ARG_NAME_MAX 32
#define ARG_TYPE_MAX 48
/* Distinct caller stacks named so far (the names and frames stay, rows point at them) */
#define CALLER_CACHE 1024
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
enum functions_setting { FUNCTIONS_TRACE, FUNCTIONS_ARGS, FUNCTIONS_CALLERS_ALWAYS };

static int args_check(const char *value, char *err, size_t errlen);

static const struct option_def functions_options[] = {
	[FUNCTIONS_TRACE] = { "functions", "trace", OPTION_LIST, 0, 0, "",
			      "kernel functions to count and time, as -f FUNC does (at most 32; "
			      "names of 32 characters at most here, longer with -f); empty: none" },
	[FUNCTIONS_ARGS] = { "functions", "args", OPTION_STRING, 0, 0, "-",
			     "argument whose values are counted, FUNC:ARG, as -f FUNC:ARG "
			     "(do_sys_openat2:dfd, vfs_read:ret); -: the first integer argument, "
			     "else an int or long return value", .check = args_check },
	[FUNCTIONS_CALLERS_ALWAYS] = { "functions", "callers", OPTION_BOOL, 0, 0, "no",
				"count the callers' stacks of every timed function (an unwind per "
				"call), not only of the one whose detail is open: for -J and -w" },
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

/* A row's detail: who called it, and what it was called with */
enum { V_DETAIL_COUNT };

static const struct table_column caller_columns[] = {
	{ "func", "FUNCTION", COL_NAME, 0, 0, 20, false, "the traced function" },
	{ "count", "CALLS/s", COL_COUNT, V_DETAIL_COUNT, 0, 8, false,
	  "calls from this stack per second" },
	{ "caller", "CALLERS", COL_NAME, 1, 0, 60, false,
	  "caller <- its caller (the whole stack, innermost first: JSON's stack)" },
};

static const struct table_column arg_columns[] = {
	{ "func", "FUNCTION", COL_NAME, 0, 0, 20, false, "the traced function" },
	{ "count", "CALLS/s", COL_COUNT, V_DETAIL_COUNT, 0, 8, false,
	  "calls with this value per second" },
	{ "value", "VALUE", COL_NAME, 1, 0, 40, false,
	  "argument=value (ret=: the return value; =(other): values beyond the table's room)" },
};

const struct table_schema function_callers_table = {
	.id = "function_callers",
	.title = "Callers' stacks",
	.columns = caller_columns,
	.ncolumns = sizeof(caller_columns) / sizeof(caller_columns[0]),
	.sort_column = 1,
	.max_rows = 256,
	.strings_id = "stack",
	.detail = true,
};

/* Not const: the open detail's title names the argument counted and the others */
struct table_schema function_args_table = {
	.id = "function_args",
	.title = "Argument values",
	.columns = arg_columns,
	.ncolumns = sizeof(arg_columns) / sizeof(arg_columns[0]),
	.sort_column = 1,
	.max_rows = 256,
	.detail = true,
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
	.drill = &function_callers_table,
	.drill_also = &function_args_table,
	.pane = true,
	.opt_in = true, /* shown when functions are asked for (-f, [functions] trace) */
};

static const struct table_schema *const function_tables[] = {
	&functions_table, &function_callers_table, &function_args_table, NULL
};

static const struct counter_layout function_stat_layout = {
	.size = sizeof(struct function_stat),
	.u64s = offsetof(struct function_stat, max) / sizeof(__u64),
	.maxes = 1,
	.u32s = KTOP_HIST_SLOTS,
};

/* An argument (or the return value) whose values can be counted, from the BTF prototype */
struct function_arg {
	char name[ARG_NAME_MAX]; /* "dfd"; "ret" for the return value */
	char type[ARG_TYPE_MAX]; /* "int", "const char *" */
	__u32 index;		 /* FUNCTION_ARG_RET for the return value */
	__u64 mask;		 /* the bits of its type */
	bool is_signed, integer;
};

struct traced_function {
	char name[FUNCTION_NAME_MAX];
	char want_arg[ARG_NAME_MAX];	/* asked for (FUNC:ARG), or "" */
	struct function_arg args[FUNCTION_ARGS_MAX + 1];
	unsigned int nargs;
	int arg;			/* the one counted (index into args), -1: none */
	const char *arg_label;		/* interned "dfd (int)", or NULL */
	uint64_t stack_drops, arg_other; /* this interval */
	char target[FUNCTION_NAME_MAX]; /* what the kernel knows its code as (an alias) */
	bool counts_only;		/* from a glob: calls and CPUs, no timing */
	bool counting;			/* loaded (or being): function_config has its slot */
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

/* A caller stack seen: its row's name and frames, kept for as long as ktop runs */
struct caller_stack {
	uint64_t key; /* 0: free */
	const char *name;
	const char **frames;
	unsigned int nframes;
};

struct functions_state {
	enum function_method method;
	struct traced_function funcs[FUNCTIONS_MAX];
	unsigned int nfuncs;
	struct function_glob globs[FUNCTIONS_GLOBS];
	unsigned int nglobs;
	int stats_fd, starts_fd; /* the shared maps (this state's own fds), or -1 */
	int config_fd, stacks_fd, callers_fd, args_fd; /* the same */
	bool callers_always; /* [functions] callers */
	int focus;	     /* the slot whose detail is open, -1: none */
	const struct ksyms *ksyms;    /* shared, see ksyms_kernel_get(); for the stacks */
	struct caller_stack *callers; /* CALLER_CACHE, open addressing by key */
	unsigned int ncallers;
	uint64_t dropped;
	struct counter_map stats;
	bool stats_ready;
	struct btf *btf;     /* the kernel's, while opening */
	char *filter_funcs;  /* available_filter_functions, "\n"-led, while opening; or NULL */
	struct frame *frame; /* the frame being filled */
	__u64 epoch;
};

/* The state's fd of shared map i (< PRIVSEP_FUNC_SHARED) */
static int *shared_fd(struct functions_state *s, unsigned int i)
{
	int *const fds[PRIVSEP_FUNC_SHARED] = {
		[PRIVSEP_FUNC_STATS] = &s->stats_fd,
		[PRIVSEP_FUNC_STARTS] = &s->starts_fd,
		[PRIVSEP_FUNC_CONFIG] = &s->config_fd,
		[PRIVSEP_FUNC_STACKS] = &s->stacks_fd,
		[PRIVSEP_FUNC_CALLERS] = &s->callers_fd,
		[PRIVSEP_FUNC_ARGS] = &s->args_fd,
	};

	return fds[i];
}

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
	fn->arg = -1;
}

static void functions_close(struct collector *c)
{
	struct functions_state *s = c->priv;

	if (!s)
		return;
	for (unsigned int i = 0; i < s->nfuncs; i++)
		function_untrace(&s->funcs[i]);
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED; i++)
		if (*shared_fd(s, i) >= 0)
			close(*shared_fd(s, i));
	counter_map_free(&s->stats);
	for (unsigned int i = 0; s->callers && i < CALLER_CACHE; i++)
		free(s->callers[i].frames);
	free(s->callers);
	if (s->ksyms)
		ksyms_kernel_put();
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

/* A type as C declares it, "const char *", "struct file *", "umode_t", into buf */
static void type_text(const struct btf *btf, __u32 id, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	char inner[ARG_TYPE_MAX];

	if (!t || !id) {
		snprintf(buf, len, "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		type_text(btf, t->type, inner, sizeof(inner));
		if (snprintf(buf, len, "%s *", inner) >= (int)len)
			buf[len - 2] = '~'; /* cut short: say so */
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		type_text(btf, t->type, inner, sizeof(inner));
		if (snprintf(buf, len, "%s%s", btf_is_const(t) ? "const " : "", inner) >= (int)len)
			buf[len - 2] = '~';
		return;
	case BTF_KIND_STRUCT:
		snprintf(buf, len, "struct %s", name && *name ? name : "?");
		return;
	case BTF_KIND_UNION:
		snprintf(buf, len, "union %s", name && *name ? name : "?");
		return;
	case BTF_KIND_ENUM:
		snprintf(buf, len, "enum %s", name && *name ? name : "?");
		return;
	default:
		snprintf(buf, len, "%s", name && *name ? name : "?");
	}
}

/* Can values of type id be counted (an integer, an enum, a pointer)? Fills mask, signed */
static bool arg_type_usable(const struct btf *btf, __u32 id, struct function_arg *a)
{
	__s32 real = id ? btf__resolve_type(btf, id) : -1;
	const struct btf_type *t = real > 0 ? btf__type_by_id(btf, real) : NULL;

	if (!t)
		return false;
	a->integer = btf_is_int(t) || btf_is_enum(t);
	if (btf_is_ptr(t)) {
		a->mask = ~0ull;
		a->is_signed = false;
		return true;
	}
	if (!a->integer || t->size == 0 || t->size > 8)
		return false;
	a->mask = t->size == 8 ? ~0ull : (1ull << (t->size * 8)) - 1;
	a->is_signed = btf_is_int(t) ? !!(btf_int_encoding(t) & BTF_INT_SIGNED) : true;
	return true;
}

/* The arguments (the first six: what both methods can read) and the return value whose
 * values can be counted, from the function's BTF prototype, into fn->args */
static void function_args(const struct btf *btf, struct traced_function *fn)
{
	const struct btf_param *p;
	const struct btf_type *t;
	struct function_arg *a;
	__s32 id;

	fn->nargs = 0;
	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, fn->target, BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, id)->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return;
	p = btf_params(t);
	for (__u32 i = 0; i < btf_vlen(t) && i < FUNCTION_ARGS_MAX; i++) {
		const char *name = btf__name_by_offset(btf, p[i].name_off);

		a = &fn->args[fn->nargs];
		if (!arg_type_usable(btf, p[i].type, a))
			continue;
		snprintf(a->name, sizeof(a->name), "%s", name && *name ? name : "?");
		type_text(btf, p[i].type, a->type, sizeof(a->type));
		a->index = i;
		fn->nargs++;
	}
	a = &fn->args[fn->nargs];
	if (t->type && arg_type_usable(btf, t->type, a)) {
		snprintf(a->name, sizeof(a->name), "ret");
		type_text(btf, t->type, a->type, sizeof(a->type));
		a->index = FUNCTION_ARG_RET;
		fn->nargs++;
	}
}

/* The argument counted unless one is asked for: the first integer argument, else the
 * return value of a function returning int or long (its errors), else none */
static int default_arg(const struct traced_function *fn, enum function_ret ret)
{
	for (unsigned int i = 0; i < fn->nargs; i++)
		if (fn->args[i].integer && fn->args[i].index != FUNCTION_ARG_RET)
			return (int)i;
	if (ret != FUNCTION_RET_NONE && fn->nargs && fn->args[fn->nargs - 1].index ==
	    FUNCTION_ARG_RET)
		return (int)fn->nargs - 1;
	return -1;
}

static int find_arg(const struct traced_function *fn, const char *name)
{
	for (unsigned int i = 0; i < fn->nargs; i++)
		if (strcmp(fn->args[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* What the BPF side counts for slot: its argument, and stacks when asked for or open */
static int config_write(struct functions_state *s, __u32 slot)
{
	const struct traced_function *fn = &s->funcs[slot];
	struct function_config cfg = { .arg = FUNCTION_ARG_NONE };

	if (s->config_fd < 0)
		return 0;
	/* a free slot, a glob's or a refused function: nothing (the slot may be taken again) */
	cfg.stacks = fn->counting && !fn->counts_only &&
		     (s->callers_always || s->focus == (int)slot);
	if (fn->counting && !fn->counts_only && fn->arg >= 0) {
		cfg.arg = fn->args[fn->arg].index;
		cfg.arg_mask = fn->args[fn->arg].mask;
	}
	return bpf_map_update_elem(s->config_fd, &slot, &cfg, BPF_ANY) ? -errno : 0;
}

static void arg_choose(struct traced_function *fn, int arg)
{
	char label[ARG_NAME_MAX + ARG_TYPE_MAX + 4];

	fn->arg = arg;
	if (arg < 0) {
		fn->arg_label = NULL;
		return;
	}
	snprintf(label, sizeof(label), "%s (%s)", fn->args[arg].name, fn->args[arg].type);
	fn->arg_label = intern(label);
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

/* The maps every function's object shares, by enum privsep_func_map (< PRIVSEP_FUNC_SHARED),
 * and the container filter's after them */
static const char *const shared_map_names[PRIVSEP_FUNC_MAP_END] = {
	[PRIVSEP_FUNC_STATS] = "function_stats",
	[PRIVSEP_FUNC_STARTS] = "function_starts",
	[PRIVSEP_FUNC_CONFIG] = "function_config",
	[PRIVSEP_FUNC_STACKS] = "function_stacks",
	[PRIVSEP_FUNC_CALLERS] = "function_callers",
	[PRIVSEP_FUNC_ARGS] = "function_args",
	[PRIVSEP_FUNC_FILTER_CONFIG] = "container_filter_config",
	[PRIVSEP_FUNC_FILTER_IDS] = "container_filter_ids",
	[PRIVSEP_FUNC_FILTER_CHARGE] = "container_charged_ns",
};

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

/* skel's shared map i (< PRIVSEP_FUNC_SHARED) */
static const struct bpf_map *shared_map(const struct functions_bpf *skel, unsigned int i)
{
	const struct bpf_map *const maps[PRIVSEP_FUNC_SHARED] = {
		[PRIVSEP_FUNC_STATS] = skel->maps.function_stats,
		[PRIVSEP_FUNC_STARTS] = skel->maps.function_starts,
		[PRIVSEP_FUNC_CONFIG] = skel->maps.function_config,
		[PRIVSEP_FUNC_STACKS] = skel->maps.function_stacks,
		[PRIVSEP_FUNC_CALLERS] = skel->maps.function_callers,
		[PRIVSEP_FUNC_ARGS] = skel->maps.function_args,
	};

	return maps[i];
}

/* The shared maps of the first object loaded here become the state's: its own fds, so that
 * removing that object leaves them to the others. 0, or -errno (then none are kept) */
static int shared_maps_keep(struct functions_state *s, const struct functions_bpf *skel)
{
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED; i++) {
		int fd = dup_fd(bpf_map__fd(shared_map(skel, i)));

		if (fd < 0) {
			for (unsigned int j = 0; j < i; j++) {
				close(*shared_fd(s, j));
				*shared_fd(s, j) = -1;
			}
			return fd;
		}
		*shared_fd(s, i) = fd;
	}
	return 0;
}

/*
 * The argument whose values fn's calls count: FUNC:ARG's, else the first integer argument,
 * else the return value (of a function returning int or long); none for a glob's. From
 * the kernel's BTF, which needs no capability: the same for -f and for a function added
 * while ktop runs. 0, or -EINVAL with why.
 */
static int function_arg_pick(const struct functions_state *s, struct traced_function *fn,
			     enum function_ret ret, char *why, size_t len)
{
	int arg;

	function_args(s->btf, fn);
	if (fn->counts_only) {
		arg_choose(fn, -1);
		return 0;
	}
	if (!fn->want_arg[0]) {
		arg_choose(fn, default_arg(fn, ret));
		return 0;
	}
	arg = find_arg(fn, fn->want_arg);
	if (arg < 0) {
		snprintf(why, len, "refused: no argument '%s' whose values can be counted "
			 "(integers, enums, pointers of the first six; ret)", fn->want_arg);
		arg_choose(fn, -1);
		return -EINVAL;
	}
	arg_choose(fn, arg);
	return 0;
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
	err = function_arg_pick(s, fn, skel->rodata->ret_kind, why, sizeof(why));
	if (err)
		goto fail;
	skel->rodata->counts_only = fn->counts_only;
	if (fn->counts_only) {
		bpf_program__set_autoload(skel->progs.function_exit, false);
		bpf_program__set_autoload(skel->progs.function_kretprobe, false);
	}
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED && !err; i++)
		err = reuse_map(skel->obj, shared_map_names[i], *shared_fd(s, i));
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
	if (s->stats_fd < 0)
		err = shared_maps_keep(s, skel);
	/* before the attach: the first calls count what the config says */
	fn->counting = true;
	if (!err)
		err = config_write(s, slot);
	if (!err)
		err = attach_pair(s, fn);
	if (err) {
		snprintf(why, sizeof(why), "refused: the kernel would not attach it: %s",
			 bpf_error_reason(err));
		goto fail;
	}
	fn->epoch = &skel->bss->counter_epoch;
	snprintf(why, sizeof(why), "%s%s", method_names[s->method],
		 fn->counts_only ? " count" : "");
	fn->traced = intern(why);
	return 0;
fail:
	fn->traced = intern(why);
	fn->counting = false;
	bpf_link__destroy(fn->entry);
	fn->entry = NULL;
	functions_bpf__destroy(skel);
	fn->skel = NULL;
	arg_choose(fn, -1);
	return err ? err : -EINVAL;
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

static struct traced_function *function_find(struct functions_state *s, const char *name,
					      size_t n)
{
	for (unsigned int i = 0; i < s->nfuncs; i++)
		if (strlen(s->funcs[i].name) == n && strncmp(s->funcs[i].name, name, n) == 0)
			return &s->funcs[i];
	return NULL;
}

/* FUNC:ARG (from -f or [functions] args): count ARG's values of FUNC */
static void function_want_arg(struct traced_function *fn, const char *arg, size_t n)
{
	if (fn && n && n < sizeof(fn->want_arg)) {
		memcpy(fn->want_arg, arg, n);
		fn->want_arg[n] = '\0';
	}
}

/* name[n] is FUNC or FUNC:ARG: FUNC into the first free slot (known: its ARG only). The
 * function, or NULL (no room, or not a name) */
static struct traced_function *function_add(struct functions_state *s, const char *name,
					    size_t n, bool counts_only)
{
	size_t fn_len = strcspn(name, ":");
	struct traced_function *fn;

	if (fn_len > n)
		fn_len = n;
	if (!fn_len || fn_len >= FUNCTION_NAME_MAX)
		return NULL;
	fn = function_find(s, name, fn_len);
	for (unsigned int i = 0; i < s->nfuncs && !fn; i++) /* a slot removed and free again */
		if (!s->funcs[i].name[0])
			fn = &s->funcs[i];
	if (!fn && s->nfuncs >= FUNCTIONS_MAX)
		return NULL;
	if (!fn)
		fn = &s->funcs[s->nfuncs++];
	if (!fn->name[0]) {
		fn->link_fds[0] = fn->link_fds[1] = -1;
		fn->arg = -1; /* none until traced */
		memcpy(fn->name, name, fn_len);
		fn->name[fn_len] = '\0';
		fn->counts_only = counts_only;
	}
	if (fn_len < n)
		function_want_arg(fn, name + fn_len + 1, n - fn_len - 1);
	return fn;
}

/* [functions] args: "FUNC:ARG, FUNC:ARG" or "-"; 0, or -1 with why */
static int args_check(const char *value, char *err, size_t errlen)
{
	if (strcmp(value, "-") == 0)
		return 0;
	for (const char *p = value; *p; p++) {
		size_t n = strcspn(p, ", \t"), colon = strcspn(p, ":");

		if (n == 0)
			continue;
		if (colon == 0 || colon + 1 >= n ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:") < n) {
			snprintf(err, errlen, "bad item in '%s'; expected FUNC:ARG (a kernel "
				 "function and one of its arguments, or ret), comma-separated, or -",
				 value);
			return -1;
		}
		p += n - 1;
	}
	return 0;
}

static void functions_parse_args(struct functions_state *s, const char *list)
{
	if (strcmp(list, "-") == 0)
		return;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ", \t"), colon = strcspn(p, ":");

		if (colon < n)
			function_want_arg(function_find(s, p, colon), p + colon + 1, n - colon - 1);
		p += n;
		p += strspn(p, ", \t");
	}
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
	s->stats_fd = s->starts_fd = s->config_fd = s->stacks_fd = s->callers_fd = s->args_fd = -1;
	s->focus = -1;
	s->method = choose_method(why, sizeof(why));
	if (s->method == METHOD_NONE) {
		functions_close(c);
		return collector_fail(c, "%s", why);
	}
	snprintf(title, sizeof(title), "Functions (%s)", method_names[s->method]);
	functions_table.title = title;
	functions_parse(s, options_text(cfg, &functions_options[FUNCTIONS_TRACE]));
	functions_parse_args(s, options_text(cfg, &functions_options[FUNCTIONS_ARGS]));
	s->callers_always = options_bool(cfg, &functions_options[FUNCTIONS_CALLERS_ALWAYS]);
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
	if (ksyms && traced) /* kept: the stacks are named with them */
		s->ksyms = ksyms;
	else if (ksyms)
		ksyms_kernel_put();
	if (traced) {
		err = counter_map_init(&s->stats, s->stats_fd, &function_stat_layout, 1, false);
		if (err) {
			functions_close(c);
			return collector_fail(c, "out of memory");
		}
		s->stats_ready = true;
		s->callers = calloc(CALLER_CACHE, sizeof(*s->callers));
		if (!s->callers) {
			functions_close(c);
			return collector_fail(c, "out of memory");
		}
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
	/* a shared maximum can lose a race to a shorter call on another CPU (counter_max) */
	r->v[V_MAX] = counter_max(st->max.ns, st->total_ns, st->returns);
	r->v[V_CPUS] = st->cpus.epoch == s->epoch ? st->cpus.bits : 0;
	s->funcs[slot].stack_drops = st->stack_drops;
	s->funcs[slot].arg_other = st->arg_other;
	s->dropped += st->stack_drops;
	hist_add_u32(frame_row_hist(s->frame, r, 0), st->hist);
	return 0;
}

/* Every key of a hash map (at most max) into keys; how many */
static unsigned int map_keys(int fd, void *keys, size_t key_size, unsigned int max)
{
	unsigned int n = 0;
	char *k = keys;

	if (bpf_map_get_next_key(fd, NULL, k) != 0)
		return 0;
	while (++n < max && bpf_map_get_next_key(fd, k + (n - 1) * key_size, k + n * key_size) == 0)
		;
	return n;
}

/* Take a counts hash's entry: its count, the entry gone (the next call makes a new one) */
static __u64 count_take(int fd, const void *key)
{
	__u64 count = 0;

	if (bpf_map_lookup_and_delete_elem(fd, key, &count) == 0)
		return count;
	/* hash maps take lookup-and-delete from 5.14: older ones in two steps (a call
	 * between them is lost) */
	if (bpf_map_lookup_elem(fd, key, &count) != 0)
		return 0;
	bpf_map_delete_elem(fd, key);
	return count;
}

static struct caller_stack *caller_find(struct functions_state *s, uint64_t key)
{
	unsigned int i = (unsigned int)(key ^ key >> 32) & (CALLER_CACHE - 1);

	for (unsigned int n = 0; n < CALLER_CACHE; n++, i = (i + 1) & (CALLER_CACHE - 1)) {
		struct caller_stack *cs = &s->callers[i];

		if (cs->key == key)
			return cs;
		if (cs->key == 0) {
			/* a quarter left free: probes stay short */
			if (s->ncallers >= CALLER_CACHE * 3 / 4)
				return NULL;
			s->ncallers++;
			cs->key = key;
			return cs;
		}
	}
	return NULL;
}

/*
 * A stack as the BPF side took it, named: from the traced function's own frame (the
 * return address into it under fentry, its address under kprobes), past the tracing
 * machinery at the inner end; the row is named by its callers. The trampoline is not
 * always a named symbol (6.1 lists none: its address reads as the module or ftrace
 * trampoline below it), so the function's frame is looked for first, and the named
 * machinery skipped where it is not found. NULL when the cache of stacks is full (the
 * calls count as dropped)
 */
static struct caller_stack *caller_stack(struct functions_state *s, __u32 slot,
					 const __u64 *stack)
{
	uint64_t ips[FUNCTIONS_STACK_DEPTH], key, offset, addr;
	unsigned int n = 0, first, callers;
	struct caller_stack *cs;
	char buf[256];

	while (n < FUNCTIONS_STACK_DEPTH && stack[n])
		ips[n] = stack[n], n++;
	first = stack_skip_tracing(s->ksyms, ips, n);
	callers = first;
	addr = ksyms_address(s->ksyms, s->funcs[slot].target);
	for (unsigned int i = 0; addr && i < n && i < 8; i++)
		if (ksyms_find(s->ksyms, ips[i], &offset) && ips[i] - offset == addr) {
			first = i;
			callers = i + 1;
			break;
		}
	key = stack_signature(s->ksyms, ips + first, n - first, 0) * 31 + slot + 1;
	cs = caller_find(s, key ? key : 1);
	if (!cs || cs->name)
		return cs;
	cs->name = intern(n > callers ? stack_name(s->ksyms, ips + callers, n - callers, 0, buf,
						   sizeof(buf))
				      : "(no callers)");
	cs->frames = calloc(n - first + 1, sizeof(*cs->frames));
	if (!cs->frames)
		return cs;
	for (unsigned int i = first; i < n; i++)
		cs->frames[cs->nframes++] = intern(ksyms_format(s->ksyms, ips[i], buf, sizeof(buf)));
	return cs;
}

/* This interval's (function, stack) counts into the callers table, and the map emptied */
static int callers_read(struct functions_state *s, struct table *t)
{
	static struct function_caller_key keys[FUNCTIONS_CALLERS];
	__u64 stack[FUNCTIONS_STACK_DEPTH];
	unsigned int n;

	if (s->callers_fd < 0)
		return 0;
	n = map_keys(s->callers_fd, keys, sizeof(keys[0]), FUNCTIONS_CALLERS);
	for (unsigned int i = 0; i < n; i++) {
		__u64 count = count_take(s->callers_fd, &keys[i]);
		__u32 slot = keys[i].slot;
		struct caller_stack *cs = NULL;
		struct table_row *r;

		if (!count || slot >= s->nfuncs)
			continue;
		memset(stack, 0, sizeof(stack));
		if (s->ksyms && s->callers &&
		    bpf_map_lookup_elem(s->stacks_fd, &keys[i].stack, stack) == 0)
			cs = caller_stack(s, slot, stack);
		if (!cs || !cs->name) {
			s->funcs[slot].stack_drops += count;
			s->dropped += count;
			continue;
		}
		/* with a detail open, its function's stacks only (the others' are counted
		 * with [functions] callers = yes, for JSON: not shown there) */
		if (!t || (s->focus >= 0 && (__u32)s->focus != slot))
			continue;
		r = table_find_row(t, cs->key);
		if (!r) {
			r = table_add_row(t, cs->key);
			if (!r)
				return -ENOMEM;
			r->name = intern(s->funcs[slot].name);
			r->label = cs->name;
			r->strings = cs->frames;
			r->nstrings = cs->nframes;
		}
		r->v[V_DETAIL_COUNT] += count;
	}
	/* the stacks go too: the map has room for the next interval's */
	for (unsigned int i = 0; i < n; i++)
		bpf_map_delete_elem(s->stacks_fd, &keys[i].stack);
	if (t)
		table_trim(t);
	return 0;
}

/* A counted value as its argument's type reads: -100, 0x1f (unsigned), 0xffff8881... */
static const char *value_text(const struct function_arg *a, __u64 v, char *buf, size_t len)
{
	if (a->is_signed && a->mask != ~0ull && (v & (a->mask ^ (a->mask >> 1))))
		v |= ~a->mask; /* sign-extend */
	if (!a->integer)
		snprintf(buf, len, "%s=0x%llx", a->name, (unsigned long long)v);
	else if (a->is_signed)
		snprintf(buf, len, "%s=%lld", a->name, (long long)v);
	else
		snprintf(buf, len, "%s=%llu", a->name, (unsigned long long)v);
	return buf;
}

static struct table_row *arg_row(struct functions_state *s, struct table *t, __u32 slot,
				 uint64_t key, const char *label)
{
	struct table_row *r = table_find_row(t, key);

	if (r)
		return r;
	r = table_add_row(t, key);
	if (!r)
		return NULL;
	r->name = intern(s->funcs[slot].name);
	r->label = intern(label);
	return r;
}

/* This interval's (function, value) counts into the argument table, the map emptied */
static int args_read(struct functions_state *s, struct table *t)
{
	static struct function_arg_key keys[FUNCTIONS_ARG_VALUES];
	unsigned int n;
	char buf[96];

	if (s->args_fd < 0)
		return 0;
	n = map_keys(s->args_fd, keys, sizeof(keys[0]), FUNCTIONS_ARG_VALUES);
	for (unsigned int i = 0; i < n; i++) {
		__u64 count = count_take(s->args_fd, &keys[i]);
		__u32 slot = keys[i].slot;
		const struct traced_function *fn = slot < s->nfuncs ? &s->funcs[slot] : NULL;
		struct table_row *r;

		if (!count || !fn || !fn->counting || fn->arg < 0 || !t ||
		    (s->focus >= 0 && (__u32)s->focus != slot))
			continue;
		r = arg_row(s, t, slot, (keys[i].value * 0x9e3779b97f4a7c15ull) ^ slot,
			    value_text(&fn->args[fn->arg], keys[i].value, buf, sizeof(buf)));
		if (!r)
			return -ENOMEM;
		r->v[V_DETAIL_COUNT] += count;
	}
	/* values beyond the hash's room: one row per function, "dfd=(other)" */
	for (unsigned int slot = 0; t && slot < s->nfuncs; slot++) {
		const struct traced_function *fn = &s->funcs[slot];
		struct table_row *r;

		if (!fn->arg_other || !fn->counting || fn->arg < 0 ||
		    (s->focus >= 0 && (__u32)s->focus != slot))
			continue;
		snprintf(buf, sizeof(buf), "%s=(other)", fn->args[fn->arg].name);
		r = arg_row(s, t, slot, ~(uint64_t)slot, buf);
		if (!r)
			return -ENOMEM;
		r->v[V_DETAIL_COUNT] += fn->arg_other;
	}
	if (t)
		table_trim(t);
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
	if (!err)
		err = callers_read(s, frame_table(f, &function_callers_table));
	if (!err)
		err = args_read(s, frame_table(f, &function_args_table));
	c->dropped = s->dropped;
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

/*
 * PRIVSEP_FUNC_ATTACH's work (privsep_func_attach_fn), in the privileged helper, or in ktop
 * itself without one: the request was checked whole by the helper's parser.
 */
static int functions_attach_work(const struct privsep_func_request *req,
				 const int map_fds[PRIVSEP_FUNC_MAP_END],
				 int out_fds[PRIVSEP_FUNC_FDS_OUT], char *why, size_t len)
{
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
		err = reuse_map(skel->obj, shared_map_names[i], map_fds[i]);
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
	/* the first: its maps are the shared ones now (the parser saw all six come, or none) */
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED && map_fds[PRIVSEP_FUNC_STATS] < 0; i++)
		out_fds[3 + i] = dup_fd(bpf_map__fd(shared_map(skel, i)));
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
	unsigned int made = 0;
	bool take;
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
	/* its argument from the BTF here, as for -f: the helper only loads and attaches */
	err = function_arg_pick(s, fn, req.ret_kind, text, sizeof(text));
	if (err) {
		fn->traced = intern(text);
		return err;
	}
	/* the slot's config before the attach (a slot freed and taken again had another's);
	 * the first function's comes after: until then its calls count no value, no stack */
	fn->counting = true;
	config_write(s, slot);
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED; i++)
		map_fds[i] = *shared_fd(s, i);
	if (container_filter_map_fds(&map_fds[PRIVSEP_FUNC_FILTER_CONFIG]) < 0)
		for (unsigned int i = PRIVSEP_FUNC_FILTER_CONFIG; i < PRIVSEP_FUNC_MAP_END; i++)
			map_fds[i] = -1; /* none here: the object's own, which let everyone in */
	why[0] = '\0';
	err = privsep_func_attach(&req, map_fds, out, why, sizeof(why));
	if (err) {
		snprintf(text, sizeof(text), "refused: %s", why[0] ? why : strerror(-err));
		fn->traced = intern(text);
		fn->counting = false;
		config_write(s, slot);
		arg_choose(fn, -1);
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
	/* the maps it made (the first function): the state's from now on, all six or none */
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED; i++)
		made += out[3 + i] >= 0;
	take = made == PRIVSEP_FUNC_SHARED && s->stats_fd < 0; /* decided once, for all six */
	for (unsigned int i = 0; i < PRIVSEP_FUNC_SHARED; i++) {
		if (take)
			*shared_fd(s, i) = out[3 + i];
		else if (out[3 + i] >= 0)
			close(out[3 + i]);
	}
	config_write(s, slot);
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
	if (ksyms && traced && !s->ksyms) /* kept: the stacks are named with them */
		s->ksyms = ksyms;
	else if (ksyms)
		ksyms_kernel_put();
	if (traced && !s->callers) /* NULL: the stacks go uncounted (callers_read says so) */
		s->callers = calloc(CALLER_CACHE, sizeof(*s->callers));
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
	config_write(s, (__u32)key); /* nothing counted in the slot until it is taken again */
	if (s->focus == (int)key)
		s->focus = -1;
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

/* The open detail's argument table says which one it counts, its type, and the others:
 * "Values of dfd (int); n: filename, how, ret" */
static void args_title(const struct traced_function *fn)
{
	static char title[160];
	size_t used;

	if (!fn || fn->arg < 0) {
		snprintf(title, sizeof(title), "Argument values%s",
			 fn && fn->nargs ? " (n: count one)" : " (none that can be counted)");
		function_args_table.title = title;
		return;
	}
	snprintf(title, sizeof(title), "Values of %s", fn->arg_label);
	for (unsigned int i = 1; i < fn->nargs; i++) {
		const struct function_arg *a = &fn->args[(fn->arg + i) % fn->nargs];

		used = strlen(title);
		snprintf(title + used, sizeof(title) - used, "%s%s (%s)", i == 1 ? "; n: " : ", ",
			 a->name, a->type);
	}
	function_args_table.title = title;
}

static void functions_focus(struct collector *c, const struct focus *focus)
{
	struct functions_state *s = c->priv;
	int before = s->focus;

	s->focus = focus->table == &functions_table && focus->key < s->nfuncs ? (int)focus->key
									       : -1;
	if (before >= 0 && before != s->focus)
		config_write(s, (__u32)before);
	if (s->focus >= 0) {
		config_write(s, (__u32)s->focus);
		args_title(&s->funcs[s->focus]);
	}
}

/* The open detail counts the function's next argument (after the last: the first) */
static void functions_next_variant(struct collector *c, const struct focus *focus)
{
	struct functions_state *s = c->priv;
	struct traced_function *fn;

	if (focus->table != &functions_table || focus->key >= s->nfuncs)
		return;
	fn = &s->funcs[focus->key];
	if (!fn->counting || fn->counts_only || !fn->nargs)
		return;
	arg_choose(fn, (fn->arg + 1) % (int)fn->nargs);
	config_write(s, (__u32)focus->key);
	args_title(fn);
}

const struct collector_ops functions_collector = {
	.name = "functions",
	.tables = function_tables,
	.open = functions_open,
	.sample = functions_sample,
	.close = functions_close,
	.focus = functions_focus,
	.next_variant = functions_next_variant,
	.options = functions_options,
	.noptions = sizeof(functions_options) / sizeof(functions_options[0]),
};
