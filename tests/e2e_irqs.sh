#!/usr/bin/env bash
# tests/e2e_irqs.sh: the hard-IRQ and softirq panes end to end, under real load.
#  - JSON: with loopback traffic, net_rx comes to top the softirqs array, with non-zero
#    time and delay figures; the documented keys are there.
#  - tmux: both panes render; Enter on a row opens its detail (histograms, per-CPU table);
#    Esc returns; 'v' switches to the per-CPU rows and back.
#  - no BPF program is left attached after ktop ends.
# The count accuracy against /proc is checked in build/tests/bpf_irqs.
. "$(dirname "$0")/lib.sh"

LOAD=$TEST_BIN/workloads/irq_load
SESSION=ktop_e2e_irqs_$$
DISK=/var/tmp/ktop-e2e-irq-$$
load_pid=

cleanup() {
	tmux kill-session -t "$SESSION" 2>/dev/null
	[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null && wait "$load_pid" 2>/dev/null
	rm -f "$DISK"
}
trap cleanup EXIT INT TERM
# jq_true FILTER: the filter holds for the JSON on stdin
jq_true() { jq -e "$@" >/dev/null; }

need_root "irq panes" || exit 0
if [ ! -x "$LOAD" ]; then
	tap_skip "irq panes" "$LOAD not built (make unit)"
	exit 0
fi
if ! "$KTOP_BIN" --check 2>/dev/null | grep -qE '^interrupts +ok'; then
	why=$("$KTOP_BIN" --check 2>&1 | grep '^interrupts')
	tap_skip "irq panes" "the interrupts collector cannot run here: $why"
	exit 0
fi

# Loopback traffic (and disk writes, so the hard-IRQ pane has rows) for the whole test
"$LOAD" -t 120 tcp udp "disk=$DISK" >/dev/null &
load_pid=$!
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT INT TERM

# ktop -J until a frame has net_rx on top (a slow machine may need a few frames for the
# load to get going), at most 20 frames; the checks below read that frame
"$KTOP_BIN" -J -n 20 -d 1 >"$tmp/frames.json" 2>"$tmp/err" &
kpid=$!
# (the last line may be half written: jq stops there, after the whole frames)
net_rx_frame() { jq -c 'select(.softirqs[0].name == "net_rx")' "$tmp/frames.json" 2>/dev/null | head -n 1; }
net_rx_on_top() { [ -n "$(net_rx_frame)" ]; }
wait_for net_rx_on_top 25
kill $kpid 2>/dev/null
wait $kpid 2>/dev/null
first=$(net_rx_frame)
tap_diag "top softirq per frame: $(jq -r '.softirqs[0].name // "none"' "$tmp/frames.json" 2>/dev/null | tr '\n' ' ')"
tap_check "net_rx tops the softirqs with loopback traffic" [ -n "$first" ]
tap_check "net_rx has runs, net time, max, delays and raise->run delay" \
	jq_true '.softirqs[] | select(.name == "net_rx") |
		.vec == 3 and .count > 1000 and .total_ns > 0 and .max_ns > 0 and
		.max_ns <= .total_ns and .delays > 0 and .delay_total_ns > 0 and
		.delay_max_ns > 0 and .delay_max_ns <= .delay_total_ns' <<<"$first"
tap_check "softirq names are the kernel's, in lower case" \
	jq_true '[.softirqs[].name] | all(. as $n | ["hi","timer","net_tx","net_rx","block",
		"irq_poll","tasklet","sched","hrtimer","rcu"] | index($n) != null)' <<<"$first"
tap_check "hardirqs rows have irq, name, count, total_ns, max_ns" \
	jq_true '(.hardirqs | length) > 0 and (.hardirqs | all(has("irq") and has("name") and
		has("count") and has("total_ns") and has("max_ns") and
		(.irq | tostring) as $irq | (.name | startswith($irq + " "))))' <<<"$first"
tap_check "a softirq row carries its duration and delay histograms" \
	jq_true '.softirqs[0] | (.duration_hist | add) == .count and
		(.delay_hist | add) == .delays' <<<"$first"
tap_check "per-CPU views sum to the per-vector view" \
	jq_true '([.softirqs[].count] | add) == ([.softirqs_by_cpu[].count] | add) and
		([.hardirqs[].count] | add) == ([.hardirqs_by_cpu[].count] | add)' <<<"$first"

# The screen
if ! command -v tmux >/dev/null; then
	tap_skip "irq panes on screen" "tmux is not installed"
	exit 0
fi
tmux_start "$SESSION" 160 60 "$KTOP_BIN"
ktop_pid=$(tmux list-panes -t "$SESSION" -F '#{pane_pid}' 2>/dev/null)
screen_has() { tmux_screen "$SESSION" | grep -qE -- "$1"; }
# Tab until the pane whose title starts with $1 is focused (its title gets " *")
focus_pane() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		screen_has "^ $1 \*" && return 0
		tmux send-keys -t "$SESSION" Tab
		sleep 0.2
	done
	return 1
}
if wait_for 'screen_has "^ Hard IRQs " && screen_has "^ Softirqs " && screen_has "^net_rx "' 15
then
	tap_ok "both panes render, net_rx listed"
else
	tap_fail "both panes render, net_rx listed"
	tmux_screen "$SESSION" | sed 's/^/# /'
fi

for pane in Softirqs "Hard IRQs"; do
	if ! focus_pane "$pane"; then
		tap_fail "$pane: focus the pane"
		continue
	fi
	tmux send-keys -t "$SESSION" Home Enter
	if wait_for "screen_has '^ $pane > [0-9a-z]' && screen_has 'duration distribution' &&
		     screen_has '^ Per CPU'" 5; then
		tap_ok "$pane: Enter opens the row's detail (histogram, per-CPU table)"
	else
		tap_fail "$pane: Enter opens the row's detail (histogram, per-CPU table)"
		tmux_screen "$SESSION" | sed 's/^/# /'
	fi
	if [ "$pane" = Softirqs ]; then
		tap_check "$pane: the detail shows the delay histogram" screen_has 'delay distribution'
	fi
	tmux send-keys -t "$SESSION" Escape
	tap_check "$pane: Esc returns to the main screen" \
		wait_for "screen_has '^ $pane \*' && ! screen_has '^ $pane > '" 5
	tmux send-keys -t "$SESSION" v
	tap_check "$pane: 'v' switches to per-CPU rows" \
		wait_for "screen_has '^ $pane per CPU \*' && screen_has '^ CPU '" 5
	tmux send-keys -t "$SESSION" v
	tap_check "$pane: 'v' again switches back" \
		wait_for "screen_has '^ $pane \*'" 5
done

# Other ktops may run on this machine: follow the programs this one holds, by id
prog_ids=$(cat /proc/"$ktop_pid"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u)
our_irq_progs() {
	local id n=0
	for id in $prog_ids; do
		bpftool prog show id "$id" 2>/dev/null | grep -qE 'name (irq_handler|softirq_)' &&
			n=$((n + 1))
	done
	echo $n
}
tap_diag "irq/softirq programs held by ktop $ktop_pid: $(our_irq_progs)"
tap_check "ktop holds its 5 irq/softirq programs" [ "$(our_irq_progs)" = 5 ]
tmux send-keys -t "$SESSION" q
tap_check "ktop quits" wait_for '! tmux_alive "$SESSION"' 5
tap_check "no irq/softirq BPF program left attached" wait_for '[ "$(our_irq_progs)" = 0 ]' 5
echo "1..$TAP_N"
