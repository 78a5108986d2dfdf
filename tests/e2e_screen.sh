#!/usr/bin/env bash
# tests/e2e_screen.sh: ktop as a user sees it, in a real terminal (tmux, 120x40): live
# numbers, sorting, drill-down and back, every way out (q, Ctrl-C, SIGTERM, SIGHUP, EOF)
# within a second with the terminal restored and no BPF program left, several TERM
# types, a non-UTF-8 locale, and resizing.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { tap_skip "screen tests" "tmux is not installed"; exit 0; }
need_root "screen tests" || exit 0
S=ktop-e2e-$$
tmp=$(mktemp -d)
cleanup() { tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# ktop's pid: the pane's own process, or the ktop its shell started
ktop_pid() {
	local pane
	pane=$(tmux display-message -p -t $S '#{pane_pid}')
	pgrep -P "$pane" -x ktop || echo "$pane"
}

# start a shell in tmux, run ktop in it, wait for the syscalls pane with a live row
start_in_shell() {
	tmux_start $S 120 40 env -i PATH="$PATH" HOME="$tmp" TERM=${TERM_FOR_TEST:-xterm-256color} \
		LANG=${LANG_FOR_TEST:-C.UTF-8} bash --norc --noprofile
	tmux send-keys -t $S "$KTOP_BIN $*; echo KTOP_EXIT=\$?" Enter
	wait_for "screen_has 'System calls'" 5 && wait_for "screen_has ' x64 '" 15
}

# --- the pane, live numbers, sorting, drill-down -----------------------------------
if start_in_shell; then
	tap_ok "the syscalls pane appears with rows"
	first=$(tmux_screen $S | head -1)
	# ktop's header, another than the first: after a ktop that died, the shell's prompt
	# would differ from the first header too
	header_moved() {
		local now
		now=$(tmux_screen $S | head -1)
		[[ $first == ktop* && $now == ktop* && $now != "$first" ]]
	}
	tap_check "numbers are live (the header clock moves)" wait_for header_moved 5
	tap_check "sorted by calls by default" screen_has 'sort: CALLS/s'
	tmux send-keys -t $S '>'
	tap_check "> sorts by the next column" wait_for "screen_has 'sort: ERR/s'" 8
	tmux send-keys -t $S '<'
	tap_check "< sorts by the previous column" wait_for "screen_has 'sort: CALLS/s '" 8
	tmux send-keys -t $S 'r'
	tap_check "r reverses the order" wait_for "screen_has 'sort: CALLS/s (asc)'" 8
	tmux send-keys -t $S 'r'
	tmux send-keys -t $S Enter
	tap_check "Enter opens the syscall: latency histogram" wait_for "screen_has 'latency distribution'" 8
	tap_check "Enter opens the syscall: its callers" wait_for "screen_has 'Callers'" 8
	tap_check "the histogram is drawn with bars" wait_for "tmux_screen $S | grep -q '█'" 8
	# callers are counted from the moment the syscall is opened: wait for the first
	wait_for "tmux_screen $S | grep -q 'Callers.* 1/[0-9]'" 8
	tmux send-keys -t $S Enter
	tap_check "Enter on a caller opens that process's system calls" \
		wait_for "screen_has 'Its system calls'" 8
	tap_check "the breadcrumb shows the way down" \
		wait_for "screen_has 'System calls > .* > #*[0-9]'" 8
	tmux send-keys -t $S Escape
	tap_check "Esc goes back one level (the callers again)" wait_for "screen_has 'Callers'" 8
	tmux send-keys -t $S Escape
	tap_check "Esc goes back to the main screen" wait_for "screen_has 'System calls \*'" 8
	tmux send-keys -t $S Tab Enter
	tap_check "Enter on a process opens its system calls" wait_for "screen_has 'Its system calls'" 8
	tmux send-keys -t $S Escape BTab
	tmux send-keys -t $S '?'
	tap_check "? shows the keys" wait_for "screen_has 'Keys (any key closes this help)'" 8
	tmux send-keys -t $S x
	tmux resize-window -t $S -x 80 -y 24 2>/dev/null || tmux resize-pane -t $S -x 80 -y 24
	tap_check "resize redraws at the new size" wait_for "screen_has 'System calls' && [ \$(tmux_screen $S | wc -l) -le 24 ]" 8
	# (the ktop that was running: one that ended before q, with status 0, would pass too)
	kpid=$(pgrep -P "$(tmux display-message -p -t $S '#{pane_pid}')" -x ktop)
	ended_by_q() { [ -n "$kpid" ] && pid_gone "$kpid" && screen_has 'KTOP_EXIT=0'; }
	tmux send-keys -t $S q
	tap_check "q ends ktop promptly" wait_for ended_by_q 8
	tap_check "the terminal is restored (the shell prompt is back, no pane left)" \
		screen_without 'KTOP_EXIT=0' 'System calls'
else
	tap_fail "the syscalls pane appears with rows"
fi
tmux kill-session -t $S 2>/dev/null

# --- every way out ---------------------------------------------------------------------
# exit_by HOW: start ktop, end it that way, check time, terminal and BPF programs
exit_by() {
	local how=$1 pid ids
	start_in_shell || { tap_fail "$how: ktop did not start"; return; }
	pid=$(ktop_pid)
	ids=$(prog_ids_of "$pid")
	case $how in
	Ctrl-C) tmux send-keys -t $S C-c ;;
	SIGTERM) kill -TERM "$pid" ;;
	SIGHUP) kill -HUP "$pid" ;;
	esac
	tap_check "$how ends ktop promptly (within 3 s)" wait_gone "$pid" 3
	tap_check "$how: terminal restored" wait_for "screen_without 'KTOP_EXIT=[0-9]' 'System calls'" 8
	tap_diag "$how: $(tmux_screen $S | grep -o 'KTOP_EXIT=[0-9][0-9]*')"
	tap_check "$how: no BPF program left" wait_for "[ -n '$ids' ] && ! progs_still_loaded $(echo $ids)" 8
	tmux kill-session -t $S 2>/dev/null
}
exit_by Ctrl-C
exit_by SIGTERM
exit_by SIGHUP

# the SSH link drops: the terminal itself goes away (tmux kills the pane's tty)
tmux_start $S 120 40 "$KTOP_BIN"
if wait_for "screen_has 'System calls'" 15; then
	pid=$(ktop_pid)
	tmux kill-session -t $S
	tap_check "a closed terminal ends ktop promptly (within 3 s)" wait_gone "$pid" 3
else
	tap_fail "a closed terminal ends ktop promptly: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null

# EOF on stdin while the screen is a terminal (the line typed has "KTOP_EXIT=$?": the status
# printed after ktop has a digit; 0, where a ktop that could not start says 1)
tmux_start $S 120 40 bash --norc --noprofile
tmux send-keys -t $S "$KTOP_BIN </dev/null; echo KTOP_EXIT=\$?" Enter
tap_check "EOF on stdin ends ktop promptly, status 0" wait_for "screen_has KTOP_EXIT=0" 8
tmux kill-session -t $S

# --- terminal types and locales -------------------------------------------------------
for term in xterm-256color xterm screen linux vt100; do
	if ! infocmp "$term" >/dev/null 2>&1; then
		tap_skip "TERM=$term" "no terminfo entry for $term on this machine"
		continue
	fi
	if TERM_FOR_TEST=$term start_in_shell; then
		tmux send-keys -t $S q
		tap_check "TERM=$term: renders the pane and quits cleanly" wait_for "screen_has KTOP_EXIT=0" 8
	else
		tap_fail "TERM=$term: renders the pane and quits cleanly"
	fi
	tmux kill-session -t $S 2>/dev/null
done

if LANG_FOR_TEST=C start_in_shell; then
	tmux send-keys -t $S Enter
	wait_for "screen_has 'latency distribution'" 8
	tap_check "non-UTF-8 locale: bars are ASCII" wait_for "tmux_screen $S | grep -qE ' #+ *$| \.$'" 8
	tap_check "non-UTF-8 locale: no UTF-8 block glyphs" screen_without 'latency distribution' '█'
	tmux send-keys -t $S q q
else
	tap_fail "non-UTF-8 locale: ktop starts"
fi
