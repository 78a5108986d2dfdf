#!/usr/bin/env bash
# tests/e2e_containers.sh: per-container switching with containers made without an
# engine (unshare + a hostname + fresh cgroups in the v1 memory and the v2 hierarchies),
# each running a known syscall workload: A calls getppid(), B calls chdir() on
# a missing path; C starts hundreds of short processes a frame.
# -c on one shows its workload and none of the other's; no filter shows both; names are
# the hostnames; C's row counts all its processes, not only the 512 the processes table
# keeps; a selected container that stops is reported; the picker in tmux.
. "$(dirname "$0")/lib.sh"
need_root "containers: ktop -c" || exit 0
command -v unshare >/dev/null || { tap_skip "containers" "unshare(1) is not installed"; exit 0; }
command -v perl >/dev/null || { tap_skip "containers" "perl is needed for the workloads"; exit 0; }

# The hierarchies, from the mount table: v1 memory (where mounted) and cgroup2
V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
if [ -z "$V1" ] && [ -z "$V2" ]; then
	tap_skip "containers" "no cgroup hierarchy is mounted"
	exit 0
fi

tmp=$(mktemp -d)
A=ktop-e2e-a-$$ B=ktop-e2e-b-$$ C=ktop-e2e-c-$$
pids=()
session=ktop-e2e-containers-$$

# stop_container NAME: kill its processes, then remove its cgroups
stop_container() {
	local cg=$1 dir p
	for dir in ${V1:+$V1/$cg} ${V2:+$V2/$cg}; do
		[ -d "$dir" ] || continue
		for p in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for dir in ${V1:+$V1/$cg} ${V2:+$V2/$cg}; do
		[ -d "$dir" ] || continue
		wait_for "[ -z \"\$(cat $dir/cgroup.procs 2>/dev/null)\" ]" 3
		rmdir "$dir" 2>/dev/null
	done
}

cleanup() {
	tmux kill-session -t "$session" 2>/dev/null
	stop_container "$A"
	stop_container "$B"
	stop_container "$C"
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap "cp -r $tmp /tmp/e2e-keep; cleanup" EXIT

# start_container NAME PERL-PROGRAM: fresh cgroups, then new pid/uts/mount namespaces with
# the hostname NAME running the program; every process it makes stays in its cgroups
start_container() {
	local cg=$1 prog=$2 dir
	for dir in ${V1:+$V1/$cg} ${V2:+$V2/$cg}; do
		mkdir "$dir" || return 1
	done
	# shellcheck disable=SC2016 # expanded by the inner shells
	sh -c 'cg=$1 prog=$2; shift 2
		for d in "$@"; do echo $$ > "$d/cgroup.procs" || exit 1; done
		exec unshare --pid --uts --mount --fork \
			sh -c "hostname \"\$0\" && exec perl -e \"\$1\"" "$cg" "$prog"' \
		sh "$cg" "$prog" ${V1:+$V1/$cg} ${V2:+$V2/$cg} >/dev/null 2>"$tmp/$cg.err" &
	pids+=($!)
}

# A: 20000 getppid() per 50 ms; B: 20000 failing chdir() per 50 ms. Both sleep between
# rounds (select), so two of them leave the CPUs to ktop.
start_container "$A" 'while (1) { getppid() for 1..20000; select(undef, undef, undef, 0.05) }'
start_container "$B" 'while (1) { chdir("/nonexistent-ktop-e2e") for 1..20000; select(undef, undef, undef, 0.05) }'
tap_check "two test containers started (cgroups in: ${V1:+v1 memory }${V2:+cgroup2})" \
	wait_for "[ -n \"\$(cat ${V1:-$V2}/$A/cgroup.procs 2>/dev/null)\" ] && [ -n \"\$(cat ${V1:-$V2}/$B/cgroup.procs 2>/dev/null)\" ]" 5

# frames FILE ARGS...: ktop -J for 4 frames of 0.5 s
frames() {
	local out=$1; shift
	"$KTOP_BIN" -J -d 0.5 -n 4 "$@" >"$out" 2>"$out.err"
}
sum() { # sum FILE SYSCALL FIELD: over every frame, skipping the first (it started mid-way)
	jq -s --arg n "$2" --arg f "$3" '[.[1:][].syscalls[] | select(.name == $n) | .[$f]] | add // 0' "$1"
}

frames "$tmp/all.json"
frames "$tmp/a.json" -c "$A"
frames "$tmp/b.json" -c "$B"
ga=$(sum "$tmp/all.json" getppid count) ea=$(sum "$tmp/all.json" chdir errors)
g1=$(sum "$tmp/a.json" getppid count) e1=$(sum "$tmp/a.json" chdir errors)
g2=$(sum "$tmp/b.json" getppid count) e2=$(sum "$tmp/b.json" chdir errors)
tap_diag "no filter: getppid $ga, chdir errors $ea; -c A: $g1, $e1; -c B: $g2, $e2"
tap_check "no filter: both workloads are seen" [ "$ga" -gt 100000 ] && [ "$ea" -gt 100000 ]
tap_check "-c A: A's getppid calls are seen" [ "$g1" -gt 100000 ]
tap_check "-c A: none of B's failing chdirs" [ "$e1" -lt 100 ]
tap_check "-c B: B's failing chdirs are seen" [ "$e2" -gt 100000 ]
tap_check "-c B: none of A's getppid calls" [ "$g2" -lt 100 ]
tap_check "-c A: the frame names the container and says it runs" \
	jqt -s --arg a "$A" 'all(.[]; .container == $a and .container_state == "running")' "$tmp/a.json"
# (the first frame began before the filter was set: calls already counted per process
# still arrive in it)
tap_diag "-c A: process rows not in A: $(jq -cs --arg a "$A" '[.[1:][].processes[] | select(.container != $a)]' "$tmp/a.json")"
tap_check "-c A: every process row after the first frame is in A" \
	jqt -s --arg a "$A" '[.[1:][].processes[]] | length > 0 and all(.container == $a)' "$tmp/a.json"
tap_check "no filter: the frame's container is null" jqt -s 'all(.[]; .container == null)' "$tmp/all.json"
tap_check "containers array: both, named by their hostnames, as plain cgroups" \
	jqt -s --arg a "$A" --arg b "$B" '.[-1].containers as $c |
		($c | any(.name == $a and .runtime == "cgroup" and .procs >= 2)) and
		($c | any(.name == $b and .runtime == "cgroup" and .procs >= 2)) and
		($c | any(.runtime == "host"))' "$tmp/all.json"
tap_check "containers array: A's own calls are counted in its row" \
	jqt -s --arg a "$A" '[.[1:][].containers[] | select(.name == $a) | .count] | add > 100000' "$tmp/all.json"
tap_check "processes show their container" \
	jqt -s --arg b "$B" '[.[].processes[] | select(.container == $b)] | length > 0' "$tmp/all.json"
tap_check "-c by the id from the containers array works too" \
	frames "$tmp/id.json" -c "$(jq -rs --arg a "$A" '[.[-1].containers[] | select(.name == $a)][0].id' "$tmp/all.json")"
tap_check "-c by id: A's getppid seen, B's chdirs not" \
	[ "$(sum "$tmp/id.json" getppid count)" -gt 100000 ] && [ "$(sum "$tmp/id.json" chdir errors)" -lt 100 ]
tap_check "-b header names the container" \
	sh -c "'$KTOP_BIN' -b -d 0.3 -n 1 -c '$A' | head -1 | grep -q 'container $A (cgroup'"

# A selected container that stops: ktop goes on and says so
"$KTOP_BIN" -J -d 0.3 -n 12 -c "$B" >"$tmp/stop.json" 2>"$tmp/stop.err" &
kpid=$!
wait_for "[ \$(wc -l <$tmp/stop.json) -ge 3 ]" 5
stop_container "$B"
wait $kpid
status=$?
tap_check "a selected container that stops: ktop keeps running to the last frame" \
	[ $status -eq 0 ] && [ "$(wc -l <"$tmp/stop.json")" -eq 12 ]
tap_check "a selected container that stops: the frames say stopped" \
	jqt -s --arg b "$B" '.[-1].container == $b and .[-1].container_state == "stopped"' "$tmp/stop.json"
tap_check "a container not running yet: -c waits for it, says not found, exits 0" \
	sh -c "'$KTOP_BIN' -J -d 0.2 -n 2 -c no-such-container-$$ 2>/dev/null | jq -es 'all(.[]; .container_state == \"not found\")' >/dev/null"

# C: hundreds of short processes each frame, more than the processes table keeps (512).
# The container's row must still count all of their calls: with C selected, the syscalls
# table (every call the kernel let through) is the truth to compare with.
start_container "$C" 'use POSIX (); while (1) { for (1..200) { my $p = fork();
	if (defined $p && !$p) { getppid() for 1..100; POSIX::_exit(0) } waitpid($p, 0) if $p }
	select(undef, undef, undef, 0.01) }'
wait_for "[ -n \"\$(cat ${V1:-$V2}/$C/cgroup.procs 2>/dev/null)\" ]" 5
frames "$tmp/c.json" -c "$C"
stop_container "$C"
tap_diag "C: processes per frame $(jq -cs '[.[].processes | length]' "$tmp/c.json"), calls per frame $(jq -cs '[.[] | [.syscalls[].count] | add]' "$tmp/c.json"), its row $(jq -cs --arg c "$C" '[.[] | [.containers[] | select(.name == $c) | .count] | add]' "$tmp/c.json")"
tap_check "C: more processes active than the processes table keeps" \
	jqt -s '[.[1:][].processes | length] | max == 512' "$tmp/c.json"
tap_check "C: its row counts the calls of all its processes (within 10 %)" \
	jqt -s --arg c "$C" '([.[1:][] | .syscalls[].count] | add) as $all |
		([.[1:][] | .containers[] | select(.name == $c) | .count] | add) as $row |
		$all > 100000 and $row >= 0.9 * $all and $row <= 1.1 * $all' "$tmp/c.json"

# The picker in tmux: c, type, Enter; the header and the panes change
if ! command -v tmux >/dev/null; then
	tap_skip "picker in tmux" "tmux is not installed"
	exit 0
fi
tmux_start "$session" 200 60 env TERM=xterm-256color "$KTOP_BIN" -d 0.5
wait_for "tmux_screen $session | grep -q 'all containers'" 5
tap_check "screen: the header says all containers" sh -c "tmux capture-pane -p -t $session | head -1 | grep -q 'all containers'"
tap_check "screen: A's processes are listed before any selection" \
	wait_for "tmux_screen $session | grep -q 'perl.*$A'" 5
tmux send-keys -t "$session" c
tap_check "screen: c opens the picker" wait_for "tmux_screen $session | grep -q 'type to search'" 3
tmux send-keys -t "$session" -l "$A"
sleep 0.3
tap_check "screen: typing narrows the list to A" \
	sh -c "tmux capture-pane -p -t $session | grep -q '$A' && ! tmux capture-pane -p -t $session | grep -q '$B'"
tmux send-keys -t "$session" Enter
tap_check "screen: Enter switches, the header names A" \
	wait_for "tmux_screen $session | head -1 | grep -q 'container $A'" 3
sleep 1.5
tap_check "screen: the processes pane shows A's and not B's" \
	sh -c "tmux capture-pane -p -t $session | grep -q 'perl.*$A' && ! tmux capture-pane -p -t $session | grep -q 'perl.*$B'"
tmux capture-pane -p -t "$session" >"$tmp/screen-a.txt"
tap_check "screen: interrupt panes say whose interrupted tasks they count" \
	sh -c "tmux capture-pane -p -t $session | grep -q 'charged to the interrupted tasks of $A'"
tmux send-keys -t "$session" C
tap_check "screen: C returns to all containers" \
	wait_for "tmux_screen $session | head -1 | grep -q 'all containers'" 3
tmux send-keys -t "$session" q
tap_check "screen: q still quits" wait_for "! tmux_alive $session" 3
