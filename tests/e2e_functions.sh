#!/usr/bin/env bash
# tests/e2e_functions.sh: the Functions pane through the real ktop (-f FUNC, -J).
#   - --check names the functions collector and how it would trace (fentry, kprobe), or why
#     it cannot ("unavailable: this kernel has no kprobes ... and refuses fentry ...");
#   - where the kernel allows neither (this development machine): -f still runs, every
#     frame's collectors.functions says why, and the check agrees with the kernel (no
#     kprobe event source);
#   - where it allows one (Debian's kernels, in tools/test-kernels.sh's guests): N getppid()
#     calls of tests/workloads/syscall_loop are N calls of __x64_sys_getppid within 1 %,
#     timed, with a latency histogram; its M failing close(-1) calls are M errors of
#     __x64_sys_close; a function that does not exist is refused with the reason, the
#     others still traced; the programs are gone after ktop exits;
#   - the details in JSON, with [functions] callers = yes from a config file and
#     -f do_sys_openat2:dfd: the N getppid() calls in function_callers from stacks through
#     do_syscall_64, N within 1 %; N openat(DFD, ...) of syscall_loop --openat in
#     function_args as dfd=DFD, N within 1 %; the M failing close(-1) as ret=-9 (EBADF) of
#     __x64_sys_close, whose one argument is a pointer (the default: its long return).
. "$(dirname "$0")/lib.sh"
need_root "kernel functions through ktop" || exit 0
command -v jq >/dev/null || { tap_skip "kernel functions" "needs jq"; exit 0; }
LOAD=$TEST_BIN/workloads/syscall_loop
if [ ! -x "$LOAD" ]; then
	tap_fail "workload $LOAD is built (make unit)"
	exit 1
fi
tmp=$(mktemp -d)
kpid=
cleanup() {
	[ -n "$kpid" ] && kill -KILL "$kpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
KPROBE_TYPE=/sys/bus/event_source/devices/kprobe/type

"$KTOP_BIN" --check >"$tmp/check" 2>&1
line=$(grep '^functions ' "$tmp/check")
tap_diag "--check: $line"
tap_check "--check has a functions line saying ok or unavailable" \
	grep -qE '^functions +(ok \((fentry|kprobe); |unavailable: )' "$tmp/check"

frames() { [ -s "$1" ] && wc -l <"$1" || echo 0; }

if [[ $line == *unavailable:* ]]; then
	tap_check "the reason names both methods" \
		grep -qE '^functions +unavailable: this kernel has no kprobes .* refuses fentry' "$tmp/check"
	tap_check "the kernel has no kprobe event source indeed" test ! -e "$KPROBE_TYPE"
	"$KTOP_BIN" -f __x64_sys_getppid -J -n 2 -d 0.3 >"$tmp/u.json" 2>"$tmp/u.err"
	rc=$?
	tap_check "ktop -f runs on and exits 0 (rc $rc)" test "$rc" = 0
	tap_check "two frames came" test "$(frames "$tmp/u.json")" = 2
	tap_check "every frame says why functions are unavailable" \
		jqt -s 'length == 2 and all(.collectors.functions
			| startswith("unavailable: this kernel has no kprobes"))' "$tmp/u.json"
	tap_check "no functions rows, nothing on stderr" \
		jqt -s 'all((.functions // []) | length == 0)' "$tmp/u.json"
	tap_check "stderr is empty" test ! -s "$tmp/u.err"
	if command -v tmux >/dev/null; then
		S=ktop-e2e-functions-$$
		tmux_start "$S" 160 50 "$KTOP_BIN" --defaults -f __x64_sys_getppid
		tap_check "the Functions pane on the screen says why" \
			wait_for "screen_has 'Functions.*(unavailable: this kernel has no kprobes'" 15
		tmux kill-session -t "$S" 2>/dev/null
	else
		tap_skip "the Functions pane on the screen" "needs tmux"
	fi
	exit 0
fi

N=20000 M=5000
"$KTOP_BIN" -J -d 0.5 -f __x64_sys_getppid -f __x64_sys_close -f ktop_no_such_function \
	>"$tmp/f.json" 2>"$tmp/f.err" &
kpid=$!
tap_check "the first frame came" wait_for "[ \$(frames $tmp/f.json) -ge 1 ]" 60
ids=$(prog_ids_of $kpid)
"$LOAD" $N $M >"$tmp/load"
after=$(frames "$tmp/f.json")
# the frame in progress, and one more
wait_for "[ \$(frames $tmp/f.json) -ge $((after + 2)) ]" 30
kill -TERM $kpid
wait $kpid
rc=$?
kpid=
tap_check "ktop exited 0 on SIGTERM (rc $rc)" test "$rc" = 0

# sum FUNC FIELD: over every frame
sum() {
	jq -s --arg f "$1" --arg c "$2" '[.[].functions[]? | select(.func == $f) | .[$c]] | add // 0' \
		"$tmp/f.json"
}
method=$(jq -r 'select(.functions) | .functions[] | select(.func == "__x64_sys_getppid") | .traced' \
	"$tmp/f.json" | tail -n 1)
calls=$(sum __x64_sys_getppid calls) timed=$(sum __x64_sys_getppid returns)
tap_diag "$method: $N getppid -> $calls calls, $timed timed; collectors: $(jq -r '.collectors.functions' "$tmp/f.json" | tail -n 1)"
tap_check "traced by fentry or kprobe ($method)" grep -qxE 'fentry|kprobe' <<<"$method"
tap_check "__x64_sys_getppid calls match the workload within 1% ($calls of $N)" \
	between $((calls * 100)) $((N * 100)) $((N * 101))
tap_check "its calls are timed ($timed of $calls)" \
	between $((timed * 100)) $((calls * 99 > 0 ? calls * 99 : 1)) $((calls * 100))
tap_check "its latency histogram holds every timed call, AVG <= MAX, no errors" \
	jqt -s --argjson t "$timed" '[.[].functions[]? | select(.func == "__x64_sys_getppid")]
		| (map(.latency_hist // [] | add // 0) | add) == $t and (map(.errors) | add) == 0
		and all(.returns == 0 or .max_ns * .returns >= .total_ns)' "$tmp/f.json"
errors=$(sum __x64_sys_close errors)
tap_diag "$M failing close(-1) -> $errors errors of __x64_sys_close"
tap_check "__x64_sys_close errors match the failing closes within 1% ($errors of $M)" \
	between $((errors * 100)) $((M * 100)) $((M * 101))
tap_check "a function that does not exist is refused with the reason" \
	jqt -s 'any(.[].functions[]?; .func == "ktop_no_such_function"
		and (.traced | startswith("refused: ")) and .calls == 0)' "$tmp/f.json"
tap_check "the collector says what it traced and refused" \
	jqt -s 'last.collectors.functions | test("^ok \\((fentry|kprobe); 2 traced, 1 refused")' "$tmp/f.json"
tap_check "stderr is empty" test ! -s "$tmp/f.err"
# shellcheck disable=SC2086 # ids is a list
tap_check "its BPF programs are gone after exit" progs_gone $ids

# The details: callers' stacks of every timed function (callers = yes: no detail is open
# in -J), and the values of an argument asked for (-f FUNC:ARG) or the default one
DFD=777
printf '[functions]\ncallers = yes\n' >"$tmp/details.conf"
"$KTOP_BIN" --config "$tmp/details.conf" -J -d 0.5 -f __x64_sys_getppid -f __x64_sys_close \
	-f do_sys_openat2:dfd >"$tmp/d.json" 2>"$tmp/d.err" &
kpid=$!
tap_check "the first frame came (details)" wait_for "[ \$(frames $tmp/d.json) -ge 1 ]" 60
"$LOAD" $N $M >"$tmp/load"
"$LOAD" --openat $N $DFD >"$tmp/load2"
after=$(frames "$tmp/d.json")
wait_for "[ \$(frames $tmp/d.json) -ge $((after + 2)) ]" 30
kill -TERM $kpid
wait $kpid
rc=$?
kpid=
tap_check "ktop exited 0 on SIGTERM (rc $rc, details)" test "$rc" = 0
tap_check "stderr is empty (details)" test ! -s "$tmp/d.err"
# dsum TABLE FUNC JQ-FILTER: the counts of FUNC's rows of TABLE that pass the filter
dsum() {
	jq -s --arg f "$2" "[.[].$1[]? | select(.func == \$f) | select($3) | .count] | add // 0" \
		"$tmp/d.json"
}
through=$(dsum function_callers __x64_sys_getppid 'any(.stack[]; startswith("do_syscall_64+"))')
any=$(dsum function_callers __x64_sys_getppid 'true')
top=$(jq -rs '[.[].function_callers[]? | select(.func == "__x64_sys_getppid")]
	| max_by(.count) | "\(.caller) [\(.stack | join(" "))]"' "$tmp/d.json")
tap_diag "$N getppid -> $through calls from stacks through do_syscall_64 ($any from any); top: $top"
tap_check "getppid's calls come from stacks through do_syscall_64, N within 1% ($through of $N)" \
	between $((through * 100)) $((N * 99)) $((N * 101))
tap_check "the top stack is named by its caller, do_syscall_64" \
	grep -q '^do_syscall_64' <<<"$top"
ebadf=$(dsum function_args __x64_sys_close '.value == "ret=-9"')
tap_diag "$M failing close(-1) -> $ebadf ret=-9 of __x64_sys_close; values: $(jq -rsc '[.[].function_args[]? | select(.func == "__x64_sys_close")] | map(.value) | unique' "$tmp/d.json")"
tap_check "close's return values count the failing closes within 1% ($ebadf of $M)" \
	between $((ebadf * 100)) $((M * 99)) $((M * 101))
openat=$(jq -rs '[.[].functions[]? | select(.func == "do_sys_openat2")] | last | .traced' "$tmp/d.json")
if [[ $openat == refused:* ]]; then
	tap_skip "dfd values of do_sys_openat2" "this kernel: do_sys_openat2 $openat"
else
	dfd=$(dsum function_args do_sys_openat2 ".value == \"dfd=$DFD\"")
	tap_diag "$N openat($DFD, ...) -> $dfd dfd=$DFD of do_sys_openat2 ($openat)"
	tap_check "do_sys_openat2's dfd=$DFD counts the openat calls within 1% ($dfd of $N)" \
		between $((dfd * 100)) $((N * 100)) $((N * 101))
fi
