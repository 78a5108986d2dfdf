#!/usr/bin/env bash
# tests/e2e_containers.sh: per-container switching with containers made without an
# engine (unshare + a hostname + fresh cgroups in the v1 memory and the v2 hierarchies),
# each running a known syscall workload: A calls getppid(), B calls chdir() on
# a missing path; C starts hundreds of short processes a frame.
# -c on one shows its workload and none of the other's; no filter shows both; names are
# the hostnames; C's row counts all its processes, not only the 512 the processes table
# keeps; a selected container that stops is reported; the picker in tmux.
# Thresholds come from what the workloads report they did (a tally file each), never from
# a fixed rate: machines of this kind differ several times over in syscall and fork cost.
. "$(dirname "$0")/lib.sh"
need_root "containers: ktop -c" || exit 0
command -v unshare >/dev/null || { tap_skip "containers" "unshare(1) is not installed"; exit 0; }
command -v perl >/dev/null || { tap_skip "containers" "perl is needed for the workloads"; exit 0; }
[ -x "$TEST_BIN/workloads/proc_churn" ] || { tap_fail "workloads are built (make unit)"; exit 1; }

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

# A: 2000 getppid() per 5 ms; B: 2000 failing chdir() per 5 ms. Both sleep between
# rounds (select), so two of them leave the CPUs to ktop. Each writes how many calls it has
# made so far to a file (tally), and appends "TIME COUNT" (the epoch, as ktop's frames
# carry) to TALLY.log, so checks can compare ktop with what really happened during its
# frames on this machine, however fast it is.
tally='use Time::HiRes ();
	open(my $log, ">>", "$ENV{TALLY}.log") or die; $log->autoflush(1);
	sub tally { open(my $f, ">", "$ENV{TALLY}.new") or die; print $f "$_[0]\n"; close $f;
	rename("$ENV{TALLY}.new", $ENV{TALLY}); printf $log "%.6f %d\n", Time::HiRes::time(), $_[0] }'
export TALLY
TALLY=$tmp/a.tally start_container "$A" "$tally"'my $n = 0; while (1) { getppid() for 1..2000;
	tally($n += 2000); select(undef, undef, undef, 0.005) }'
TALLY=$tmp/b.tally start_container "$B" "$tally"'my $n = 0; while (1) {
	chdir("/nonexistent-ktop-e2e") for 1..2000; tally($n += 2000); select(undef, undef, undef, 0.005) }'
tap_check "two test containers started (cgroups in: ${V1:+v1 memory }${V2:+cgroup2})" \
	wait_for "[ -n \"\$(cat ${V1:-$V2}/$A/cgroup.procs 2>/dev/null)\" ] && [ -n \"\$(cat ${V1:-$V2}/$B/cgroup.procs 2>/dev/null)\" ]" 10

# sum FILE SYSCALL FIELD: over every frame, skipping the first (it started mid-way); nothing
# when FILE has no frame after the first, so that "none of B's calls" (fewer than 100) fails
# when ktop printed nothing rather than holding for the 0 of an empty sum
sum() {
	jq -s --arg n "$2" --arg f "$3" \
		'if length < 2 then empty else [.[1:][].syscalls[] | select(.name == $n) | .[$f]] | add // 0 end' "$1"
}
now_s() { awk '{print $1}' /proc/uptime; }
tally_of() { cat "$1" 2>/dev/null || echo 0; }
# made_in_frames JSON TALLY: what the workload made during the frames after the first:
# its count at the last frame's end less its count at the first frame's end, each read from
# TALLY.log between the two lines around that moment (the frames' own timestamps; a
# workload's speed changes while ktop loads and unloads its programs, much under emulation)
made_in_frames() {
	local from to
	from=$(jq -s '.[0].timestamp' "$1") to=$(jq -s '.[-1].timestamp' "$1")
	awk -v from="$from" -v to="$to" '
		function at(t) { # the count at time t, interpolated
			for (i = 2; i <= n; i++)
				if (tt[i] >= t)
					return c[i - 1] + (c[i] - c[i - 1]) * (t - tt[i - 1]) / (tt[i] - tt[i - 1])
			return -1
		}
		{ n++; tt[n] = $1; c[n] = $2 }
		END { a = at(from); b = at(to); print (a < 0 || b < 0 || n < 2 || tt[1] > from) ? 0 : int(b - a) }
	' "$2.log"
}
# logged_past JSON TALLY: the workload logged a count after the last frame ended
logged_past() {
	[ -s "$2.log" ] && awk -v to="$(jq -s '.[-1].timestamp' "$1")" 'END { exit !($1 > to) }' "$2.log"
}
# seen COUNTED MADE: ktop counted what the workload made in those frames, within 10 % and
# one round of 2000 calls either way (the tally is written after each round), and the
# workload made something
seen() { [ "$2" -gt 0 ] && between "$1" $(($2 * 9 / 10 - 2000)) $(($2 * 11 / 10 + 2000)); }

# run ktop -J with ARGS into FILE for 4 frames of 0.5 s (or -d D given after), noting what
# workloads A and B made during its frames
run_measured() {
	local out=$1; shift
	"$KTOP_BIN" -J -d 0.5 -n 4 "$@" >"$out" 2>"$out.err"
	wait_for "logged_past $out $tmp/a.tally && logged_past $out $tmp/b.tally" 30
	made_a=$(made_in_frames "$out" "$tmp/a.tally")
	made_b=$(made_in_frames "$out" "$tmp/b.tally")
}
wait_for "[ -s $tmp/a.tally ] && [ -s $tmp/b.tally ]" 10
run_measured "$tmp/all.json"
ga=$(sum "$tmp/all.json" getppid count) ea=$(sum "$tmp/all.json" chdir errors)
ma0=$made_a mb0=$made_b
run_measured "$tmp/a.json" -c "$A"
g1=$(sum "$tmp/a.json" getppid count) e1=$(sum "$tmp/a.json" chdir errors)
ma1=$made_a
run_measured "$tmp/b.json" -c "$B"
g2=$(sum "$tmp/b.json" getppid count) e2=$(sum "$tmp/b.json" chdir errors)
mb2=$made_b
tap_diag "no filter: getppid $ga (A made ~$ma0), chdir errors $ea (B made ~$mb0); -c A: $g1 (A made ~$ma1), $e1; -c B: $g2, $e2 (B made ~$mb2)"
tap_check "no filter: A's getppid calls counted within 10 % ($ga, A made ~$ma0)" seen "$ga" "$ma0"
tap_check "no filter: B's failing chdirs counted within 10 % ($ea, B made ~$mb0)" seen "$ea" "$mb0"
tap_check "-c A: A's getppid calls counted within 10 % ($g1, A made ~$ma1)" seen "$g1" "$ma1"
tap_check "-c A: none of B's failing chdirs" [ "$e1" -lt 100 ]
tap_check "-c B: B's failing chdirs counted within 10 % ($e2, B made ~$mb2)" seen "$e2" "$mb2"
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
tap_check "containers array: A's own calls are counted in its row (A made ~$ma0)" \
	jqt -s --arg a "$A" --argjson m "$ma0" '$m > 0 and ([.[1:][].containers[] | select(.name == $a) | .count] | add) * 2 >= $m' "$tmp/all.json"
tap_check "processes show their container" \
	jqt -s --arg b "$B" '[.[].processes[] | select(.container == $b)] | length > 0' "$tmp/all.json"
id=$(jq -rs --arg a "$A" '[.[-1].containers[] | select(.name == $a)][0].id' "$tmp/all.json")
run_measured "$tmp/id.json" -c "$id"
tap_check "-c by the id from the containers array works too" [ -s "$tmp/id.json" ]
tap_check "-c by id: A's getppid calls counted within 10 % (A made ~$made_a)" \
	seen "$(sum "$tmp/id.json" getppid count)" "$made_a"
tap_check "-c by id: none of B's failing chdirs" [ "$(sum "$tmp/id.json" chdir errors)" -lt 100 ]
tap_check "-b header names the container" \
	sh -c "'$KTOP_BIN' -b -d 0.3 -n 1 -c '$A' | head -1 | grep -q 'container $A (cgroup'"

# A selected container that stops: ktop goes on and says so
# (ktop runs until the frames say stopped and two more have come, however long that takes)
"$KTOP_BIN" -J -d 0.3 -c "$B" >"$tmp/stop.json" 2>"$tmp/stop.err" &
kpid=$!
wait_for "[ \$(wc -l <$tmp/stop.json) -ge 3 ]" 15
stop_container "$B"
wait_for "grep -q '\"container_state\":\"stopped\"' $tmp/stop.json" 30
stopped_at=$(wc -l <"$tmp/stop.json")
wait_for "[ \$(wc -l <$tmp/stop.json) -ge $((stopped_at + 2)) ]" 15
kill -TERM $kpid
wait $kpid
status=$?
tap_check "a selected container that stops: ktop exits 0 on SIGTERM" [ $status -eq 0 ]
tap_check "a selected container that stops: ktop keeps running after it ($stopped_at frames, then more)" \
	[ "$(wc -l <"$tmp/stop.json")" -ge $((stopped_at + 2)) ]
tap_check "a selected container that stops: the frames say stopped" \
	jqt -s --arg b "$B" '.[-1].container == $b and .[-1].container_state == "stopped"' "$tmp/stop.json"
"$KTOP_BIN" -J -d 0.2 -n 2 -c no-such-container-$$ >"$tmp/none.json" 2>/dev/null
status=$?
tap_check "a container not running yet: -c exits 0 ($status)" [ $status -eq 0 ]
tap_check "a container not running yet: -c waits for it and says not found" \
	jqt -s 'length == 2 and all(.[]; .container_state == "not found")' "$tmp/none.json"

# C: hundreds of short processes each frame, more than the processes table keeps rows (512).
# The container's row must still count all of their calls: with C selected, the syscalls
# table (every call the kernel let through) is the truth to compare with. Machines differ
# several times over in how fast they fork: the frame is made long enough for C to start
# 1.5 x 512 processes in one, at the rate C reached here before ktop started.
# (C's processes are forks of a small C program: perl forks several times slower)
TALLY=$tmp/c.tally start_container "$C" "exec('$TEST_BIN/workloads/proc_churn', '--fork', '$tmp/c.tally', 100) or die"
wait_for "[ -s $tmp/c.tally ]" 10
# per_s N SINCE: N per second since uptime SINCE
per_s() { awk -v n="$1" -v a="$2" -v b="$(now_s)" 'BEGIN {printf "%d", n / (b - a)}'; }
# frames_for RATE: the frame length for 1024 processes at RATE (at least 0.5 s)
frames_for() { awk -v r="$1" 'BEGIN {d = r > 0 ? 1024 / r : 99; printf "%.1f", d < 0.5 ? 0.5 : d + 0.05}'; }
t0=$(now_s) n0=$(tally_of "$tmp/c.tally")
sleep 2
rate=$(per_s $(( $(tally_of "$tmp/c.tally") - n0 )) "$t0")
interval=$(frames_for "$rate")
tap_diag "C: $rate processes/s without ktop: frames of $interval s"
# ktop's own cost slows the churn (a CPU hog beside the test even more): if a frame got
# fewer than 600 of C's processes, once more with frames made for the rate under ktop
for attempt in 1 2; do
	awk -v d="$interval" 'BEGIN {exit !(d <= 10)}' || break
	t0=$(now_s) n0=$(tally_of "$tmp/c.tally")
	"$KTOP_BIN" -J -d "$interval" -n 4 -c "$C" >"$tmp/c.json" 2>"$tmp/c.json.err"
	rate_with=$(per_s $(( $(tally_of "$tmp/c.tally") - n0 )) "$t0")
	per_frame=$(awk -v r="$rate_with" -v d="$interval" 'BEGIN {printf "%d", r * d}')
	tap_diag "C: frames of $interval s: $rate_with processes/s under ktop, ~$per_frame a frame; process rows per frame $(jq -cs '[.[].processes | length]' "$tmp/c.json"), exited processes per frame $(jq -cs '[.[] | [.processes[] | .exited // 0] | add]' "$tmp/c.json"), calls per frame $(jq -cs '[.[] | [.syscalls[].count] | add]' "$tmp/c.json"), its row $(jq -cs --arg c "$C" '[.[] | [.containers[] | select(.name == $c) | .count] | add]' "$tmp/c.json")"
	[ "$per_frame" -ge 600 ] && break
	interval=$(frames_for "$rate_with")
done
stop_container "$C"
if [ "${per_frame:-0}" -ge 600 ]; then
	# they exit within a frame: summed by command into rows of exited processes, which
	# stand for more of them than the table keeps rows (512)
	tap_check "C: more processes active than the processes table keeps rows, in rows of exited processes" \
		jqt -s '[.[1:][] | [.processes[] | .exited // 0] | add // 0] | max > 512' "$tmp/c.json"
	# every frame, the first included: the container's identity is set before the
	# syscall programs count a process that may exit before ktop first looks
	tap_check "C: its row counts the calls of all its processes, every frame (within 10 %)" \
		jqt -s --arg c "$C" '([.[] | .syscalls[].count] | add) as $all |
			([.[] | .containers[] | select(.name == $c) | .count] | add) as $row |
			$all >= 51200 and $row >= 0.9 * $all and $row <= 1.1 * $all' "$tmp/c.json"
else
	tap_skip "C: more processes in a frame than the processes table keeps" \
		"this machine starts $rate processes/s (${rate_with:-?} under ktop): 600 in a frame would need frames over 10 s"
	tap_skip "C: its row counts the calls of all its processes" "as above: too few processes per frame"
fi

# The picker in tmux: c, type, Enter; the header and the panes change
if ! command -v tmux >/dev/null; then
	tap_skip "picker in tmux" "tmux is not installed"
	exit 0
fi
tmux_start "$session" 200 60 env TERM=xterm-256color "$KTOP_BIN" -d 0.5 -w "$tmp/picked.ktop"
wait_for "tmux_screen $session | grep -q 'all containers'" 15
tap_check "screen: the header says all containers" sh -c "tmux capture-pane -p -t $session | head -1 | grep -q 'all containers'"
tap_check "screen: A's processes are listed before any selection" \
	wait_for "tmux_screen $session | grep -q 'perl.*$A'" 10
tmux send-keys -t "$session" c
tap_check "screen: c opens the picker" wait_for "tmux_screen $session | grep -q 'type to search'" 5
tmux send-keys -t "$session" -l "$A"
tap_check "screen: typing narrows the list to A" \
	wait_for "tmux_screen $session | grep -q '$A' && ! tmux_screen $session | grep -q '$B'" 5
tmux send-keys -t "$session" Enter
tap_check "screen: Enter switches, the header names A" \
	wait_for "tmux_screen $session | head -1 | grep -q 'container $A'" 5
tap_check "screen: the processes pane shows A's and not B's" \
	wait_for "tmux_screen $session | grep -q 'perl.*$A' && ! tmux_screen $session | grep -q 'perl.*$B'" 10
tmux capture-pane -p -t "$session" >"$tmp/screen-a.txt"
tap_check "screen: interrupt panes say whose interrupted tasks they count" \
	sh -c "tmux capture-pane -p -t $session | grep -q 'charged to the interrupted tasks of $A'"
tmux send-keys -t "$session" C
tap_check "screen: C returns to all containers" \
	wait_for "tmux_screen $session | head -1 | grep -q 'all containers'" 5
tmux send-keys -t "$session" q
tap_check "screen: q still quits" wait_for "! tmux_alive $session" 5

# The selection is part of each frame: a replay shows what the live run showed
"$KTOP_BIN" -r "$tmp/picked.ktop" -J >"$tmp/picked.json" 2>"$tmp/picked.err"
tap_diag "replay of the picker session: $(jq -c '[.container, .container_state]' "$tmp/picked.json" | uniq -c | tr -s ' \n' ' ')"
tap_check "replay of a session where A was picked: the first frames are all containers" \
	jqt -s '.[0].container == null and .[0].container_state == "all"' "$tmp/picked.json"
tap_check "replay of a session where A was picked: then frames of A, running" \
	jqt -s --arg a "$A" 'any(.[]; .container == $a and .container_state == "running")' "$tmp/picked.json"
tap_check "replay of a session where A was picked: all containers again at the end" \
	jqt -s '.[-1].container == null' "$tmp/picked.json"
"$KTOP_BIN" -J -d 0.3 -n 3 -c "$A" -w "$tmp/a.ktop" >/dev/null 2>&1
tap_check "replay of a -c A recording: every frame names A, running" \
	jqt -s --arg a "$A" 'length == 3 and all(.[]; .container == $a and .container_state == "running")' \
	<("$KTOP_BIN" -r "$tmp/a.ktop" -J 2>/dev/null)
tap_check "replay of a -c A recording, as text: the header names A" \
	grep -q "container $A (cgroup" <("$KTOP_BIN" -r "$tmp/a.ktop" -b 2>/dev/null | head -1)
