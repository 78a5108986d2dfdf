#!/usr/bin/env bash
# tests/e2e_ui.sh: the screen's actions in a real terminal (tmux, 120x40). The list of
# actions comes from the action table (ktop --list-actions): each action has a case
# t_NAME below, pressed with its first bound key, and an action without a case fails.
# Then resize, pause and stepping through history, every theme, remapped keys, and the
# config file: ktop.conf equals the compiled-in defaults, bad files exit 2 before the
# screen is touched.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { tap_skip "screen action tests" "tmux is not installed"; exit 0; }
need_root "screen action tests" || exit 0
S=ktop-ui-$$
tmp=$(mktemp -d)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cleanup() { tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# ktop in tmux with a clean environment; extra args go to ktop (before them: env VAR=...);
# its exit status lands in $tmp/status
status_keeper "$tmp/status"
start() {
	local envs=()
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do envs+=("$1"); shift; done
	tmux kill-session -t $S 2>/dev/null
	rm -f "$tmp/status"
	# the tmux server may still be going away after its last session ended
	wait_for "tmux new-session -d -s $S -x 120 -y 40 env -i PATH='$PATH' HOME='$tmp' \
		TERM=$UI_TERM LANG=C.UTF-8 ${envs[*]} $tmp/status.run $KTOP_BIN $* 2>/dev/null" 3
	wait_for "screen_has 'System calls' && screen_has ' x64 '" 20
}
# tmux encodes Home, End, F1... for its own terminal type: ktop must be told the same one
UI_TERM=tmux-256color
infocmp $UI_TERM >/dev/null 2>&1 || UI_TERM=screen-256color
ui_has() { tmux_screen $S | grep -q -- "$1"; }
screen_has() { ui_has "$1"; }
# the focused pane's title line, and "position/rows" at its end
focused_title() { tmux_screen $S | grep -E '^ .* \*  sort:' | head -1; }
selection_at() { focused_title | grep -qE " $1/[0-9]+ *$"; }
selection_pos() { focused_title | sed -nE 's/.* ([0-9]+)\/([0-9]+) *$/\1 \2/p'; }
paused_age() { tmux_screen $S | head -1 | sed -nE 's/.*PAUSED -([0-9]+).*/\1/p'; }
header_clock() { tmux_screen $S | head -1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -1; }

# bindings: "action<TAB>key key<TAB>help" from the table (and the config in use)
bindings=$("$KTOP_BIN" --defaults --list-actions) || { tap_fail "ktop --list-actions"; exit 1; }

# tmux's name of a key label from --list-actions
tmux_key() {
	case $1 in
	Enter|Tab|Space|Up|Down|Left|Right|Home|End|F[0-9]|F1[0-2]) echo "$1" ;;
	Shift-Tab) echo BTab ;;
	Esc) echo Escape ;;
	Backspace) echo BSpace ;;
	PgUp) echo PPage ;;
	PgDn) echo NPage ;;
	Comma) echo , ;;
	Semicolon) echo '\;' ;;
	Hash) echo '#' ;;
	Ctrl-?) echo "C-$(echo "${1#Ctrl-}" | tr 'A-Z' 'a-z')" ;;
	*) echo "$1" ;;
	esac
}
# press ACTION [N]: the Nth key (default the first) bound to the action
press() {
	local keys key
	keys=$(printf '%s\n' "$bindings" | awk -F'\t' -v a="$1" '$1 == a { print $2 }')
	key=$(echo "$keys" | cut -d' ' -f"${2:-1}")
	[ -n "$key" ] || { tap_diag "no key for $1"; return 1; }
	tmux send-keys -t $S "$(tmux_key "$key")"
	sleep 0.15
}
type_text() { tmux send-keys -t $S -l "$1"; sleep 0.15; }
# frames_kept N: wait until N more frames have come (the header's clock moved N times), so
# that the history holds them; a slow machine gets more time, a fast one no more than needed
frames_kept() {
	local want=${1:-3} seen=0 last now deadline=$((SECONDS + 5 * ${1:-3} + 10))
	last=$(header_clock)
	while [ $seen -lt "$want" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
		now=$(header_clock)
		if [ -n "$now" ] && [ "$now" != "$last" ]; then
			seen=$((seen + 1)) last=$now
		fi
	done
	[ $seen -ge "$want" ]
}

# --- one case per action ---------------------------------------------------------------
# (by itself, status 0: a crash ends the session too)
t_quit() {
	press quit
	tap_check "quit: ktop ends, status 0" wait_for "exited_with '$tmp/status' 0" 8
}
t_up() {
	press pause; press down; press down; press up
	tap_check "up: the selection moves up (2nd row)" wait_for "selection_at 2" 8
}
t_down() { press pause; press down; tap_check "down: the selection moves down" wait_for "selection_at 2" 8; }
t_page_down() {
	press pause; press page_down
	tap_check "page_down: the selection moves a page" wait_for below_first_row 8
}
t_page_up() {
	press pause; press page_down; press page_up
	tap_check "page_up: back a page" wait_for "selection_at 1" 8
}
# (a position to compare: "not at row 1" would hold for a ktop gone)
below_first_row() { local pos; pos=$(selection_pos); [ -n "$pos" ] && [ "${pos% *}" -gt 1 ]; }
at_last_row() { local pos; pos=$(selection_pos); [ -n "$pos" ] && [ "${pos% *}" = "${pos#* }" ]; }
t_end() {
	press pause; press end
	tap_check "end: the last row is selected ($(selection_pos))" wait_for at_last_row 8
}
t_seek() { press pause; press end; press seek; tap_check "seek (live): the first row" wait_for "selection_at 1" 8; }
t_home() { press pause; press end; press home; tap_check "home: the first row" wait_for "selection_at 1" 8; }
t_open() { press open; tap_check "open: the syscall's latency histogram" wait_for "screen_has 'latency distribution'" 8; }
t_back() {
	press open; wait_for "screen_has 'latency distribution'" 8; press back
	tap_check "back: the main screen again" wait_for "screen_without 'System calls \*' 'latency distribution'" 8
}
t_sort_next() { press sort_next; tap_check "sort_next: by errors" wait_for "screen_has 'sort: ERR/s'" 8; }
t_sort_prev() {
	press sort_prev
	tap_check "sort_prev: another column" \
		wait_for "screen_without 'System calls \*  sort: ' 'System calls \*  sort: CALLS/s '" 8
	press sort_next
	tap_check "sort_prev then sort_next: calls again" wait_for "screen_has 'System calls \*  sort: CALLS/s '" 8
}
t_reverse() { press reverse; tap_check "reverse: ascending" wait_for "screen_has 'sort: CALLS/s (asc)'" 8; }
t_next_pane() { press next_pane; tap_check "next_pane: Processes focused" wait_for "screen_has ' Processes \*'" 8; }
t_prev_pane() {
	press prev_pane
	tap_check "prev_pane: the last pane focused" wait_for "! screen_has 'System calls \*' && focused_title | grep -q ." 8
	press next_pane
	tap_check "prev_pane then next_pane: back to the first" wait_for "screen_has 'System calls \*'" 8
}
t_alternate() {
	press pane 3
	wait_for "screen_has 'Hard IRQs \*'" 8
	press alternate
	tap_check "alternate: the per-CPU view of the pane" wait_for "screen_has 'Hard IRQs per CPU'" 8
}
t_pause() { press pause; tap_check "pause: the header says PAUSED" wait_for "screen_has 'PAUSED'" 8; }
# While paused, frames keep coming: "PAUSED -N" counts the frames the screen is behind the
# newest, so N grows with time; the frame shown is told by the header's clock
behind() { local age; age=$(paused_age); [ -n "$age" ] && [ "$age" -ge 1 ]; }
t_older() {
	frames_kept 3; press older
	tap_check "older: an earlier frame than the newest (PAUSED -N)" wait_for behind 8
}
t_newer() {
	local c2
	frames_kept 4; press older; press older
	wait_for behind 8
	c2=$(header_clock)
	press older
	wait_for "[ \"\$(header_clock)\" != '$c2' ]" 8
	press newer
	tap_check "newer: one frame forward (back to $c2)" wait_for "[ -n '$c2' ] && [ \"\$(header_clock)\" = '$c2' ]" 8
}
t_redraw() {
	press pause; tmux send-keys -t $S -l "$(printf 'garbage')"  # no action: nothing drawn
	press redraw
	tap_check "redraw: the whole screen is there" wait_for "screen_has 'System calls \*' && screen_has ' x64 ' && tmux_screen $S | tail -1 | grep -q 'q quit'" 8
}
t_help() { press help; tap_check "help: the key list" wait_for "screen_has 'Keys (any key closes this help)'" 8; }
t_pane() {
	press pane 2
	tap_check "pane: 2 focuses the second pane" wait_for "screen_has ' Processes \*'" 8
	press pane 2
	tap_check "pane: 2 again zooms it" wait_for "screen_without ' Processes \*' 'System calls'" 8
	press back
	tap_check "back leaves the zoom" wait_for "screen_has 'System calls' && screen_has ' Processes \*'" 8
}
t_filter() {
	press pause; press filter; type_text "read"; tmux send-keys -t $S Enter; sleep 0.2
	tap_check "filter: the title shows it" wait_for "screen_has 'filter: read'" 8
	tap_check "filter: only matching rows" screen_without 'filter: read' '^\(openat\|close\|mmap\) '
	tap_check "filter: matching rows stay" screen_has '^read '
	press back
	tap_check "filter: Esc clears it" wait_for "screen_without '^openat ' 'filter:'" 8
}
t_slower() { press slower; tap_check "slower: interval 2s" wait_for "screen_has 'every 2s'" 8; }
t_faster() { press faster; tap_check "faster: interval 0.5s" wait_for "screen_has 'every 0.5s'" 8; }
t_theme() { press theme; tap_check "theme: the next theme (light)" wait_for "screen_has 'theme light'" 8; }
# a short recording for the replay speed keys
start_replay() {
	[ -s "$tmp/rec.ktop" ] || "$KTOP_BIN" --defaults -w "$tmp/rec.ktop" --record-only -n 8 -d 0.2 >/dev/null 2>&1
	tmux kill-session -t $S 2>/dev/null
	start --defaults -r "$tmp/rec.ktop"
}
t_play_faster() {
	start_replay; press play_faster
	tap_check "play_faster: replay twice as fast" wait_for "screen_has 'playback x2'" 8
}
t_play_slower() {
	start_replay; press play_slower
	tap_check "play_slower: replay half as fast" wait_for "screen_has 'playback x0.5'" 8
}
t_containers() {
	press containers
	tap_check "containers: the picker" wait_for "screen_has 'Containers: type to search'" 8
}
t_trace() {
	press trace
	tap_check "trace: the trace-a-function prompt" wait_for "screen_has 'trace function (Tab completes'" 8
}
t_untrace() {
	press untrace
	tap_check "untrace: off the Functions pane, it says where it works" \
		wait_for "screen_has 'select a row of the Functions pane'" 8
}
t_all_containers() {
	press all_containers
	tap_check "all_containers: the whole machine" wait_for "screen_has 'all containers'" 8
}
# a function's detail, where the kernel lets ktop trace functions (the kernel matrix's
# guests); do_sys_openat2(dfd, filename, how): its first integer argument, then the next
t_next_arg() {
	local check
	check=$("$KTOP_BIN" --defaults --check 2>&1 | grep '^functions ')
	if [[ $check != *" ok "* ]]; then
		tap_skip "next_arg: the next argument of a function" "${check:-no functions line}"
		return
	fi
	start --defaults -f do_sys_openat2
	press pane 9; press pane 9 # the Functions pane, zoomed
	press open
	wait_for "screen_has 'Values of dfd (int)'" 8
	press next_arg
	tap_check "next_arg: the detail counts the next argument (filename)" \
		wait_for "screen_has 'Values of filename (const char \*)'" 8
}

for action in $(printf '%s\n' "$bindings" | cut -f1); do
	if ! declare -F "t_$action" >/dev/null; then
		tap_fail "action '$action' has a test case (add t_$action to tests/e2e_ui.sh)"
		continue
	fi
	if ! start --defaults && ! start --defaults; then # one retry: a busy machine
		tap_fail "$action: ktop did not start ($(tmux_screen $S | head -3))"
		continue
	fi
	"t_$action"
	tmux kill-session -t $S 2>/dev/null
done

# --- resize --------------------------------------------------------------------------
if start --defaults; then
	tmux resize-window -t $S -x 80 -y 24 2>/dev/null
	tap_check "resize to 80x24: redrawn at the new size" wait_for "screen_has 'System calls' && [ \$(tmux_screen $S | wc -l) -le 24 ] && tmux_screen $S | tail -1 | grep -q 'q quit'" 8
	tmux resize-window -t $S -x 30 -y 6 2>/dev/null
	tap_check "resize to 30x6: says the terminal is too small" wait_for "screen_has 'too small'" 8
	tmux resize-window -t $S -x 200 -y 60 2>/dev/null
	tap_check "resize to 200x60: the panes again" wait_for "screen_has 'System calls \*' && [ \$(tmux_screen $S | wc -l) -eq 60 ]" 8
	tap_check "ktop survives resizing" tmux_alive $S
else
	tap_fail "resize: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null

# --- pause and step through history ----------------------------------------------------
if start --defaults; then
	frames_kept 4
	press pause
	wait_for "screen_has PAUSED" 5
	c0=$(header_clock)
	sleep 1.5 # longer than the interval (1 s): a new frame would have come
	# (a clock to compare: two empty ones, ktop gone, are equal too)
	still_c0() { [ -n "$c0" ] && [ "$(header_clock)" = "$c0" ]; }
	tap_check "paused: the screen stays on one frame ($c0)" still_c0
	press older
	wait_for "[ \"\$(header_clock)\" != '$c0' ]" 5
	c1=$(header_clock)
	press older
	wait_for "[ \"\$(header_clock)\" != '$c1' ]" 5
	c2=$(header_clock)
	earlier() { [ -n "$c2" ] && [[ "$c2" < "$c0" ]]; }
	tap_check "two steps back: an earlier frame ($c0 -> $c2)" earlier
	press newer; press newer
	tap_check "two steps forward: the frame paused on" wait_for still_c0 5
	press pause
	live_again() { local c; c=$(header_clock); [ -n "$c" ] && [ "$c" != "$c0" ] && ! screen_has PAUSED; }
	tap_check "unpause: live again" wait_for live_again 8
else
	tap_fail "pause and history: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null

# --- themes ----------------------------------------------------------------------------
for f in "$ROOT"/themes/*.theme; do
	name=$(basename "$f" .theme)
	if start --defaults --theme "$name"; then
		tmux send-keys -t $S t
		tap_check "theme $name: loads, draws, cycles" wait_for "screen_has 'theme '" 8
	else
		tap_fail "theme $name: loads, draws, cycles"
	fi
	tmux kill-session -t $S 2>/dev/null
done
for term in xterm vt100; do
	if ! infocmp "$term" >/dev/null 2>&1; then
		tap_skip "TERM=$term with the 256-colour theme" "no terminfo entry for $term"
		continue
	fi
	tmux_start $S 120 40 env -i PATH="$PATH" HOME="$tmp" TERM=$term LANG=C.UTF-8 "$KTOP_BIN" --defaults --theme 256
	tap_check "TERM=$term ($(tput -T$term colors) colours) with the 256-colour theme: draws" wait_for "screen_has ' x64 '" 8
	tmux kill-session -t $S 2>/dev/null
done
# one capture, with its escapes, that is of ktop's screen; then no colour in it
no_colour() {
	tmux capture-pane -e -p -t $S >"$tmp/nocolor.txt" 2>/dev/null &&
		grep -q ' x64 ' "$tmp/nocolor.txt" &&
		! grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;5)[;m]' "$tmp/nocolor.txt"
}
if start NO_COLOR=1 --defaults; then
	tap_check "NO_COLOR: no colour escapes on screen" no_colour
else
	tap_fail "NO_COLOR: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null
start --defaults
tap_check "colours by default (the control for NO_COLOR)" bash -c "tmux capture-pane -e -p -t $S | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])[;m]'"
tmux kill-session -t $S 2>/dev/null
out=$("$KTOP_BIN" --defaults --theme ../../etc/passwd --dump-config 2>&1); rc=$?
tap_check "--theme ../../etc/passwd refused (exit 2: $out)" [ $rc = 2 ]
out=$("$KTOP_BIN" --defaults --theme nosuchtheme --dump-config 2>&1); rc=$?
tap_check "--theme nosuchtheme: exit 2 naming the folders searched" bash -c "[ $rc = 2 ] && grep -q 'no theme' <<<'$out'"

# --- remapped keys ---------------------------------------------------------------------
printf '[keys]\nquit = x\nolder = b\n' >"$tmp/keys.conf"
bindings=$("$KTOP_BIN" --config "$tmp/keys.conf" --list-actions)
tap_check "--list-actions shows the remapped keys" bash -c "grep -qP '^quit\tx\t' <<<'$bindings' && grep -qP '^older\tb\t' <<<'$bindings'"
if start --config "$tmp/keys.conf"; then
	frames_kept 3
	tmux send-keys -t $S q; sleep 1
	tap_check "remapped: q no longer quits" tmux_alive $S
	tmux send-keys -t $S ' ' b
	tap_check "remapped: b steps back in history" wait_for behind 8
	tmux send-keys -t $S x
	tap_check "remapped: x quits, status 0" wait_for "exited_with '$tmp/status' 0" 8
else
	tap_fail "remapped keys: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null

# --- the config file ---------------------------------------------------------------------
tap_check "ktop.conf equals ktop --defaults --dump-config" diff -u "$ROOT/ktop.conf" <("$KTOP_BIN" --defaults --dump-config)
tap_check "ktop.conf read back dumps the same" diff -u "$ROOT/ktop.conf" <("$KTOP_BIN" --config "$ROOT/ktop.conf" --dump-config)
printf '[general]\ninterval = 2\npanes = processes, syscalls\n[syscalls]\nsort = errors\n' >"$tmp/ok.conf"
tap_check "-d overrides the file" bash -c "'$KTOP_BIN' --config '$tmp/ok.conf' -d 0.5 --dump-config | grep -qx 'interval = 0.5'"
tap_check "\$KTOP_CONFIG is read" bash -c "KTOP_CONFIG='$tmp/ok.conf' '$KTOP_BIN' --dump-config | grep -qx 'interval = 2'"
mkdir -p "$tmp/xdg/ktop" && cp "$tmp/ok.conf" "$tmp/xdg/ktop/ktop.conf"
# (tests/run points $KTOP_CONFIG at a file of its own, which would be found first)
tap_check "\$XDG_CONFIG_HOME/ktop/ktop.conf is read" bash -c "env -u KTOP_CONFIG XDG_CONFIG_HOME='$tmp/xdg' '$KTOP_BIN' --dump-config | grep -qx 'interval = 2'"
tap_check "--defaults reads no file" bash -c "env -u KTOP_CONFIG XDG_CONFIG_HOME='$tmp/xdg' '$KTOP_BIN' --defaults --dump-config | grep -qx 'interval = 1'"
if start --config "$tmp/ok.conf"; then
	tap_check "panes and sort from the file" wait_for "focused_title | grep -q 'Processes \*' && screen_has 'System calls  sort: ERR/s' && screen_has 'every 2s'" 8
else
	tap_fail "panes and sort from the file: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null
printf '[general]\nintervall = 2\n' >"$tmp/bad.conf"
tmux_start $S 120 40 bash --norc --noprofile
tmux send-keys -t $S "clear; $KTOP_BIN --config $tmp/bad.conf; echo KTOP_EXIT=\$?" Enter
tap_check "bad config: exit 2 before the screen starts" wait_for "screen_has KTOP_EXIT=2" 8
tap_check "bad config: FILE:LINE: message on stderr" screen_has "$tmp/bad.conf:2: unknown key 'intervall' in \[general\]; expected one of"
tap_check "bad config: the screen was not touched" screen_without KTOP_EXIT=2 'System calls'
tmux kill-session -t $S 2>/dev/null
printf '[general]\ninterval = 0\n' >"$tmp/range.conf"
out=$("$KTOP_BIN" --config "$tmp/range.conf" -b -n 1 2>&1); rc=$?
tap_check "out of range: exit 2 with file:line ($out)" bash -c "[ $rc = 2 ] && grep -q 'range.conf:2: interval = 0 is out of range; expected 0.05 to 3600' <<<'$out'"
out=$("$KTOP_BIN" --config "$tmp/missing.conf" -b -n 1 2>&1); rc=$?
tap_check "a missing --config file: exit 2 ($out)" [ $rc = 2 ]
