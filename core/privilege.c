// SPDX-License-Identifier: GPL-2.0
/*
 * core/privilege.c: capabilities from the kernel (capget/capset/prctl, without libcap).
 *
 * ktop needs many capabilities to start (load and attach programs, open per-CPU perf
 * timers, read kernel addresses) and few afterwards: a map read or write through an fd it
 * already holds needs none. Once every collector is attached, it keeps only what it still
 * uses (privilege_runtime_needs) and drops the rest from every set, for good.
 * Each capability was checked on the kernel by experiment: docs/SECURITY.md.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privilege.h"
#include "proc.h"

/* What ktop uses each capability for; after_start: still used once collectors run */
struct privilege_use {
	int cap;
	const char *name;
	const char *start;	/* what start-up does with it */
	const char *after;	/* what ktop does with it afterwards, NULL: dropped */
};

static const struct privilege_use privilege_uses[] = {
	{ KTOP_CAP_BPF, "CAP_BPF", "create maps, load BPF programs (or CAP_SYS_ADMIN)", NULL },
	{ KTOP_CAP_PERFMON, "CAP_PERFMON",
	  "attach tracing programs, per-CPU timers of the critical pane (or CAP_SYS_ADMIN)", NULL },
	{ KTOP_CAP_SYSLOG, "CAP_SYSLOG",
	  "kernel addresses in /proc/kallsyms: names of tasklets and stacks", NULL },
	{ KTOP_CAP_SYS_ADMIN, "CAP_SYS_ADMIN", "as CAP_BPF + CAP_PERFMON on older kernels",
	  "BPF run-time statistics one interval in ten (bpf_enable_stats); container names "
	  "(setns into a container's UTS namespace)" },
	{ KTOP_CAP_SYS_PTRACE, "CAP_SYS_PTRACE", "namespaces of other processes (/proc/PID/ns)",
	  "namespaces of other processes (/proc/PID/ns): which run in containers" },
	{ KTOP_CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE", "",
	  "with -w: the next recording file when the recording rotates" },
};

#define NUSES (sizeof(privilege_uses) / sizeof(privilege_uses[0]))

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

const char *privilege_cap_name(int cap)
{
	static char other[16];

	if (cap >= 0 && cap < (int)(sizeof(cap_names) / sizeof(cap_names[0])))
		return cap_names[cap];
	snprintf(other, sizeof(other), "cap_%d", cap);
	return other;
}

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };

	memset(data, 0, 2 * sizeof(*data));
	return syscall(SYS_capget, &header, data) < 0 ? -errno : 0;
}

uint64_t privilege_effective(void)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data) < 0)
		return 0;
	return (uint64_t)data[1].effective << 32 | data[0].effective;
}

uint64_t privilege_permitted(void)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data) < 0)
		return 0;
	return (uint64_t)data[1].permitted << 32 | data[0].permitted;
}

bool privilege_has(uint64_t caps, int cap)
{
	return caps >> cap & 1;
}

const char *privilege_missing(void)
{
	uint64_t caps = privilege_effective();

	if (privilege_has(caps, KTOP_CAP_SYS_ADMIN))
		return NULL;
	if (privilege_has(caps, KTOP_CAP_BPF) && privilege_has(caps, KTOP_CAP_PERFMON))
		return NULL;
	if (!privilege_has(caps, KTOP_CAP_BPF) && !privilege_has(caps, KTOP_CAP_PERFMON))
		return "CAP_BPF and CAP_PERFMON (or root)";
	return privilege_has(caps, KTOP_CAP_BPF) ? "CAP_PERFMON (or root)" : "CAP_BPF (or root)";
}

uint64_t privilege_runtime_needs(const struct ktop_config *cfg)
{
	uint64_t keep = KTOP_CAP_BIT(KTOP_CAP_SYS_ADMIN) | KTOP_CAP_BIT(KTOP_CAP_SYS_PTRACE);

	if (cfg->record_file)
		keep |= KTOP_CAP_BIT(KTOP_CAP_DAC_OVERRIDE);
	return keep;
}

const char *privilege_format(uint64_t caps, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int cap = 0; cap < 64 && used < len; cap++)
		if (privilege_has(caps, cap))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 privilege_cap_name(cap));
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

void privilege_report(FILE *out, const struct ktop_config *cfg)
{
	uint64_t have = privilege_effective(), keep = privilege_runtime_needs(cfg);

	fprintf(out, "capabilities: held, kept after start-up, used for\n");
	for (unsigned int i = 0; i < NUSES; i++) {
		const struct privilege_use *u = &privilege_uses[i];
		bool kept = privilege_has(keep, u->cap);

		if (!kept && !u->start[0])
			continue; /* only used with settings not in effect */
		fprintf(out, "  %-16s %-3s %-7s %s\n", u->name,
			privilege_has(have, u->cap) ? "yes" : "no", kept ? "helper" : "dropped",
			kept ? u->after : u->start);
	}
	fprintf(out, "  (once the collectors run, ktop holds no capability and sets no-new-privs;\n"
		     "   those marked helper stay only with ktop-privsep, a helper process that\n"
		     "   answers a fixed set of requests)\n");
}

static int last_cap(void)
{
	char buf[16];
	int n = 40;

	if (proc_read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) > 0)
		n = atoi(buf);
	return n > 0 && n < 64 ? n : 40;
}

int privilege_drop(uint64_t keep, char *why, size_t why_len)
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int err = 0, bounding_err = 0, n = last_cap();

	if (why && why_len)
		why[0] = '\0';
	err = caps_get(data);
	if (err)
		goto fail;
	keep &= (uint64_t)data[1].permitted << 32 | data[0].permitted;
	/* the bounding set first: dropping from it needs CAP_SETPCAP, about to go */
	for (int cap = 0; cap <= n; cap++) {
		if (privilege_has(keep, cap) || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && !bounding_err)
			bounding_err = -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		err = -errno;
		goto fail;
	}
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &header, data) < 0) {
		err = -errno;
		goto fail;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err = -errno;
		goto fail;
	}
	if (bounding_err && why && why_len)
		snprintf(why, why_len, "cannot shrink the bounding set (needs CAP_SETPCAP): %s",
			 strerror(-bounding_err));
	return bounding_err;
fail:
	if (why && why_len)
		snprintf(why, why_len, "cannot drop capabilities: %s", strerror(-err));
	return err;
}
