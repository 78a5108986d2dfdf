#!/usr/bin/env bash
# tools/soak.sh: ktop -J for SOAK_SECONDS (default 3600) under process churn (short
# processes, as fast as SOAK_LOOPS churners can start them: hundreds to thousands per
# second, measured without ktop first) and
# container churn (a new container every few seconds: unshare + a hostname + fresh v1
# memory and cgroup2 directories, removed after). Checks, in TAP:
#   - RSS flat: the last frame's RSS within SOAK_RSS_SLACK_KB of the one after warm-up
#   - map occupancy flat: entries in ktop's hash maps at the end at most SOAK_MAP_SLACK more
#     than after warm-up (LRU maps are bounded by design and only reported)
#   - no error grows: every collector "ok" in every frame, no events dropped
#   - counts stay right: over the frames after warm-up, ktop counts at least as many execve
#     as the churn started processes in that time (the frames cover the counted time:
#     they begin before the first count is read and end after the last one; the churners
#     write their count every 50 processes, so each may be up to 49 behind at the start)
# make soak runs it for an hour; tests/e2e_soak.sh for two minutes.
. "$(dirname "$0")/../tests/lib.sh"
need_root "soak" || exit 0
seconds=${SOAK_SECONDS:-3600}
loops=${SOAK_LOOPS:-2} # process churners (tests/workloads/proc_churn)
warmup=$(( seconds / 4 > 30 ? seconds / 4 : 30 )) # tables and delta sets reach their size
slack_kb=${SOAK_RSS_SLACK_KB:-2048}
map_slack=${SOAK_MAP_SLACK:-32} # new IRQ numbers or tasklets may still appear: not churn
tmp=$(mktemp -d)
V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
pids=()
ktop_pid=

cleanup() {
	[ -n "$ktop_pid" ] && kill "$ktop_pid" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for d in ${V1:+$V1/ktop-soak-*} ${V2:+$V2/ktop-soak-*}; do
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		sleep 0.1
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# ktop's hash maps (not LRU, not arrays): id and name
ktop_hash_maps() {
	local p=$1 id
	for id in $(cat /proc/"$p"/fdinfo/* 2>/dev/null | awk '/^map_id:/ {print $2}' | sort -un); do
		bpftool -j map show id "$id" 2>/dev/null
	done | jq -r 'select(.type == "hash" or .type == "percpu_hash" or
			     .type == "lru_hash" or .type == "lru_percpu_hash") |
		      "\(.id) \(.type) \(.name) \(.max_entries)"'
}
# entries of every hash map: "name type entries max"
map_occupancy() {
	ktop_hash_maps "$1" | while read -r id type name max; do
		echo "$name $type $(bpftool -j map dump id "$id" 2>/dev/null | jq length) $max"
	done | sort
}

# maps_read START END: both readings hold maps
maps_read() { [ -s "$1" ] && [ -s "$2" ]; }

# the frame history fills up first (rows are allocated as frames are first used), and the
# kernel's per-process map (its delta set in ktop grows with it, up to the map's size): a
# short soak keeps fewer frames and processes so that warm-up covers both
config=()
if [ -n "${SOAK_HISTORY:-}" ]; then
	printf '[general]\nhistory = %s\n' "$SOAK_HISTORY" >"$tmp/ktop.conf"
	[ -n "${SOAK_PROCESS_ENTRIES:-}" ] &&
		printf '[syscalls]\nprocess_entries = %s\n' "$SOAK_PROCESS_ENTRIES" >>"$tmp/ktop.conf"
	config=(--config "$tmp/ktop.conf")
fi
# process churn: each churner counts what it started, in its own file
churn=$TEST_BIN/workloads/proc_churn
if [ ! -x "$churn" ]; then
	tap_fail "process churn: $churn is not built (make unit)"
	exit 1
fi
spawned() { cat "$tmp"/spawned.* 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
now_s() { awk '{print $1}' /proc/uptime; }
# per_s COUNT SINCE: COUNT per second since uptime SINCE
per_s() { awk -v n="$1" -v a="$2" -v b="$(now_s)" 'BEGIN {printf "%d", n / (b - a)}'; }
start_churn() {
	for i in $(seq "$loops"); do
		"$churn" "$tmp/spawned.$i" &
		pids+=($!)
	done
}
# what this machine does without ktop, measured in the same run: the rate under ktop is
# compared with it (machines of this kind differ several times over in fork+exec cost)
start_churn
wait_for "[ \$(spawned) -gt 0 ]" 10
t0=$(now_s) n0=$(spawned)
sleep 3
rate_without=$(per_s $(( $(spawned) - n0 )) "$t0")
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait "${pids[@]}" 2>/dev/null
pids=()
rm -f "$tmp"/spawned.*

"$KTOP_BIN" "${config[@]}" -J -d 1 >"$tmp/frames.json" 2>"$tmp/err" &
ktop_pid=$!
if ! wait_for "[ -s $tmp/frames.json ]" 15; then
	tap_fail "ktop started: $(head -1 "$tmp/err")"
	exit 1
fi

start_churn
# container churn
(
	n=0
	while :; do
		n=$((n + 1)); cg=ktop-soak-$$-$n
		dirs=""
		for d in ${V1:+$V1/$cg} ${V2:+$V2/$cg}; do mkdir "$d" && dirs="$dirs $d"; done
		# shellcheck disable=SC2016,SC2086
		sh -c 'cg=$1; shift; for d in "$@"; do echo $$ >"$d/cgroup.procs"; done
			exec unshare --pid --uts --mount --fork sh -c "hostname $cg; for i in 1 2 3 4 5 6; do sleep 0.5 & wait; done"' \
			sh "$cg" $dirs >/dev/null 2>&1
		for d in $dirs; do rmdir "$d" 2>/dev/null; done
		echo $n >"$tmp/containers"
	done
) &
pids+=($!)

frames() { wc -l <"$tmp/frames.json"; }
# the last whole frame: ktop may be half-way through writing the next one
last_frame() { sed -n "$(frames)p" "$tmp/frames.json"; }

sleep "$warmup"
rss_start=$(last_frame | jq .self.rss_kb)
map_occupancy $ktop_pid >"$tmp/maps.start"
frame_start=$(frames) spawned_start=$(spawned)
tap_diag "warm-up done after ${warmup}s: RSS ${rss_start} kB"
sleep $((seconds - warmup))
rss_end=$(last_frame | jq .self.rss_kb)
map_occupancy $ktop_pid >"$tmp/maps.end"
# the count first, then one more whole frame: the frames then cover every counted start
spawned_end=$(spawned) frame_end=$(( $(frames) + 1 ))
wait_for "[ \$(frames) -ge $frame_end ]" 5
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait "${pids[@]}" 2>/dev/null
pids=()
# the churn has stopped: two more ticks read (and delete) what exited during it; then the
# per-process map holds the processes still running (counted beside it), whatever the
# churn's rate was (at thousands a second it refills the map within each tick)
frame_quiet=$(( $(frames) + 2 ))
wait_for "[ \$(frames) -ge $frame_quiet ]" 10
map_occupancy $ktop_pid >"$tmp/maps.quiet"
running=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
kill $ktop_pid
wait $ktop_pid
ktop_status=$?
ktop_pid=

rate=$(( (spawned_end - spawned_start) / (seconds - warmup) ))
tap_diag "soak: ${seconds}s, $rate processes/s ($rate_without without ktop), $(cat "$tmp/containers" 2>/dev/null || echo 0) containers, RSS ${rss_start} -> ${rss_end} kB"
tap_check "ktop ran to the end and exited 0 on SIGTERM" [ "$ktop_status" = 0 ]
# ktop's share of the two CPUs and the syscall hooks slow the churn down; a third of the
# rate without ktop still means ktop is being churned at this machine's pace
# (and ran at all: a churn that started nothing, with or without ktop, is no soak)
churned() { [ "$1" -gt 0 ] && [ $(($1 * 3)) -ge "$2" ]; }
tap_check "process churn ran (under ktop $rate/s, at least a third of $rate_without/s without)" \
	churned "$rate" "$rate_without"
tap_check "containers came and went (>= 2)" [ "$(cat "$tmp/containers" 2>/dev/null || echo 0)" -ge 2 ]
if nm "$KTOP_BIN" 2>/dev/null | grep -q __asan_init; then
	tap_skip "RSS flat: $rss_start -> $rss_end kB" \
		"an AddressSanitizer build keeps freed memory in quarantine: RSS says nothing"
else
	tap_check "RSS flat: $rss_start -> $rss_end kB (slack $slack_kb kB)" \
		[ "$rss_end" -le $((rss_start + slack_kb)) ]
fi
grow=$(join <(awk '{print $1"/"$2, $3, $4}' "$tmp/maps.start") \
	<(awk '{print $1"/"$2, $3, $4}' "$tmp/maps.end") |
	awk -v slack="$map_slack" '$1 !~ /lru/ { if ($4 > $2 + slack) print $1 ": " $2 " -> " $4 }')
while read -r name type n max; do tap_diag "map $name ($type): $n of $max at the end"; done <"$tmp/maps.end"
# (no map read at all, bpftool failing or ktop gone, would show no growth either)
tap_check "ktop's hash maps were read after warm-up and at the end ($(wc -l <"$tmp/maps.start") maps)" \
	maps_read "$tmp/maps.start" "$tmp/maps.end"
tap_check "hash maps do not grow after warm-up${grow:+: $grow}" [ -z "$grow" ]
# exited processes are deleted once read: once the churn stops, the per-process map holds
# the running ones (and the few that exited since the last tick), not the processes the
# churn started (without the deletion it fills to the LRU's limit and stays there)
read -r _ _ procs_churn procs_max < <(grep '^process_stats ' "$tmp/maps.end")
read -r _ _ procs_n _ < <(grep '^process_stats ' "$tmp/maps.quiet")
tap_diag "per-process map: $procs_churn of ${procs_max:-?} during the churn, $procs_n two ticks after it ($running processes running)"
if [ "${procs_max:-0}" -gt 0 ] && [ "$spawned_end" -gt "$procs_max" ]; then
	tap_check "exited processes leave the per-process map: $procs_n entries two ticks after $spawned_end processes, $running running" \
		[ "${procs_n:-$procs_max}" -le $((running + map_slack)) ]
else
	tap_skip "exited processes leave the per-process map" \
		"the churn started $spawned_end processes, no more than the map's ${procs_max:-?} entries"
fi
tap_check "every collector running in the first frame ran in every frame" \
	collectors_kept_running "$tmp/frames.json"
tap_check "no events dropped" jqt -s '[.[].self.dropped] | add == 0' "$tmp/frames.json"
tap_check "nothing on stderr" [ ! -s "$tmp/err" ]
# execve counted per frame vs the processes started in the same frames
counted=$(sed -n "$((frame_start + 1)),${frame_end}p" "$tmp/frames.json" |
	jq -s '[.[].syscalls[] | select(.name == "execve") | .count] | add // 0')
tap_diag "execve counted by ktop after warm-up: $counted; processes the churn started: $((spawned_end - spawned_start))"
tap_check "counts stay right: ktop saw every churn execve" \
	[ "$counted" -ge $((spawned_end - spawned_start - 49 * loops)) ]
