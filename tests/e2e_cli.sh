#!/usr/bin/env bash
# tests/e2e_cli.sh: the command line: bad options, --check, privileges, logging, and no
# BPF program left behind by a batch run.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_usage "what" args...: exit 2, a message naming the bad value, nothing on stdout
expect_usage() {
	local what=$1 needle=$2; shift 2
	"$KTOP_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$needle" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		tap_ok "$what"
	else
		tap_fail "$what (exit $rc: $(head -c 200 "$tmp/err"))"
	fi
}

expect_usage "unknown option is named, exit 2" "--bogus" --bogus
expect_usage "non-numeric interval is named, exit 2" "'abc'" -d abc
expect_usage "zero interval refused" "'0'" -d 0
expect_usage "negative frame count refused" "'-3'" -n -3
expect_usage "fractional frame count refused" "'1.5'" -n 1.5
expect_usage "missing value is named" "-d" -d
expect_usage "stray argument is named" "'extra'" extra

"$KTOP_BIN" -V >"$tmp/out" 2>&1
tap_check "-V prints the version" grep -q '^ktop [0-9]' "$tmp/out"
"$KTOP_BIN" -h >"$tmp/out" 2>&1
tap_check "-h prints usage with every option" grep -q -- '--check' "$tmp/out"

need_root "--check and BPF runs" || { echo "1..$TAP_N"; exit 0; }

"$KTOP_BIN" --check >"$tmp/out" 2>&1
rc=$?
tap_check "--check exits 0 when a collector can run" [ $rc -eq 0 ]
tap_check "--check reports the syscalls collector ok" grep -qE '^syscalls +ok' "$tmp/out"
tap_check "--check reports privileges and BTF" grep -q '^privileges: ok' "$tmp/out"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$KTOP_BIN" -b -n 1 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	tap_check "without privileges: exit 1" [ $rc -eq 1 ]
	tap_check "without privileges: one line on stderr" [ "$(wc -l <"$tmp/err")" -eq 1 ]
	tap_check "without privileges: the line names CAP_BPF and CAP_PERFMON" \
		grep -q 'CAP_BPF and CAP_PERFMON' "$tmp/err"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$KTOP_BIN" --check >"$tmp/out" 2>&1
	rc=$?
	tap_check "--check without privileges: exit 1" [ $rc -eq 1 ]
	tap_check "--check without privileges says what is missing" grep -q 'needs CAP_BPF' "$tmp/out"
else
	tap_skip "running without privileges" "setpriv (util-linux) is not installed"
fi

tap_skip "running without kernel BTF" "BTF cannot be taken away from a running kernel; the check is in collectors_missing_requirement()"

"$KTOP_BIN" -b -n 1 -d 0.2 --log "$tmp/libbpf.log" >"$tmp/out" 2>"$tmp/err"
tap_check "--log keeps libbpf's messages in the file" [ -s "$tmp/libbpf.log" ]
tap_check "--log: none of them on the terminal" [ ! -s "$tmp/err" ]

"$KTOP_BIN" -J -d 0.2 -n 100 >"$tmp/out" 2>&1 &
kpid=$!
wait_for "[ -n \"\$(prog_ids_of $kpid)\" ]" 15
ids=$(prog_ids_of $kpid)
tap_check "a running ktop holds BPF programs" [ -n "$ids" ]
kill -TERM $kpid
wait_gone $kpid 3
tap_check "SIGTERM ends a batch run promptly (within 3 s)" ! kill -0 $kpid 2>/dev/null
wait $kpid 2>/dev/null
# the kernel frees programs after an RCU grace period: allow it a moment
tap_check "no BPF program left after it ends" wait_for "progs_gone $(echo $ids)" 8

tap_check "docs/JSON.md lists every table and column ktop writes" \
	"$(dirname "$0")/../tools/gen-json-doc.sh" --check

printf '[general]\npanes = syscalls, processes\n' >"$tmp/lean.conf"
"$KTOP_BIN" --config "$tmp/lean.conf" -J -n 1 -d 0.2 >"$tmp/out" 2>&1
tap_check "a collector with no pane in [general] panes is not loaded, and says so" \
	jqt '.collectors.syscalls == "ok" and (.collectors.interrupts | startswith("off:"))' "$tmp/out"

# a script's background job starts with SIGINT ignored: ktop must still end on it
"$KTOP_BIN" -J -d 0.2 >/dev/null 2>&1 &
kpid=$!
wait_for "[ -n \"\$(prog_ids_of $kpid)\" ]" 15
kill -INT $kpid
tap_check "SIGINT ends ktop started as a background job of a script" wait_gone $kpid 3
kill -KILL $kpid 2>/dev/null # never hang the suite on a failure
wait $kpid 2>/dev/null

printf '[general]\ninterval = 2\n' >"$tmp/open.conf"
chmod 666 "$tmp/open.conf"
"$KTOP_BIN" --config "$tmp/open.conf" -b -n 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
tap_check "a config file anyone can write is refused: exit 2" [ $rc -eq 2 ]
tap_check "a config file anyone can write: the message gives the fix" grep -q 'chmod go-w' "$tmp/err"
