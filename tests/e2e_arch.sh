#!/usr/bin/env bash
# tests/e2e_arch.sh: the Makefile builds for x86_64 only (the BPF programs read pt_regs
# orig_ax, TS_COMPAT and the x86 system vectors): another architecture stops the build with
# a message that says why, before anything is compiled; clean and help still work.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -C "$root" -s -n BUILD="$tmp/b" ARCH=arm64 "$tmp/b/ktop" >"$tmp/out" 2>&1
rc=$?
tap_check "make for arm64 stops ($rc)" [ $rc -ne 0 ]
tap_check "and says why ($(tr '\n' ' ' <"$tmp/out" | head -c 200))" \
	grep -q 'ktop builds for x86_64 only, not arm64: its BPF programs read x86-only' "$tmp/out"
tap_check "nothing was built" [ ! -e "$tmp/b" ]
make -C "$root" -s ARCH=arm64 help >"$tmp/help" 2>&1
rc=$?
tap_check "make help still answers for arm64 ($rc)" [ $rc -eq 0 ]
make -C "$root" -n BUILD="$tmp/b" ARCH=x86 "$tmp/b/ktop" >"$tmp/out" 2>&1
rc=$?
tap_check "make for x86 goes on ($rc)" [ $rc -eq 0 ]
echo "1..$TAP_N"
