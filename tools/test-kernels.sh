#!/usr/bin/env bash
# tools/test-kernels.sh: ktop's test suite on Debian's own kernels, each in a qemu guest.
#
# Usage: tools/test-kernels.sh [-k KERNELS] [-s SMP] [-m MEM] [-t MINUTES] [-x SKIP]
#                              [FILTER...]
#   -k  comma-separated flavours: 6.1, 6.1-rt, 6.12, 6.12-rt (default: all four)
#   -s  qemu -smp value (default 2; "2,maxcpus=128": 128 possible CPUs, 2 online, on 6.1;
#       6.12 sees only the 2 present ones)
#   -m  guest memory (default 4G)
#   -t  minutes one test file may run in a guest before it is stopped (default 30)
#   -x  comma-separated name patterns of test files not to run (e.g. fuzz,valgrind)
#   -r  run nothing: print the table of the results already there
#   -c CMD  run CMD (a shell command, from the top of this tree, no single quotes) in each
#       guest instead of the tests; its output lands in results/FLAVOUR/command.out
#   FILTER  run only the test files whose name contains one of these (default: all)
# Environment: BUILD and KTOP_BIN name the already-built tree to test (as for tests/run);
# KERNELS_DIR (default build-kernels/) holds the downloads, unpacked kernels, initramfs
# images and results/FLAVOUR/ (job.env, console.log, check.out, run.out, logs/*.log).
#
# Kernels are the newest linux-image-…-unsigned packages apt knows for Debian 12
# (bookworm and bookworm-security carry both 6.1 and 6.12); fetched with
# `apt-get download`, so no package is installed. The guest mounts this machine's / read-only
# over 9p (tools/test-kernels-guest.sh is its /init) and runs the tests/run of this tree.
# Without /dev/kvm the guest is emulated (TCG) and the suite is told so (KTOP_EMULATED=1):
# checks bounded by a time may SKIP, everything else must pass.
set -eu
cd "$(dirname "$0")/.."
repo=$PWD
BUILD=${BUILD:-build}
KTOP_BIN=${KTOP_BIN:-$repo/ktop}
dir=$(realpath -m "${KERNELS_DIR:-build-kernels}")
kernels=6.1,6.1-rt,6.12,6.12-rt smp=2 mem=4G minutes=30 excludes="" report_only="" command=""

# the test files tests/run would run, picked by the filters; the guest runs them one by one
selected_tests() {
	local name pattern keep
	{
		for name in "$BUILD"/tests/unit_* "$BUILD"/tests/bpf_*; do
			[ -x "$name" ] && basename "$name"
		done
		for name in tests/e2e_*.sh; do
			[ -x "$name" ] && basename "$name" .sh
		done
	} | while read -r name; do
		keep=$(($# == 0))
		for pattern in "$@"; do
			[[ $name == *"$pattern"* ]] && keep=1
		done
		for pattern in ${excludes//,/ }; do
			[[ $name == *"$pattern"* ]] && keep=0
		done
		[ $keep = 1 ] && echo "$name"
	done
}

die() { echo "test-kernels: $*" >&2; exit 1; }
# apt's package name pattern for a flavour
package_pattern() {
	case $1 in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.1-rt) echo '^linux-image-6\.1\.0-[0-9]+-rt-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
	6.12-rt) echo '^linux-image-6\.12\.[0-9]+\+deb12-rt-amd64-unsigned$' ;;
	*) die "unknown kernel flavour '$1' (known: 6.1 6.1-rt 6.12 6.12-rt)" ;;
	esac
}

newest_package() {
	apt-cache search --names-only "$1" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1
}

# the newest .deb already downloaded whose package name matches
local_deb() {
	local deb name
	for deb in "$dir"/debs/*.deb; do
		name=$(basename "$deb")
		[[ ${name%%_*} =~ $1 ]] && echo "$deb"
	done | sort -V | tail -n 1
}

# Print the path of the flavour's .deb, downloading the newest if it is not here yet.
# If the machine's apt offers none (an older Debian 12 snapshot had no 6.12) and none was
# downloaded before, the script looks in bookworm-backports, which carries 6.12 too,
# through a private apt configuration under $dir/apt: the machine's sources stay as they are.
apt_updated=""
fetch_kernel() {
	local pattern package deb
	pattern=$(package_pattern "$1")
	package=$(newest_package "$pattern")
	if [ -z "$package" ] && [ -z "$apt_updated" ]; then
		apt-get update -qq >&2 || true
		apt_updated=1
		package=$(newest_package "$pattern")
	fi
	mkdir -p "$dir/debs"
	if [ -z "$package" ]; then
		deb=$(local_deb "$pattern")
		[ -n "$deb" ] && { echo "$deb"; return; }
		backports_fetch "$pattern" && return
		die "apt offers no package matching $pattern"
	fi
	deb=$(find "$dir/debs/" -name "${package}_*.deb" | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		echo "test-kernels: downloading $package" >&2
		(cd "$dir/debs" && apt-get download -q "$package" >&2)
		deb=$(find "$dir/debs/" -name "${package}_*.deb" | sort -V | tail -n 1)
		[ -n "$deb" ] || die "apt-get download $package left no .deb in $dir/debs"
	fi
	echo "$deb"
}

backports_fetch() {
	local apt=$dir/apt package
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb http://deb.debian.org/debian bookworm-backports main" >"$apt/sources.list"
	local opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
	echo "test-kernels: looking in bookworm-backports (private apt lists in $apt)" >&2
	apt-get "${opts[@]}" update -qq >&2 || return 1
	package=$(apt-cache "${opts[@]}" search --names-only "$1" | awk '{print $1}' |
		sort -V | tail -n 1)
	[ -n "$package" ] || return 1
	(cd "$dir/debs" && apt-get "${opts[@]}" download "$package" >&2) || return 1
	find "$dir/debs/" -name "${package}_*.deb" | sort -V | tail -n 1
}

# Unpack a kernel package and make its initramfs; sets kver and kroot
prepare_kernel() {
	local deb=$1 name
	name=$(basename "$deb" .deb)
	kroot=$dir/unpacked/${name%%_*}
	if [ ! -e "$kroot/.unpacked" ]; then
		rm -rf "$kroot"
		mkdir -p "$kroot"
		dpkg-deb -x "$deb" "$kroot"
		touch "$kroot/.unpacked"
	fi
	kver=$(ls "$kroot/lib/modules")
	[ -e "$kroot/lib/modules/$kver/modules.dep.bin" ] || depmod -b "$kroot" "$kver"
	local initrd=$kroot/initramfs.cpio.gz
	if [ ! -e "$initrd" ] || [ tools/test-kernels-guest.sh -nt "$initrd" ]; then
		make_initramfs "$initrd"
	fi
}

make_initramfs() {
	local stage=$kroot/initramfs path module
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,proc,sys,dev,mnt,modules}
	cp /bin/busybox "$stage/bin/"
	for applet in sh mount umount insmod sleep chroot poweroff mkdir echo cat uname sync; do
		ln -s busybox "$stage/bin/$applet"
	done
	# the kernel's module autoload runs this root's /sbin/modprobe: use the chroot's kmod
	printf '#!/bin/sh\nexec /bin/chroot /mnt/root /sbin/modprobe "$@"\n' >"$stage/sbin/modprobe"
	chmod +x "$stage/sbin/modprobe"
	cp tools/test-kernels-guest.sh "$stage/init"
	# busybox's insmod wants plain .ko files, in dependency order
	modprobe -d "$kroot" -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p overlay |
		awk '$1 == "insmod" && !seen[$2]++ {print $2}' |
		while read -r path; do
			module=$(basename "$path")
			module=${module%.xz}
			case $path in
			*.xz) xz -dc "$path" >"$stage/modules/$module" ;;
			*) cp "$path" "$stage/modules/$module" ;;
			esac
			echo "$module" >>"$stage/modules/order"
		done
	touch "$stage/modules/order"
	(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$1"
}

# Boot one flavour and run the suite; the guest leaves its results in $out
run_guest() {
	local flavour=$1 out=$dir/results/$1 accel=tcg cpu=max
	# one emulator thread for all vCPUs: with a thread per vCPU (thread=multi) a vCPU can
	# run code another one has just patched back from int3 (static keys flip each time
	# ktop switches BPF statistics on or off) and the guest dies ("Oops: int3" in
	# bpf_trace_run3, seen on 6.12)
	local accel_opts=tcg,thread=single
	# KVM where /dev/kvm is there (QEMU_ACCEL=tcg: never); a KVM that fails at start (a
	# nested one that refuses an MSR was seen) is tried once, then the guest is emulated
	if [ -w /dev/kvm ] && [ "${QEMU_ACCEL:-}" != tcg ]; then
		accel=kvm cpu=host accel_opts=kvm
	fi
	rm -rf "$out"
	mkdir -p "$out"
	while :; do
		# a block device for /var/tmp: the IRQ tests write there with O_DIRECT, which neither
		# tmpfs nor 9p can take, and want the disk's interrupts (one queue, one IRQ, as on the
		# build machines: 6.12 would otherwise spread them over a queue per CPU)
		truncate -s 2G "$out/scratch.img"
		cat >"$out/job.env" <<-EOF
			KTOP_REPO='$repo'
			KTOP_BUILD='$BUILD'
			KTOP_BIN_PATH='$KTOP_BIN'
			KTOP_MODULES='$kroot/lib/modules/$kver'
			KTOP_FILTERS='$filters'
			KTOP_ACCEL='$accel'
			KTOP_TEST_MINUTES='$minutes'
			KTOP_COMMAND='$command'
		EOF
		echo "test-kernels: $flavour: booting $kver ($accel, -smp $smp)"
		local t0=$SECONDS rc=0
		# progress: the name of each test file as the guest starts it
		tail -n +1 -F "$out/run.out" 2>/dev/null > >(sed -u -n "s/^== /  $flavour: /p") &
		local tail_pid=$!
		# a bound for the whole guest, should its suite hang past the per-file bounds
		local guest_minutes=$(((minutes + 1) * $(wc -w <<<"${filters:-command}") + 10))
		timeout "${guest_minutes}m" qemu-system-x86_64 -machine q35 -accel "$accel_opts" -cpu "$cpu" \
			-smp "$smp" -m "$mem" -kernel "$kroot/boot/vmlinuz-$kver" \
			-initrd "$kroot/initramfs.cpio.gz" \
			-append "console=ttyS0 panic=-1 loglevel=4" \
			-display none -monitor none -serial "file:$out/console.log" -no-reboot \
			-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
			-virtfs "local,path=$out,mount_tag=results,security_model=passthrough" \
			-drive "file=$out/scratch.img,format=raw,if=none,id=scratch,cache=unsafe" \
			-device virtio-blk-pci,drive=scratch,num-queues=1 \
			</dev/null >"$out/qemu.log" 2>&1 || rc=$?
		sleep 1
		kill "$tail_pid" 2>/dev/null || true
		wait "$tail_pid" 2>/dev/null || true
		echo $((SECONDS - t0)) >"$out/wall-seconds"
		rm -f "$out/scratch.img"
		# KVM that would not start: no result, qemu's error, seconds in
		if [ "$accel" = kvm ] && [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ ! -e "$out/exit-status" ] &&
			[ "$(cat "$out/wall-seconds")" -lt 60 ]; then
			echo "test-kernels: $flavour: KVM failed to start ($(grep -m1 -i error "$out/qemu.log" | cut -c1-120)); emulating (TCG)"
			accel=tcg cpu=max accel_opts=tcg,thread=single
			continue
		fi
		break
	done
	[ $rc -eq 124 ] && echo "the guest was stopped after $guest_minutes min" >"$out/error"
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && echo "qemu exited with $rc" >"$out/error"
	[ -e "$out/exit-status" ] || [ -e "$out/error" ] ||
		echo "the guest ended without a result (see console.log)" >"$out/error"
	return 0
}

# One table: test file × kernel, each cell passed/failed/skipped
print_table() {
	local flavours=("$@") f
	{
		printf '%s' test
		for f in "${flavours[@]}"; do printf '\t%s' "$f"; done
		printf '\n'
		for f in "${flavours[@]}"; do
			awk -v k="$f" '/^== / {name = $2}
				/^ +[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped/ && name != "" {
					print name "\t" k "\t" $1 "/" $3 "/" $5; name = ""
				}' "$dir/results/$f/run.out" 2>/dev/null
		done | awk -F'\t' -v n=${#flavours[@]} -v list="${flavours[*]}" '
			BEGIN { split(list, col, " ") }
			!($1 in seen) { seen[$1] = 1; order[++rows] = $1 }
			{ cell[$1, $2] = $3
			  split($3, c, "/"); p[$2] += c[1]; fl[$2] += c[2]; s[$2] += c[3] }
			END {
				for (r = 1; r <= rows; r++) {
					printf "%s", order[r]
					for (i = 1; i <= n; i++)
						printf "\t%s", ((order[r], col[i]) in cell) ? cell[order[r], col[i]] : "-"
					printf "\n"
				}
				printf "total"
				for (i = 1; i <= n; i++) printf "\t%d/%d/%d", p[col[i]], fl[col[i]], s[col[i]]
				printf "\n"
			}'
		printf 'wall time'
		for f in "${flavours[@]}"; do
			printf '\t%s' "$(awk '{printf "%dm%02ds", $1 / 60, $1 % 60}' \
				"$dir/results/$f/wall-seconds" 2>/dev/null)"
		done
		printf '\n'
		printf 'kernel'
		for f in "${flavours[@]}"; do printf '\t%s' "$(cat "$dir/results/$f/kernel" 2>/dev/null)"; done
		printf '\n'
	} | awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i
				if (length($i) > width[i]) width[i] = length($i) }
			  if (NF > cols) cols = NF }
		END { for (r = 1; r <= NR; r++) {
			for (i = 1; i <= cols; i++)
				printf i == 1 ? "%-" width[i] "s" : "  %" width[i] "s", cell[r, i]
			printf "\n" } }'
}

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit "${1:-2}"; }

# the whole run is one function, so that bash has read all of it before it starts: the
# script may be edited while a long run goes on
main() {
	while getopts k:s:m:t:x:c:rh opt; do
		case $opt in
		k) kernels=$OPTARG ;;
		s) smp=$OPTARG ;;
		m) mem=$OPTARG ;;
		t) minutes=$OPTARG ;;
		x) excludes=$OPTARG ;;
		r) report_only=1 ;;
		c) command=$OPTARG ;;
		h) usage 0 ;;
		*) usage ;;
		esac
	done
	shift $((OPTIND - 1))

	[ "$(id -u)" = 0 ] || die "needs root (the guest's 9p view of / is this user's view)"
	[ -x "$KTOP_BIN" ] || die "no ktop binary at $KTOP_BIN (build first, or set KTOP_BIN)"
	[ -d "$BUILD/tests" ] || die "no $BUILD/tests: build the tests first (make unit)"
	for need in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static depmod:kmod xz:xz-utils \
		dpkg-deb:dpkg apt-get:apt mkfs.ext4:e2fsprogs; do
		command -v "${need%%:*}" >/dev/null ||
			die "${need%%:*} is missing (Debian package ${need#*:})"
	done
	case $KTOP_BIN in /*) ;; *) KTOP_BIN=$repo/$KTOP_BIN ;; esac

	IFS=, read -r -a flavours <<<"$kernels"
	if [ -z "$report_only" ]; then
		filters=""
		case $command in *"'"*) die "-c: the command may not hold a single quote" ;; esac
		[ -n "$command" ] || filters=$(selected_tests "$@" | tr '\n' ' ')
		[ -n "$filters" ] || [ -n "$command" ] || die "no test file matches"
		for flavour in "${flavours[@]}"; do
			package_pattern "$flavour" >/dev/null
			deb=$(fetch_kernel "$flavour")
			prepare_kernel "$deb"
			run_guest "$flavour"
			echo "$kver" >"$dir/results/$flavour/kernel"
		done
		echo
	fi
	status=0
	for flavour in "${flavours[@]}"; do
		out=$dir/results/$flavour
		if [ -e "$out/error" ]; then
			echo "$flavour: ERROR: $(cat "$out/error")"
			status=1
		fi
		if grep -q '^FAIL: ' "$out/run.out" 2>/dev/null; then
			grep '^FAIL: ' "$out/run.out" | sed "s/^/$flavour: /"
			status=1
		fi
		[ "$(cat "$out/exit-status" 2>/dev/null)" = 0 ] || status=1
	done
	if [ -n "$command" ]; then
		for flavour in "${flavours[@]}"; do
			echo "$flavour: $command: exit $(cat "$dir/results/$flavour/exit-status" 2>/dev/null || echo '?'), output in ${dir#$repo/}/results/$flavour/command.out"
		done
		return $status
	fi
	echo "passed/failed/skipped per test file; logs in ${dir#$repo/}/results/KERNEL/"
	print_table "${flavours[@]}" | tee "$dir/results/table.txt"
	return $status
}

main "$@"; exit $?
