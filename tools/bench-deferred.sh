#!/usr/bin/env bash
# tools/bench-deferred.sh: what the deferred collector (workqueue items and timers) adds to
# one work item and to one timer expiry. One run, rounds interleaved without and with the
# collector attached (tests/bpf_deferred --attach: that collector only, sampling once a
# second), on one CPU, median of ROUNDS:
#   pty    a one-byte write to a pty master read back from the slave: one flush_to_ldisc
#          work item queued, activated, started and ended (4 programs)
#   sleep  nanosleep(1 us): one hrtimer armed and fired, hrtimer_wakeup (3 programs)
# The ns a round trip costs more with the collector is its cost per work item (per timer
# expiry, with its start); on a shared machine that wall-clock difference is noisy, so the
# kernel's BPF run-time statistics of the collector's own programs are reported too (run
# time of the workqueue programs per work item ended, of the timer programs per expiry),
# switched on only for the last round with the collector. Needs root.
#   tools/bench-deferred.sh [--json] [ROUNDS] [N]
set -u
cd "$(dirname "$0")/.."
JSON=0
[ "${1:-}" = --json ] && { JSON=1; shift; }
ROUNDS=${1:-5} N=${2:-20000}
BUILD=${BUILD:-build}
LOAD=$BUILD/tests/workloads/deferred_load ATTACH=$BUILD/tests/bpf_deferred
[ "$(id -u)" = 0 ] || { echo "tools/bench-deferred.sh: run as root (BPF)" >&2; exit 1; }
[ -x "$LOAD" ] && [ -x "$ATTACH" ] || { echo "build first: make BUILD=$BUILD unit" >&2; exit 1; }
cpu=$(($(nproc) > 1 ? 1 : 0))
tmp=$(mktemp -d)
apid=
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
cleanup() {
	[ -n "$apid" ] && kill "$apid" 2>/dev/null && wait "$apid" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$stats_was" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# fig MODE: ns per round trip of N
fig() { taskset -c $cpu "$LOAD" "bench-$1" "$N" | awk '{ print $2 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "null" }'; }
# bpf_cost PID: "ns_per_work_item ns_per_timer_expiry" from the run-time statistics of
# PID's programs (all work programs per work item ended; all timer programs, starts
# included, per expiry)
bpf_cost() {
	local id
	for id in $(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -un); do
		bpftool prog show id "$id" -j 2>/dev/null
	done | jq -rs '
		def cost(f; ends): ([.[] | select(.name | test(f)) | .run_time_ns // 0] | add // 0) as $t
			| ([.[] | select(.name | test(ends)) | .run_cnt // 0] | add // 0) as $n
			| if $n > 0 then ($t / $n * 10 | round / 10) else null end;
		"\(cost("^work_"; "^work_end")) \(cost("^(hr)?timer_"; "^(hr)?timer_exit"))"'
}
for r in $(seq "$ROUNDS"); do
	echo "$(fig pty) $(fig sleep)" >>"$tmp/without"
	"$ATTACH" --attach 3600 >"$tmp/attach" 2>&1 &
	apid=$!
	for _ in $(seq 100); do grep -q attached "$tmp/attach" && break; sleep 0.05; done
	grep -q attached "$tmp/attach" || { echo "the collector did not attach: $(cat "$tmp/attach")" >&2; exit 1; }
	echo "$(fig pty) $(fig sleep)" >>"$tmp/with"
	if [ "$r" = "$ROUNDS" ]; then
		sysctl -qw kernel.bpf_stats_enabled=1
		fig pty >/dev/null
		fig sleep >/dev/null
		bpf_cost "$apid" >"$tmp/bpf"
		sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	fi
	kill "$apid"
	wait "$apid" 2>/dev/null
	apid=
	[ $JSON = 1 ] || echo "round $r: without $(tail -1 "$tmp/without"), with $(tail -1 "$tmp/with") (ns per pty round trip, per nanosleep)"
done
pw=$(awk '{ print $1 }' "$tmp/without" | median) sw=$(awk '{ print $2 }' "$tmp/without" | median)
pa=$(awk '{ print $1 }' "$tmp/with" | median) sa=$(awk '{ print $2 }' "$tmp/with" | median)
read -r bw bt <"$tmp/bpf"
if [ $JSON = 1 ]; then
	jq -n --argjson pw "$pw" --argjson pa "$pa" --argjson sw "$sw" --argjson sa "$sa" \
		--argjson bw "${bw:-null}" --argjson bt "${bt:-null}" \
		'{pty_round_trip_ns_without: $pw, pty_round_trip_ns_with: $pa,
		  added_ns_per_work_item: (($pa - $pw) * 10 | round / 10),
		  nanosleep_ns_without: $sw, nanosleep_ns_with: $sa,
		  added_ns_per_timer_expiry: (($sa - $sw) * 10 | round / 10),
		  bpf_ns_per_work_item: $bw, bpf_ns_per_timer_expiry: $bt}'
else
	echo "median ns per pty round trip (one work item): without $pw, with $pa, added $(awk -v a="$pa" -v b="$pw" 'BEGIN { printf "%.1f", a - b }')"
	echo "median ns per nanosleep (one timer armed and fired): without $sw, with $sa, added $(awk -v a="$sa" -v b="$sw" 'BEGIN { printf "%.1f", a - b }')"
	echo "BPF run time (kernel statistics): $bw ns per work item, $bt ns per timer expiry (its starts included)"
fi
