#!/bin/sh
# tools/gen-json-doc.sh: write docs/JSON.md from ktop's own table descriptions
# (`ktop --columns`), so the document cannot drift from the program. With --check, only
# compare and fail when docs/JSON.md is out of date (the test suite does this).
# KTOP_BIN names the binary to ask, as in tests/run (default: ./ktop at the top of the tree).
set -e
# a relative KTOP_BIN is relative to where the script was started, not to the tree's top
case "${KTOP_BIN:-}" in
"") ;;
/*) ;;
*) KTOP_BIN=$PWD/$KTOP_BIN ;;
esac
cd "$(dirname "$0")/.."
KTOP_BIN=${KTOP_BIN:-./ktop}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
cat <<'HEAD'
# ktop's JSON output

`ktop -J` (or `--json`) prints one JSON object per frame, one frame per line (NDJSON), and
flushes after each. `-n N` stops after N frames, `-d SECS` sets the interval. Every count
and time is a **delta over the frame's interval**, never cumulative since start: sum
frames to get totals, divide by `interval_s` to get rates.

```json
{"time":"2026-11-27T20:43:34.214Z","timestamp":1795812214.214,"seq":2,"interval_s":0.500016,
 "container":null,"collectors":{"syscalls":"ok","interrupts":"ok"},
 "syscalls":[{"name":"getppid","nr":110,"abi":"x64","count":200000,"errors":0,
   "total_ns":31000000,"max_ns":41000,"latency_hist":[0,0,0,0,0,0,0,120,199000,880]}],
 "processes":[{"pid":4071,"comm":"syscall_loop","count":200012,"errors":0,"total_ns":31000000}]}
```

## Frame fields

| key | type | meaning |
| --- | --- | --- |
| `time` | string | end of the interval, ISO 8601 UTC with milliseconds |
| `timestamp` | number | the same, as seconds since the epoch |
| `seq` | integer | frame number since ktop started, from 1 |
| `interval_s` | number | measured length of the interval in seconds |
| `container` | string or null | the container selected with `-c` (its resolved name), null for the whole machine |
| `container_state` | string | what became of the selection: e.g. `running`, `stopped`, `not found`, or `all` (`unknown`: a replay of a file from before the selection was recorded) |
| `self` | object | ktop's own cost: `cpu_pct` (% of one CPU over the interval), `rss_kb`, `dropped` (events lost in the interval, all collectors), `bpf_ns_per_s` (run time of ktop's BPF programs per second, measured one interval in ten from the kernel's BPF statistics; absent until measured) |
| `collectors` | object | each collector's state: `"ok"` or the reason it is not running |
| one array per table | list of row objects | as below; tables that are only filled while a row is opened on screen are left out when empty |

Rows carry the stored columns under their stable ids (the same ids name columns in the
configuration and in `-b` headers). Columns the screen derives (averages, shares, % of a
CPU) are left out: compute them from the stored ones. Strings are valid UTF-8: bytes that
are not become U+FFFD.

## Tables

HEAD
"$KTOP_BIN" --columns
} >"$out"
if [ "${1:-}" = "--check" ]; then
	diff -u docs/JSON.md "$out" >&2 || { echo "docs/JSON.md is out of date: run tools/gen-json-doc.sh" >&2; exit 1; }
else
	cp "$out" docs/JSON.md
fi
