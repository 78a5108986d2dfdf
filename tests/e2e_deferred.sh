#!/usr/bin/env bash
# tests/e2e_deferred.sh: workqueue items and timers seen by the real ktop (-J), against the
# counts the kernel gives back to the workloads (tests/workloads/deferred_load):
#   - in a test container (fresh cgroups, ktop -c): a periodic timerfd's expirations read
#     back, nanosleeps, pty writes each read back (one flush_to_ldisc work item each), and
#     syncfs() after writes to a file on an ext4 loop device (wb_workfn) — the counts of
#     work queued and timers armed by the container's tasks, within 2%;
#   - the whole machine at the same time: the same functions, the loop device's workqueue,
#     the columns of both tables, nothing on stderr, the programs gone after exit.
# The kernel's own record of the timer workloads, apart from BPF (a private tracefs instance
# with the hrtimer_start and hrtimer_expire_entry events), says how many expiries of the
# workload's timers ran and which task each one interrupted: ktop -c may miss only expiries
# that interrupted some other task (on the test machine, BPF programs never run in interrupts
# of one task of its own machinery), never one that interrupted idle or the workload.
# The cgroups, the loop device and the ktops are removed even on failure.
. "$(dirname "$0")/lib.sh"
need_root "deferred work through ktop" || exit 0
LOAD=$TEST_BIN/workloads/deferred_load
if [ ! -x "$LOAD" ]; then
	tap_fail "workload $LOAD is built (make unit)"
	exit 1
fi
command -v jq >/dev/null || { tap_skip "deferred work" "needs jq"; exit 0; }
V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
if [ -z "$V1" ] && [ -z "$V2" ]; then
	tap_skip "deferred work" "no cgroup hierarchy is mounted"
	exit 0
fi
tmp=$(mktemp -d)
CG=ktop-e2e-dw-$$
dirs=()
kpid= apid= holder= loopdev= mnt=$tmp/mnt inst=
conf=$tmp/ktop.conf
printf '[general]\npanes = workqueues, timers\n' >"$conf"

cleanup() {
	local p d
	if [ -n "$inst" ]; then
		echo 0 >"$inst/events/timer/enable" 2>/dev/null
		rmdir "$inst" 2>/dev/null
	fi
	for p in $kpid $apid $holder; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for d in "${dirs[@]}"; do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	mountpoint -q "$mnt" && umount "$mnt"
	[ -n "$loopdev" ] && losetup -d "$loopdev"
	for d in "${dirs[@]}"; do
		wait_for "[ -z \"\$(cat $d/cgroup.procs 2>/dev/null)\" ]" 3
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# the file for writeback: on an ext4 loop device, where one can be made
wbfile=
mkdir -p "$mnt"
if truncate -s 64M "$tmp/disk.img" && mkfs.ext4 -q -F "$tmp/disk.img" 2>"$tmp/mkfs.err" &&
	loopdev=$(losetup -f --show "$tmp/disk.img" 2>"$tmp/losetup.err") &&
	mount "$loopdev" "$mnt" 2>"$tmp/mount.err"; then
	wbfile=$mnt/file
fi

# The container: fresh cgroups and a holder in its own namespaces named $CG (as
# tests/e2e_containers.sh makes them); workloads join its cgroups
for d in ${V1:+$V1/$CG} ${V2:+$V2/$CG}; do mkdir "$d" && dirs+=("$d"); done
# shellcheck disable=SC2016 # expanded by the inner shell
sh -c 'for d in "$@"; do echo $$ > "$d/cgroup.procs"; done
	exec unshare --pid --uts --mount --fork sh -c "hostname '"$CG"'; exec sleep 3600"' \
	sh "${dirs[@]}" &
holder=$!
tap_check "the test container started" wait_for "[ -n \"\$(cat ${dirs[0]}/cgroup.procs 2>/dev/null)\" ]" 10
# in_container CMD...: run CMD in the container's cgroups
in_container() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	DIRS="${dirs[*]}" sh -c 'for d in $DIRS; do echo $$ > "$d/cgroup.procs"; done; exec "$@"' \
		sh "$@"
}

frames() { [ -s "$1" ] && wc -l <"$1" || echo 0; }
"$KTOP_BIN" --config "$conf" -J -d 0.5 -c "$CG" >"$tmp/c.json" 2>"$tmp/c.err" &
kpid=$!
"$KTOP_BIN" --config "$conf" -J -d 0.5 >"$tmp/a.json" 2>"$tmp/a.err" &
apid=$!
wait_for "[ \$(frames $tmp/c.json) -ge 1 ] && [ \$(frames $tmp/a.json) -ge 1 ]" 20
ids=$(prog_ids_of $kpid)

# the kernel's record: every start and expiry of a timerfd or a sleeper while the timer
# workloads run, in a tracefs instance of the test's own (the global buffer stays untouched)
tracefs=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break }
	$(i + 1) == "tracefs" {print $5; exit}' /proc/self/mountinfo)
fn_addr() { awk -v f="$1" '$3 == f {print "0x" $1; exit}' /proc/kallsyms; }
wakeup=$(fn_addr hrtimer_wakeup) tmrproc=$(fn_addr timerfd_tmrproc)
if [ -n "$tracefs" ] && [ -n "$wakeup" ] && [ -n "$tmrproc" ] && [ "$wakeup" != 0x0000000000000000 ] &&
	mkdir "$tracefs/instances/$CG" 2>/dev/null; then
	inst=$tracefs/instances/$CG
	echo 8192 >"$inst/buffer_size_kb"
	for e in hrtimer_start hrtimer_expire_entry; do
		echo "function == $wakeup || function == $tmrproc" >"$inst/events/timer/$e/filter" &&
			echo 1 >"$inst/events/timer/$e/enable" || inst_err=$e
	done
fi
in_container "$LOAD" timerfd 100 4 >"$tmp/timerfd.out"
in_container "$LOAD" sleep 400 1000 >"$tmp/sleep.out"
if [ -n "$inst" ]; then
	echo 0 >"$inst/events/timer/enable"
	cat "$inst/trace" >"$tmp/kernel.trace"
fi
in_container "$LOAD" pty 2000 >"$tmp/pty.out"
[ -n "$wbfile" ] && in_container "$LOAD" writeback "$wbfile" 10 >"$tmp/wb.out"
after=$(frames "$tmp/c.json")
# the frame in progress, and one more
wait_for "[ \$(frames $tmp/c.json) -ge $((after + 2)) ] && [ \$(frames $tmp/a.json) -ge $((after + 2)) ]" 15
kill -TERM $kpid $apid
wait $kpid
wait $apid
kpid= apid=

fig() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
# sum FILE TABLE FUNC FIELD: over every frame
sum() {
	jq -s --arg t "$2" --arg f "$3" --arg c "$4" \
		'[.[][$t][]? | select(.func == $f) | .[$c]] | add // 0' "$1"
}
exp=$(fig "$tmp/timerfd.out" expirations) reads=$(fig "$tmp/timerfd.out" reads)
got=$(sum "$tmp/c.json" timers timerfd_tmrproc count)
tap_diag "timerfd: $exp expirations in $reads reads; ktop -c: timerfd_tmrproc fired $got"
# each read re-arms the timer, so its callback runs once per read; expirations exceed the
# reads only when a read came late (the kernel folds the missed periods into one run)
tap_check "timerfd_tmrproc expiries match the timerfd's reads within 2% ($got of $reads)" \
	between_nonzero $((got * 100)) $((reads * 98)) $((reads * 102))
# the expirations read back count the callback's runs only when no read came late (each
# late read folds its missed periods into one run: 400 expirations in 393 reads ran 393)
if [ "$reads" -eq "$exp" ]; then
	tap_check "timerfd_tmrproc expiries match the expirations read back within 2% ($got of $exp)" \
		between_nonzero $((got * 100)) $((exp * 98)) $((exp * 102))
else
	tap_skip "timerfd_tmrproc expiries against the expirations read back" \
		"the reader was late on this machine: $reads reads for $exp expirations"
fi
starts=$(sum "$tmp/c.json" timers timerfd_tmrproc starts)
tap_check "timerfd_tmrproc starts: one per read, plus the first arm, within 2% ($starts of $reads)" \
	between_nonzero $((starts * 100)) $((reads * 98)) $(((reads + 1) * 102))
# kernel_expiries FUNC: "N OTHER WHO" from the kernel's record: N expiries of the timers the
# workload armed, OTHER of them interrupting neither idle nor the workload, WHO those tasks
kernel_expiries() {
	awk -v f="$1" '
	/^#/ { next }
	{
		# "TASK-PID [CPU] FLAGS TIME: EVENT: hrtimer=… function=…" (a task name may hold spaces)
		ev = ""
		for (i = 2; i < NF - 1; i++)
			if ($i == "hrtimer_start:" || $i == "hrtimer_expire_entry:") {
				ev = $i
				break
			}
		if (ev == "")
			next
		task = substr($0, 1, index($0, " [") - 1)
		gsub(/^ +| +$/, "", task)
		comm = task
		sub(/-[0-9]+$/, "", comm)
	}
	ev == "hrtimer_start:" && comm == "deferred_load" { mine[$(i + 1)] = 1 }
	ev == "hrtimer_expire_entry:" && $(i + 2) == "function=" f && mine[$(i + 1)] {
		n++
		if (comm != "<idle>" && comm != "deferred_load") {
			other++
			gsub(/ /, "_", task)
			who[task]++
		}
	}
	END {
		list = ""
		for (t in who)
			list = list (list == "" ? "" : ",") t "x" who[t]
		print n + 0, other + 0, (list == "" ? "-" : list)
	}' "$tmp/kernel.trace"
}
# check_against_kernel FUNC GOT: ktop -c's count against the kernel's record
# between_of_some VALUE LOW HIGH: between, and the kernel's record has some (HIGH > 0): an
# empty record and a ktop that counted nothing would agree
between_of_some() { [ "$3" -gt 0 ] && between "$@"; }
check_against_kernel() {
	local n other who written
	# an overwritten record (entries-in-buffer/entries-written differ) is no reference
	written=$(awk '/entries-in-buffer\/entries-written:/ {split($3, a, "/"); print (a[1] == a[2])}' \
		"$tmp/kernel.trace")
	if [ -z "$inst" ] || [ "$written" != 1 ]; then
		tap_skip "$1 expiries against the kernel's record" \
			"no tracefs instance with the timer events${inst_err:+ ($inst_err)}, or it overflowed"
		return
	fi
	read -r n other who <<<"$(kernel_expiries "$1")"
	tap_diag "$1: the kernel ran $n expiries of the workload's timers, $other of them in" \
		"interrupts of other tasks ($who); ktop -c counted $2"
	tap_check "$1: ktop -c counted no more than the kernel ran, and missed only expiries that interrupted other tasks ($2 of $n, $other in other tasks)" \
		between_of_some "$2" $((n - other)) "$n"
}
check_against_kernel timerfd_tmrproc "$got"
sleeps=$(fig "$tmp/sleep.out" sleeps)
got=$(sum "$tmp/c.json" timers hrtimer_wakeup count)
tap_diag "nanosleep: $sleeps sleeps; ktop -c: hrtimer_wakeup fired $got"
tap_check "hrtimer_wakeup expiries match the sleeps within 2% ($got of $sleeps)" \
	between_nonzero $((got * 100)) $((sleeps * 98)) $((sleeps * 102))
check_against_kernel hrtimer_wakeup "$got"
# (PREEMPT_RT expires the timers of sleepers, not marked hard, in the HRTIMER softirq)
sleep_kind=hrtimer
[ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ] && sleep_kind=hrtimer_soft
tap_check "hrtimer_wakeup has callback time, lateness and both histograms, kind $sleep_kind" \
	jqt -s --arg k "$sleep_kind" '[.[].timers[]? | select(.func == "hrtimer_wakeup")] |
		(map(.total_ns) | add) > 0 and (map(.late_count) | add) > 0 and
		(map(.exec_hist | add) | add) > 0 and (map(.late_hist | add) | add) > 0 and
		all(.kind == $k)' "$tmp/c.json"
writes=$(fig "$tmp/pty.out" writes)
got=$(sum "$tmp/c.json" workqueues flush_to_ldisc count)
tap_diag "pty: $writes writes read back; ktop -c: flush_to_ldisc ran $got"
tap_check "flush_to_ldisc runs match the pty writes within 2% ($got of $writes)" \
	between_nonzero $((got * 100)) $((writes * 98)) $((writes * 102))
tap_check "flush_to_ldisc has a workqueue, queue delay and run time" \
	jqt -s '[.[].workqueues[]? | select(.func == "flush_to_ldisc")] | all(.workqueue != "")
		and (map(.queue_count) | add) > 0 and (map(.queue_total_ns) | add) > 0
		and (map(.total_ns) | add) > 0' "$tmp/c.json"
if [ -n "$wbfile" ]; then
	syncs=$(fig "$tmp/wb.out" syncs)
	got=$(sum "$tmp/c.json" workqueues wb_workfn count)
	tap_diag "writeback: $syncs syncfs after writes; ktop -c: wb_workfn ran $got"
	tap_check "wb_workfn on the writeback workqueue runs at least once per syncfs ($got for $syncs)" \
		jqt -s --argjson n "$syncs" '[.[].workqueues[]? | select(.func == "wb_workfn"
			and .workqueue == "writeback") | .count] | add // 0 >= $n' "$tmp/c.json"
	lo=$(basename "$loopdev")
	tap_check "the whole machine shows the loop device's workqueue ($lo)" \
		jqt -s --arg w "$lo" 'any(.[].workqueues[]?; .workqueue == $w and .count > 0)' "$tmp/a.json"
else
	tap_skip "writeback through a loop device" "cannot make one: $(cat "$tmp"/*.err 2>/dev/null | head -c 200)"
	tap_skip "the loop device's workqueue" "no loop device"
fi
tap_check "the whole machine sees at least the container's timers" \
	jqt -s --slurpfile c "$tmp/c.json" '([$c[].timers[]? | select(.func == "hrtimer_wakeup")
		| .count] | add) as $mine | $mine > 0 and ([.[].timers[]? | select(.func == "hrtimer_wakeup")
		| .count] | add) >= $mine' "$tmp/a.json"
tap_check "workqueue rows have func workqueue count total_ns max_ns queue_total_ns queue_max_ns queued cpus" \
	jqt -s '[.[].workqueues[]? | has("func") and has("workqueue") and has("count") and
		has("total_ns") and has("max_ns") and has("queue_total_ns") and has("queue_max_ns")
		and has("queued") and has("cpus") and has("exec_hist") and has("queue_hist")]
		| length > 0 and all' "$tmp/a.json"
tap_check "timer rows have func kind count total_ns max_ns late_total_ns late_max_ns starts cpus" \
	jqt -s '[.[].timers[]? | has("func") and has("kind") and has("count") and has("total_ns")
		and has("max_ns") and has("late_total_ns") and has("late_max_ns") and has("starts")
		and has("cpus") and has("exec_hist") and has("late_hist")] | length > 0 and all' "$tmp/a.json"
tap_check "AVG <= MAX on every row (a row is one frame's truth)" \
	jqt -s '[.[].workqueues[]?, .[].timers[]? | select(.count > 0)
		| .total_ns <= .max_ns * .count] | all' "$tmp/a.json"
tap_check "the deferred collector reports ok" \
	jqt -s 'all(.collectors.deferred == "ok")' "$tmp/a.json"
tap_check "nothing on stderr (ktop -c)" [ ! -s "$tmp/c.err" ]
tap_check "nothing on stderr (whole machine)" [ ! -s "$tmp/a.err" ]
# the same tables in a recording (replayed as recorded) and in the exporter's format
"$KTOP_BIN" --config "$conf" -J -d 0.3 -n 3 -w "$tmp/rec.ktop" >"$tmp/live.json" 2>/dev/null
"$KTOP_BIN" -r "$tmp/rec.ktop" -J >"$tmp/replay.json" 2>/dev/null
tap_check "a recording replays the workqueues and timers tables as they were live" \
	jqt -n --slurpfile a "$tmp/live.json" --slurpfile b "$tmp/replay.json" \
	'($a | map({workqueues, timers})) == ($b | map({workqueues, timers})) and
	 ($a | map(.timers | length) | add) > 0' "$tmp/live.json"
# (a quiet machine may run no work item in a short run: tried until one ran, 30 times at most)
work_re='^ktop_workqueues_count_total\{func="[^"]+",workqueue="[^"]*"\} [0-9]+$'
om_has_work() {
	"$KTOP_BIN" --config "$conf" -b --format openmetrics -d 0.3 -n 2 >"$tmp/om.txt" 2>/dev/null &&
		grep -qE "$work_re" "$tmp/om.txt"
}
tap_check "the exporter's format has work items by function and workqueue" wait_for om_has_work 3
tap_check "the exporter's format has timers by callback and kind, with lateness histograms" \
	grep -qE '^ktop_timers_late_seconds_bucket\{func="[^"]+",kind="(hrtimer|hrtimer_soft|timer)",le=' "$tmp/om.txt"
tap_diag "ktop -c's programs: $(echo $ids)"
tap_check "ktop loaded the ten deferred-work programs (4 workqueue, 3 hrtimer, 3 timer)" \
	[ "$(echo $ids | wc -w)" -eq 10 ]
tap_check "its programs are gone after it exits" progs_gone $ids
echo "1..$TAP_N"
