#!/usr/bin/env bash
# tools/bench.sh: ktop's benchmarks, in one go on one machine (`make bench`, as root).
# Writes docs/PERFORMANCE.md and docs/performance.json: every figure is the median of
# several runs, and every comparison a ratio against a baseline measured in the same run.
#   tools/bench.sh [--quick] [--out DIR]    (--quick: one short round, for the smoke test)
set -u
cd "$(dirname "$0")/.."
QUICK=0 OUT=docs
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--out) OUT=$2; shift ;;
	*) echo "usage: tools/bench.sh [--quick] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "tools/bench.sh: run as root (BPF)" >&2; exit 1; }
mkdir -p "$OUT"
ROUNDS=5 SECS=10 CALLS=3000000
[ $QUICK = 1 ] && ROUNDS=1 SECS=2 CALLS=300000
LOOP=build/tests/workloads/syscall_loop
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
# the kernel's BPF statistics slow every BPF program (two clock reads a run): off while
# measuring, as they were found afterwards
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
sysctl -qw kernel.bpf_stats_enabled=0 2>/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null; sysctl -qw kernel.bpf_stats_enabled="$stats_was" 2>/dev/null' EXIT
json="$tmp/perf.json"
echo '{}' >"$json"
put() { jq --arg k "$1" --argjson v "$2" '. + {($k): $v}' "$json" >"$json.new" && mv "$json.new" "$json"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "null"}'; }
log() { echo "bench: $*" >&2; }

# 0. the machine's own figures, so reports from different machines read side by side ------
log "0 the machine: bare getppid, fork+exec per second"
bare_ns=""
for r in $(seq $ROUNDS); do
	bare_ns+="$(taskset -c 1 "$LOOP" --bench "$CALLS") "
done
# processes started (fork + exec of /bin/true, each waited for) per second, nothing traced
build/tests/workloads/proc_churn "$tmp/bare_churn" &
bpid=$!
sleep $((QUICK ? 2 : 5))
kill $bpid; wait $bpid 2>/dev/null
put machine_figures "$(jq -n --argjson g "$(echo "$bare_ns" | median)" \
	--argjson f "$(awk -v s=$((QUICK ? 2 : 5)) '{print int($1 / s)}' "$tmp/bare_churn" 2>/dev/null || echo null)" \
	'{getppid_ns: $g, fork_exec_per_s: $f}')"

# 1. added cost per system call ------------------------------------------------------
log "1/6 added cost per getppid call"
CALLS=$CALLS ROUNDS=$ROUNDS tools/bench-syscalls.sh --json >"$tmp/sys.json" || echo '{}' >"$tmp/sys.json"
put syscalls "$(cat "$tmp/sys.json")"

# 2. the other collectors on the workloads that drive them ------------------------------
log "2/6 other collectors"
build/tests/bpf_irqs --bench $((QUICK ? 1 : 3)) >"$tmp/irq.txt" 2>/dev/null
put interrupts "$(awk '
	/^mean:/ { gsub(/[^0-9. -]/, " "); split($0, a, " +"); n = 0
		for (i in a) if (a[i] != "") v[++n] = a[i] }
	/softirq_(raise|entry|exit)_btf/ { soft += $(NF - 1) }
	END { printf "{\"udp_round_trips_per_s_without\": %s, \"udp_round_trips_per_s_with\": %s, \"ns_per_softirq_run\": %.1f}", v[1] ? v[1] : "null", v[2] ? v[2] : "null", soft }' "$tmp/irq.txt")"
tests/workloads/tasklet_bench.sh $((QUICK ? 1 : 5)) $((QUICK ? 1 : 2)) >"$tmp/tasklet.txt" 2>/dev/null
put tasklets "$(awk '
	/^median packets\/s:/ { gsub(/,/, ""); without = $4; with = $6 }
	/^wall ns per packet:/ { gsub(/[,:+]/, " "); wn = $6; w = $8; added = $9 }
	END { printf "{\"packets_per_s_without\": %s, \"packets_per_s_with\": %s, \"ns_per_packet_without\": %s, \"ns_per_packet_with\": %s, \"added_ns_per_tasklet_run\": %s}", without ? without : "null", with ? with : "null", wn ? wn : "null", w ? w : "null", added ? added : "null" }' "$tmp/tasklet.txt")"
# the deferred-work collector: BPF ns per work item and per timer expiry, with and without it
tools/bench-deferred.sh --json $((QUICK ? 1 : 5)) >"$tmp/deferred.json" 2>/dev/null &&
	put deferred "$(cat "$tmp/deferred.json")" || put deferred null
# the critical collector, old default (its own timer at 1000 Hz on every CPU) and new (the
# tick samples busy CPUs; no timer of its own where the CPU ticks), in one run
build/tests/workloads/irqoff_cost $((QUICK ? 1 : 3)) >"$tmp/critical.txt" 2>/dev/null
# fig LINE-PREFIX WORD: the number after WORD on irqoff_cost's line starting LINE-PREFIX
fig() {
	grep -m1 "^$1" "$tmp/critical.txt" | grep -oE "$2 +[0-9.]+" | grep -oE '[0-9.]+$' || echo null
}
put critical "$(jq -n \
	--argjson a "$(fig 'nothing attached ' gaps)" --argjson b "$(fig 'programs, own timer off ' gaps)" \
	--argjson c "$(fig 'programs, own timer on' gaps)" --argjson d "$(fig 'programs, own timer off ' bpf)" \
	--argjson e "$(fig 'programs, own timer on' bpf)" --argjson f "$(fig 'nothing attached ' getppid)" \
	--argjson g "$(fig 'programs, own timer off ' getppid)" --argjson h "$(fig 'programs, own timer on' getppid)" \
	--argjson i "$(fig 'nothing attached ' switch)" --argjson j "$(fig 'programs, own timer off ' switch)" \
	'{interrupt_ms_per_s_nothing: $a, interrupt_ms_per_s_timer_off: $b, interrupt_ms_per_s_timer_on: $c,
	  bpf_ms_per_s_timer_off: $d, bpf_ms_per_s_timer_on: $e, getppid_ns_nothing: $f,
	  getppid_ns_timer_off: $g, getppid_ns_timer_on: $h, switch_ns_nothing: $i,
	  switch_ns_attached: $j,
	  added_cpu_pct_old: (if $c == null or $a == null then null
			      else (($c - $a) / 10 * 1000 | round) / 1000 end),
	  added_cpu_pct_new: (if $b == null or $a == null then null
			      else (($b - $a) / 10 * 1000 | round) / 1000 end)}')"

# 3. ktop's own CPU and memory -----------------------------------------------------------
log "3/6 ktop's own CPU and RSS"
# own_cost SECS: start ktop (1 s interval), report "cpu_pct rss_kb" over SECS seconds
own_cost() {
	./ktop -J -d 1 >"$tmp/own.json" &
	local pid=$! hz t0 t1
	hz=$(getconf CLK_TCK)
	sleep 2
	t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	sleep "$1"
	t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
	kill $pid; wait $pid 2>/dev/null
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$1" -v r="$rss" \
		'BEGIN {printf "%.3f %d\n", 100 * (b - a) / hz / s, r}'
}
read -r idle_cpu idle_rss < <(own_cost "$SECS")
taskset -c 1 "$LOOP" --rate 1000000 $((SECS + 4)) &
loadpid=$!
read -r load_cpu load_rss < <(own_cost "$SECS")
kill $loadpid 2>/dev/null; wait $loadpid 2>/dev/null
# churn_rss INTERVAL SECS: RSS once the history (300 frames by default) is full of frames
# taken under process churn (two churners: thousands of short processes a second), and
# the processes started per second
churn_rss() {
	local cpids=() pid i rss started
	./ktop -J -d "$1" >"$tmp/churn.json" &
	pid=$!
	for i in 1 2; do
		build/tests/workloads/proc_churn "$tmp/churn.$i" &
		cpids+=($!)
	done
	sleep "$2"
	rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
	kill "${cpids[@]}" $pid; wait "${cpids[@]}" $pid 2>/dev/null
	started=$(cat "$tmp"/churn.* | awk '{s += $1} END {print s + 0}')
	echo "$rss $((started / $2))"
}
# 300 frames at 0.2 s fill in 60 s (at 0.05 s in 15 s for --quick)
if [ $QUICK = 1 ]; then
	read -r churn_kb churn_rate < <(churn_rss 0.05 17)
else
	read -r churn_kb churn_rate < <(churn_rss 0.2 66)
fi
put own "$(jq -n --argjson a "$idle_cpu" --argjson b "$idle_rss" --argjson c "$load_cpu" \
	--argjson d "$load_rss" --argjson e "${churn_kb:-null}" --argjson f "${churn_rate:-null}" \
	'{idle_cpu_pct: $a, idle_rss_kb: $b, load_1M_cpu_pct: $c, load_1M_rss_kb: $d,
	  churn_rss_kb: $e, churn_processes_per_s: $f}')"
./ktop -J -d 0.5 -n 30 >/dev/null &  # long enough for both readings below
kpid=$!
sleep 1.5
maps_kb=$(for id in $(cat /proc/$kpid/fdinfo/* 2>/dev/null | awk '/^map_id:/ {print $2}' | sort -un); do
	bpftool -j map show id "$id" 2>/dev/null | jq '.bytes_memlock // 0'
done | awk '{s += $1} END {printf "%d", s / 1024}')
# the same maps projected to 128 and 256 possible CPUs (tools/map-memory.sh: the kernel's
# per-CPU formula; full hashes), the default panes
tools/map-memory.sh --json $kpid 2 128 256 >"$tmp/maps.json" 2>/dev/null || echo null >"$tmp/maps.json"
wait $kpid 2>/dev/null
# bytes copied out of the kernel per tick (tools/map-memory.sh --reads), idle and under a
# getppid load, at 2, 128 and 256 possible CPUs
reads_of() {
	./ktop -J -d 0.5 >/dev/null &
	kpid=$!
	sleep 1.5
	tools/map-memory.sh --json --reads 5 $kpid 2 128 256 2>/dev/null | jq -c '.reads.per_tick' || echo null
	kill $kpid; wait $kpid 2>/dev/null
}
idle_reads=$(reads_of)
taskset -c 1 "$LOOP" --rate 1000000 12 &
loadpid=$!
load_reads=$(reads_of)
kill $loadpid 2>/dev/null; wait $loadpid 2>/dev/null
# before issue 17, measured the same way on 2026-12-01 (commit e727252: per-CPU syscall,
# process, softirq, system vector, cross-call and tasklet maps read whole): bytes at 128
put bpf_reads_per_tick "$(jq -n --argjson i "${idle_reads:-null}" --argjson l "${load_reads:-null}" \
	'{idle: $i, load: $l, old_idle_128: 52088008, old_load_128: 52332037}')"
put bpf_maps_kb "${maps_kb:-null}"
# before issue 17 (per-CPU syscall, process and hard-IRQ maps), measured the same way on
# 2026-12-01 (commit 4805e11): KiB at 128 and 256 possible CPUs
put bpf_maps_projected "$(jq -c '{kib_128: (.total["128"] / 1024 | floor), kib_256: (.total["256"] / 1024 | floor),
	old_kib_128: 291632, old_kib_256: 582296}' "$tmp/maps.json" 2>/dev/null || echo null)"

# 4. time to first frame ---------------------------------------------------------------------
log "4/6 time to first frame"
ttff=""
for r in $(seq $ROUNDS); do
	start=$(date +%s.%N)
	first=$(./ktop -J -n 1 -d 1 | jq '.timestamp')
	ttff+="$(awk -v a="$start" -v b="$first" 'BEGIN {printf "%.3f", b - a}') "
done
put first_frame_s "$(echo "$ttff" | median)"

# 5. terminal bytes per second, next to htop -----------------------------------------
log "5/6 terminal bytes per second (four sizes, next to htop)"
if [ -x tools/bench-terminal.sh ]; then
	tools/bench-terminal.sh --json $((QUICK ? 5 : 20)) >"$tmp/term.json" 2>/dev/null
	[ -s "$tmp/term.json" ] && jq -e . "$tmp/term.json" >/dev/null 2>&1 || echo null >"$tmp/term.json"
	put terminal "$(cat "$tmp/term.json")"
else
	put terminal null
fi

# 6. scale: one tick with 10 000 processes and 1 000 containers ----------------------------
log "6/6 tick cost at scale"
put tick_ms_10k_processes_1k_containers "$(build/tools/bench_tick 10000 1000 $((QUICK ? 5 : 50)))"

# 7. the exporter: ktop --listen scraped once a second, on the 1 M getppid/s load -------------
log "7 the exporter (ktop --listen, one scrape a second)"
tools/bench-exporter.sh --json $((QUICK ? 5 : 20)) >"$tmp/exporter.json" 2>/dev/null
[ -s "$tmp/exporter.json" ] && jq -e . "$tmp/exporter.json" >/dev/null 2>&1 || echo null >"$tmp/exporter.json"
put exporter "$(cat "$tmp/exporter.json")"

# 8. a traced kernel function, in a Debian guest (this kind of machine's kernel cannot trace
# them): BPF program runs per call and the programs' sizes, counted (times under emulation
# mean nothing). BENCH_GUEST=none skips it; KERNELS_DIR as for tools/test-kernels.sh.
guest=${BENCH_GUEST:-6.12}
if [ "$guest" != none ] && [ $QUICK = 0 ] && command -v qemu-system-x86_64 >/dev/null; then
	log "8 a traced function in a $guest guest (tools/test-kernels.sh -c tools/bench-functions.sh)"
	kdir=$(realpath -m "${KERNELS_DIR:-build-kernels}")
	if tools/test-kernels.sh -k "$guest" -c tools/bench-functions.sh >"$tmp/guest.log" 2>&1 &&
		[ -s "$kdir/results/$guest/command.out" ] && jq -e .kernel "$kdir/results/$guest/command.out" >/dev/null 2>&1; then
		put functions_guest "$(cat "$kdir/results/$guest/command.out")"
	else
		log "8: no result: $(tail -n 3 "$tmp/guest.log" | tr '\n' ' ')"
		put functions_guest null
	fi
else
	put functions_guest null
fi

# the report -----------------------------------------------------------------------------------
put machine "$(jq -n --arg k "$(uname -r)" --arg c "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--argjson n "$(nproc)" --arg m "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" --arg d "$(date -u +%FT%TZ)" \
	--argjson q "$QUICK" '{kernel: $k, cpu: $c, cpus: $n, mem_kb: $m, date: $d, quick: ($q == 1)}')"
cp "$json" "$OUT/performance.json"
tools/bench-report.sh "$OUT/performance.json" >"$OUT/PERFORMANCE.md"
log "wrote $OUT/PERFORMANCE.md and $OUT/performance.json"
