#!/usr/bin/env bash
# tools/bench-exporter.sh: the cost of ktop --listen (docs/EXPORTER.md) on a busy machine
# (a getppid loop at about a million calls a second on CPU 1): ktop's CPU at one scrape a
# second next to ktop -J on the same load, bytes per scrape in both formats, scrape time.
#   tools/bench-exporter.sh [--json] [SECS]   (as root; KTOP=path/to/ktop, BUILD=build)
set -u
cd "$(dirname "$0")/.."
JSON=0
[ "${1:-}" = --json ] && { JSON=1; shift; }
SECS=${1:-20}
KTOP=${KTOP:-./ktop}
BUILD=${BUILD:-build}
LOOP=$BUILD/tests/workloads/syscall_loop
[ "$(id -u)" = 0 ] || { echo "tools/bench-exporter.sh: run as root (BPF)" >&2; exit 1; }
command -v curl >/dev/null || { echo "tools/bench-exporter.sh: needs curl" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "null"}'; }
port=""
for p in $(shuf -i 19100-19199); do
	ss -Htln "sport = :$p" | grep -q . || { port=$p; break; }
done
[ -n "$port" ] || { echo "tools/bench-exporter.sh: no free port in 19100-19199" >&2; exit 1; }
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }

taskset -c 1 "$LOOP" --rate 1000000 $((2 * SECS + 20)) >/dev/null &

# baseline: the same frames printed as JSON
"$KTOP" -J -d 1 >/dev/null 2>&1 &
kpid=$!
sleep 3
t0=$(cpu_ticks $kpid)
sleep "$SECS"
t1=$(cpu_ticks $kpid)
kill $kpid; wait $kpid 2>/dev/null
json_cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" 'BEGIN {printf "%.3f", 100 * (b - a) / hz / s}')

# --listen with one scrape a second, alternating the two formats
"$KTOP" --listen "127.0.0.1:$port" -d 1 2>/dev/null &
kpid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
sleep 2
t0=$(cpu_ticks $kpid)
OM='Accept: application/openmetrics-text;version=1.0.0'
for i in $(seq "$SECS"); do
	if [ $((i % 2)) = 0 ]; then
		curl -s -o /dev/null -w '%{size_download} %{time_total}\n' -H "$OM" \
			"http://127.0.0.1:$port/metrics" >>"$tmp/om"
	else
		curl -s -o "$tmp/last.prom" -w '%{size_download} %{time_total}\n' \
			"http://127.0.0.1:$port/metrics" >>"$tmp/prom"
	fi
	sleep 1
done
t1=$(cpu_ticks $kpid)
rss=$(awk '/VmRSS/ {print $2}' /proc/$kpid/status)
kill $kpid; wait $kpid 2>/dev/null
listen_cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" 'BEGIN {printf "%.3f", 100 * (b - a) / hz / s}')
prom_bytes=$(awk '{print $1}' "$tmp/prom" | median)
om_bytes=$(awk '{print $1}' "$tmp/om" | median)
scrape_ms=$(cat "$tmp/prom" "$tmp/om" | awk '{printf "%.3f\n", $2 * 1000}' | median)
scrape_max_ms=$(cat "$tmp/prom" "$tmp/om" | awk '$2 * 1000 > m {m = $2 * 1000} END {printf "%.3f", m}')
series=$(awk '$1 == "ktop_series" {print $2}' "$tmp/last.prom")

if [ $JSON = 1 ]; then
	printf '{"secs": %s, "json_cpu_pct": %s, "listen_cpu_pct": %s, "listen_rss_kb": %s, ' \
		"$SECS" "$json_cpu" "$listen_cpu" "${rss:-null}"
	printf '"bytes_per_scrape_prometheus": %s, "bytes_per_scrape_openmetrics": %s, ' \
		"$prom_bytes" "$om_bytes"
	printf '"scrape_ms_median": %s, "scrape_ms_max": %s, "series": %s}\n' \
		"$scrape_ms" "$scrape_max_ms" "${series:-null}"
else
	echo "ktop -J -d 1:                      CPU $json_cpu % of one CPU"
	echo "ktop --listen -d 1, 1 scrape/s:    CPU $listen_cpu % of one CPU, RSS ${rss:-?} kB"
	echo "bytes per scrape:                  $prom_bytes (Prometheus text), $om_bytes (OpenMetrics)"
	echo "scrape time:                       median $scrape_ms ms, max $scrape_max_ms ms"
	echo "series:                            ${series:-?}"
fi
