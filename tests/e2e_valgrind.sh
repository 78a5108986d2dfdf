#!/usr/bin/env bash
# tests/e2e_valgrind.sh: batch mode under valgrind (memcheck): no invalid read or write,
# no use of uninitialised memory, no leak, over three frames of every collector. The only
# suppressions (tests/valgrind.supp) are bpf(2) arguments valgrind does not model.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { tap_skip "valgrind" "valgrind is not installed"; exit 0; }
need_root "valgrind" || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# an ASan build cannot run under valgrind
if nm -D "$KTOP_BIN" 2>/dev/null | grep -q __asan_init || nm "$KTOP_BIN" 2>/dev/null | grep -q __asan_init; then
	tap_skip "ktop -J under valgrind" "$KTOP_BIN is built with AddressSanitizer"
	exit 0
fi
valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--suppressions="$(dirname "$0")/valgrind.supp" \
	--log-file="$tmp/vg.log" "$KTOP_BIN" -J -n 3 -d 0.3 >"$tmp/out.json" 2>"$tmp/err"
rc=$?
tap_diag "$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$tmp/vg.log" | sed 's/^==[0-9]*== //' | tr '\n' ' ')"
tap_check "ktop -J -n 3 -d 0.3 under valgrind: no error, no leak (exit $rc)" [ $rc = 0 ]
[ $rc = 0 ] || grep -A12 -E 'Invalid|uninitialised|definitely lost' "$tmp/vg.log" | head -40 | sed 's/^/# /'
tap_check "three frames" jqt -s 'length == 3' "$tmp/out.json"
tap_check "every collector running in the first frame ran in all three" \
	collectors_kept_running "$tmp/out.json"
