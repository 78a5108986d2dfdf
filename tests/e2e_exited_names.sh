#!/usr/bin/env bash
# tests/e2e_exited_names.sh: a process that has exited keeps its name in the Processes rows
# (-J and -b): its calls go to the row of the exited processes of its name. A copy of the
# churn workload named ktop-churn-nm forks children that make calls and exit within a tick,
# named as their parent: once gone, /proc cannot name them, and their rows said "?" until
# the kernel kept each process's name at its exit. On the screen, that row opened says
# nothing of theirs is left to count.
. "$(dirname "$0")/lib.sh"
need_root "names of exited processes" || exit 0
NAME=ktop-churn-nm
tmp=$(mktemp -d)
pids=()
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	tmux kill-session -t "${S:-none}" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

lines() { [ -s "$1" ] && wc -l <"$1" || echo 0; }
text_frames() { [ -s "$tmp/out.txt" ] && grep -c '^ktop ' "$tmp/out.txt" || echo 0; }

"$KTOP_BIN" -J -d 0.5 >"$tmp/out.json" 2>"$tmp/json.err" &
pids+=($!)
"$KTOP_BIN" -b -d 0.5 >"$tmp/out.txt" 2>"$tmp/text.err" &
pids+=($!)
# generous: loading the programs takes long in an emulated guest
if ! wait_for '[ "$(lines "$tmp/out.json")" -ge 1 ] && [ "$(text_frames)" -ge 1 ]' 120; then
	tap_fail "ktop did not print a first frame ($(head -c 200 "$tmp/json.err" "$tmp/text.err"))"
	echo "1..$TAP_N"
	exit 0
fi
# each child: 20 000 getppid() calls, a few ms: a row large enough for -b's first lines
cp "$TEST_BIN/workloads/proc_churn" "$tmp/$NAME"
"$tmp/$NAME" --fork "$tmp/count" 20000 &
churn=$!
wait_for '[ -s "$tmp/count" ] && [ "$(cat "$tmp/count")" -ge 200 ]' 60
kill "$churn"
wait "$churn" 2>/dev/null
started=$(cat "$tmp/count" 2>/dev/null || echo 0)
# the frame in progress and one more: every child's exit is in a frame
after_json=$(lines "$tmp/out.json")
after_text=$(text_frames)
wait_for '[ "$(lines "$tmp/out.json")" -ge $((after_json + 2)) ] && [ "$(text_frames)" -ge $((after_text + 2)) ]' 30
kill -TERM "${pids[@]}"
wait "${pids[@]}" 2>/dev/null
pids=()

# children: each is in one row of exited processes named NAME, in the frame of its exit
# (the rows of exited processes say how many they stand for)
named=$(jq -s --arg n "$NAME" \
	'[.[].processes[] | select(.comm == $n and .pid == 0) | .exited] | add // 0' \
	"$tmp/out.json")
unnamed=$(jq -s '[.[].processes[] | select(.comm == "?")] | length' "$tmp/out.json")
# -b: the COMMAND field of the Processes rows
awk '/^Processes/ { p = 1; next } p && /^ *PID / { next } p && NF == 0 { p = 0 } p { print $1, $2 }' \
	"$tmp/out.txt" >"$tmp/text_rows"
text_named=$(awk -v n="$NAME" -v parent="$churn" '$2 == n && $1 != parent' "$tmp/text_rows" | wc -l)
text_unnamed=$(awk '$2 == "?"' "$tmp/text_rows" | wc -l)
tap_diag "the churn started $started processes (counted by 50s); -J: $named children named $NAME, $unnamed rows named '?'; -b: $text_named child rows named $NAME, $text_unnamed named '?'"
[ "$unnamed" -gt 0 ] && tap_diag "rows of the pids a row named '?' (frame number, pid, name, calls): $(jq -sc '
	[.[].processes[] | select(.comm == "?") | .pid] as $q |
	[to_entries[] | .key as $i | .value.processes[] | select(.pid as $p | $q | index($p)) |
	 {frame: $i, pid, comm, count}]' "$tmp/out.json")"
tap_check "the churn started processes while ktop watched ($started)" [ "$started" -ge 200 ]
tap_check "-J: every child is counted in a row of exited processes named $NAME ($named of $started)" [ "$named" -ge "$started" ]
tap_check "-J: no process row is named '?' ($unnamed)" [ "$unnamed" -eq 0 ]
tap_check "-b: children's rows are named $NAME ($text_named)" [ "$text_named" -gt 0 ]
tap_check "-b: no process row is named '?' ($text_unnamed)" [ "$text_unnamed" -eq 0 ]
tap_check "-J: nothing on stderr" [ ! -s "$tmp/json.err" ]
tap_check "-b: nothing on stderr" [ ! -s "$tmp/text.err" ]

# On the screen, the row of exited processes opened (Enter) says that nothing of theirs is
# left to count, rather than show an empty table of their system calls
S=ktop-exited-$$
if command -v tmux >/dev/null; then
	printf '[general]\npanes = processes\n' >"$tmp/procs.conf"
	tmux_start $S 120 30 env TERM=xterm-256color LANG=C.UTF-8 "$KTOP_BIN" \
		--config "$tmp/procs.conf"
	"$tmp/$NAME" --fork "$tmp/count2" 20000 &
	pids+=($!)
	wait_for "screen_has '^ *PID '" 60
	tmux send-keys -t $S /
	tmux send-keys -t $S -l "$NAME"
	tmux send-keys -t $S Enter
	# the children's calls, summed, put their row first
	tap_check "the screen's first row is the exited processes named $NAME" \
		wait_for "tmux_screen $S | grep -A1 '^ *PID ' | grep -q '^ *exited  *$NAME ('" 60
	tmux send-keys -t $S Enter
	tap_check "opened, it says they have exited" \
		wait_for "screen_has '(these processes have exited: nothing of theirs is left'" 15
	tmux kill-session -t $S
else
	tap_skip "the row of exited processes on the screen" "tmux is not installed"
fi
echo "1..$TAP_N"
