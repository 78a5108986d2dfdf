#!/usr/bin/env bash
# tests/e2e_privilege.sh: least privilege by separation. Once its collectors are attached,
# ktop (terminal, parsers, /proc, recordings) holds no capability at all and has
# no-new-privs; the capabilities still used (CAP_SYS_ADMIN for the BPF statistics and
# container names, CAP_SYS_PTRACE for other processes' namespaces, CAP_DAC_OVERRIDE only
# while recording) stay with ktop-privsep, a helper forked before the drop that holds
# nothing else (no terminal, no BPF object) and ends when ktop ends, even by SIGKILL.
# What the helper does still works after the drop. --check says all of this.
. "$(dirname "$0")/lib.sh"
need_root "least privilege" || exit 0
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

SYS_ADMIN=$((1 << 21)) SYS_PTRACE=$((1 << 19)) DAC_OVERRIDE=$((1 << 1))
cap_field() { printf '%d' "0x$(awk -v f="$2:" '$1 == f {print $2}' /proc/"$1"/status)"; }

# check_caps WHAT EXPECTED PID
check_caps() {
	local what=$1 want=$2 p=$3 f ok=1
	if ! tap_check "$what: the process is there" [ -r /proc/"$p"/status ]; then
		return 1
	fi
	for f in CapEff CapPrm CapBnd; do
		if [ "$(cap_field "$p" $f)" != "$want" ]; then
			ok=0
			tap_diag "$what: $f=$(awk -v f="$f:" '$1 == f {print $2}' /proc/"$p"/status), want $(printf '%016x' "$want")"
		fi
	done
	tap_check "$what: effective, permitted and bounding sets hold $(printf '%x' "$want")" [ $ok = 1 ]
	tap_check "$what: nothing inheritable" [ "$(cap_field "$p" CapInh)" = 0 ]
	tap_check "$what: nothing ambient" [ "$(cap_field "$p" CapAmb)" = 0 ]
	tap_check "$what: no-new-privs is set" grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$p"/status
}

helper_of() { pgrep -P "$1" -x ktop-privsep | head -1; }
# the helper's open files: the three standard ones on /dev/null and its socket
helper_fds() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		printf '%s=%s\n' "${fd##*/}" "$(readlink "$fd")"
	done | sed 's/socket:.*/socket/' | tr '\n' ' '
}

tap_diag "capabilities before: $(awk '/^CapEff/ {print $2}' /proc/self/status)"
# (no frame count: ktop runs until the checks on the living process are done, however slow
# the machine; a 6 s run ended before them in an emulated guest)
"$KTOP_BIN" -J -d 0.2 >"$tmp/out.json" 2>"$tmp/err" &
pid=$!
if wait_for "[ -s $tmp/out.json ]" 60; then
	tap_diag "capabilities after: $(awk '/^CapEff/ {print $2}' /proc/$pid/status)"
	check_caps "ktop" 0 $pid
	helper=$(helper_of $pid)
	tap_check "the privileged helper runs beside it" [ -n "$helper" ]
	if [ -n "$helper" ]; then
		check_caps "the helper" $((SYS_ADMIN | SYS_PTRACE)) "$helper"
		# (between requests: while it serves one, it holds that request's own fd a moment)
		if ! tap_check "the helper holds nothing of ktop's: its stdio on /dev/null, the socket" \
			wait_for "[ \"\$(helper_fds $helper)\" = '0=/dev/null 1=/dev/null 2=/dev/null 3=socket ' ]" 10; then
			tap_diag "the helper's fds: $(helper_fds "$helper")"
		fi
	fi
	wait_for "[ \$(wc -l <$tmp/out.json) -ge 30 ]" 120
	kill -TERM $pid
	wait $pid
	tap_check "ktop ran 30 frames and more after the drop" [ "$(wc -l <"$tmp/out.json")" -ge 30 ]
	tap_check "every collector running in the first frame kept running ($(jq -rc '.collectors | map_values(.[0:12])' "$tmp/out.json" | head -1))" \
		collectors_kept_running "$tmp/out.json"
	# BPF statistics are switched on again in frame 10 (bpf_enable_stats: CAP_SYS_ADMIN)
	tap_check "BPF run time is measured again after the drop (the helper's CAP_SYS_ADMIN)" \
		jqt -s '.[1].self.bpf_ns_per_s != .[12].self.bpf_ns_per_s and .[12].self.bpf_ns_per_s > 0' \
		"$tmp/out.json"
	tap_check "no warning about the drop" [ ! -s "$tmp/err" ]
	tap_check "the helper ends with ktop" wait_gone "${helper:-0}" 3
else
	tap_fail "ktop -J did not start: $(head -1 "$tmp/err")"
fi
pid=

# ktop killed outright: its helper goes too
"$KTOP_BIN" -J -d 0.2 >"$tmp/out3.json" 2>"$tmp/err" &
pid=$!
if wait_for "[ -s $tmp/out3.json ]" 15; then
	helper=$(helper_of $pid)
	kill -KILL $pid
	wait $pid 2>/dev/null
	tap_check "SIGKILL of ktop ends its helper too" wait_gone "${helper:-0}" 3
else
	tap_fail "ktop -J did not start: $(head -1 "$tmp/err")"
fi
pid=

# recording: the helper also keeps CAP_DAC_OVERRIDE, for the rotated files; ktop nothing
"$KTOP_BIN" -J -d 0.2 -w "$tmp/rec.ktop" >"$tmp/out2.json" 2>"$tmp/err" &
pid=$!
if wait_for "[ -s $tmp/out2.json ]" 15; then
	check_caps "ktop -w" 0 $pid
	helper=$(helper_of $pid)
	check_caps "the helper of ktop -w" $((SYS_ADMIN | SYS_PTRACE | DAC_OVERRIDE)) "${helper:-0}"
	kill -TERM $pid
else
	tap_fail "ktop -w did not start: $(head -1 "$tmp/err")"
fi
wait $pid
pid=
"$KTOP_BIN" --check >"$tmp/check" 2>&1
tap_check "--check: CAP_BPF held and dropped after start-up" \
	grep -qE '^  CAP_BPF +yes +dropped' "$tmp/check"
tap_check "--check: CAP_SYSLOG held and dropped after start-up" \
	grep -qE '^  CAP_SYSLOG +yes +dropped' "$tmp/check"
tap_check "--check: CAP_SYS_ADMIN kept by the helper, for the BPF statistics" \
	grep -qE '^  CAP_SYS_ADMIN +yes +helper +BPF run-time statistics' "$tmp/check"
tap_check "--check: which collectors run" grep -qE '^syscalls +ok' "$tmp/check"
