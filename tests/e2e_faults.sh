#!/usr/bin/env bash
# tests/e2e_faults.sh: a collector whose program fails to load or attach (forced with the
# KTOP_FAULT test hook, core/fault.h) says why in -J's `collectors` and in the screen's
# header, and every other collector keeps running; ktop still exits 0.
. "$(dirname "$0")/lib.sh"
need_root "collector faults" || exit 0
tmp=$(mktemp -d)
S=ktop-faults-$$
trap 'tmux kill-session -t $S 2>/dev/null; rm -rf "$tmp"' EXIT

# each collector's state with no fault: only one that runs here can be made to fail, and
# every other one must keep the state it had (ok, or off/unavailable as before)
"$KTOP_BIN" -J -n 1 -d 0.2 | jq -c '.collectors' >"$tmp/base"
# (with no frame the loop below would check nothing at all)
tap_check "with no fault, ktop's frame lists its collectors" jqt 'length >= 5' "$tmp/base"
for c in $(jq -r 'keys[]' "$tmp/base"); do
	state=$(jq -r --arg c "$c" '.[$c]' "$tmp/base")
	if [[ $state != ok* ]]; then
		tap_skip "$c fails to load or attach" "it does not run here without a fault: $state"
		continue
	fi
	for kind in load attach; do
		KTOP_FAULT=$c:$kind "$KTOP_BIN" -J -n 2 -d 0.2 >"$tmp/out" 2>"$tmp/err"
		rc=$?
		tap_check "$c fails to $kind: ktop still runs (exit $rc)" [ $rc = 0 ]
		tap_check "$c fails to $kind: its reason is in collectors" \
			jqt --arg c "$c" --arg k "$kind" \
			'.collectors[$c] | startswith("unavailable: cannot " + $k)' "$tmp/out"
		tap_check "$c fails to $kind: the others keep their state" jqt --arg c "$c" \
			--slurpfile base "$tmp/base" \
			'.collectors | del(.[$c]) == ($base[0] | del(.[$c]))' "$tmp/out"
	done
done
# a collector failing does not take the syscalls pane's rows with it
KTOP_FAULT=critical:attach,tasklets:load "$KTOP_BIN" -J -n 2 -d 0.2 >"$tmp/out"
tap_check "two collectors down: syscalls still has rows" jqt -s '.[1].syscalls | length > 0' "$tmp/out"

if command -v tmux >/dev/null; then
	tmux new-session -d -s $S -x 160 -y 40 env KTOP_FAULT=tasklets:attach "$KTOP_BIN"
	tap_check "the screen's header says why tasklets do not run" \
		wait_for "tmux_screen $S | head -3 | grep -q 'tasklets: unavailable: cannot attach'" 15
	tap_check "the header says the others run" \
		wait_for "tmux_screen $S | head -3 | grep -q 'syscalls: ok'" 8
	tmux kill-session -t $S
else
	tap_skip "the screen's header names the failed collector" "tmux is not installed"
fi
