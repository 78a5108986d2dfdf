// SPDX-License-Identifier: GPL-2.0
/* core/privilege.c: capabilities from the kernel (capget), without libcap. */
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privilege.h"

uint64_t privilege_effective(void)
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &header, data) < 0)
		return 0;
	return (uint64_t)data[1].effective << 32 | data[0].effective;
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
