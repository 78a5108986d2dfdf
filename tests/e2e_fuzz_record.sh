#!/usr/bin/env bash
# tests/e2e_fuzz_record.sh: the recording reader's fuzz target (tests/fuzz_record.c), briefly:
# every seed in tests/corpus/record/ once, then FUZZ_RECORD_SECONDS (default 20) of
# libFuzzer with AddressSanitizer and UBSan. `make fuzz` runs it for longer.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/$BUILD/fuzz/fuzz_record
seeds=$root/tests/corpus/record
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s -C "$root" "$BUILD/fuzz/fuzz_record" >"$tmp/build.log" 2>&1; then
	tap_skip "fuzz the recording reader" \
		"cannot build it with clang -fsanitize=fuzzer (libclang-rt-14-dev?): $(tail -1 "$tmp/build.log")"
	exit 0
fi
tap_check "the seed corpus has recordings" [ "$(ls "$seeds" | wc -l)" -ge 3 ]
"$fuzz" "$seeds"/* >"$tmp/seeds.log" 2>&1
tap_check "every seed replays under ASan/UBSan" [ $? -eq 0 ]
mkdir "$tmp/corpus"
"$fuzz" -max_total_time="${FUZZ_RECORD_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$root/$BUILD/fuzz/" \
	"$tmp/corpus" "$seeds" >"$tmp/fuzz.log" 2>&1
rc=$?
tap_diag "$(grep -E '^Done [0-9]+ runs' "$tmp/fuzz.log")"
if [ $rc -eq 0 ]; then
	tap_ok "${FUZZ_RECORD_SECONDS:-20} s of fuzzing found nothing"
else
	tap_fail "fuzzing found a crash (exit $rc)"
	grep -E 'ERROR|SUMMARY|Test unit written' "$tmp/fuzz.log" | head -5 | sed 's/^/# /'
fi
