#!/usr/bin/env bash
# tools/screenshot.sh: docs/screenshot.png from a real capture. ktop runs in a 120x40 tmux
# pane while the test workloads give every pane something to show (a getppid loop, UDP
# through the ifb tasklet, preemption-off sections on CPU 1); the pane is captured with its
# colours, turned into HTML by aha and photographed by headless chromium.
# Usage: tools/screenshot.sh [OUT.png]   (root; after make unit; needs tmux, aha, chromium)
set -u
cd "$(dirname "$0")/.."
. tests/workloads/tasklet_netns.sh
OUT=${1:-docs/screenshot.png}
BIN=build/tests/workloads
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
tmux new-session -d -s $S -x 120 -y 40 env TERM=xterm-256color LANG=C.UTF-8 ./ktop --defaults -d 1
sleep 8
tmux capture-pane -e -p -t $S >"$tmp/screen.ans"
aha --black --title ktop <"$tmp/screen.ans" |
	sed 's|</head>|<style>body{margin:0} pre{font:16px/20px "DejaVu Sans Mono",monospace;margin:0}</style></head>|' \
		>"$tmp/screen.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,800 \
	--screenshot="$tmp/shot.png" "file://$tmp/screen.html" >/dev/null 2>&1
[ -s "$tmp/shot.png" ] || { echo "screenshot: chromium wrote nothing" >&2; exit 1; }
cp "$tmp/shot.png" "$OUT"
echo "wrote $OUT"
