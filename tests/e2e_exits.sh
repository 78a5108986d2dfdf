#!/usr/bin/env bash
# tests/e2e_exits.sh: every way out leaves the terminal usable and no BPF program behind.
# ktop runs in a shell in tmux; each exit (q, Ctrl-C, SIGTERM, SIGHUP, SIGKILL, an internal
# error forced with the KTOP_FAULT=loop:tick test hook) must end it, give the prompt back,
# leave `stty -a` as it was before ktop started, and unload ktop's programs (they are owned
# by its file descriptors, never pinned: even SIGKILL frees them). tests/e2e_screen.sh
# covers timing, a closed terminal and EOF.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { tap_skip "exit tests" "tmux is not installed"; exit 0; }
need_root "exit tests" || exit 0
S=ktop-exits-$$
tmp=$(mktemp -d)
cleanup() { tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

ktop_pid() { pgrep -P "$(tmux display-message -p -t $S '#{pane_pid}')" -x ktop; }

# exit_by HOW [env...]: start ktop in a shell, end it that way, check what is left
exit_by() {
	local how=$1 pid ids want_status; shift
	tmux_start $S 120 40 env -i PATH="$PATH" HOME="$tmp" TERM=xterm-256color LANG=C.UTF-8 \
		bash --norc --noprofile
	tmux send-keys -t $S "stty -a >$tmp/before; $* $KTOP_BIN 2>$tmp/stderr; echo KTOP_EXIT=\$?" Enter
	if ! wait_for "screen_has 'System calls'" 15; then
		tap_fail "$how: ktop did not start"
		tmux kill-session -t $S
		return
	fi
	pid=$(ktop_pid)
	ids=$(prog_ids_of "$pid")
	case $how in
	q) tmux send-keys -t $S q; want_status=0 ;;
	Ctrl-C) tmux send-keys -t $S C-c; want_status=0 ;;
	SIGTERM) kill -TERM "$pid"; want_status=0 ;;
	SIGHUP) kill -HUP "$pid"; want_status=0 ;;
	SIGKILL) kill -KILL "$pid"; want_status=137 ;;
	"internal error") want_status=1 ;; # the hook fails the loop after two frames
	esac
	tap_check "$how: ktop ends, status $want_status" \
		wait_for "screen_has KTOP_EXIT=$want_status" 8
	tap_check "$how: no BPF program left" \
		wait_for "progs_gone $(echo $ids)" 8
	# the marker is computed: the typed command line must not already match it
	tmux send-keys -t $S "clear; stty -a >$tmp/after; echo STTY_\$((1 + 1))_DONE" Enter
	if wait_for "screen_has STTY_2_DONE" 8 && cmp -s "$tmp/before" "$tmp/after"; then
		tap_ok "$how: terminal settings as before (stty -a)"
	else
		tap_fail "$how: terminal settings as before (stty -a)"
		diff "$tmp/before" "$tmp/after" | sed 's/^/# /'
	fi
	tmux send-keys -t $S "echo typed-\$((6 * 7))" Enter
	tap_check "$how: the shell takes commands" wait_for "screen_has typed-42" 8
	if [ "$how" = "internal error" ]; then
		tap_check "internal error: said on stderr after the screen is gone" \
			grep -q "internal error" "$tmp/stderr"
	fi
	tmux kill-session -t $S
}

exit_by q
exit_by Ctrl-C
exit_by SIGTERM
exit_by SIGHUP
exit_by SIGKILL
exit_by "internal error" KTOP_FAULT=loop:tick
