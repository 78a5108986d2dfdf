#!/usr/bin/env bash
# tests/e2e_layout.sh: the main screen uses the terminal it is given (tmux). At 80x24,
# 120x40, 200x50 and 300x80 every pane of the default [general] panes has its title on
# screen; from 200 columns panes stand side by side; at 120x40 with ten busy processes the
# Processes pane shows at least eight of them. The footer holds the key hints (remapped
# keys as remapped), the drill-down its own line for the way down. A critical section new
# and longer than any before is marked on its pane's title until the pane is focused. The
# mouse (SGR mouse reports written to the pane, as a terminal sends them): a click on a
# title focuses its pane, on a column title sorts (again: the other way), a double click
# on a row opens it, the wheel moves the selection; with --no-mouse or "mouse = no" ktop
# does not ask the terminal for mouse reports. At 200x50, with rows coming and going every
# frame, the panes not focused change at most every 5 s. What a pane shows is one frame's:
# a NEW mark comes with its row, and a paused screen keeps its frame's titles.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { tap_skip "layout tests" "tmux is not installed"; exit 0; }
need_root "layout tests" || exit 0
LOOP=$TEST_BIN/workloads/syscall_loop
INJECT=$TEST_BIN/workloads/irqoff_inject
S=ktop-layout-$$
tmp=$(mktemp -d)
load_pids=()
stop_load() {
	local pid
	for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null; done
	load_pids=()
}
cleanup() { stop_load; tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# xterm-256color: curses asks for SGR mouse reports (ESC [ < b ; x ; y M)
start() { # start COLS ROWS ktop-args...
	local cols=$1 rows=$2
	shift 2
	tmux kill-session -t $S 2>/dev/null
	wait_for "tmux new-session -d -s $S -x $cols -y $rows env -i PATH='$PATH' HOME='$tmp' \
		TERM=xterm-256color LANG=C.UTF-8 $KTOP_BIN $* 2>/dev/null" 3
	wait_for "${START_UNTIL:-screen_has 'System calls' && screen_has ' x64 '}" 20
}
screen_text() { tmux_screen $S | grep -qF -- "$1"; }
# line (1-based) and column (1-based, its first letter) where TEXT first starts on screen
where() {
	tmux_screen $S | awk -v t="$1" '{ i = index($0, t); if (i) { print NR, i; exit } }'
}
# a mouse button pressed and released at column X, line Y (1-based), as a terminal sends it
mouse() { # mouse BUTTON X Y
	tmux send-keys -t $S -l "$(printf '\e[<%d;%d;%dM\e[<%d;%d;%dm' "$1" "$2" "$3" "$1" "$2" "$3")"
}
click() { mouse 0 "$1" "$2"; }
focused() { tmux_screen $S | grep -qE "^ *$1 \\*|  $1 \\*"; }
header_clock() { tmux_screen $S | head -1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -1; }
# frames_seen N: wait until the header's clock has moved N times (a slow machine: more time)
frames_seen() {
	local want=$1 seen=0 last now deadline=$((SECONDS + 5 * $1 + 10))
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

# the default panes and their titles, from ktop itself
ids=$("$KTOP_BIN" --defaults --dump-config | sed -n 's/^panes = //p' | tr -d ' ' | tr ',' ' ')
columns=$("$KTOP_BIN" --columns)
titles=()
for id in $ids; do
	titles+=("$(sed -n "s/^### \`$id\` — //p" <<<"$columns")")
done
tap_check "the default panes include xcalls (${#titles[@]} panes: $ids)" grep -qw xcalls <<<"$ids"
all_titles() {
	local t
	for t in "${titles[@]}"; do screen_text " $t" || return 1; done
}
missing_titles() {
	local t
	for t in "${titles[@]}"; do screen_text " $t" || echo -n "'$t' "; done
}
# the column where the rightmost pane title starts
rightmost_title() {
	local t best=0 c
	for t in "${titles[@]}"; do
		c=$(tmux_screen $S | awk -v t=" $t" '{ i = index($0, t); if (i > m) m = i } END { print m + 0 }')
		[ "$c" -gt "$best" ] && best=$c
	done
	echo "$best"
}

# step_of TITLE: "every Ns" from the title line of pane TITLE, not focused (empty: none)
step_of() { tmux_screen $S | grep -o " $1  sort: [^ ]*\( (asc)\)\{0,1\}  every [0-9.]*s" | grep -o 'every.*' | head -1; }

# --- every pane at every size ------------------------------------------------------------
for size in 80x24 120x40 200x50 300x80; do
	cols=${size%x*} rows=${size#*x}
	if ! start "$cols" "$rows" --defaults; then
		tap_fail "$size: ktop starts ($(tmux_screen $S | head -3))"
		continue
	fi
	wait_for all_titles 10
	tap_check "$size: every pane's title is on screen (missing: $(missing_titles))" all_titles
	tap_check "$size: the footer has the key hints, help among them" \
		bash -c "tmux capture-pane -p -t $S | tail -1 | grep -q '^ q quit .* ? help'"
	right=$(rightmost_title)
	case $cols in
	80|120) tap_check "$size: one column of panes (rightmost title at column $right)" between "$right" 1 2 ;;
	200) tap_check "$size: panes side by side (a title at column $right)" between "$right" 99 120 ;;
	300) tap_check "$size: three columns of panes (a title at column $right)" between "$right" 199 220 ;;
	esac
	# panes not focused step every 5 s, longer in proportion when together they cover more
	# cells than the focused pane, up to 9 s (ui/damp.c damp_side_seconds): two columns of
	# three
	case $cols in
	200) tap_check "$size: a pane not focused steps every 5 s ($(step_of Processes))" \
		wait_for "[ \"\$(step_of Processes)\" = 'every 5s' ]" 8 ;;
	300) tap_check "$size: two columns not focused step slower: 9 s ($(step_of Processes))" \
		wait_for "[ \"\$(step_of Processes)\" = 'every 9s' ]" 8 ;;
	esac
done
tmux kill-session -t $S 2>/dev/null

# --- ten busy processes at 120x40 ----------------------------------------------------------
if [ -x "$LOOP" ]; then
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"$LOOP" --rate 20000 120 >/dev/null &
		load_pids+=($!)
	done
	# pids of ours the Processes pane shows: lines from its title to the next title
	ours_shown() {
		tmux_screen $S | awk -v pids=" ${load_pids[*]} " '
			/^ Processes/ { in_pane = 1; next }
			in_pane && /^ [A-Z]/ && !/^ +[0-9]/ { in_pane = 0 }
			in_pane && index(pids, " " $1 " ") { n++ }
			END { print n + 0 }'
	}
	if start 120 40 --defaults; then
		wait_for '[ "$(ours_shown)" -ge 8 ]' 20
		tap_check "120x40: the Processes pane shows $(ours_shown) of the ten busy processes (at least 8)" \
			[ "$(ours_shown)" -ge 8 ]
	else
		tap_fail "120x40 with ten busy processes: ktop starts"
	fi
	stop_load
else
	tap_skip "120x40: ten busy processes" "no $LOOP (make tests)"
fi

# --- footer and breadcrumb -----------------------------------------------------------------
if start 120 40 --defaults; then
	tmux send-keys -t $S Enter
	tap_check "Enter: the way down has its own line under the header" \
		wait_for "tmux_screen $S | sed -n 3p | grep -q '^ System calls > [a-z_0-9]'" 8
	# (one capture: the hints, and no way down, on the same footer)
	footer_alone() { local f; f=$(tmux_screen $S | tail -1); [[ $f == " q quit"* && $f != *"System calls >"* ]]; }
	tap_check "the footer keeps the key hints alone" footer_alone
else
	tap_fail "footer and breadcrumb: ktop did not start"
fi
printf '[keys]\nquit = x\nhelp = F1\n' >"$tmp/keys.conf"
if start 120 40 --config "$tmp/keys.conf"; then
	tap_check "remapped keys show remapped in the footer (x quit, F1 help)" \
		bash -c "tmux capture-pane -p -t $S | tail -1 | grep -q '^ x quit .* F1 help'"
else
	tap_fail "remapped keys in the footer: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null

# --- something new and hot is marked ------------------------------------------------------
if ! [ -x "$INJECT" ]; then
	tap_skip "a new critical section is marked" "no $INJECT (make tests)"
elif ! "$KTOP_BIN" --check 2>&1 | grep -qE '^critical +ok'; then
	tap_skip "a new critical section is marked" "$("$KTOP_BIN" --check 2>&1 | grep '^critical')"
elif start 120 40 --defaults; then
	crit_line() { tmux_screen $S | grep '^ Critical sections'; }
	# frames to compare with: new is new against the frames before it (UI_ALERT_FRAMES)
	tap_check "frames come (the header clock moved 7 times)" frames_seen 7
	# 20 ms with interrupts off on CPU 1, longer than what the machine does by itself
	"$INJECT" 1 20 30 200 >/dev/null 2>&1 &
	load_pids+=($!)
	tap_check "a critical section new and longer than any before: NEW on its pane's title" \
		wait_for "crit_line | grep -q 'NEW '" 20
	tap_diag "$(crit_line)"
	# Tab until it is focused, each time waiting for the focus to move (the focused
	# title, with its " *", is another line): a loaded machine draws late
	focused_title() { tmux_screen $S | grep -n '^ [A-Z][a-zA-Z -]* \*' | head -1; }
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		crit_line | grep -q ' \*' && break
		was=$(focused_title)
		tmux send-keys -t $S Tab
		wait_for '[ "$(focused_title)" != "$was" ]' 3
	done
	# (the title there, focused, without the mark: "no NEW" alone holds for a ktop gone)
	crit_focused_unmarked() { local l; l=$(crit_line); [[ $l == *" *"* && $l != *"NEW "* ]]; }
	tap_check "focusing the pane clears the mark" wait_for crit_focused_unmarked 5
	stop_load
else
	tap_fail "a new critical section is marked: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null

# --- what a pane not focused shows is one frame's -----------------------------------------
# At -d 0.25 a pane not focused takes a new frame every 20 (5 s): the NEW mark, checked on
# the newest frame, came up to 19 frames before the row it names was on the pane. Two panes,
# Critical sections not focused and tall enough for its rows. Sections of 250 ms, over ten
# times what other tests inject (the same offender) and above what a busy virtual machine
# shows by itself, so that the mark and the row are ours: the first screen that has the
# mark has the row with its 250 ms
printf '[general]\npanes = syscalls, critical\n' >"$tmp/two.conf"
crit_new() { tmux_screen $S | grep '^ Critical sections' | grep -q 'NEW __bpf_prog_test_run'; }
crit_row() { tmux_screen $S | grep -qE '^__bpf_prog_test_run.* 2[0-9][0-9]ms '; }
if ! [ -x "$INJECT" ]; then
	tap_skip "a mark comes with its row" "no $INJECT (make tests)"
elif ! "$KTOP_BIN" --check 2>&1 | grep -qE '^critical +ok'; then
	tap_skip "a mark comes with its row" "$("$KTOP_BIN" --check 2>&1 | grep '^critical')"
elif start 120 40 --config "$tmp/two.conf" -d 0.25; then
	frames_seen 3 # more than UI_ALERT_FRAMES frames to compare with
	# 16 of them: one is marked unless something else as long came in the frames before
	# each (under stress-ng a __dentry_kill section took the mark once when there were 8)
	"$INJECT" 1 250 16 400 >"$tmp/inject250.out" 2>&1 &
	load_pids+=($!)
	# the injector loads its program first (on a loaded machine that takes a while, and
	# is a section of its own): wait for its first section, not for a time
	tap_check "the injector made its first 250 ms section" \
		wait_for "grep -q '^spun' '$tmp/inject250.out'" 60
	tap_check "-d 0.25: NEW on the Critical sections pane (not focused) for a 250 ms section" \
		wait_for crit_new 20
	sleep 0.2 # one redraw may reach the terminal in two writes
	tap_check "... and its row, 250 ms, is on the pane with it, not seconds later" crit_row
	tap_diag "$(tmux_screen $S | grep -A3 '^ Critical sections' | cut -c 1-110)"
	stop_load
else
	tap_fail "120x40, two panes, -d 0.25: ktop starts"
fi
tmux kill-session -t $S 2>/dev/null

# Paused, a pane's title is the paused frame's: the Critical sections title says how the
# collector samples (its own timer goes on for 5 s on a CPU where a late timer found a
# section), and once said what the collector did last, frames after the one on screen. The
# pane alone, 200 columns wide: its whole title on screen. Where the title does not move
# with the sections injected (found by other means than a late timer, the own timer stays
# off) there is nothing to tell the two apart: a SKIP (tests/unit_pane.c checks it anyway)
printf '[general]\npanes = critical\n' >"$tmp/critical.conf"
crit_title() { tmux_screen $S | grep -m1 '^ Critical sections' | sed 's/ \*  sort: .*//'; }
if ! [ -x "$INJECT" ]; then
	tap_skip "a paused screen's titles are its frame's" "no $INJECT (make tests)"
elif ! "$KTOP_BIN" --check 2>&1 | grep -qE '^critical +ok'; then
	tap_skip "a paused screen's titles are its frame's" "$("$KTOP_BIN" --check 2>&1 | grep '^critical')"
elif START_UNTIL="screen_has '^ Critical sections'" start 200 40 --config "$tmp/critical.conf"; then
	frames_seen 2
	tmux send-keys -t $S Space
	wait_for "screen_has PAUSED" 5
	paused=$(crit_title)
	tap_diag "paused: $paused"
	"$INJECT" 1 20 30 200 >"$tmp/inject.out" 2>&1 &
	load_pids+=($!)
	# ten sections, two seconds: ticks came meanwhile, the collector saw them
	wait_for "[ \$(grep -c '^spun' '$tmp/inject.out') -ge 10 ]" 20
	tmux send-keys -t $S C-l # redrawn whole, still paused
	wait_for "[ \"\$(crit_title)\" != \"\$paused\" ]" 2
	redrawn=$(crit_title)
	tmux send-keys -t $S Space
	if wait_for "[ \"\$(crit_title)\" != \"\$paused\" ]" 6; then
		tap_diag "running again: $(crit_title)"
		# (a title to compare: two empty ones are equal too)
		same_title() { [ -n "$paused" ] && [ "$redrawn" = "$paused" ]; }
		tap_check "paused, redrawn: the Critical sections title stays the paused frame's" \
			same_title
	elif [ -z "$(crit_title)" ]; then
		# (no title to move: the pane, or ktop, is gone; not a kernel that samples so)
		tap_fail "paused, redrawn: the Critical sections title stays the paused frame's:" \
			"no title on screen ($(tmux_screen $S | head -2 | tr '\n' ' '))"
	else
		tap_skip "paused, redrawn: the Critical sections title stays the paused frame's" \
			"the title did not move in 6 s of sections injected: $(crit_title)"
	fi
	stop_load
else
	tap_fail "200x40, the Critical sections pane alone: ktop starts"
fi
tmux kill-session -t $S 2>/dev/null

# --- the mouse -----------------------------------------------------------------------------
if start 120 40 --defaults; then
	read -r y x <<<"$(where ' Processes')"
	click $((x + 1)) "$y"
	tap_check "a click on the Processes title focuses it" wait_for "focused Processes" 8
	read -r y x <<<"$(where ' System calls')"
	click $((x + 1)) "$y"
	wait_for "focused 'System calls'" 8
	read -r y x <<<"$(where 'ERR/s')"
	click $((x + 1)) "$y"
	tap_check "a click on a column title sorts by it" wait_for "screen_has 'System calls \\*  sort: ERR/s '" 8
	click $((x + 1)) "$y"
	tap_check "a second click on it sorts the other way" wait_for "screen_has 'sort: ERR/s (asc)'" 8
	read -r y x <<<"$(where 'CALLS/s')"
	click $((x + 1)) "$y"
	wait_for "screen_has 'System calls \\*  sort: CALLS/s '" 8
	tmux send-keys -t $S Space # paused: the rows stay where they are
	wait_for "screen_has PAUSED" 5
	read -r y x <<<"$(where ' System calls')"
	mouse 65 10 $((y + 4))
	tap_check "the wheel moves the selection down (3 rows)" wait_for "screen_has 'System calls \\*  sort: CALLS/s .* 4/[0-9]'" 8
	name=$(tmux_screen $S | sed -n "$((y + 4))p" | awk '{ print $1 }')
	opened() { screen_has 'latency distribution' && screen_has "^ System calls > $name"; }
	# two reports, as a terminal sends them: the second after the first was read. Two
	# clicks more than 400 ms apart are two single clicks (a loaded machine can take that
	# long to start the second tmux client): then the pair is sent again, at most twice
	for try in 1 2 3; do
		click 3 $((y + 4))
		sleep 0.1
		click 3 $((y + 4))
		wait_for opened 5 && break
		tap_diag "double click $try: not opened (the clicks may have come too far apart)"
	done
	tap_check "a double click on a row opens it ($name)" opened
else
	tap_fail "the mouse: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null
# panes_changes N: the header clock moving N times, how often the right half of the screen
# (panes not focused) and the left (the focused one) changed, as "right left"; title lines
# blanked (this counts the rows; the titles are checked above)
panes_text() { tmux_screen $S | sed -n '3,49p' | sed -E 's/.*(sort: |NEW |Critical sections).*//'; }
panes_changes() {
	local want=$1 seen=0 last now screen right left r0 l0 nr=0 nl=0
	local deadline=$((SECONDS + 5 * $1 + 10))
	last=$(header_clock)
	while [ $seen -lt "$want" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
		screen=$(panes_text)
		# a change seen: once ktop has written all of it (a frame may come in two writes)
		[ "$(cut -c 102- <<<"$screen")" != "${r0-}" ] && sleep 0.2 && screen=$(panes_text)
		right=$(cut -c 102- <<<"$screen") left=$(cut -c 1-100 <<<"$screen")
		[ -n "${r0+x}" ] && [ "$right" != "$r0" ] && nr=$((nr + 1))
		[ -n "${l0+x}" ] && [ "$left" != "$l0" ] && nl=$((nl + 1))
		r0=$right l0=$left
		now=$(header_clock)
		if [ -n "$now" ] && [ "$now" != "$last" ]; then
			seen=$((seen + 1)) last=$now
		fi
	done
	echo "$nr $nl"
}
if start 200 50 --defaults; then
	# short processes come and go every half second: rows of the Processes pane (right
	# column, not focused) change every frame. A pane not focused shows a frame every 5
	# s (ui/screen.c pane_frame), and the panes move only at that step (layout_due): with
	# 12 frames, 2 or 3 changes, and a pane marked new and hot takes its frame at once
	# (at most 5 in all); the ktop before pane steps made 10 here, with 3 s steps 4 to 8
	if [ -x "$LOOP" ]; then
		(while :; do
			for j in 1 2 3 4; do "$LOOP" 3000 $((j * 500)) >/dev/null & done
			wait
			sleep 0.3
		done) &
		load_pids+=($!)
		frames_seen 4 # the layout settles on the load
		read -r right left <<<"$(panes_changes 12)"
		tap_diag "200x50, 12 frames: the right column changed $right times, the left $left"
		tap_check "200x50: panes not focused change at most every 5 s (12 frames: $right <= 5)" \
			[ "${right:-99}" -le 5 ]
		tap_check "200x50: panes not focused still follow (12 frames: $right >= 2)" \
			[ "${right:-0}" -ge 2 ]
		stop_load
	else
		tap_skip "200x50: panes not focused change at most every 5 s" "no $LOOP (make tests)"
	fi
	# the first title that starts right of the middle: line, column, title
	read -r y x title <<<"$(for t in "${titles[@]}"; do
		tmux_screen $S | awk -v t=" $t" '{ i = index($0, t); if (i > 90) { print NR, i, substr(t, 2); exit } }'
	done | head -1)"
	click $((x + 2)) "$y"
	tap_check "200x50: a click on a pane of the right column ($title) focuses it" \
		wait_for "focused '$title'" 8
else
	tap_fail "200x50, panes not focused: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null
# mouse_flags FLAGS: whether the program in the pane asked the terminal for mouse reports
# (standard, SGR), as tmux knows: 11 asked, 00 not (and no session at all is neither)
mouse_flags() { [ "$(tmux display-message -p -t $S '#{mouse_standard_flag}#{mouse_sgr_flag}' 2>/dev/null)" = "$1" ]; }
if start 120 40 --defaults; then
	tap_check "the mouse on by default: ktop asks the terminal for SGR mouse reports" mouse_flags 11
else
	tap_fail "the mouse on by default: ktop did not start"
fi
tmux kill-session -t $S 2>/dev/null
printf '[general]\nmouse = no\n' >"$tmp/nomouse.conf"
for how in "--defaults --no-mouse" "--config $tmp/nomouse.conf"; do
	if start 120 40 $how; then
		tap_check "$how: the mouse stays the terminal's (no mouse reports asked for)" \
			mouse_flags 00
	else
		tap_fail "$how: ktop did not start"
	fi
	tmux kill-session -t $S 2>/dev/null
done
