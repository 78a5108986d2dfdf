#!/usr/bin/env bash
# tools/bench-terminal.sh: bytes per second ktop writes to the terminal at steady state,
# next to htop in the same conditions, at the same time, at several terminal sizes (80x24,
# 120x40, 200x50, 300x80: one column of panes, and two and three side by side). For each
# size in turn both run at once in two tmux panes of that size, TERM=xterm-256color, a
# UTF-8 locale, a 1 s interval (htop -d 10); tmux pipe-pane copies everything each writes
# to its terminal into a file; counting starts after a warm-up (the first full paint).
# A load runs all along, the same for both, so that rows come, go and change (the repo's
# workloads: getppid at a rate that changes every 4 s, failing close(-1), short processes);
# --idle runs none.
# Usage: tools/bench-terminal.sh [--json] [--idle] [seconds per size]   (root: BPF)
#   SIZES="200x50 300x80"  the sizes to measure (default all four)
#   KEEP=DIR               keep what each wrote, DIR/{ktop,htop}-COLSxLINES.out
#   KTOP=PATH              the ktop to run (default ./ktop)
#   KTOP_OLD=PATH          another ktop (an older build) run beside them, the same way: a
#                          before/after in one run; its column is printed, not judged
# Prints one line per size and exits 1 when ktop writes more than htop at any size. With
# --json, one object: "ktop_bytes_per_s", "htop_bytes_per_s", "ratio" at 120x40 (null
# when 120x40 was not measured), "sizes": the same three for each size, "load", "seconds".
set -u
cd "$(dirname "$0")/.."
JSON=0 LOAD=1
while [ $# -gt 0 ]; do
	case $1 in
	--json) JSON=1 ;;
	--idle) LOAD=0 ;;
	*) break ;;
	esac
	shift
done
SECS=${1:-30}
WARM=${WARM:-5}
KTOP=${KTOP:-$PWD/ktop}
KTOP_OLD=${KTOP_OLD:-}
SIZES=${SIZES:-80x24 120x40 200x50 300x80}
KEEP=${KEEP:-}
LOOP=build/tests/workloads/syscall_loop
S=ktop-bench-term-$$
tmp=$(mktemp -d)
load_pids=()
stop_load() {
	local pid
	[ ${#load_pids[@]} -gt 0 ] || return 0
	for pid in "${load_pids[@]}"; do
		kill "$pid" 2>/dev/null
		pkill -P "$pid" 2>/dev/null # the workload it was running
	done
	wait "${load_pids[@]}" 2>/dev/null
	load_pids=()
}
cleanup() {
	stop_load
	tmux kill-session -t "$S-ktop" 2>/dev/null
	tmux kill-session -t "$S-htop" 2>/dev/null
	tmux kill-session -t "$S-old" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

for tool in tmux htop; do
	command -v $tool >/dev/null || { echo "bench-terminal: $tool is not installed" >&2; exit 2; }
done
if [ $LOAD = 1 ] && [ ! -x $LOOP ]; then
	echo "bench-terminal: no $LOOP (make tests), measuring without a load" >&2
	LOAD=0
fi
[ -n "$KEEP" ] && mkdir -p "$KEEP"

# The load: one process making getppid calls at a rate that changes every 4 s (rows
# change value and rank), and every half second a few short processes, each making
# getppid and failing close(-1) calls (rows come and go, in both programs)
start_load() {
	(
		while :; do
			for rate in 2000 50000 200000 10000; do
				"$LOOP" --rate $rate 4 >/dev/null
			done
		done
	) &
	load_pids+=($!)
	(
		while :; do
			for j in 1 2 3 4; do "$LOOP" $((j * 3000)) $((j * 500)) >/dev/null & done
			wait
			sleep 0.5
		done
	) &
	load_pids+=($!)
}

# start NAME COLS LINES command...
start() {
	local name=$1 cols=$2 lines=$3
	shift 3
	tmux kill-session -t "$S-$name" 2>/dev/null
	tmux new-session -d -s "$S-$name" -x "$cols" -y "$lines" env TERM=xterm-256color \
		LANG=C.UTF-8 HOME="$tmp" XDG_CONFIG_HOME="$tmp" "$@"
}

# measure COLSxLINES: "ktop_bps htop_bps old_bps" at that size (old_bps 0 without KTOP_OLD).
# All run at the same time, so they see the same machine: run one after the other and a
# busy moment lands on only one.
measure() {
	local cols=${1%x*} lines=${1#*x} name k h o=0 names="ktop htop"
	start ktop "$cols" "$lines" "$KTOP" --defaults -d 1
	start htop "$cols" "$lines" htop -d 10
	if [ -n "$KTOP_OLD" ]; then
		start old "$cols" "$lines" "$KTOP_OLD" --defaults -d 1
		names="ktop htop old"
	fi
	sleep "$WARM"
	for name in $names; do
		tmux pipe-pane -t "$S-$name" -O "cat > $tmp/$name-$1.out"
	done
	sleep "$SECS"
	for name in $names; do
		tmux pipe-pane -t "$S-$name"
		tmux kill-session -t "$S-$name"
	done
	sleep 0.2 # the copies end
	k=$(($(stat -c %s "$tmp/ktop-$1.out" 2>/dev/null || echo 0) / SECS))
	h=$(($(stat -c %s "$tmp/htop-$1.out" 2>/dev/null || echo 0) / SECS))
	[ -n "$KTOP_OLD" ] && o=$(($(stat -c %s "$tmp/old-$1.out" 2>/dev/null || echo 0) / SECS))
	for name in $names; do
		[ -n "$KEEP" ] && cp "$tmp/$name-$1.out" "$KEEP"/ 2>/dev/null
	done
	echo "$k $h $o"
}

[ $LOAD = 1 ] && start_load
results=()
over=0
for size in $SIZES; do
	read -r k h o < <(measure "$size")
	results+=("$size $k $h $o")
	[ "$k" -le "$h" ] || over=1
done
stop_load

if [ $JSON = 1 ]; then
	printf '%s\n' "${results[@]}" | awk -v secs="$SECS" -v load="$LOAD" '
	# the three figures of one size, as JSON members
	function figures(s) {
		if (!(s in k))
			return "\"ktop_bytes_per_s\": null, \"htop_bytes_per_s\": null, \"ratio\": null"
		return sprintf("\"ktop_bytes_per_s\": %d, \"htop_bytes_per_s\": %d, \"ratio\": %s",
			       k[s], h[s], h[s] ? sprintf("%.3f", k[s] / h[s]) : "null")
	}
	{ size[NR] = $1; k[$1] = $2; h[$1] = $3 }
	END {
		printf "{%s, \"load\": %s, \"seconds\": %d, \"sizes\": {", figures("120x40"),
			load ? "true" : "false", secs
		for (i = 1; i <= NR; i++)
			printf "%s\"%s\": {%s}", (i > 1 ? ", " : ""), size[i], figures(size[i])
		printf "}}\n"
	}'
	exit $over
fi
printf 'terminal output, 1 s interval, %d s after a %d s warm-up, %s, bytes/s:\n' "$SECS" \
	"$WARM" "$([ $LOAD = 1 ] && echo "under the workloads' load" || echo "no load")"
if [ -n "$KTOP_OLD" ]; then
	printf '  %-8s %8s %8s %7s %8s %7s\n' size ktop htop ratio old ratio
else
	printf '  %-8s %8s %8s %7s\n' size ktop htop ratio
fi
for r in "${results[@]}"; do
	read -r size k h o <<<"$r"
	printf '  %-8s %8d %8d %7s' "$size" "$k" "$h" \
		"$(awk -v k="$k" -v h="$h" 'BEGIN { print h ? sprintf("%.2f", k / h) : "-" }')"
	[ -n "$KTOP_OLD" ] && printf ' %8d %7s' "$o" \
		"$(awk -v k="$o" -v h="$h" 'BEGIN { print h ? sprintf("%.2f", k / h) : "-" }')"
	printf '\n'
done
printf '  (%s)\n' "$(htop --version | head -1)"
exit $over
