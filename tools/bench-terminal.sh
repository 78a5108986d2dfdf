#!/usr/bin/env bash
# tools/bench-terminal.sh: bytes per second ktop writes to the terminal at steady state,
# next to htop in the same conditions: a 120x40 tmux pane, TERM=xterm-256color, a UTF-8
# locale, a 1 s interval (htop -d 10). tmux pipe-pane copies everything the program writes
# to its terminal into a file; counting starts after a warm-up (the first full paint).
# Usage: tools/bench-terminal.sh [--json] [seconds]     (root: ktop loads BPF programs)
# Prints one line per program and exits 1 when ktop writes more than htop; with --json,
# one object {"ktop_bytes_per_s", "htop_bytes_per_s", "ratio"} (exit status the same).
set -u
cd "$(dirname "$0")/.."
JSON=0
[ "${1:-}" = "--json" ] && { JSON=1; shift; }
SECS=${1:-30}
WARM=${WARM:-5}
KTOP=${KTOP:-$PWD/ktop}
S=ktop-bench-term-$$
tmp=$(mktemp -d)
trap 'tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"' EXIT

for tool in tmux htop; do
	command -v $tool >/dev/null || { echo "bench-terminal: $tool is not installed" >&2; exit 2; }
done

# bytes_per_second NAME command...
bytes_per_second() {
	local name=$1 bytes
	shift
	tmux kill-session -t $S 2>/dev/null
	tmux new-session -d -s $S -x 120 -y 40 env TERM=xterm-256color LANG=C.UTF-8 HOME="$tmp" \
		XDG_CONFIG_HOME="$tmp" "$@"
	sleep "$WARM"
	tmux pipe-pane -t $S -O "cat > $tmp/$name.out"
	sleep "$SECS"
	tmux pipe-pane -t $S
	tmux kill-session -t $S
	bytes=$(stat -c %s "$tmp/$name.out")
	echo $((bytes / SECS))
}

ktop_bps=$(bytes_per_second ktop "$KTOP" --defaults -d 1)
htop_bps=$(bytes_per_second htop htop -d 10)
if [ $JSON = 1 ]; then
	awk -v k="$ktop_bps" -v h="$htop_bps" 'BEGIN {
		printf "{\"ktop_bytes_per_s\": %d, \"htop_bytes_per_s\": %d, \"ratio\": %.3f}\n", k, h, h ? k / h : 0 }'
	[ "$ktop_bps" -le "$htop_bps" ]
	exit
fi
printf 'terminal output at 120x40, 1 s interval, %d s after a %d s warm-up:\n' "$SECS" "$WARM"
printf '  ktop  %6d bytes/s\n  htop  %6d bytes/s (%s)\n' "$ktop_bps" "$htop_bps" \
	"$(htop --version | head -1)"
[ "$ktop_bps" -le "$htop_bps" ]
