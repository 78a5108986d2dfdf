#!/usr/bin/env bash
# tests/e2e_maps.sh: the kernel memory of ktop's BPF maps stays bounded on big servers.
# Per-CPU maps hold a value per *possible* CPU, so this 2-CPU machine cannot show what a
# 128- or 256-CPU server pins: real ktop runs (its default panes, then every pane), and
# tools/map-memory.sh projects each of its maps, from its type, sizes and max_entries, to
# 128 and 256 possible CPUs with the kernel's formula (the memlock of kernels before 6.4;
# a full hash). Goals (issue 17): at most 24 MiB at 128, 40 MiB at 256. The projection is
# checked against this kernel's own memlock of the per-CPU arrays at its possible CPUs;
# in a guest booted with -smp 2,maxcpus=128 (docs/KERNELS.md) that is 128 itself.
# Bytes copied out of the kernel per tick (tools/map-memory.sh --reads: ktop's own bpf()
# lookups, watched by strace, each sized by its map at N possible CPUs) stay at most 1 MiB
# at 128 possible CPUs, idle and under a syscall and process load (issue 17).
. "$(dirname "$0")/lib.sh"
need_root "map memory" || exit 0
command -v bpftool >/dev/null || { tap_skip "map memory" "bpftool is not installed"; exit 0; }
tmp=$(mktemp -d)
pid=
loads=()
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ ${#loads[@]} -gt 0 ] && kill "${loads[@]}" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
TOOL=$(dirname "$0")/../tools/map-memory.sh
MIB=1048576
# seconds strace watches ktop's reads: a few ticks of 0.5 s, more when emulated (slow ticks)
READ_SECS=4
[ "${KTOP_EMULATED:-0}" = 1 ] && READ_SECS=30
possible=$(awk -F, '{n = 0; for (i = 1; i <= NF; i++) {split($i, r, "-");
	n += (r[2] == "" ? 1 : r[2] - r[1] + 1)}; print n}' /sys/devices/system/cpu/possible)

# every pane ktop knows, as its config check lists them
printf '[general]\npanes = no_such_pane\n' >"$tmp/probe.conf"
all=$("$KTOP_BIN" --config "$tmp/probe.conf" -J -n 1 2>&1 | sed -n 's/.*expected table ids among: //p' |
	tr ' ' ',')
printf '[general]\npanes = %s\n' "$all" >"$tmp/all.conf"

# under_goal JSON CPUS MIB: the projected total at CPUS is at most MIB MiB
# (numbers: a missing total is null, and jq orders null below every number)
under_goal() { jqt --arg n "$2" --argjson max $(($3 * MIB)) '(.total[$n] | numbers) <= $max' "$1"; }

# projection_tracks_kernel JSON: for every per-CPU array, the projection at this machine's
# possible CPUs is the kernel's own memlock, within a page and the array's pointers (6.4+
# counts a header and a pointer per entry; earlier kernels print the projection itself)
projection_tracks_kernel() {
	jqt --arg n "$possible" '[.maps[] | select(.type == 6) |
		(.bytes[$n] - .memlock) | if . < 0 then -. else . end] | length > 0 and max <= 4096 + 8 * 1024' "$1"
}

# exact_memlock JSON: kernels before 6.4 print the projection's own formula as memlock, so
# at this machine's possible CPUs every map matches it but the ring buffer (memlock 0
# there; its data pages are counted here)
exact_memlock() {
	jqt --arg n "$possible" '[.maps[] | select(.type != 27) | .bytes[$n] == .memlock] |
		length > 0 and all' "$1"
}
kernel=$(uname -r | awk -F'[.-]' '{print $1 * 1000 + $2}')

# measure NAME CONFIG...: start ktop, project its maps once its first frame is out
measure() {
	local name=$1 json=$tmp/$1.json; shift
	"$KTOP_BIN" "$@" -J -d 0.5 >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	# generous: loading every program takes minutes in an emulated guest
	if ! wait_for "[ -s $tmp/$name.out ]" 180; then
		tap_fail "$name: ktop did not print a frame ($(head -c 200 "$tmp/$name.err"))"
		return
	fi
	if command -v strace >/dev/null; then
		"$TOOL" --json --reads "$READ_SECS" "$pid" 2 128 256 "$possible" >"$json"
	else
		"$TOOL" --json "$pid" 2 128 256 "$possible" >"$json"
	fi
	"$TOOL" "$pid" 2 128 256 | sed "s/^/$name: /" | while IFS= read -r l; do tap_diag "$l"; done
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	tap_diag "$name: $(jq -r --arg n "$possible" '"\(.maps | length) maps; memlock here \(.memlock / 1024 | floor) KiB, projected at the \($n) possible CPUs \(.total[$n] / 1024 | floor) KiB; at 128: \(.total["128"] / 1048576 * 10 | round / 10) MiB, at 256: \(.total["256"] / 1048576 * 10 | round / 10) MiB"' "$json")"
	tap_check "$name: at least the syscall and interrupt maps measured" \
		jqt '[.maps[].name] | index("syscall_stats") and index("hardirq_stats")' "$json"
	tap_check "$name: maps at 128 possible CPUs <= 24 MiB" under_goal "$json" 128 24
	tap_check "$name: maps at 256 possible CPUs <= 40 MiB" under_goal "$json" 256 40
	tap_check "$name: projection matches the kernel's memlock of per-CPU arrays" \
		projection_tracks_kernel "$json"
	if [ "$kernel" -lt 6004 ]; then
		tap_check "$name: projection at $possible CPUs is the kernel's memlock, map by map" \
			exact_memlock "$json"
	else
		tap_skip "$name: projection is the kernel's memlock, map by map" \
			"kernel $(uname -r) (6.4+) counts a hash's entries in use, not its size"
	fi
	if ! jqt .reads "$json"; then
		tap_skip "$name: bytes read per tick" "strace is not installed (tools/install-deps.sh)"
		return
	fi
	tap_diag "$name: read per tick over $(jq .reads.ticks "$json") ticks: $(jq -r '.reads.per_tick | to_entries | map("\(.value / 1024 | floor) KiB at \(.key)") | join(", ")' "$json"); largest at 128: $(jq -r '[.maps[] | select(.read_per_tick) | {name, b: .read_per_tick["128"]}] | sort_by(-.b) | .[:3] | map("\(.name) \(.b / 1024 | floor) KiB") | join(", ")' "$json")"
	tap_check "$name: bytes read per tick at 128 possible CPUs <= 1 MiB" \
		jqt --argjson max $MIB '(.reads.per_tick["128"] | numbers) <= $max' "$json"
	tap_check "$name: the statistics maps were read each tick" \
		jqt '[.maps[] | select(.name == "syscall_stats") | .elements_read_per_tick] | .[0] > 0' "$json"
}

measure default --defaults
measure every_pane --config "$tmp/all.conf"
# under load: a process calling getppid() and processes starting all the time, each making
# system calls (every one a row of the per-process map)
"$TEST_BIN/workloads/syscall_loop" --rate 200000 120 >/dev/null &
loads+=($!)
"$TEST_BIN/workloads/proc_churn" --fork "$tmp/churn" 100 &
loads+=($!)
if wait_for "[ -s $tmp/churn ]" 10; then
	measure loaded_every_pane --config "$tmp/all.conf"
else
	tap_fail "the process churn did not start"
fi
kill "${loads[@]}" 2>/dev/null
wait "${loads[@]}" 2>/dev/null
loads=()
echo "1..$TAP_N"
