#!/usr/bin/env bash
# tools/bench-syscalls.sh: added cost per getppid() call under each tracer, measured in
# one run against a bare baseline measured in the same run (these machines are noisy).
# Prints "name ns_per_call added_ns ratio_to_syscount_L" lines; median of ROUNDS rounds,
# the tracers interleaved in every round so drift hits them all alike. With --json, one
# JSON object instead: {"bare": ns, "ktop": ns, ...} plus "added_ns" and "ratio_to_syscount_L".
# Environment: KTOP_BIN (default ./ktop), BUILD (default build: its syscall_loop);
# KTOP_OLD_BIN: another ktop (an older commit's) measured in the same rounds, as rows
# old_ktop and old_ktop_syscalls, so a change's cost is read against the same baseline.
set -u
cd "$(dirname "$0")/.."
JSON=0
[ "${1:-}" = "--json" ] && JSON=1
CALLS=${CALLS:-3000000}
ROUNDS=${ROUNDS:-5}
KTOP=${KTOP_BIN:-./ktop}
OLD=${KTOP_OLD_BIN:-}
LOOP=${BUILD:-build}/tests/workloads/syscall_loop
[ -x "$LOOP" ] || make -s BUILD="${BUILD:-build}" "$LOOP" >/dev/null
cpu_loop=$(( $(nproc) > 1 ? 1 : 0 ))

measure() { taskset -c $cpu_loop "$LOOP" --bench "$CALLS"; }

# under NAME CMD...: start a tracer, wait for it to attach, measure, stop it
under() {
	local pid out
	shift
	if [ $# -eq 0 ]; then measure; return; fi
	taskset -c 0 "$@" >/dev/null 2>&1 &
	pid=$!
	sleep 1.5
	out=$(measure)
	kill -INT $pid 2>/dev/null
	wait $pid 2>/dev/null
	echo "$out"
}

declare -A samples
# ktop: every collector (the default panes); ktop_syscalls: only the syscalls and
# processes panes (what syscount -L is compared with); ktop_lean: the syscalls pane alone,
# counting only (no latency, no per-process counts): what syscount is compared with
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
printf '[general]\npanes = syscalls, processes\n' >"$conf/syscalls.conf"
printf '[general]\npanes = syscalls\n' >"$conf/lean.conf"
names=(bare ktop ktop_syscalls ktop_lean syscount syscount_L)
[ -n "$OLD" ] && names+=(old_ktop old_ktop_syscalls)
for r in $(seq "$ROUNDS"); do
	samples[bare]+="$(under bare) "
	samples[ktop]+="$(under ktop "$KTOP" --defaults -J -d 1) "
	samples[ktop_syscalls]+="$(under ktop_syscalls "$KTOP" --config "$conf/syscalls.conf" -J -d 1) "
	samples[ktop_lean]+="$(under ktop_lean "$KTOP" --config "$conf/lean.conf" -J -d 1 --count-only) "
	if [ -n "$OLD" ]; then
		samples[old_ktop]+="$(under old_ktop "$OLD" --defaults -J -d 1) "
		samples[old_ktop_syscalls]+="$(under old_ktop_syscalls "$OLD" --config "$conf/syscalls.conf" -J -d 1) "
	fi
	if command -v syscount >/dev/null; then
		samples[syscount]+="$(under syscount syscount -i 1) "
		samples[syscount_L]+="$(under syscount_L syscount -L -i 1) "
	fi
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bare=$(echo "${samples[bare]}" | median)
sl=$(echo "${samples[syscount_L]:-}" | median)
sl_added=$(awk -v a="${sl:-0}" -v b="$bare" 'BEGIN {print a - b}')
if [ $JSON = 1 ]; then
	for n in "${names[@]}"; do
		m=$(echo "${samples[$n]:-}" | median)
		echo "$n ${m:-null}"
	done | awk -v b="$bare" -v l="$sl_added" '
		{ v[$1] = $2; order[NR] = $1 }
		END {
			printf "{"
			for (i = 1; i <= NR; i++) {
				n = order[i]
				if (v[n] == "" || v[n] == "null") { printf "%s\"%s\": null", (i > 1 ? ", " : ""), n; continue }
				added = v[n] - b
				printf "%s\"%s\": {\"ns_per_call\": %.1f, \"added_ns\": %.1f", (i > 1 ? ", " : ""), n, v[n], added
				if (l > 0) printf ", \"ratio_to_syscount_L\": %.3f", added / l
				printf "}"
			}
			printf "}\n"
		}'
	exit 0
fi
for n in "${names[@]}"; do
	[ -n "${samples[$n]:-}" ] || { echo "$n unavailable"; continue; }
	m=$(echo "${samples[$n]}" | median)
	awk -v n="$n" -v m="$m" -v b="$bare" -v l="$sl_added" 'BEGIN {
		added = m - b
		printf "%-16s %7.1f ns/call  added %6.1f ns", n, m, added
		if (l > 0) printf "  = %.2fx syscount -L", added / l
		printf "\n" }'
done
