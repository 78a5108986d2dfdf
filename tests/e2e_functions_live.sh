#!/usr/bin/env bash
# tests/e2e_functions_live.sh: kernel functions traced and untraced while ktop runs, on the
# screen (tmux), after ktop dropped its privileges (the privileged helper loads them):
#   - the trace prompt (key of action "trace"): a prefix, Tab completes it from the kernel's
#     list (available_filter_functions, else the BTF), Esc cancels; a 300-character line,
#     non-ASCII keys and a resize leave the screen whole;
#   - on a row that names a kernel function (Timers pane), the prompt starts with its name;
#   - where the kernel allows no tracing (this development machine): Enter shows the
#     Functions pane (not in [general] panes), saying why ("unavailable: ..."): the rest
#     is a SKIP with that reason;
#   - where it allows it (Debian's kernels, tools/test-kernels.sh's guests): the row comes
#     traced by fentry or kprobe, N getppid() calls of tests/workloads/syscall_loop are N
#     calls within 1 % (read back from the session's own recording, -w), a function that
#     does not exist is refused with the reason in its row; "untrace" on the row removes it,
#     and its programs are no longer loaded (the links closed). Then do_sys_openat2 added
#     in the slot freed: N openat(777, ...) of syscall_loop --openat are N values dfd=777
#     (its default argument, from the BTF) within 1 % in the recording's function_args,
#     counted by an object the helper loaded into the shared maps the first one created.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { tap_skip "functions traced live" "tmux is not installed"; exit 0; }
command -v jq >/dev/null || { tap_skip "functions traced live" "needs jq"; exit 0; }
need_root "functions traced live" || exit 0
LOAD=$TEST_BIN/workloads/syscall_loop
[ -x "$LOAD" ] || { tap_fail "workload $LOAD is built (make unit)"; exit 1; }
S=ktop-flive-$$
tmp=$(mktemp -d)
cleanup() { tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
UI_TERM=tmux-256color
infocmp $UI_TERM >/dev/null 2>&1 || UI_TERM=screen-256color
FILTER=/sys/kernel/tracing/available_filter_functions

bindings=$("$KTOP_BIN" --defaults --list-actions) || { tap_fail "ktop --list-actions"; exit 1; }
key_of() { printf '%s\n' "$bindings" | awk -F'\t' -v a="$1" '$1 == a { split($2, k, " "); print k[1] }'; }
TRACE_KEY=$(key_of trace) UNTRACE_KEY=$(key_of untrace)
tap_check "the actions trace and untrace have keys ($TRACE_KEY, $UNTRACE_KEY)" \
	test -n "$TRACE_KEY" -a -n "$UNTRACE_KEY"
[ "$UNTRACE_KEY" = Delete ] && UNTRACE_KEY=DC

# ktop in tmux, 160x45; extra args go to ktop; its stderr is appended to $tmp/err (a
# redirection in the tmux command line would take tmux's), its exit status lands in
# $tmp/status
: >"$tmp/err"
status_keeper "$tmp/status" "$tmp/err"
start() {
	tmux kill-session -t $S 2>/dev/null
	rm -f "$tmp/status"
	wait_for "tmux new-session -d -s $S -x 160 -y 45 env -i PATH='$PATH' HOME='$tmp' \
		TERM=$UI_TERM LANG=C.UTF-8 $tmp/status.run $KTOP_BIN $* 2>/dev/null" 3
	wait_for "screen_has 'System calls\\|Timers'" 30
}
last_line() { tmux_screen $S | tail -n 1; }
prompt_shows() { last_line | grep -q -- "trace function (Tab completes, Enter, Esc): $1"; }
# the prompt closed: a last line that is not the prompt ("no prompt" alone holds for a ktop
# gone); with the header there, the same capture is ktop's screen
prompt_closed() { screen_without '^ktop ' 'trace function (Tab completes'; }
# the pane's process runs ktop
ktop_pid() { pgrep -P "$(tmux display-message -p -t $S '#{pane_pid}')" -x ktop; }

# the name to trace, and a prefix only it starts with, from the list ktop completes from:
# getppid's, under the name the list has (ftrace and BTF may know only __do_sys_getppid)
if head -c1 "$FILTER" >/dev/null 2>&1; then
	list() { cut -d' ' -f1 "$FILTER" | sort -u; }
else
	list() { bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
		sed -nE "s/^\[[0-9]+\] FUNC '([^']+)'.*/\\1/p" | sort -u; }
fi
FUNC=$(list | grep -xE '__x64_sys_getppid|__do_sys_getppid' | tail -n 1)
FUNC=${FUNC:-__x64_sys_getppid}
PREFIX=${FUNC%id}
matches=$(list | grep -c "^$PREFIX")
tap_diag "completing $PREFIX: $matches in the kernel's list"

start --defaults -w "$tmp/rec.ktop"
pid=$(ktop_pid)
tmux send-keys -t $S "$TRACE_KEY"
tap_check "the trace key opens the prompt" wait_for "prompt_shows '_'" 8
tmux send-keys -t $S -l "$PREFIX"
tmux send-keys -t $S Tab
if [ "$matches" = 1 ]; then
	tap_check "Tab completes $PREFIX to $FUNC" wait_for "prompt_shows '${FUNC}_'" 8
elif [ "$matches" = 0 ]; then
	tap_check "Tab says nothing matches" wait_for "last_line | grep -q 'no traceable function'" 8
else
	tap_check "Tab says how many match ($matches)" wait_for "last_line | grep -q '$matches matches'" 8
fi
tmux send-keys -t $S Escape
tap_check "Esc closes the prompt" wait_for prompt_closed 8

# a line longer than the screen, keys that are not part of a name, a resize: one clean line
tmux send-keys -t $S "$TRACE_KEY"
tmux send-keys -t $S -l "$(printf 'x%.0s' $(seq 300))é€ü"
tmux send-keys -t $S Up F5 PPage
tmux resize-window -t $S -x 100 -y 40 2>/dev/null
sleep 0.5
tap_check "a 300-character line shows its end, the cursor last, on one line" \
	wait_for "last_line | grep -qE 'x{20}_ *\$'" 8
# (one capture that has the line of x's: "none of them on screen" holds for a ktop gone)
tap_check "the other characters never entered the line" screen_without 'x\{20\}_ *$' '[éü€]'
tap_check "the header is intact after the resize" wait_for "tmux_screen $S | head -n 1 | grep -q '^ktop '" 8
tmux send-keys -t $S Escape
tmux resize-window -t $S -x 160 -y 45 2>/dev/null

# the real add
tmux send-keys -t $S "$TRACE_KEY"
tmux send-keys -t $S -l "$FUNC"
tmux send-keys -t $S Enter
tap_check "Enter shows the Functions pane (it was not in [general] panes)" \
	wait_for "screen_has ' Functions'" 15
if wait_for "screen_has 'unavailable:'" 3; then
	why=$(tmux_screen $S | grep -o 'unavailable: .*' | head -n 1 | sed 's/) *$//')
	tap_check "the pane says why functions cannot be traced here" test -n "$why"
	tap_skip "$FUNC traced live, counted, removed" "this kernel allows no tracing: $why"
else
	tap_check "its row: traced by fentry or kprobe" \
		wait_for "screen_has '$FUNC  *\\(fentry\\|kprobe\\)'" 20
	ids_before=$(prog_ids_of "$pid")
	N=20000
	"$LOAD" $N 0 >/dev/null
	# the frame in progress and one more into the recording
	sleep 2.5
	tmux send-keys -t $S "$TRACE_KEY"
	tmux send-keys -t $S -l ktop_no_such_function
	tmux send-keys -t $S Enter
	tap_check "a function that does not exist: its row says refused, and why" \
		wait_for "screen_has 'ktop_no_such_function *refused: '" 15
	# remove the traced one: select its row (the only one with calls sorts first)
	tmux send-keys -t $S Home
	sleep 0.3
	tmux send-keys -t $S "$UNTRACE_KEY"
	tap_check "untrace: its row is gone" \
		wait_for "screen_without ' Functions' '$FUNC  *\\(fentry\\|kprobe\\)'" 10
	tap_check "the removal was said" wait_for "screen_has '$FUNC no longer traced'" 5
	gone=""
	for id in $ids_before; do
		prog_ids_of "$pid" | grep -qx "$id" || gone="$gone $id"
	done
	tap_diag "programs no longer held by ktop after untrace:$gone"
	# (by a ktop still running: one that died has let go of all its programs)
	untraced_unloaded() { kill -0 "$pid" && progs_gone $gone; }
	tap_check "its programs were held, and are no longer loaded" untraced_unloaded
	# argument values of a function added live: the helper's object counts them into the
	# shared maps (created with the first function, kept after its removal)
	ARGF=do_sys_openat2 DFD=777
	tmux send-keys -t $S "$TRACE_KEY"
	tmux send-keys -t $S -l "$ARGF"
	tmux send-keys -t $S Enter
	wait_for "screen_has '$ARGF  *\\(fentry\\|kprobe\\|refused\\)'" 20
	if ! screen_has "$ARGF  *refused"; then
		"$LOAD" --openat $N $DFD >/dev/null
	fi
	sleep 2.5 # the frame in progress and one more into the recording
	tmux send-keys -t $S q
	wait_for "! tmux_alive $S" 10
	"$KTOP_BIN" -r "$tmp/rec.ktop" -J >"$tmp/rec.json" 2>/dev/null
	calls=$(jq -s --arg f "$FUNC" '[.[].functions[]? | select(.func == $f) | .calls] | add // 0' "$tmp/rec.json")
	tap_check "$FUNC counted the workload's $N calls within 1% ($calls)" \
		between $((calls * 100)) $((N * 100)) $((N * 101))
	argf_traced=$(jq -rs --arg f "$ARGF" '[.[].functions[]? | select(.func == $f)] | last
		| .traced // "no row"' "$tmp/rec.json")
	tap_diag "$ARGF added live: $argf_traced"
	# the kernel's refusal of the name (as -f would get) is a SKIP; any other, a failure
	if [[ $argf_traced == "refused: not "* ]]; then
		tap_skip "$ARGF's dfd values, added live" "this kernel: $ARGF $argf_traced"
	else
		dfd=$(jq -s --arg f "$ARGF" --arg v "dfd=$DFD" '[.[].function_args[]?
			| select(.func == $f and .value == $v) | .count] | add // 0' "$tmp/rec.json")
		values=$(jq -sc --arg f "$ARGF" '[.[].function_args[]? | select(.func == $f)
			| .value] | unique | .[:8]' "$tmp/rec.json")
		tap_diag "$N openat($DFD, ...) -> $dfd dfd=$DFD of $ARGF; its values: $values"
		tap_check "$ARGF added live counts dfd=$DFD (its default argument) N within 1% ($dfd of $N)" \
			between $((dfd * 100)) $((N * 100)) $((N * 101))
	fi
fi
tmux kill-session -t $S 2>/dev/null

# a row naming a kernel function: the prompt starts with it (Timers pane: timer callbacks)
printf '[general]\npanes = timers\n' >"$tmp/timers.conf"
start --config "$tmp/timers.conf"
# the first row under the column titles: the selected one once paused at Home
first_row() { tmux_screen $S | awk '/^FUNCTION / { getline; print $1; exit }'; }
tap_check "the Timers pane has rows" wait_for "first_row | grep -qE '^[a-z_][a-z0-9_.]+\$'" 20
tmux send-keys -t $S Space Home
sleep 0.3
row=$(first_row)
tmux send-keys -t $S "$TRACE_KEY"
tap_check "trace on a timer row ($row): the prompt starts with its function" \
	wait_for "[ -n '$row' ] && prompt_shows '${row}_'" 8
tmux send-keys -t $S Escape q
# (it ran and ended as it should: an empty stderr says nothing of a ktop that never started)
tap_check "ktop ends on q, status 0" wait_for "exited_with '$tmp/status' 0" 10
tap_check "nothing on ktop's stderr (every session of this file)" test ! -s "$tmp/err"
if [ -s "$tmp/err" ]; then tap_diag "stderr: $(head -c 600 "$tmp/err")"; fi
