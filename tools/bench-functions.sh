#!/usr/bin/env bash
# tools/bench-functions.sh: what tracing one kernel function costs per call, in counts.
#
# For each method the kernel allows (fentry/fexit, kprobe/kretprobe), N getppid() calls
# under `ktop -f __x64_sys_getppid`: how many BPF program runs each call costs (the kernel's
# run_cnt, kept while kernel.bpf_stats_enabled is 1), the size of those programs (verified
# instructions, JIT-compiled bytes), and whether ktop counted the N calls. No times: this
# runs where functions can be traced, which here means an emulated Debian guest, where a
# nanosecond means nothing. Prints one JSON object.
#   tools/test-kernels.sh -k 6.12 -c 'tools/bench-functions.sh'   (make bench does this)
# Environment: BUILD, KTOP_BIN (as for tests/run), N (default 100000).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KTOP_BIN=${KTOP_BIN:-$PWD/ktop}
N=${N:-100000}
FUNC=__x64_sys_getppid
tmp=$(mktemp -d)
kpid=
trap '[ -n "$kpid" ] && kill "$kpid" 2>/dev/null; rm -rf "$tmp"' EXIT

frames() { wc -l <"$1"; }
# wait_frames FILE N: up to 60 s for N frames
wait_frames() {
	local tries=600
	while [ "$(frames "$1")" -lt "$2" ] && [ $tries -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	[ "$(frames "$1")" -ge "$2" ]
}
# the functions collector's programs (function_entry, function_exit, function_kprobe,
# function_kretprobe; names are cut to 15 characters): the only ones named so here
progs() {
	bpftool -j prog show | jq '[.[] | select(.name | startswith("function_"))
		| {name, run_cnt: (.run_cnt // 0), xlated: (.bytes_xlated // 0),
		   jited: (.bytes_jited // 0)}]'
}

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
results='{}'
for method in fentry kprobe; do
	KTOP_FUNCTIONS_METHOD=$method "$KTOP_BIN" -J -d 1 -f "$FUNC" >"$tmp/$method.json" \
		2>"$tmp/$method.err" &
	kpid=$!
	if ! wait_frames "$tmp/$method.json" 1; then
		results=$(jq --arg m "$method" --arg why "$(head -c 300 "$tmp/$method.err")" \
			'.[$m] = {error: ("no frame: " + $why)}' <<<"$results")
		kill "$kpid" 2>/dev/null
		wait "$kpid" 2>/dev/null || true
		kpid=
		continue
	fi
	traced=$(jq -r --arg f "$FUNC" 'select(.functions) | .functions[] | select(.func == $f)
		| .traced' "$tmp/$method.json" | tail -n 1)
	before=$(progs)
	"$BUILD/tests/workloads/syscall_loop" "$N" 0 >/dev/null
	after=$(progs)
	at=$(frames "$tmp/$method.json")
	# the frames after the calls hold them: figures without them would be short
	if ! wait_frames "$tmp/$method.json" $((at + 2)); then
		echo "bench-functions: $method: no frame after the calls in 60 s" >&2
		exit 1
	fi
	kill -TERM "$kpid"
	wait "$kpid" 2>/dev/null || true
	kpid=
	calls=$(jq -s --arg f "$FUNC" '[.[].functions[]? | select(.func == $f) | .calls] | add // 0' \
		"$tmp/$method.json")
	results=$(jq --arg m "$method" --arg traced "$traced" --argjson n "$N" \
		--argjson calls "$calls" --argjson b "$before" --argjson a "$after" '
		($b | map({(.name): .run_cnt}) | add // {}) as $was
		| .[$m] = {
			traced: $traced, calls_made: $n, calls_counted: $calls,
			programs: [$a[] | {name, xlated_bytes: .xlated, jited_bytes: .jited,
				insns: (.xlated / 8), runs_per_call:
				(((.run_cnt - ($was[.name] // 0)) / $n * 1000 | round) / 1000)}],
			runs_per_call: ((([$a[] | .run_cnt] | add // 0) - ([$b[] | .run_cnt] | add // 0))
				/ $n * 1000 | round / 1000)
		}' <<<"$results")
done
sysctl -qw kernel.bpf_stats_enabled="$old_stats"
jq --arg k "$(uname -r)" --arg f "$FUNC" '{kernel: $k, function: $f} + .' <<<"$results"
