# tests/lib.sh: TAP helpers and shared set-up for ktop's shell tests. Source it.
# Each check prints one TAP line; tests/run counts them. A check that cannot run here
# calls tap_skip with the reason, never silently passes.
set -u
TAP_N=0
KTOP_BIN=${KTOP_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/ktop}
BUILD=${BUILD:-build}
TEST_BIN=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/$BUILD/tests

tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
tap_fail() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $*"; }
# tap_skip "what" "why"
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
# tap_check "what" command...: ok when the command succeeds; returns 1 when it failed, so
# that `if ! tap_check ...; then tap_diag ...; fi` can say more
tap_check() {
	local what=$1; shift
	if [ "$1" = "!" ]; then
		shift
		if ! "$@"; then tap_ok "$what"; else tap_fail "$what"; return 1; fi
	elif "$@"; then tap_ok "$what"; else tap_fail "$what"; return 1; fi
}
# jqt FILTER [FILE...]: the filter's last result is neither false nor null, and there is one
# (jq -e alone succeeds on empty input, so a missing frame would pass every check)
jqt() {
	local out
	out=$(jq -c "$@" 2>/dev/null) || return 1
	out=${out##*$'\n'}
	[ -n "$out" ] && [ "$out" != false ] && [ "$out" != null ]
}
# between VALUE LOW HIGH: LOW <= VALUE <= HIGH (integers), for a check with two bounds
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# between_nonzero VALUE LOW HIGH: between, and LOW > 0: for a count checked against what a
# workload reported it made (a workload that made nothing, or printed nothing, and a ktop
# that counted nothing would otherwise agree: 0 of 0 is within any percentage)
between_nonzero() { [ "$2" -gt 0 ] && between "$@"; }
tap_diag() { echo "# $*"; }
# collectors_kept_running FILE: in the NDJSON frames of FILE, every collector that ran in the
# first frame ("ok...") runs in every frame, and at least 5 ran (the opt-in ones are off, and
# functions is unavailable on a kernel that allows no tracing)
collectors_kept_running() {
	jqt -s '(.[0].collectors | to_entries | map(select(.value | startswith("ok")) | .key)) as $k
		| ($k | length) >= 5 and all(.[]; .collectors as $c | all($k[]; $c[.] | startswith("ok")))' "$1"
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		tap_skip "$1" "needs root to load BPF programs"
		return 1
	fi
}

# Wait up to $2 seconds (default 5) for a command to succeed
wait_for() {
	local tries=$(( ${2:-5} * 10 ))
	while [ $tries -gt 0 ]; do
		eval "$1" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# BPF programs ktop has loaded (by name prefix), for leak checks
ktop_prog_count() {
	bpftool prog show 2>/dev/null | grep -cE 'name (sys_|irq|softirq|tasklet|hardirq|crit|bh_)' || true
}

# A tmux session running ktop: tmux_start NAME COLS ROWS [env...] -- ktop args
tmux_start() {
	local name=$1 cols=$2 rows=$3; shift 3
	tmux kill-session -t "$name" 2>/dev/null
	tmux new-session -d -s "$name" -x "$cols" -y "$rows" "$@"
}
tmux_screen() { tmux capture-pane -p -t "$1" 2>/dev/null; }
tmux_alive() { tmux has-session -t "$1" 2>/dev/null; }
# screen_has TEXT: the tmux session named by $S shows TEXT (a basic regular expression)
screen_has() { tmux_screen "$S" | grep -q -- "$1"; }
# screen_without HAS NOT: one capture of the session named by $S shows HAS and not NOT (basic
# regular expressions). "NOT is not on screen" alone holds for a ktop that died and for a
# capture that failed; HAS, in the same capture, says the screen was there
screen_without() {
	local screen
	screen=$(tmux_screen "$S") || return 1
	grep -q -- "$1" <<<"$screen" && ! grep -q -- "$2" <<<"$screen"
}
# status_keeper FILE [ERRFILE]: makes FILE.run, a script that runs its arguments (their
# stderr appended to ERRFILE, if given) and then writes their exit status to FILE: how a ktop
# in a tmux pane ended ("the session is gone" alone holds for a crash too). (tmux 3.3's own
# pane_dead_status was seen missing for good, the pane's process a zombie tmux never reaped)
status_keeper() {
	printf '#!/bin/sh\n"$@"%s\necho $? >"%s"\n' "${2:+ 2>>\"$2\"}" "$1" >"$1.run" &&
		chmod +x "$1.run"
}
# exited_with FILE STATUS: the program status_keeper ran has ended with STATUS
exited_with() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }

# IDs of the BPF programs a process holds (bpftool reports the owning pids)
# (from /proc/PID/fdinfo: Debian's bpftool is built without the pids iterator)
prog_ids_of() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}' | sort -un
}

# Are any of these program IDs still loaded?
progs_still_loaded() {
	local id
	for id in "$@"; do
		bpftool prog show id "$id" >/dev/null 2>&1 && return 0
	done
	return 1
}
# progs_gone ID...: there are IDs, and none of them is loaded any more (with no IDs at all,
# "none left" would hold for a ktop that never loaded a program)
progs_gone() {
	[ $# -gt 0 ] && ! progs_still_loaded "$@"
}

# Wait until a pid is gone; true if it went within $2 seconds
# (a zombie waiting for its parent to reap it has ended: it holds nothing)
# (no pid, or 0, is refused: "" left by a pgrep that found nothing is not a process gone)
pid_gone() {
	local state
	[ "${1:-0}" -gt 0 ] 2>/dev/null || return 1
	state=$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}
wait_gone() {
	wait_for "pid_gone $1" "${2:-1}"
}
