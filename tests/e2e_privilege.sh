#!/usr/bin/env bash
# tests/e2e_privilege.sh: least privilege. Once its collectors are attached, ktop holds only
# the capabilities it still uses (CAP_SYS_ADMIN for the BPF statistics and container names,
# CAP_SYS_PTRACE for other processes' namespaces, CAP_DAC_OVERRIDE only while recording) in
# its effective, permitted and bounding sets, nothing inheritable or ambient, and
# no-new-privs; what it kept still works after the drop. --check says all of this.
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
	for f in CapEff CapPrm CapBnd; do
		if [ "$(cap_field "$p" $f)" != "$want" ]; then
			ok=0
			tap_diag "$what: $f=$(awk -v f="$f:" '$1 == f {print $2}' /proc/"$p"/status), want $(printf '%016x' "$want")"
		fi
	done
	tap_check "$what: effective, permitted and bounding sets hold only what is used" [ $ok = 1 ]
	tap_check "$what: nothing inheritable or ambient" \
		[ "$(cap_field "$p" CapInh)" = 0 -a "$(cap_field "$p" CapAmb)" = 0 ]
	tap_check "$what: no-new-privs is set" grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$p"/status
}

tap_diag "capabilities before: $(awk '/^CapEff/ {print $2}' /proc/self/status)"
"$KTOP_BIN" -J -d 0.2 -n 30 >"$tmp/out.json" 2>"$tmp/err" &
pid=$!
if wait_for "[ -s $tmp/out.json ]" 15; then
	tap_diag "capabilities after: $(awk '/^CapEff/ {print $2}' /proc/$pid/status)"
	check_caps "running" $((SYS_ADMIN | SYS_PTRACE)) $pid
	wait $pid
	tap_check "ktop ran its 30 frames after the drop" [ "$(wc -l <"$tmp/out.json")" = 30 ]
	tap_check "every collector kept running" \
		jqt -s 'all(.[]; .collectors | to_entries | all(.value | startswith("ok")))' "$tmp/out.json"
	# BPF statistics are switched on again in frame 10 (bpf_enable_stats: CAP_SYS_ADMIN)
	tap_check "BPF run time is measured again after the drop (CAP_SYS_ADMIN kept for it)" \
		jqt -s '.[1].self.bpf_ns_per_s != .[12].self.bpf_ns_per_s and .[12].self.bpf_ns_per_s > 0' \
		"$tmp/out.json"
	tap_check "no warning about the drop" [ ! -s "$tmp/err" ]
else
	tap_fail "ktop -J did not start: $(head -1 "$tmp/err")"
fi
pid=

# recording keeps CAP_DAC_OVERRIDE for the rotated files
"$KTOP_BIN" -J -d 0.2 -n 10 -w "$tmp/rec.ktop" >"$tmp/out2.json" 2>"$tmp/err" &
pid=$!
if wait_for "[ -s $tmp/out2.json ]" 15; then
	check_caps "recording (-w)" $((SYS_ADMIN | SYS_PTRACE | DAC_OVERRIDE)) $pid
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
tap_check "--check: CAP_SYS_ADMIN kept, for the BPF statistics" \
	grep -qE '^  CAP_SYS_ADMIN +yes +kept +BPF run-time statistics' "$tmp/check"
tap_check "--check: which collectors run" grep -qE '^syscalls +ok' "$tmp/check"
