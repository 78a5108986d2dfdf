#!/usr/bin/env bash
# tests/e2e_fuzz.sh: every parser's fuzz target (tests/fuzz_NAME.c) briefly: each seed in
# tests/corpus/NAME/ once (the crashes found before stay fixed), then FUZZ_SHORT_SECONDS
# (default 10) of libFuzzer with AddressSanitizer and UBSan. The recording reader, the
# largest input format, gets FUZZ_RECORD_SECONDS (default 20) and needs at least three
# seed recordings. `make fuzz` runs each for FUZZ_SECONDS.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for src in "$root"/tests/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	seconds=${FUZZ_SHORT_SECONDS:-10} min_seeds=1
	[ "$name" = record ] && seconds=${FUZZ_RECORD_SECONDS:-20} min_seeds=3
	fuzz=$root/$BUILD/fuzz/fuzz_$name
	seeds=$root/tests/corpus/$name
	if ! make -s -C "$root" "$BUILD/fuzz/fuzz_$name" >"$tmp/build.log" 2>&1; then
		tap_skip "fuzz $name" \
			"cannot build it with clang -fsanitize=fuzzer (libclang-rt-14-dev?): $(tail -1 "$tmp/build.log")"
		continue
	fi
	tap_check "$name: the seed corpus is there (>= $min_seeds)" \
		[ "$(ls "$seeds" 2>/dev/null | wc -l)" -ge "$min_seeds" ]
	"$fuzz" "$seeds"/* >"$tmp/seeds.log" 2>&1
	tap_check "$name: every seed runs clean under ASan/UBSan" [ $? -eq 0 ]
	mkdir -p "$tmp/corpus-$name"
	"$fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$root/$BUILD/fuzz/$name-" \
		"$tmp/corpus-$name" "$seeds" >"$tmp/fuzz.log" 2>&1
	rc=$?
	tap_diag "$name: $(grep -E '^Done [0-9]+ runs' "$tmp/fuzz.log")"
	if [ $rc -eq 0 ]; then
		tap_ok "$name: $seconds s of fuzzing found nothing"
	else
		tap_fail "$name: fuzzing found a crash (exit $rc), input in $BUILD/fuzz/$name-*"
		grep -E 'ERROR|SUMMARY|Test unit written' "$tmp/fuzz.log" | head -5 | sed 's/^/# /'
	fi
done
