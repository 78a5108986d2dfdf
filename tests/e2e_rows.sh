#!/usr/bin/env bash
# tests/e2e_rows.sh: every row on the main screen is one frame's truth. 60 captures of the
# screen (tmux, 160x70, -d 0.5: one column of panes, tall enough that few are folded to
# their title line) while the load changes: getppid at rates that change, failing
# close(-1) and openat of missing files, short processes starting and stopping, UDP through
# an ifb device (tasklet rows), the focus moving from pane to pane. Every row of every pane
# is parsed by its column titles and checked
# with the display's rounding (2 significant digits): AVG <= MAX, ERR/s <= CALLS/s,
# TIME/s / CALLS/s = AVG (IRQ/s, RUNS/s, N/s where those count), %CPU = TIME/s, AVGDLY <=
# MAXDLY, WAIT/s / RAISED/s = AVGDLY, QAVG <= QMAX. A row that mixes two frames breaks them.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { tap_skip "rows on screen" "tmux is not installed"; exit 0; }
need_root "consistent rows on screen" || exit 0
LOOP=$TEST_BIN/workloads/syscall_loop
[ -x "$LOOP" ] || { tap_skip "consistent rows on screen" "no $LOOP (make tests)"; exit 0; }
S=ktop-rows-$$
CAPTURES=${ROWS_CAPTURES:-60}
tmp=$(mktemp -d)
load_pids=()
stop_load() {
	local pid
	for pid in "${load_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${load_pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	load_pids=()
}
# tasklet rows: UDP through an ifb device in a private namespace (when it can be built)
. "$(dirname "$0")/workloads/tasklet_netns.sh"
UDP=$TEST_BIN/workloads/tasklet_udp NS=ktop_rows_$$ IFB=ifbrw$$
tasklets=
if [ -x "$UDP" ] && command -v tc >/dev/null && tasklet_netns_up "$NS" "$IFB" 2>/dev/null; then
	tasklets=1
fi
cleanup() {
	stop_load
	tmux kill-session -t $S 2>/dev/null
	[ -n "$tasklets" ] && tasklet_netns_down "$NS"
	rm -rf "$tmp"
}
trap cleanup EXIT

# failing openat: a missing file opened n times, in this shell's children (no fork per call)
open_missing() { (for ((i = 0; i < $1; i++)); do : <"$tmp/missing-$i"; done) 2>/dev/null; }
# the load of one phase, in the background; the phases change every few captures
load_phase() {
	case $1 in
	0) ;; # what the machine does anyway
	1) "$LOOP" --rate 20000 60 >/dev/null & load_pids+=($!)
	   if [ -n "$tasklets" ]; then
		ip netns exec "$NS" "$UDP" -t 60 >/dev/null 2>&1 & load_pids+=($!)
	   fi ;;
	2) "$LOOP" --rate 200000 60 >/dev/null & load_pids+=($!)
	   (while :; do open_missing 2000; sleep 0.05; done) & load_pids+=($!) ;;
	3) # short processes, each with failing calls: rows come and go
	   (while :; do
		for j in 1 2 3 4 5 6 7 8; do "$LOOP" 3000 $((j * 400)) >/dev/null & done
		wait
		sleep 0.1
	   done) & load_pids+=($!) ;;
	4) (while :; do "$LOOP" 1000 50000 >/dev/null; sleep 0.2; done) & load_pids+=($!)
	   "$LOOP" --rate 5000 60 >/dev/null & load_pids+=($!) ;;
	esac
}

# Rows of every pane of one capture: "PANE<TAB>CHECK<TAB>ok|bad<TAB>row" per check of a row
check_rows() {
	LC_ALL=C awk '
	function val(s,    m, d, u, f) {
		# value of a cell as shown, and HALF: how far the exact value may be from it
		HALF = 0
		if (s == "0")
			return 0
		if (!match(s, /^[0-9]+(\.[0-9]+)?/))
			return -1
		m = substr(s, 1, RLENGTH)
		u = substr(s, RLENGTH + 1)
		d = index(m, ".") ? length(m) - index(m, ".") : 0
		HALF = 0.5 / 10 ^ d
		if (u == "ns" || u == "") f = 1
		else if (u == "us" || u == "k") f = 1e3
		else if (u == "ms" || u == "M") f = 1e6
		else if (u == "s" || u == "G") f = 1e9
		else if (u == "T") f = 1e12
		else return -1
		HALF *= f
		return m * f
	}
	# the cell of column title t in the row: the text ending where the title ends
	function cell(t,    e, s) {
		if (!(t in end))
			return ""
		e = end[t]
		if (substr(row, e + 1, 1) != " " && e < length(row))
			return ""
		s = substr(row, 1, e)
		if (!match(s, /[^ ]+$/))
			return ""
		return substr(s, RSTART)
	}
	function have(t) { C = cell(t); if (C == "") return 0; V = val(C); H = HALF; return V >= 0 }
	function report(check, good) {
		printf "%s\t%s\t%s\t%s\n", pane, check, good ? "ok" : "bad", row
	}
	# a <= b, within the rounding
	function le(a, b,    va, ha) {
		if (!have(a)) return
		va = V; ha = H
		if (!have(b)) return
		report(a " <= " b, va - ha <= V + H)
	}
	# time / count = avg, within the rounding (nothing counted: nothing to divide)
	function ratio(time, count, avg,    vt, ht, lo, hi) {
		if (!have(time)) return
		vt = V; ht = H
		if (!have(count) || V == 0) return
		lo = (vt - ht) / (V + H)
		hi = V - H > 0 ? (vt + ht) / (V - H) : 1e300
		if (!have(avg)) return
		report(time " / " count " = " avg, lo <= (V + H) * 1.000001 && hi >= (V - H) * 0.999999)
	}
	# a share of one CPU in percent = time per second / 1e7, within the rounding
	function pct(p, time,    vp, hp) {
		if (!have(p)) return
		vp = V; hp = 0.05
		if (!have(time)) return
		report(p " = " time, (V - H) / 1e7 <= vp + hp && (V + H) / 1e7 >= vp - hp)
	}
	# a pane folded to its title line (a summary, or "nothing in this interval") has no rows
	/^ (System calls|Processes|Hard IRQs|Softirqs|Cross-CPU calls|Tasklets|Critical sections|Containers)/ &&
	!/  sort: / { pane = ""; next }
	/^ (System calls|Processes|Hard IRQs|Softirqs|Cross-CPU calls|Tasklets|Critical sections|Containers)/ &&
	/  sort: / {
		pane = $0
		sub(/^ /, "", pane)
		sub(/  .*/, "", pane)
		sub(/ \*$/, "", pane)
		sub(/ >.*/, "", pane)
		header = 1
		next
	}
	/^ q quit/ { pane = "" }
	pane == "" { next }
	header {
		delete end
		for (p = 1; match(substr($0, p), /[^ ]+/); p += RSTART + RLENGTH - 1)
			end[substr($0, p + RSTART - 1, RLENGTH)] = p + RSTART + RLENGTH - 2
		header = 0
		next
	}
	/^ \(/ || /^ *$/ { next }
	# a row kept on its line with nothing counted shows no figures: nothing to check
	/ - +- / { next }
	{
		row = $0
		report("parsed", 1)
		le("AVG", "MAX")
		le("ERR/s", "CALLS/s")
		le("AVGDLY", "MAXDLY")
		le("QAVG", "QMAX")
		count = "CALLS/s"
		if ("N/s" in end) count = "N/s"
		if ("RUNS/s" in end) count = "RUNS/s"
		if ("IRQ/s" in end) count = "IRQ/s"
		ratio("TIME/s", count, "AVG")
		ratio("WAIT/s", "RAISED/s", "AVGDLY")
		pct("%CPU", "TIME/s")
		pct("%IRQ", "IRQTIME/s")
	}'
}

tmux_start $S 160 70 env TERM=xterm-256color LANG=C.UTF-8 HOME="$tmp" "$KTOP_BIN" --defaults -d 0.5
if ! wait_for "screen_has 'System calls' && screen_has ' x64 '" 10; then
	tap_fail "the main screen appears with rows"
	exit 1
fi
tap_ok "the main screen appears with rows"

prev=""
for ((i = 0; i < CAPTURES; i++)); do
	# a new load every 6 captures; the focus on System calls for half the captures, then
	# on the next pane every 4: rows come, go and move, every pane has its turn
	if [ $((i % 6)) -eq 0 ]; then
		stop_load
		load_phase $(((i / 6) % 5))
	fi
	[ $i -ge $((CAPTURES / 2)) ] && [ $(((i - CAPTURES / 2) % 4)) -eq 0 ] &&
		tmux send-keys -t $S Tab
	# the next frame (the screen may stay the same when nothing moved enough)
	wait_for "[ \"\$(tmux_screen $S)\" != \"\$prev\" ]" 2
	prev=$(tmux_screen $S)
	printf '%s\n' "$prev" >"$tmp/capture-$i"
	check_rows <"$tmp/capture-$i" | sed "s/^/$i\t/" >>"$tmp/checks"
done
stop_load
tap_check "ktop ran through all $CAPTURES captures" tmux_alive $S

# per pane and check: how many rows, and the rows that break it
summary=$(awk -F'\t' '{ n[$2 "\t" $3]++; if ($4 == "bad") b[$2 "\t" $3]++ }
	END { for (k in n) printf "%s\t%d\t%d\n", k, n[k], b[k] + 0 }' "$tmp/checks" | sort)
rows_in() { awk -F'\t' -v p="$1" '$1 == p && $2 == "parsed" { print $3 }' <<<"$summary"; }
# checked PANE CHECK MIN: the check ran on at least MIN rows of the pane (a parse that
# finds no column would pass everything)
checked() {
	local n
	n=$(awk -F'\t' -v p="$1" -v c="$2" '$1 == p && $2 == c { print $3 }' <<<"$summary")
	[ "${n:-0}" -ge "$3" ]
}
tap_check "System calls rows were parsed" [ "$(rows_in 'System calls')" -ge $((CAPTURES * 4)) ]
tap_check "Processes rows were parsed" [ "$(rows_in 'Processes')" -ge "$CAPTURES" ]
for check in 'AVG <= MAX' 'ERR/s <= CALLS/s' 'TIME/s / CALLS/s = AVG'; do
	tap_check "System calls: $check was checked on most rows" \
		checked 'System calls' "$check" $((CAPTURES * 3))
done
while IFS=$'\t' read -r pane check n bad; do
	[ -z "$check" ] || [ "$check" = parsed ] && continue
	if [ "$bad" -gt 0 ]; then
		tap_diag "$pane: $bad of $n rows break $check, for example (capture, row):"
		awk -F'\t' -v p="$pane" -v c="$check" '$2 == p && $3 == c && $4 == "bad" {
			print "#   " $1 ": " $5 }' "$tmp/checks" | head -5
	fi
	tap_check "$pane: $check on all $n rows" [ "$bad" -eq 0 ]
done <<<"$summary"
for pane in 'Hard IRQs' Softirqs 'Cross-CPU calls' Tasklets 'Critical sections' Containers; do
	[ -n "$(rows_in "$pane")" ] || tap_skip "$pane rows checked" "no row in $CAPTURES captures"
done
