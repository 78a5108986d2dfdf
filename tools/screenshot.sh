#!/usr/bin/env bash
# tools/screenshot.sh: docs/screenshot.png from a real capture. ktop runs in a tmux pane
# (200x50 unless SIZE=COLSxLINES: two columns of panes) while the test workloads give every
# pane something to show (a getppid loop, UDP through the ifb tasklet, preemption-off
# sections on CPU 1); the pane is captured with its colours, turned into HTML by aha and
# photographed by headless chromium. With TEXT=FILE the plain capture is kept there too.
# Usage: [BUILD=build] [SIZE=200x50] tools/screenshot.sh [OUT.png]
#        (root; after make unit; needs tmux, aha, chromium)
set -u
cd "$(dirname "$0")/.."
. tests/workloads/tasklet_netns.sh
OUT=${1:-docs/screenshot.png}
BUILD=${BUILD:-build}
BIN=$BUILD/tests/workloads
KTOP=${KTOP:-./ktop}
SIZE=${SIZE:-200x50}
COLS=${SIZE%x*} ROWS=${SIZE#*x}
S=ktop-shot-$$ NS=ktop-shot-$$ IFB=ifbshot$$
tmp=$(mktemp -d)
pids=()
cleanup() {
	tmux kill-session -t $S 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	tasklet_netns_down $NS
	rm -rf "$tmp"
}
trap cleanup EXIT
for tool in tmux aha chromium; do
	command -v $tool >/dev/null || { echo "screenshot: $tool is not installed" >&2; exit 2; }
done

"$BIN/syscall_loop" --rate 20000 30 >/dev/null &
pids+=($!)
if tasklet_netns_up $NS $IFB; then
	ip netns exec $NS "$BIN/tasklet_udp" -t 30 -r 5000 >/dev/null &
	pids+=($!)
fi
"$BIN/irqoff_inject" --preempt 1 2 300 100 >/dev/null &
pids+=($!)
tmux new-session -d -s $S -x "$COLS" -y "$ROWS" env TERM=xterm-256color LANG=C.UTF-8 "$KTOP" --defaults -d 1
sleep 8
tmux capture-pane -e -p -t $S >"$tmp/screen.ans"
[ -n "${TEXT:-}" ] && tmux capture-pane -p -t $S >"$TEXT"
aha --black --title ktop <"$tmp/screen.ans" |
	sed 's|</head>|<style>body{margin:0} pre{font:16px/20px "DejaVu Sans Mono",monospace;margin:0}</style></head>|' \
		>"$tmp/screen.html"
# DejaVu Sans Mono at 16px: about 9.7 pixels a column, 20 a line
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=$((COLS * 97 / 10 + 10)),$((ROWS * 20 + 10)) \
	--screenshot="$tmp/shot.png" "file://$tmp/screen.html" >/dev/null 2>&1
[ -s "$tmp/shot.png" ] || { echo "screenshot: chromium wrote nothing" >&2; exit 1; }
cp "$tmp/shot.png" "$OUT"
echo "wrote $OUT"
