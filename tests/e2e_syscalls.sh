#!/usr/bin/env bash
# tests/e2e_syscalls.sh: the real ktop binary counts a known syscall workload (-J and -b),
# in both the timed and the count-only modes.
. "$(dirname "$0")/lib.sh"
need_root "syscall counts through ktop -J" || exit 0
N=200000 M=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_counts MODE-ARGS...: ktop -J for 8 half-second frames around one workload run
run_counts() {
	rm -f "$tmp/out.json" # a stale file would look like a first frame already written
	"$KTOP_BIN" -J -d 0.5 -n 8 "$@" >"$tmp/out.json" 2>"$tmp/err" &
	local kpid=$!
	wait_for "[ -s $tmp/out.json ]" 5
	"$TEST_BIN/workloads/syscall_loop" $N $M >"$tmp/load"
	wait $kpid
}

check_counts() {
	local mode=$1 got errs pid pcount
	got=$(jq -s '[.[].syscalls[] | select(.name == "getppid") | .count] | add // 0' "$tmp/out.json")
	errs=$(jq -s '[.[].syscalls[] | select(.name == "close") | .errors] | add // 0' "$tmp/out.json")
	pid=$(cut -d' ' -f1 "$tmp/load")
	pcount=$(jq -s --argjson pid "$pid" '[.[].processes[] | select(.pid == $pid) | .count] | add // 0' "$tmp/out.json")
	tap_diag "$mode: getppid $got (made $N), close errors $errs (made $M), workload pid $pid: $pcount calls"
	tap_check "$mode: every getppid counted, not wildly more" \
		[ "$got" -ge $N ] && [ "$got" -le $((N + N / 50 + 1000)) ]
	tap_check "$mode: every failing close counted as an error" [ "$errs" -ge $M ] && [ "$errs" -le $((M + M / 50 + 100)) ]
	tap_check "$mode: the workload's process row has all its calls" \
		[ "$pcount" -ge $((N + M)) ] && [ "$pcount" -le $((N + M + 200)) ]
}

run_counts
check_counts "timed"
tap_check "timed: 8 frames, one per line" [ "$(wc -l <"$tmp/out.json")" -eq 8 ]
tap_check "timed: every frame has the documented fields" \
	jqt 'has("time") and has("interval_s") and has("container") and has("syscalls") and has("processes")' "$tmp/out.json"
tap_check "timed: syscall rows have name nr count errors total_ns max_ns" \
	jqt -s '[.[].syscalls[] | has("name") and has("nr") and has("count") and has("errors") and has("total_ns") and has("max_ns")] | all' "$tmp/out.json"
tap_check "timed: process rows have pid comm count errors total_ns" \
	jqt -s '[.[].processes[] | has("pid") and has("comm") and has("count") and has("errors") and has("total_ns")] | all' "$tmp/out.json"
tap_check "timed: getppid has latency (max > 0, histogram)" \
	jqt -s '[.[].syscalls[] | select(.name == "getppid")] | any(.max_ns > 0 and (.latency_hist | length) > 0)' "$tmp/out.json"
tap_check "timed: interval_s near 0.5 after the first frame (0.1 s)" jqt -s 'all(.[1:][]; .interval_s > 0.4 and .interval_s < 0.7)' "$tmp/out.json"
tap_check "timed: nothing on stderr" [ ! -s "$tmp/err" ]

run_counts --count-only
check_counts "count-only"

"$KTOP_BIN" -b -d 0.3 -n 2 >"$tmp/out.txt" 2>&1
tap_check "-b prints the syscalls table with headers" grep -q '^SYSCALL .*CALLS/s .*ERR/s' "$tmp/out.txt"
tap_check "-b prints two frames" [ "$(grep -c '^ktop ' "$tmp/out.txt")" -eq 2 ]
