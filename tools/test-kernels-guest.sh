#!/bin/sh
# tools/test-kernels-guest.sh: the guest side of tools/test-kernels.sh, in two stages.
#
# As /init of the busybox initramfs (pid 1): load the 9p and overlay modules, mount the
# host's / read-only over 9p under a tmpfs overlay (so tests may write anywhere, and the
# writes vanish with the guest), mount the writable results share, give the chroot this
# kernel's modules, and run the second stage chrooted. Then power off.
#
# In the chroot (bash, the host's own user space): the mounts a booted system has, then
# tests/run once per filter; its output and the TAP logs land on the results share.
#
# The job comes from the results share (job.env, written by tools/test-kernels.sh):
#   KTOP_REPO KTOP_BUILD KTOP_BIN_PATH KTOP_MODULES KTOP_FILTERS KTOP_ACCEL
#   KTOP_TEST_MINUTES (how long one test file may run)
#   KTOP_COMMAND (when set: run it instead of the tests, output to command.out)
results=/ktop-results

stage_initramfs() {
	export PATH=/bin:/sbin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	while read -r module; do
		insmod "/modules/$module" || echo "ktop-guest: insmod $module failed"
	done </modules/order
	mkdir -p /mnt/lower /mnt/rw /mnt/root
	# the virtio device may be probed a moment after its driver loads
	tries=50
	until mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose,msize=512000,ro \
		hostroot /mnt/lower 2>/dev/null; do
		tries=$((tries - 1))
		if [ $tries -eq 0 ]; then
			echo "ktop-guest: cannot mount the host's /"
			mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /mnt/lower
			poweroff -f
		fi
		sleep 0.1
	done
	mount -t tmpfs -o mode=0755 rw /mnt/rw
	mkdir -p /mnt/rw/upper /mnt/rw/work
	mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work \
		root /mnt/root
	mkdir -p /mnt/root$results
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /mnt/root$results
	. /mnt/root$results/job.env
	# modules for tests that modprobe and for the kernel's autoload (ifb, sch_ingress):
	# the usermode helper runs in this root, so /sbin/modprobe here chroots to kmod's
	mkdir -p "/mnt/root/lib/modules/$(uname -r)"
	mount --bind "/mnt/root$KTOP_MODULES" "/mnt/root/lib/modules/$(uname -r)"
	echo /sbin/modprobe >/proc/sys/kernel/modprobe
	chroot /mnt/root /bin/bash "$KTOP_REPO/tools/test-kernels-guest.sh" inside
	echo $? >/mnt/root$results/exit-status
	sync
	umount /mnt/root$results
	poweroff -f
}

stage_chroot() {
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	export HOME=/root TERM=xterm-256color LANG=C.UTF-8
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	# what udev would add: bash's <(...) opens /dev/fd/N
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	mount -t tmpfs -o mode=1777 shm /dev/shm
	mount -t tmpfs -o mode=1777 tmp /tmp
	mount -t tmpfs -o mode=0755 run /run
	# the scratch disk (virtio-blk, no udev here to load its driver); loop devices for the
	# writeback tests (no udev: /dev/loop-control appears when the module is in)
	modprobe virtio_blk
	modprobe loop 2>/dev/null || true
	for _ in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
	mkfs.ext4 -q -F /dev/vda && mount -t ext4 /dev/vda /var/tmp && chmod 1777 /var/tmp ||
		mount -t tmpfs -o mode=1777 vartmp /var/tmp
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	mount -t tracefs tracefs /sys/kernel/tracing
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t bpf bpf /sys/fs/bpf
	ip link set lo up
	hostname ktop-guest
	. $results/job.env
	# the suite learns from here that it runs emulated: time bounds may SKIP
	[ "$KTOP_ACCEL" = tcg ] && export KTOP_EMULATED=1
	# and that it is a throwaway machine: a test may do here what a user's machine should
	# not see (bpf_irqs sends NMIs to every CPU through /proc/sysrq-trigger)
	export KTOP_TEST_GUEST=1
	cd "$KTOP_REPO"
	mkdir -p "$results/logs" "$KTOP_BUILD/tests/logs"
	mount --bind "$results/logs" "$KTOP_BUILD/tests/logs"
	{
		echo "# kernel $(uname -r), $(nproc) CPUs online," \
			"$(cat /sys/devices/system/cpu/possible) possible, accel $KTOP_ACCEL"
		dmesg | grep -iE 'Allowing [0-9]+ (present )?CPUs|nr_cpu_ids|possible' | sed 's/^/# /'
		"$KTOP_BIN_PATH" --check 2>&1 | sed 's/^/# /'
		"$KTOP_BIN_PATH" -b -n 1 -d 1 2>&1 | grep -E 'Critical sections|Tasklets' |
			sed 's/^/# /'
	} | tee "$results/check.out"
	: >"$results/run.out"
	# what runs, every minute: where a hung test hangs
	while sleep 60; do
		{ date; ps -eo pid,ppid,etime,time,stat,wchan:20,args --sort=start_time | tail -n 40; } \
			>"$results/ps.new" 2>&1 && mv "$results/ps.new" "$results/ps.txt"
	done &
	if [ -n "${KTOP_COMMAND:-}" ]; then
		BUILD=$KTOP_BUILD KTOP_BIN=$KTOP_BIN_PATH timeout -k 30 "${KTOP_TEST_MINUTES}m" \
			bash -c "$KTOP_COMMAND" >"$results/command.out" 2>"$results/command.err"
		return
	fi
	set -f # a filter is a pattern for tests/run, not for the shell
	set -- ${KTOP_FILTERS:-""}
	set +f
	[ $# -gt 0 ] || set -- ""
	status=0
	for filter in "$@"; do
		BUILD=$KTOP_BUILD KTOP_BIN=$KTOP_BIN_PATH timeout -k 30 "${KTOP_TEST_MINUTES}m" \
			tests/run "$filter" 2>&1 | tee -a "$results/run.out"
		case ${PIPESTATUS[0]} in
		0) ;;
		124 | 137)
			status=1
			printf 'FAIL: %s: still running after %s min, stopped\n' \
				"$filter" "$KTOP_TEST_MINUTES" | tee -a "$results/run.out"
			printf '   0 passed, 1 failed, 0 skipped (%ss)\n' \
				$((KTOP_TEST_MINUTES * 60)) | tee -a "$results/run.out" ;;
		*) status=1 ;;
		esac
	done
	return $status
}

if [ "${1:-}" = inside ]; then
	stage_chroot
else
	stage_initramfs
fi
