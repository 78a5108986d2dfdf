#!/usr/bin/env bash
# tests/workloads/tasklet_bench.sh: the cost of the tasklets collector per tasklet run.
# One sender pushes UDP through the ifb path as fast as it can (each datagram is one run of
# ifb_ri_tasklet, done synchronously in the sender's softirq), alternating rounds without
# and with the collector attached (build/tests/bpf_tasklets --attach: that collector only,
# sampling once a second). Prints each round and the medians; the difference in ns per
# packet is what the collector adds to one tasklet run (its softirq_raise, tasklet_entry
# and tasklet_exit programs). On a shared machine the best round of each kind is the least
# disturbed figure. Run as root: tests/workloads/tasklet_bench.sh [ROUNDS] [SECS]
set -u
cd "$(dirname "$0")/../.."
. tests/workloads/tasklet_netns.sh
ROUNDS=${1:-5} SECS=${2:-2}
UDP=build/tests/workloads/tasklet_udp ATTACH=build/tests/bpf_tasklets
NS=ktop_tlb_$$ IFB=ifbb$$
apid=
cleanup() {
	[ -n "$apid" ] && kill "$apid" 2>/dev/null && wait "$apid" 2>/dev/null
	tasklet_netns_down "$NS"
}
trap cleanup EXIT
[ -x $UDP ] && [ -x $ATTACH ] || { echo "build first: make unit" >&2; exit 1; }
tasklet_netns_up "$NS" "$IFB" || exit 1

round() { ip netns exec "$NS" taskset -c 1 $UDP -t "$SECS"; }
# Other ktops on a shared machine attach the same programs and may switch on BPF run-time
# stats (which slow every program): note both, and keep only rounds that were clean
entries() { bpftool prog show 2>/dev/null | grep -c 'name tasklet_entry' || true; }
stats() { cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo '?'; }
off=() on=() dropped=0
for r in $(seq "$ROUNDS"); do
	e0=$(entries)
	line=$(round)
	e1=$(entries)
	echo "round $r without: $line (tasklet programs attached: $e0/$e1, bpf_stats $(stats))"
	if [ "$e0" -eq 0 ] && [ "$e1" -eq 0 ]; then
		off+=("$(echo "$line" | awk '{ print $6, $8 }')")
	else
		dropped=$((dropped + 1))
	fi
	$ATTACH --attach $((SECS + 3)) >"/tmp/tasklet_bench.$$" &
	apid=$!
	for _ in $(seq 100); do grep -q attached "/tmp/tasklet_bench.$$" 2>/dev/null && break; sleep 0.05; done
	grep -q attached "/tmp/tasklet_bench.$$" || { echo "the collector did not attach" >&2; exit 1; }
	e0=$(entries)
	line=$(round)
	e1=$(entries)
	echo "round $r with:    $line (tasklet programs attached: $e0/$e1, bpf_stats $(stats))"
	if [ "$e0" -eq 1 ] && [ "$e1" -eq 1 ]; then
		on+=("$(echo "$line" | awk '{ print $6, $8 }')")
	else
		dropped=$((dropped + 1))
	fi
	kill $apid 2>/dev/null
	wait $apid 2>/dev/null
	apid=
	rm -f "/tmp/tasklet_bench.$$"
done
echo "rounds dropped because another ktop had tasklet programs attached: $dropped"
[ ${#off[@]} -gt 0 ] && [ ${#on[@]} -gt 0 ] || { echo "no clean rounds" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
pps_off=$(printf '%s\n' "${off[@]}" | awk '{ print $1 }' | median)
pps_on=$(printf '%s\n' "${on[@]}" | awk '{ print $1 }' | median)
cpu_off=$(printf '%s\n' "${off[@]}" | awk '{ print $2 }' | median)
cpu_on=$(printf '%s\n' "${on[@]}" | awk '{ print $2 }' | median)
best_off=$(printf '%s\n' "${off[@]}" | awk '{ print $1 }' | sort -n | tail -1)
best_on=$(printf '%s\n' "${on[@]}" | awk '{ print $1 }' | sort -n | tail -1)
awk -v a="$pps_off" -v b="$pps_on" -v c="$cpu_off" -v d="$cpu_on" -v e="$best_off" -v f="$best_on" 'BEGIN {
	printf "best round packets/s (least disturbed): without %d, with %d: +%.0f ns per tasklet run\n", e, f, 1e9 / f - 1e9 / e
	printf "median packets/s: without %d, with %d (%.1f%%)\n", a, b, (b - a) * 100 / a
	printf "wall ns per packet: without %.0f, with %.0f: +%.0f ns per tasklet run\n", 1e9 / a, 1e9 / b, 1e9 / b - 1e9 / a
	printf "CPU ns per packet (sender): without %d, with %d: +%d ns\n", c, d, d - c
}'
