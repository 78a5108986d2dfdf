#!/usr/bin/env bash
# tests/e2e_record.sh: ktop -w / -r. A live run under a known workload prints JSON and
# records in one go; the replay must print the same JSON, byte for byte (no field is
# ignored: names, numbers, times, self cost and collector status are all recorded).
# Then damaged files (cut at every byte of the last frame, corrupt header, wrong magic,
# newer version, random bytes, a flipped bit mid-file): a clear message, exit 2, every
# valid frame before the damage still replayed. Each frame's own pane titles replayed, and
# files without them or with a damaged one. --record-only, rotation, replay without root,
# and the replay screen in tmux: pause, step, seek, speed, drill-down.
. "$(dirname "$0")/lib.sh"
need_root "record and replay" || exit 0
command -v jq >/dev/null || { tap_skip "record and replay" "jq is not installed"; exit 0; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
S=ktop-rec-$$
load_pid=
cleanup() {
	tmux kill-session -t $S 2>/dev/null
	[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- one run, JSON and a recording; the replay equals it ---------------------------
"$TEST_BIN/workloads/syscall_loop" --rate 20000 30 >/dev/null &
load_pid=$!
"$KTOP_BIN" -J -n 6 -d 0.3 -w "$tmp/rec.ktop" >"$tmp/live.json" 2>"$tmp/live.err"
tap_check "ktop -J -w records while it prints (exit 0)" [ $? -eq 0 ]
tap_check "the live run saw the workload's getppid calls" \
	jqt -s '[.[] | .syscalls[] | select(.name == "getppid") | .count] | add > 1000' "$tmp/live.json"
"$KTOP_BIN" -r "$tmp/rec.ktop" -J >"$tmp/replay.json" 2>"$tmp/replay.err"
rc=$?
tap_check "ktop -r -J converts the recording: exit 0" [ $rc -eq 0 ]
tap_check "ktop -r -J converts the recording: no message" [ ! -s "$tmp/replay.err" ]
if cmp -s "$tmp/live.json" "$tmp/replay.json"; then
	tap_ok "the replayed JSON equals the live JSON byte for byte (6 frames)"
else
	tap_fail "the replayed JSON equals the live JSON byte for byte"
	diff <(jq -S . "$tmp/live.json") <(jq -S . "$tmp/replay.json") | head -20 | sed 's/^/# /'
fi
size=$(stat -c %s "$tmp/rec.ktop")
tap_diag "recording: $size bytes for 6 frames ($((size / 6)) bytes per frame, header included)"
"$KTOP_BIN" -r "$tmp/rec.ktop" -b >"$tmp/replay.txt"
tap_check "ktop -r -b prints the frames as text" \
	[ "$(grep -c '^System calls' "$tmp/replay.txt")" -eq 6 ]
tap_check "the text replay carries the recorded host" \
	grep -q "host $(uname -n) " "$tmp/replay.txt"
"$KTOP_BIN" -r "$tmp/rec.ktop" -J -n 2 >"$tmp/two.json"
tap_check "-n limits a replay" [ "$(wc -l <"$tmp/two.json")" -eq 2 ]

# replaying needs no privilege and loads no BPF
if command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$tmp" \
		"$KTOP_BIN" -r "$tmp/rec.ktop" -J >"$tmp/nobody.json" 2>&1
	tap_check "an unprivileged user replays the recording" cmp -s "$tmp/nobody.json" "$tmp/live.json"
else
	tap_skip "an unprivileged user replays the recording" "setpriv is not installed"
fi

# --- a file cut anywhere in its last frame --------------------------------------------
nframes=6
head -c $((size - 1)) "$tmp/rec.ktop" >"$tmp/cut"
"$KTOP_BIN" -r "$tmp/cut" -J >/dev/null 2>"$tmp/cut.err"
last=$(sed -n 's/.*frame 6 at byte \([0-9]*\):.*/\1/p' "$tmp/cut.err")
if [ -z "$last" ]; then
	tap_fail "a cut file names the frame and byte of the damage: $(cat "$tmp/cut.err")"
else
	tap_ok "a cut file names the frame and byte of the damage"
	# the last frame's records start where a cut file replays cleanly again
	start=$last
	while [ "$start" -gt 0 ]; do
		head -c "$start" "$tmp/rec.ktop" >"$tmp/cut"
		"$KTOP_BIN" -r "$tmp/cut" -J >/dev/null 2>&1 && break
		start=$((start - 1))
	done
	head -n $((nframes - 1)) "$tmp/replay.json" >"$tmp/earlier.json"
	# every byte of its first and last 64 (record boundaries and the checksum), and 200
	# cuts spread evenly between: a replay per cut, and a slow machine runs several a second
	frame_len=$((size - start))
	step=$(( frame_len > 328 ? (frame_len - 128) / 200 : 1 ))
	bad=0 checked=0
	for ((cut = start + 1; cut < size; cut += (cut < start + 64 || cut >= size - 65 ? 1 : step))); do
		head -c "$cut" "$tmp/rec.ktop" >"$tmp/cut"
		"$KTOP_BIN" -r "$tmp/cut" -J >"$tmp/cut.json" 2>"$tmp/cut.err"
		rc=$?
		checked=$((checked + 1))
		if [ $rc -ne 2 ] || ! cmp -s "$tmp/cut.json" "$tmp/earlier.json" ||
			! grep -q "frame 6 at byte [0-9]*: truncated" "$tmp/cut.err"; then
			[ $bad -lt 3 ] && tap_diag "cut at $cut: exit $rc: $(cat "$tmp/cut.err")"
			bad=$((bad + 1))
		fi
	done
	tap_check "the last frame is more than 100 bytes long ($frame_len bytes, $checked cuts)" \
		[ $frame_len -gt 100 ]
	tap_check "cut anywhere in the last frame: 5 frames, a message, exit 2 ($bad of $checked wrong)" \
		[ $bad -eq 0 ]
	head -c "$start" "$tmp/rec.ktop" >"$tmp/cut"
	"$KTOP_BIN" -r "$tmp/cut" -J >"$tmp/cut.json" 2>"$tmp/cut.err"
	rc=$?
	tap_check "cut exactly between frames: exit 0" [ $rc -eq 0 ]
	tap_check "cut exactly between frames: the 5 frames before the cut" \
		cmp -s "$tmp/cut.json" "$tmp/earlier.json"
fi

# --- damaged files ----------------------------------------------------------------------
# bad_file NAME "what" expected-message-pattern [frames expected]
bad_file() {
	local f=$1 what=$2 pattern=$3 frames=${4:-0} rc
	"$KTOP_BIN" -r "$tmp/$f" -J >"$tmp/out.json" 2>"$tmp/out.err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q -- "$pattern" "$tmp/out.err" && grep -q "$tmp/$f" "$tmp/out.err" &&
		[ "$(wc -l <"$tmp/out.json")" -eq "$frames" ]; then
		tap_ok "$what: exit 2, '$(head -c 150 "$tmp/out.err")'"
	else
		tap_fail "$what: exit $rc, $(wc -l <"$tmp/out.json") frames, '$(cat "$tmp/out.err")'"
	fi
}
python3 - "$tmp" <<'EOF'
import os, sys
d = sys.argv[1]
rec = open(d + "/rec.ktop", "rb").read()
def put(name, data): open(d + "/" + name, "wb").write(bytes(data))
b = bytearray(rec); b[0] ^= 0x20; put("magic.ktop", b)
b = bytearray(rec); b[8] = 2; put("future.ktop", b)
b = bytearray(rec); b[30] ^= 0x55; put("header.ktop", b)
b = bytearray(rec); b[12:16] = b"\xff\xff\xff\x7f"; put("hlen.ktop", b)
put("random.ktop", os.urandom(4096))
put("random_after_magic.ktop", rec[:8] + os.urandom(4096))
put("empty.ktop", b"")
hlen = int.from_bytes(rec[12:16], "little")
put("header_only.ktop", rec[:20 + hlen])
# a bit flipped in the middle of the file (inside frame 4 or so)
b = bytearray(rec); b[len(rec) * 2 // 3] ^= 0x01; put("flip.ktop", b)
EOF
bad_file magic.ktop "wrong magic" "not a ktop recording"
bad_file future.ktop "a newer format version" "unsupported format version 2"
bad_file header.ktop "a corrupt header" "corrupt header"
bad_file hlen.ktop "a header length out of range" "corrupt header"
bad_file random.ktop "random bytes" "not a ktop recording"
bad_file random_after_magic.ktop "random bytes after the magic" "ktop"
bad_file empty.ktop "an empty file" "not a ktop recording"
"$KTOP_BIN" -r "$tmp/header_only.ktop" -J >"$tmp/out.json" 2>"$tmp/out.err"
rc=$?
tap_check "a header and no frame: exit 0" [ $rc -eq 0 ]
tap_check "a header and no frame: no output" [ ! -s "$tmp/out.json" ]
tap_check "a header and no frame: says so" grep -q "no frames" "$tmp/out.err"
flip_frame=$("$KTOP_BIN" -r "$tmp/flip.ktop" -J 2>&1 >/dev/null | sed -n 's/.*frame \([0-9]*\) at byte.*/\1/p')
if [ -n "$flip_frame" ]; then
	bad_file flip.ktop "a bit flipped in frame $flip_frame" "frame $flip_frame at byte [0-9]*: corrupt: checksum" \
		$((flip_frame - 1))
	tap_check "the frames before the flipped bit are the recorded ones" \
		cmp -s "$tmp/out.json" <(head -n $((flip_frame - 1)) "$tmp/replay.json")
else
	tap_fail "a bit flipped mid-file is reported with its frame number"
fi

# --- each frame's own pane titles --------------------------------------------------------
# The Critical sections collector titles each frame (its threshold, the tick and its own
# timer's rate); the recording carries it in 'T' records and the replay shows it, frame by
# frame. Without them (a file from an older ktop) a replay shows the plain title; a damaged
# one ends the replay before its frame, with a message.
# records_edit IN OUT strip|damage: IN without its 'T' records, or with a 'T' record naming
# string 0 put before frame 3 (the CRC right: the reader, not the checksum, must refuse it);
# prints that record's offset
records_edit() {
	python3 - "$@" <<'EOF'
import sys, zlib
src, dst, how = sys.argv[1:4]
d = open(src, "rb").read()
off = 16 + int.from_bytes(d[12:16], "little") + 4
out, frames, at = bytearray(d[:off]), 0, None
while off < len(d):
    p, n, shift = off + 1, 0, 0
    while True:
        b = d[p]; p += 1; n |= (b & 0x7f) << shift; shift += 7
        if not b & 0x80:
            break
    end = p + n + 4
    if how == "damage" and frames == 2 and at is None:
        rec = b"T\x03\x01\x00\x00"
        at = len(out)
        out += rec + zlib.crc32(rec).to_bytes(4, "little")
    if not (how == "strip" and d[off] == ord("T")):
        out += d[off:end]
    frames += d[off] == ord("F")
    off = end
open(dst, "wb").write(out)
print(at if at is not None else "")
EOF
}
crit_titles() { grep '^Critical sections' "$1"; }
if ! "$KTOP_BIN" --check 2>&1 | grep -qE '^critical +ok'; then
	tap_skip "a replay shows each frame's recorded titles" \
		"$("$KTOP_BIN" --check 2>&1 | grep '^critical')"
else
	"$KTOP_BIN" -b -n 4 -d 0.3 -w "$tmp/titles.ktop" >"$tmp/titles_live.txt" 2>&1
	"$KTOP_BIN" -r "$tmp/titles.ktop" -b >"$tmp/titles_replay.txt" 2>"$tmp/titles.err"
	tap_diag "live: $(crit_titles "$tmp/titles_live.txt" | sort | uniq -c | sed "s/^ *//" | paste -sd "|")"
	tap_check "the live run printed the Critical sections pane 4 times" \
		[ "$(grep -c '^Critical sections' "$tmp/titles_live.txt")" -ge 4 ]
	if ! crit_titles "$tmp/titles_live.txt" | grep -qv '^Critical sections\(: recent events\)\?$'; then
		tap_skip "a replay shows each frame's recorded titles" \
			"the live Critical sections title is the plain one on this machine"
	else
		tap_check "ktop -r -b: the Critical sections titles are the live ones, frame by frame" \
			cmp -s <(crit_titles "$tmp/titles_live.txt") <(crit_titles "$tmp/titles_replay.txt")
		tap_check "ktop -r -b of the titled recording: no message" [ ! -s "$tmp/titles.err" ]
	fi
	records_edit "$tmp/titles.ktop" "$tmp/titles_old.ktop" strip >/dev/null
	"$KTOP_BIN" -r "$tmp/titles_old.ktop" -b >"$tmp/titles_old.txt" 2>"$tmp/titles_old.err"
	rc=$?
	tap_check "a recording without titles (an older ktop's) replays: exit 0" [ $rc -eq 0 ]
	tap_check "a recording without titles: 4 frames, each with the plain Critical sections title" \
		[ "$(grep -cx 'Critical sections' "$tmp/titles_old.txt")" -eq 4 ]
	at=$(records_edit "$tmp/titles.ktop" "$tmp/titles_bad.ktop" damage)
	bad_file titles_bad.ktop "a title record naming no string" \
		"frame 3 at byte $at: malformed title record: title's string number out of range" 2
fi

# --- --record-only and rotation -------------------------------------------------------
"$KTOP_BIN" -w "$tmp/only.ktop" --record-only -n 3 -d 0.2 >"$tmp/only.out" 2>&1 </dev/null
rc=$?
tap_check "--record-only exits 0" [ $rc -eq 0 ]
tap_check "--record-only prints nothing" [ ! -s "$tmp/only.out" ]
tap_check "--record-only recorded 3 frames" \
	[ "$("$KTOP_BIN" -r "$tmp/only.ktop" -J | wc -l)" -eq 3 ]
# stopped as a service is (SIGTERM, no -n): exit 0, and what was written replays whole
frames_in() { "$KTOP_BIN" -r "$1" -J 2>/dev/null | wc -l; }
"$KTOP_BIN" -w "$tmp/term.ktop" --record-only -d 0.1 </dev/null >/dev/null 2>"$tmp/term.err" &
kpid=$!
tap_check "--record-only without -n: frames are in the file while it runs" \
	wait_for "[ \$(frames_in $tmp/term.ktop) -ge 3 ]" 20
kill -TERM $kpid
wait $kpid
rc=$?
tap_check "--record-only ended by SIGTERM: exit 0" [ $rc -eq 0 ]
"$KTOP_BIN" -r "$tmp/term.ktop" -J >"$tmp/term.json" 2>>"$tmp/term.err"
rc=$?
tap_check "the recording SIGTERM ended replays without an error (exit 0)" [ $rc -eq 0 ]
tap_diag "$(head -3 "$tmp/term.err")"
tap_check "the recording SIGTERM ended holds its frames (3 or more)" \
	[ "$(wc -l <"$tmp/term.json")" -ge 3 ]
"$KTOP_BIN" -w "$tmp/rot.ktop" --record-only --record-max-size 4K --record-keep 3 -n 8 -d 0.1
files=$(ls "$tmp" | grep -c '^rot\.ktop')
total=0 clean=1
# (ktop's status, not the pipe's: `ktop | wc -l` has wc's, which is always 0)
for f in "$tmp"/rot.ktop*; do
	"$KTOP_BIN" -r "$f" -J >"$tmp/rot.json" 2>/dev/null || clean=0
	n=$(wc -l <"$tmp/rot.json")
	total=$((total + n))
done
tap_check "--record-max-size rotates: rot.ktop and 1 to 3 old ones ($files files)" \
	between "$files" 2 4
tap_check "--record-max-size rotates: the first old one is rot.ktop.1" [ -e "$tmp/rot.ktop.1" ]
tap_check "--record-max-size rotates: each file replays" [ $clean -eq 1 ]
tap_check "rotation keeps the newest frames: the last file ends with frame 8" \
	[ "$("$KTOP_BIN" -r "$tmp/rot.ktop" -J | tail -1 | jq .seq)" -eq 8 ]
"$KTOP_BIN" -w "$tmp/age.ktop" --record-only --record-max-age 1s -n 8 -d 0.25
tap_check "--record-max-age rotates after the age" [ -e "$tmp/age.ktop.1" ]
"$KTOP_BIN" -w "$tmp/x.ktop" --record-max-size 12 -n 1 >/dev/null 2>"$tmp/err"
rc=$?
tap_check "a bad --record-max-size is a usage error (exit 2)" [ $rc -eq 2 ]
tap_check "a bad --record-max-size: the message names the option" grep -q "record-max-size" "$tmp/err"
"$KTOP_BIN" -w /nonexistent/dir/x.ktop -J -n 1 >/dev/null 2>"$tmp/err"
rc=$?
tap_check "an unwritable -w file: exit 1" [ $rc -eq 1 ]
tap_check "an unwritable -w file: a message" grep -q "cannot record" "$tmp/err"

# --- the replay screen in tmux -----------------------------------------------------------
if ! command -v tmux >/dev/null; then
	tap_skip "replay screen" "tmux is not installed"
	exit 0
fi
"$KTOP_BIN" -J -n 20 -d 0.5 -w "$tmp/ui.ktop" >"$tmp/ui.json"
kill "$load_pid" 2>/dev/null
load_pid=
tmux_start $S 120 40 env TZ=UTC TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile
tmux send-keys -t $S "$KTOP_BIN -r $tmp/ui.ktop; echo KTOP_EXIT=\$?" Enter
tap_check "the replay screen shows the recording's panes" wait_for "screen_has 'System calls'" 15
tap_check "the header says where the replay is" wait_for "screen_has 'replay [0-9]*/20'" 8
wait_for "screen_has 'replay [3-9]/20'" 15
tmux send-keys -t $S ' '
tap_check "space pauses the replay" wait_for "screen_has 'PAUSED'" 8
pos=$(tmux_screen $S | sed -n 's/.*replay \([0-9]*\)\/20.*/\1/p' | head -1)
sleep 1.2
tap_check "while paused the replay does not move (frame $pos)" screen_has "replay $pos/20"
tmux send-keys -t $S ']'
tap_check "] steps one frame forward" wait_for "screen_has 'replay $((pos + 1))/20'" 8
tmux send-keys -t $S '['
tap_check "[ goes one frame back in history" wait_for "screen_has 'PAUSED -1'" 8
# seek to the time of frame 15 (UTC, as the screen's TZ); frames 2 a second, so the
# first frame at or after that second may be frame 14
target=$(jq -r 'select(.seq == 15) | .timestamp | floor | strftime("%H:%M:%S")' "$tmp/ui.json")
expect=$(jq -s --arg t "$target" \
	'[.[] | .timestamp | floor | strftime("%H:%M:%S") >= $t] | index(true) + 1' "$tmp/ui.json")
tmux send-keys -t $S g
tap_check "g asks for a time" wait_for "screen_has 'go to time'" 8
tmux send-keys -t $S "$target" Enter
tap_check "g $target Enter goes to frame $expect" wait_for "screen_has 'replay $expect/20'" 8
tmux send-keys -t $S g "25:99" Enter
tap_check "a bad time says so" wait_for "screen_has 'type a time as'" 8
tmux send-keys -t $S Enter
tap_check "Enter opens a syscall from the recording: its latency histogram" \
	wait_for "screen_has 'latency distribution'" 8
tmux send-keys -t $S Escape
tap_check "Esc goes back" wait_for "screen_has 'System calls \*'" 8
tmux send-keys -t $S ' ' f
tap_check "f plays faster" wait_for "screen_has 'x2'" 8
tap_check "the replay reaches its end and stays on screen" wait_for "screen_has 'replay 20/20 x2 END'" 30
tmux send-keys -t $S q
tap_check "q ends the replay (exit 0)" wait_for "screen_has 'KTOP_EXIT=0'" 8
exit 0
