#!/usr/bin/env bash
# tests/e2e_syscalls.sh: the real ktop binary counts a known syscall workload (-J and -b),
# in both the timed and the count-only modes.
. "$(dirname "$0")/lib.sh"
need_root "syscall counts through ktop -J" || exit 0
N=200000 M=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_counts MODE-ARGS...: ktop -J with half-second frames from before one workload run
# until two frames after it ended (the frame in progress, and one more), then SIGTERM
frames() { [ -s "$tmp/out.json" ] && wc -l <"$tmp/out.json" || echo 0; }
run_counts() {
	local kpid after
	rm -f "$tmp/out.json" # a stale file would look like a first frame already written
	"$KTOP_BIN" -J -d 0.5 "$@" >"$tmp/out.json" 2>"$tmp/err" &
	kpid=$!
	wait_for '[ "$(frames)" -ge 1 ]' 15
	# (a sanitizer build's leak check at exit makes calls that grow with the heap: it is
	# ktop's leaks that matter here, not the workload's)
	ASAN_OPTIONS=detect_leaks=0 "$TEST_BIN/workloads/syscall_loop" $N $M >"$tmp/load"
	# the same program making no calls of its own: what starting and ending it costs
	# (the loader, a sanitizer's runtime), counted in the same run; under another name, so
	# that once exited it is in a row of its own (exited processes: one row per command)
	ln -sf "$TEST_BIN/workloads/syscall_loop" "$tmp/ktop-empty"
	ASAN_OPTIONS=detect_leaks=0 "$tmp/ktop-empty" 0 0 >"$tmp/empty"
	after=$(frames)
	wait_for '[ "$(frames)" -ge $((after + 2)) ]' 15
	kill -TERM $kpid
	wait $kpid
}

# the calls of process $pid named $comm, of a run of one such process: its own row's and
# those of the row of exited processes of that name
calls_of='[.[].processes[] | select(.pid == $pid or (.pid == 0 and .comm == $comm)) | .count] | add // 0'
check_counts() {
	local mode=$1 got errs pid pcount epid ecount
	got=$(jq -s '[.[].syscalls[] | select(.name == "getppid") | .count] | add // 0' "$tmp/out.json")
	errs=$(jq -s '[.[].syscalls[] | select(.name == "close") | .errors] | add // 0' "$tmp/out.json")
	pid=$(cut -d' ' -f1 "$tmp/load")
	# its calls: in its own row while it ran, then in the row of the exited syscall_loop
	# processes (it alone), in the frame of its exit
	pcount=$(jq -s --argjson pid "$pid" --arg comm syscall_loop "$calls_of" "$tmp/out.json")
	epid=$(cut -d' ' -f1 "$tmp/empty")
	ecount=$(jq -s --argjson pid "$epid" --arg comm ktop-empty "$calls_of" "$tmp/out.json")
	tap_diag "$mode: getppid $got (made $N), close errors $errs (made $M), workload pid $pid: $pcount calls; the same program making none: $ecount"
	# the rest of the machine calls getppid too, and close fails elsewhere: a little more
	tap_check "$mode: every getppid counted, not wildly more ($got of $N)" \
		between "$got" $N $((N + N / 50 + 1000))
	tap_check "$mode: every failing close counted as an error ($errs of $M)" \
		between "$errs" $M $((M + M / 50 + 100))
	tap_check "$mode: the program making no calls has a row of its start and end" \
		[ "$ecount" -gt 0 ]
	# its own start-up and exit calls on top: about those of the same program making none,
	# which vary from run to run (a sanitizer's runtime: 314 in one, 528 in the next)
	tap_check "$mode: the workload's process row has all its calls ($pcount of $((N + M)) + $ecount)" \
		between "$pcount" $((N + M)) $((N + M + 2 * ecount + 50))
}

run_counts
check_counts "timed"
tap_check "timed: every line is one frame object" jqt -s 'length >= 3 and all(type == "object")' "$tmp/out.json"
tap_check "timed: every frame has the documented fields" \
	jqt -s 'all(has("time") and has("interval_s") and has("container") and has("syscalls") and has("processes"))' "$tmp/out.json"
tap_check "timed: syscall rows have name nr count errors total_ns max_ns" \
	jqt -s '[.[].syscalls[] | has("name") and has("nr") and has("count") and has("errors") and has("total_ns") and has("max_ns")] | all' "$tmp/out.json"
tap_check "timed: process rows have pid comm count errors total_ns" \
	jqt -s '[.[].processes[] | has("pid") and has("comm") and has("count") and has("errors") and has("total_ns")] | all' "$tmp/out.json"
tap_check "timed: getppid has latency (max > 0, histogram)" \
	jqt -s '[.[].syscalls[] | select(.name == "getppid")] | any(.max_ns > 0 and (.latency_hist | length) > 0)' "$tmp/out.json"
# a late tick makes the next one short (the timer keeps its period): each interval_s is
# the time since the frame before, and on average the period asked for
secs='.time | capture("T(?<h>..):(?<m>..):(?<s>[0-9.]+)") | (.h | tonumber) * 3600 + (.m | tonumber) * 60 + (.s | tonumber)'
tap_check "timed: interval_s is the time since the previous frame (within 20 ms)" \
	jqt -s "[.[] | {i: .interval_s, t: ($secs)}] as \$f |
		all(range(1; \$f | length); (\$f[.].i - (\$f[.].t - \$f[. - 1].t)) | fabs < 0.02)" "$tmp/out.json"
# (a tick that came too late for its turn is one frame of two periods: the median holds)
tap_check "timed: interval_s is 0.5 after the first frame (the median)" \
	jqt -s '[.[1:-1][].interval_s] | sort | .[length / 2 | floor] | . > 0.45 and . < 0.55' "$tmp/out.json"
tap_check "timed: nothing on stderr" [ ! -s "$tmp/err" ]

run_counts --count-only
check_counts "count-only"

"$KTOP_BIN" -J -d 0.2 -n 3 >"$tmp/n.json" 2>&1
tap_check "-n 3: three frames, one per line" [ "$(jq -s length "$tmp/n.json")" -eq 3 ]
"$KTOP_BIN" -b -d 0.3 -n 2 >"$tmp/out.txt" 2>&1
tap_check "-b prints the syscalls table with headers" grep -q '^SYSCALL .*CALLS/s .*ERR/s' "$tmp/out.txt"
tap_check "-b prints two frames" [ "$(grep -c '^ktop ' "$tmp/out.txt")" -eq 2 ]
