#!/usr/bin/env bash
# tools/bench-container-filter.sh: what the container filter adds to each system call.
# One run, rounds interleaved so drift hits every case alike; median of ROUNDS. Cases,
# each timing CALLS getppid() calls (tests/workloads/syscall_loop --bench) on one CPU:
#   bare        no ktop
#   off         ktop running, no container selected (the filter is one array lookup)
#   on_other    ktop -c <a test container>; the caller is outside it (dropped at sys_enter)
#   on_member   ktop -c <a test container>; the caller is inside it (counted)
# The test container is a fresh cgroup (v1 memory and cgroup2) + unshare, as in
# tests/e2e_containers.sh. Needs root. Prints "case ns_per_call added_vs_off" lines.
set -u
cd "$(dirname "$0")/.."
CALLS=${CALLS:-3000000}
ROUNDS=${ROUNDS:-5}
KTOP_ARGS=${KTOP_ARGS:-}
KTOP=${KTOP:-./ktop}
LOOP=$PWD/build/tests/workloads/syscall_loop
[ -x "$LOOP" ] || make -s "$LOOP" >/dev/null
cpu_loop=$(($(nproc) > 1 ? 1 : 0))
V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
CG=ktop-bench-$$
dirs=()
for d in ${V1:+$V1/$CG} ${V2:+$V2/$CG}; do mkdir "$d" && dirs+=("$d"); done
holder=
cleanup() {
	[ -n "$holder" ] && kill -KILL "$holder" 2>/dev/null
	wait 2>/dev/null
	for d in "${dirs[@]}"; do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	sleep 0.2
	for d in "${dirs[@]}"; do rmdir "$d" 2>/dev/null; done
}
trap cleanup EXIT

# A member that keeps the container alive: it sleeps in its own namespaces
# shellcheck disable=SC2016
sh -c 'for d in "$@"; do echo $$ > "$d/cgroup.procs"; done
	exec unshare --pid --uts --mount --fork sh -c "hostname '"$CG"'; exec sleep 3600"' \
	sh "${dirs[@]}" &
holder=$!
sleep 0.5

measure() { taskset -c $cpu_loop "$LOOP" --bench "$CALLS"; }
# measure inside the container's cgroups (no new namespaces needed for the filter)
measure_member() {
	# shellcheck disable=SC2016
	sh -c 'for d in "$@"; do echo $$ > "$d/cgroup.procs"; done; exec "$0" --bench '"$CALLS" \
		"$LOOP" "${dirs[@]}" | tail -1
}

# BPF run time per system call of ktop's sys_enter + sys_exit programs (kernel run-time
# stats, which ktop switches on): far less noisy than wall-clock time on a busy machine
bpf_ns_per_call() {
	local id enter=0 exit=0 calls=0 j
	for id in $(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}' | sort -un); do
		j=$(bpftool prog show id "$id" -j 2>/dev/null) || continue
		case $(jq -r .name <<<"$j") in
		sys_enter*) enter=$((enter + $(jq -r '.run_time_ns // 0' <<<"$j"))) ;;
		sys_exit*)
			exit=$((exit + $(jq -r '.run_time_ns // 0' <<<"$j")))
			calls=$((calls + $(jq -r '.run_cnt // 0' <<<"$j"))) ;;
		esac
	done
	awk -v e="$enter" -v x="$exit" -v n="$calls" 'BEGIN { printf "%.1f", n ? (e + x) / n : 0 }'
}

# under CASE: start ktop as the case needs, wait for it to attach, measure, stop it
under() {
	local pid out
	case $1 in
	bare) measure; return ;;
	off) taskset -c 0 "$KTOP" -J -d 1 $KTOP_ARGS >/dev/null 2>&1 & ;;
	on_*) taskset -c 0 "$KTOP" -J -d 1 -c "$CG" $KTOP_ARGS >/dev/null 2>&1 & ;;
	esac
	pid=$!
	sleep 1.5
	if [ "$1" = on_member ]; then
		out=$(taskset -c $cpu_loop bash -c "$(declare -f measure_member); LOOP=$LOOP CALLS=$CALLS; dirs=(${dirs[*]}); measure_member")
	else
		out=$(measure)
	fi
	bpf_samples[$1]+="$(bpf_ns_per_call $pid) "
	kill -INT $pid 2>/dev/null
	wait $pid 2>/dev/null
	echo "$out"
}

declare -A samples bpf_samples
cases=(bare off on_other on_member)
for r in $(seq "$ROUNDS"); do
	for c in "${cases[@]}"; do
		under $c >"/tmp/bench-cf-$$"
		samples[$c]+="$(cat "/tmp/bench-cf-$$") "
	done
done
rm -f "/tmp/bench-cf-$$"
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
off=$(echo "${samples[off]}" | median)
for c in "${cases[@]}"; do
	m=$(echo "${samples[$c]}" | median)
	b=$(echo "${bpf_samples[$c]:-}" | median)
	awk -v c="$c" -v m="$m" -v o="$off" -v b="${b:--}" -v all="${samples[$c]}" \
		'BEGIN { printf "%-10s %7.1f ns/call  vs off %+6.1f ns  bpf %5s ns/call   (%s)\n",
			 c, m, m - o, b, all }'
done
