// SPDX-License-Identifier: GPL-2.0
/* collectors/bpf_util.c: libbpf logging, kernel feature probes, small libbpf helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"

static FILE *log_file;
static char last_line[1024];

static int bpf_log_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[1024];
	size_t len;
	va_list copy;

	/* whole into the file: a verifier's log is one message of many kilobytes */
	va_copy(copy, args);
	if (log_file) {
		vfprintf(log_file, fmt, copy);
		fflush(log_file);
	}
	va_end(copy);
	vsnprintf(line, sizeof(line), fmt, args);
	if (level == LIBBPF_DEBUG)
		return 0;
	len = strcspn(line, "\n");
	line[len] = '\0';
	if (len > 0)
		snprintf(last_line, sizeof(last_line), "%s", line);
	return 0;
}

int bpf_log_init(const char *path)
{
	if (path) {
		log_file = fopen(path, "a");
		if (!log_file)
			return -errno;
	}
	libbpf_set_print(bpf_log_print);
	return 0;
}

const char *bpf_log_last(void)
{
	return last_line;
}

void bpf_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

static struct btf *vmlinux_btf;
static bool vmlinux_btf_tried;

static struct btf *kernel_btf(void)
{
	if (!vmlinux_btf_tried) {
		vmlinux_btf_tried = true;
		vmlinux_btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux_btf))
			vmlinux_btf = NULL;
	}
	return vmlinux_btf;
}

bool probe_kernel_btf(void)
{
	return kernel_btf() != NULL;
}

bool probe_btf_tracepoint(const char *name)
{
	struct btf *btf = kernel_btf();
	char typedef_name[128];

	if (!btf)
		return false;
	snprintf(typedef_name, sizeof(typedef_name), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, typedef_name, BTF_KIND_TYPEDEF) > 0;
}

bool probe_btf_member(const char *type, const char *member)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t;
	const struct btf_member *m;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (unsigned int i = 0; i < btf_vlen(t); i++, m++)
		if (strcmp(btf__name_by_offset(btf, m->name_off), member) == 0)
			return true;
	return false;
}

/* The offset of per-CPU variable `name` in .data..percpu, or -1 */
static long probe_percpu_offset(const char *name)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	int id;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, ".data..percpu", BTF_KIND_DATASEC);
	if (id <= 0)
		return -1;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (unsigned int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, var->name_off), name) == 0)
			return (long)vs->offset;
	}
	return -1;
}

bool percpu_offsets_probe(struct percpu_offsets *o, ...)
{
	long rq = probe_percpu_offset("runqueues");
	const char *name;
	unsigned int n = 0;
	va_list ap;

	*o = (struct percpu_offsets){ .known = rq >= 0, .runqueues = rq >= 0 ? (uint64_t)rq : 0 };
	va_start(ap, o);
	while ((name = va_arg(ap, const char *)) && o->known) {
		long off = n < PERCPU_VARS_MAX ? probe_percpu_offset(name) : -1;

		if (off < 0)
			o->known = false;
		else
			o->var[n++] = (uint64_t)off;
	}
	va_end(ap);
	if (!o->known)
		*o = (struct percpu_offsets){ 0 };
	return o->known;
}

void probe_release(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_tried = false;
}

int bpf_possible_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

/* The last libbpf line cut to fit in a reason */
static const char *last_line_short(void)
{
	static char short_line[200];

	snprintf(short_line, sizeof(short_line), "%.199s", last_line);
	return short_line;
}

const char *bpf_error_reason(int err)
{
	static char reason[512];

	if (err < 0)
		err = -err;
	switch (err) {
	case EPERM:
	case EACCES:
		snprintf(reason, sizeof(reason), "the kernel refused the BPF program (%s)%s%s",
			 strerror(err), last_line[0] ? ": " : "", last_line_short());
		break;
	case ENOENT:
		snprintf(reason, sizeof(reason), "a kernel hook is missing (%s)%s%s",
			 strerror(err), last_line[0] ? ": " : "", last_line_short());
		break;
	default:
		snprintf(reason, sizeof(reason), "%s%s%s", strerror(err),
			 last_line[0] ? ": " : "", last_line_short());
	}
	return reason;
}

void bpf_choose_variant(struct bpf_program *btf_prog, struct bpf_program *raw_prog, bool use_btf)
{
	bpf_program__set_autoload(btf_prog, use_btf);
	bpf_program__set_autoload(raw_prog, !use_btf);
}
