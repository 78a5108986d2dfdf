#!/usr/bin/env bash
# tools/bench-terminal.sh: bytes per second ktop writes to the terminal at steady state,
# next to htop in the same conditions, at the same time: a 120x40 tmux pane, TERM=xterm-256color, a UTF-8
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
trap 'tmux kill-session -t $S-ktop 2>/dev/null; tmux kill-session -t $S-htop 2>/dev/null; rm -rf "$tmp"' EXIT

for tool in tmux htop; do
	command -v $tool >/dev/null || { echo "bench-terminal: $tool is not installed" >&2; exit 2; }
done

# Both run at the same time, in two tmux sessions, so they see the same machine: run
# one after the other and a busy moment lands on only one of them.
start() { # start NAME command...
	local name=$1
	shift
	tmux kill-session -t "$S-$name" 2>/dev/null
	tmux new-session -d -s "$S-$name" -x 120 -y 40 env TERM=xterm-256color LANG=C.UTF-8 \
		HOME="$tmp" XDG_CONFIG_HOME="$tmp" "$@"
}
start ktop "$KTOP" --defaults -d 1
start htop htop -d 10
sleep "$WARM"
for name in ktop htop; do tmux pipe-pane -t "$S-$name" -O "cat > $tmp/$name.out"; done
sleep "$SECS"
for name in ktop htop; do
	tmux pipe-pane -t "$S-$name"
	tmux kill-session -t "$S-$name"
done
ktop_bps=$(( $(stat -c %s "$tmp/ktop.out") / SECS ))
htop_bps=$(( $(stat -c %s "$tmp/htop.out") / SECS ))
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
