#!/usr/bin/env bash
# tests/e2e_exporter.sh: the metrics exporter (docs/EXPORTER.md) with the real ktop binary:
# -b --format prometheus|openmetrics, ktop --listen under bad input and a flood of hostile
# connections, and Debian's Prometheus scraping it: a known number of getppid calls made in
# a test container arrives in Prometheus exactly, histograms are well formed, and the
# container's series go away after it stops.
. "$(dirname "$0")/lib.sh"
need_root "the metrics exporter" || exit 0
command -v curl >/dev/null || { tap_skip "the metrics exporter" "curl is not installed"; exit 0; }
tmp=$(mktemp -d)
pids=()
CG=ktop-e2e-exp-$$
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
cleanup() {
	local p dir
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for dir in ${V1:+$V1/$CG} ${V2:+$V2/$CG}; do
		[ -d "$dir" ] || continue
		for p in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		wait_for "[ -z \"\$(cat $dir/cgroup.procs 2>/dev/null)\" ]" 3
		rmdir "$dir" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# a free TCP port on loopback from 19100-19199
free_port() {
	local p
	for p in $(shuf -i 19100-19199); do
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}
scrape() { curl -s --max-time 5 "$@"; }
# metric FILE NAME{LABELS}: the value of one sample in an exposition, empty when absent
metric() { awk -v m="$2" '$1 == m {print $2; exit}' "$1"; }
# the last exposition of a batch run (expositions are separated by blank lines)
last_exposition() { awk 'BEGIN { RS = "" } END { print }' "$1"; }

# --- -b --format: the same writer, on stdout ---
"$KTOP_BIN" -b --format prometheus -d 0.3 -n 2 >"$tmp/batch.prom" 2>"$tmp/batch.err"
tap_check "-b --format prometheus: exit 0" [ $? -eq 0 ]
last_exposition "$tmp/batch.prom" >"$tmp/last.prom"
tap_check "-b --format prometheus: two expositions, counters cumulative (ktop_frames_total 2)" \
	[ "$(metric "$tmp/last.prom" ktop_frames_total)" = 2 ]
tap_check "-b --format prometheus: has ktop_syscalls_total and a syscall histogram" \
	grep -q '^ktop_syscall_duration_seconds_bucket{syscall="[a-z0-9_]*",le="+Inf"}' "$tmp/last.prom"
if command -v promtool >/dev/null; then
	tap_check "promtool check metrics passes on the batch exposition" \
		promtool check metrics <"$tmp/last.prom"
else
	tap_skip "promtool check metrics on the batch exposition" "promtool is not installed (Debian: prometheus)"
fi
"$KTOP_BIN" -b --format openmetrics -d 0.3 -n 2 >"$tmp/batch.om" 2>&1
tap_check "-b --format openmetrics: each exposition ends with # EOF" \
	[ "$(grep -c '^# EOF$' "$tmp/batch.om")" -eq 2 ]
tap_check "-b --format openmetrics: the last line is # EOF" [ "$(tail -n 1 "$tmp/batch.om")" = "# EOF" ]
tap_check "openmetrics: counter families are named without _total" \
	grep -qx '# TYPE ktop_syscalls counter' "$tmp/batch.om"
tap_check "openmetrics: ktop_build is an info metric" grep -qx '# TYPE ktop_build info' "$tmp/batch.om"
tap_check "openmetrics: seconds have a unit" \
	grep -qx '# UNIT ktop_syscall_duration_seconds seconds' "$tmp/batch.om"

# --- bad values: a clear error, status 2, before anything is loaded ---
bad_listen() {
	local out rc
	out=$("$KTOP_BIN" --listen "$1" 2>&1 </dev/null)
	rc=$?
	[ $rc -eq 2 ] && [[ $out == *"--listen"* ]] && [[ $out != *Segmentation* ]]
}
for v in nonsense 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 127.0.0.1:80x ::1:9100 '[::1]9100' ''; do
	tap_check "--listen '$v': usage error naming --listen, status 2" bad_listen "$v"
done
out=$("$KTOP_BIN" --format yaml -b 2>&1); rc=$?
tap_check "--format yaml: usage error, status 2 ($rc)" [ $rc -eq 2 ]
"$KTOP_BIN" --listen 127.0.0.1:19199 -b >/dev/null 2>&1 </dev/null
tap_check "--listen with -b: usage error, status 2" [ $? -eq 2 ]

# --- libmicrohttpd is loaded for --listen only: without it, the rest of ktop runs ---
"$KTOP_BIN" -J -d 0.5 >/dev/null 2>&1 </dev/null &
jpid=$!
wait_for "grep -q libbpf /proc/$jpid/maps" 10
# (of a ktop running: one with libbpf mapped; a file that could not be read has neither)
maps_no_httpd() { local m; m=$(cat "$1") && grep -q libbpf <<<"$m" && ! grep -qE 'libmicrohttpd|libgnutls' <<<"$m"; }
tap_check "ktop -J maps neither libmicrohttpd nor its TLS libraries" maps_no_httpd /proc/$jpid/maps
kill $jpid; wait $jpid 2>/dev/null
lib=$(ldconfig -p | awk '$1 == "libmicrohttpd.so.12" && /x86-64|64bit/ {print $NF; exit}')
if [ -z "$lib" ] || ! command -v unshare >/dev/null; then
	tap_skip "ktop without libmicrohttpd" "no libmicrohttpd.so.12 in ldconfig -p, or no unshare"
else
	# the library hidden (an empty file over it) in a mount namespace of its own
	hidden() { unshare -m --propagation private sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$lib" "$@"; }
	hidden "$KTOP_BIN" --listen 127.0.0.1:19199 -d 0.2 -n 1 >/dev/null 2>"$tmp/nolib.err" </dev/null
	rc=$?
	sed 's/^/# /' "$tmp/nolib.err"
	tap_check "--listen without libmicrohttpd: exit 1 ($rc)" [ $rc -eq 1 ]
	tap_check "--listen without libmicrohttpd: says which library and package" \
		grep -q 'cannot load libmicrohttpd.so.12.*libmicrohttpd12' "$tmp/nolib.err"
	hidden "$KTOP_BIN" -J -d 0.2 -n 1 >"$tmp/nolib.json" 2>/dev/null </dev/null
	tap_check "ktop -J without libmicrohttpd prints its frame" jqt -s 'length == 1 and .[0].time != null' "$tmp/nolib.json"
	hidden "$KTOP_BIN" --check >"$tmp/nolib.check" 2>&1 </dev/null
	tap_check "--check without libmicrohttpd: the exporter is unavailable, and why" \
		grep -q '^exporter (--listen): unavailable: cannot load libmicrohttpd.so.12' "$tmp/nolib.check"
	"$KTOP_BIN" --check >"$tmp/lib.check" 2>&1 </dev/null
	tap_check "--check with libmicrohttpd: the exporter is ok" \
		grep -q '^exporter (--listen): ok' "$tmp/lib.check"
fi

PORT=$(free_port) || { tap_fail "a free port in 19100-19199"; echo "1..$TAP_N"; exit 1; }
URL=http://127.0.0.1:$PORT

# --- ktop --listen: HTTP, negotiation, bad requests ---
cat >"$tmp/ktop.conf" <<EOF
[export]
connections = 16
timeout = 2
EOF
"$KTOP_BIN" --config "$tmp/ktop.conf" --listen "127.0.0.1:$PORT" -d 0.2 2>"$tmp/listen.err" &
KPID=$!
pids+=($KPID)
wait_for "scrape -o /dev/null -f $URL/metrics" 30
tap_check "--listen: /metrics answers 200" scrape -f -o "$tmp/s1.prom" "$URL/metrics"
tap_check "--listen: says where it serves" grep -q "serving metrics at http://127.0.0.1:$PORT/metrics" "$tmp/listen.err"
ctype() { scrape -o /dev/null -w '%{content_type}' "$@"; }
tap_check "no Accept: Prometheus text 0.0.4" \
	[ "$(ctype "$URL/metrics")" = "text/plain; version=0.0.4; charset=utf-8" ]
PROM_ACCEPT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
tap_check "Prometheus's Accept: OpenMetrics 1.0.0" \
	[ "$(ctype -H "Accept: $PROM_ACCEPT" "$URL/metrics")" = "application/openmetrics-text; version=1.0.0; charset=utf-8" ]
tap_check "Accept text/plain first: Prometheus text" \
	[ "$(ctype -H 'Accept: text/plain;q=0.9,application/openmetrics-text;q=0.5' "$URL/metrics")" = "text/plain; version=0.0.4; charset=utf-8" ]
scrape -H "Accept: $PROM_ACCEPT" -o "$tmp/s1.om" "$URL/metrics"
tap_check "OpenMetrics over HTTP ends with # EOF" [ "$(tail -n 1 "$tmp/s1.om")" = "# EOF" ]
code() { scrape -o /dev/null -w '%{http_code}' "$@"; }
tap_check "POST /metrics: 405" [ "$(code -X POST "$URL/metrics")" = 405 ]
tap_check "GET /nope: 404" [ "$(code "$URL/nope")" = 404 ]
# raw BYTES: send them, print the status line of the answer, or "closed" when the connection
# ended with none; nothing when no connection was made (a ktop gone is not "closed")
raw() {
	timeout 5 bash -c 'trap "" PIPE; exec 3<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1
		printf "$1" >&3; IFS= read -r line <&3; echo "${line:-closed}"' _ "$1" 2>/dev/null | tr -d '\r'
}
tap_check "a request line that is not HTTP: 400 or closed" \
	bash -c '[[ "$1" == closed || "$1" == *" 400 "* || "$1" == *" 505 "* ]]' _ "$(raw 'GARBAGE\r\n\r\n')"
tap_check "a header of 64 KiB: refused (4xx) or closed" \
	bash -c '[[ "$1" == closed || "$1" == *" 4"[0-9][0-9]" "* ]]' _ "$(raw "GET /metrics HTTP/1.1\r\nX-Big: $(head -c 65536 /dev/zero | tr '\0' a)\r\n\r\n")"
tap_check "ktop is alive after bad requests" kill -0 $KPID
out=$("$KTOP_BIN" --listen "127.0.0.1:$PORT" -n 1 2>&1 </dev/null); rc=$?
tap_check "a port in use: status 1 ($rc)" [ $rc -eq 1 ]
tap_check "a port in use: says so" grep -q "cannot listen on 127.0.0.1:$PORT: Address already in use" <<<"$out"

# --- the main process holds no capability; neither does the HTTP thread ---
# (the threads' lines read: a process gone has none, and "none holds one" would hold)
no_caps() {
	local caps
	caps=$(grep -h '^CapEff' /proc/"$1"/task/*/status 2>/dev/null) && [ -n "$caps" ] &&
		! grep -vq '0000000000000000' <<<"$caps"
}
tap_check "--listen: no thread of ktop's main process holds a capability" no_caps $KPID

# --- a flood of hostile clients: frames keep coming, memory stays bounded ---
frames_now() { scrape "$URL/metrics" | awk '$1 == "ktop_frames_total" {print $2}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
now() { date +%s.%N; }
# flood N SECS FILE: N connections (headers that never end, requests whose answer is never
# read, bytes that are not HTTP, huge headers), FILE written once made, held for SECS seconds
flood() {
	trap '' PIPE
	local i fd big
	big=$(head -c 40000 /dev/zero | tr '\0' b)
	for ((i = 0; i < $1; i++)); do
		exec {fd}<>/dev/tcp/127.0.0.1/"$PORT" 2>/dev/null || continue
		case $((i % 4)) in
		0) printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&$fd ;;
		1) printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' >&$fd ;;
		2) printf '\001\377 junk\r\n\r\n' >&$fd ;;
		3) printf 'GET /metrics HTTP/1.1\r\nX-Big: %s' "$big" >&$fd ;;
		esac 2>/dev/null
	done
	: >"$3"
	sleep "$2"
}
t0=$(now); f0=$(frames_now); r0=$(rss_kb $KPID)
wait_for "[ \"\$(awk -v t=$t0 -v n=\$(now) 'BEGIN {print (n - t >= 4)}')\" = 1 ]" 10
t1=$(now); f1=$(frames_now)
timeout 60 bash -c "$(declare -f flood); PORT=$PORT; flood 300 6 $tmp/flooded" &
fpid=$!
wait_for "[ -e $tmp/flooded ]" 30
r1=$(rss_kb $KPID)
wait $fpid
wait_for '[ -n "$(frames_now)" ]' 30
t2=$(now); f2=$(frames_now)
base=$(awk -v a="$f0" -v b="$f1" -v s="$t0" -v e="$t1" 'BEGIN {printf "%.2f", (b - a) / (e - s)}')
during=$(awk -v a="$f1" -v b="$f2" -v s="$t1" -v e="$t2" 'BEGIN {printf "%.2f", (b - a) / (e - s)}')
tap_diag "frames per second: $base before the flood, $during during it (interval 0.2 s); RSS $r0 kB before, $r1 kB with the flood"
# a loop the clients could block would make next to no frames; half the rate allows for
# the flood's own CPU on a small, busy machine
tap_check "frames keep coming during the flood ($during/s, $base/s before)" \
	awk -v b="$base" -v d="$during" 'BEGIN {exit !(d >= 0.5 * b && d > 0)}'
if [ -n "${KTOP_SANITIZED:-}" ]; then
	# freed memory stays in ASan's quarantine (up to 256 MiB) instead of going back
	tap_skip "memory stays bounded during the flood" \
		"sanitizer build: RSS $r0 -> $r1 kB counts ASan's quarantine of freed memory; the plain build checks the bound"
else
	tap_check "memory stays bounded during the flood (RSS $r0 -> $r1 kB, less than 32 MiB more)" \
		[ "$r1" -lt $((r0 + 32768)) ]
fi
tap_check "a scrape is answered after the flood" scrape -f -o /dev/null "$URL/metrics"
kill -TERM $KPID
wait_for "pid_gone $KPID" 5
tap_check "--listen ends on SIGTERM within 5 s" pid_gone $KPID
wait $KPID
tap_check "--listen: exit status 0 on SIGTERM" [ $? -eq 0 ]

# --- a port below 1024: bound before the privilege drop, served after it ---
LOW=""
for p in $(shuf -i 1000-1023); do
	ss -Htln "sport = :$p" | grep -q . || { LOW=$p; break; }
done
if [ -z "$LOW" ]; then
	tap_skip "--listen on a port below 1024" "no free port in 1000-1023"
else
	"$KTOP_BIN" --listen "127.0.0.1:$LOW" -d 0.2 2>"$tmp/low.err" &
	KPID=$!
	pids+=($KPID)
	wait_for "scrape -f -o /dev/null http://127.0.0.1:$LOW/metrics" 30
	tap_check "--listen 127.0.0.1:$LOW (below 1024): served after the privileges are dropped" \
		scrape -f -o /dev/null "http://127.0.0.1:$LOW/metrics"
	tap_check "--listen below 1024: still no capability in any thread" no_caps $KPID
	kill -TERM $KPID
	wait $KPID
fi

# --- --web-config: TLS and basic auth (bcrypt), the exporter-toolkit's format ---
tls_checks() {
	local h
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$tmp/server.key" -out "$tmp/server.crt" 2>/dev/null || return 1
	h=$(perl -e 'print crypt("s3cret", q($2b$05$) . "abcdefghijklmnopqrstuu")')
	[[ $h == '$2b$05$'* ]] || return 1
	printf '# test\ntls_server_config:\n  cert_file: server.crt\n  key_file: "server.key"\nbasic_auth_users:\n  prom: %s\n' \
		"$h" >"$tmp/web.yml"
}
if ! command -v openssl >/dev/null || ! command -v perl >/dev/null || ! tls_checks; then
	tap_skip "--web-config TLS and basic auth" "openssl, or perl's crypt() with bcrypt, is missing"
else
	"$KTOP_BIN" --listen "127.0.0.1:$PORT" --web-config "$tmp/web.yml" -d 0.2 2>"$tmp/tls.err" &
	KPID=$!
	pids+=($KPID)
	S="--cacert $tmp/server.crt https://127.0.0.1:$PORT/metrics"
	wait_for "[ \"\$(code -u prom:s3cret $S)\" = 200 ]" 30
	tap_check "--web-config: HTTPS with the right password: 200" [ "$(code -u prom:s3cret $S)" = 200 ]
	tap_check "--web-config: a wrong password: 401" [ "$(code -u prom:wrong $S)" = 401 ]
	tap_check "--web-config: no password: 401" [ "$(code $S)" = 401 ]
	tap_check "--web-config: an unknown user: 401" [ "$(code -u nobody:s3cret $S)" = 401 ]
	# (and HTTPS still answers right after: a ktop gone gives plain HTTP no metrics too)
	plain_refused() { [ "$(code "$URL/metrics")" != 200 ] && [ "$(code -u prom:s3cret $S)" = 200 ]; }
	tap_check "--web-config: plain HTTP gets no metrics" plain_refused
	tap_check "--web-config: the TLS thread holds no capability either" no_caps $KPID
	kill -TERM $KPID
	wait $KPID
	tap_check "--web-config: exit status 0 on SIGTERM" [ $? -eq 0 ]
	printf 'tls_server_config:\n  client_ca_file: ca.crt\n' >"$tmp/bad.yml"
	out=$("$KTOP_BIN" --listen "127.0.0.1:$PORT" --web-config "$tmp/bad.yml" 2>&1 </dev/null); rc=$?
	tap_check "--web-config with a setting ktop lacks: status 2 ($rc)" [ $rc -eq 2 ]
	tap_check "--web-config with a setting ktop lacks: says FILE:LINE and which" \
		grep -q "bad.yml:2: tls_server_config: 'client_ca_file' is not supported" <<<"$out"
	printf 'basic_auth_users:\n  prom: plaintext\n' >"$tmp/bad.yml"
	"$KTOP_BIN" --listen "127.0.0.1:$PORT" --web-config "$tmp/bad.yml" >/dev/null 2>&1 </dev/null
	tap_check "--web-config with a password that is not a bcrypt hash: status 2" [ $? -eq 2 ]
	"$KTOP_BIN" --web-config "$tmp/web.yml" >/dev/null 2>&1 </dev/null
	tap_check "--web-config without --listen: status 2" [ $? -eq 2 ]
fi

# --- Prometheus scrapes ktop: N getppid calls in a test container, counted exactly ---
if ! command -v prometheus >/dev/null; then
	tap_skip "Prometheus scraping ktop" "Debian's prometheus package is not installed (tools/install-deps.sh)"
	echo "1..$TAP_N"
	exit 0
fi
if [ -z "$V2$V1" ] || ! command -v unshare >/dev/null; then
	tap_skip "Prometheus scraping ktop" "no cgroup hierarchy or no unshare(1) for the test container"
	echo "1..$TAP_N"
	exit 0
fi
N=300000
PPORT=$(free_port) || { tap_fail "a second free port"; echo "1..$TAP_N"; exit 1; }
while [ "$PPORT" = "$PORT" ]; do PPORT=$(free_port); done
PROM=http://127.0.0.1:$PPORT
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ktop
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
# the container: fresh cgroups, its own namespaces and hostname, waiting on a fifo to run
# the workload (nothing else in it calls getppid once it waits), then on it again to stop
mkfifo "$tmp/go"
for dir in ${V1:+$V1/$CG} ${V2:+$V2/$CG}; do mkdir "$dir"; done
# shellcheck disable=SC2016 # expanded by the inner shells
sh -c 'cg=$1 go=$2 loop=$3 out=$4 n=$5; shift 5
	for d in "$@"; do echo $$ > "$d/cgroup.procs" || exit 1; done
	exec unshare --pid --uts --mount --fork sh -c "hostname $cg && read x < $go && $loop $n 0 > $out && read x < $go"' \
	sh "$CG" "$tmp/go" "$TEST_BIN/workloads/syscall_loop" "$tmp/load" $N ${V1:+$V1/$CG} ${V2:+$V2/$CG} &
pids+=($!)
wait_for "[ -n \"\$(cat ${V2:-$V1}/$CG/cgroup.procs 2>/dev/null)\" ]" 10
"$KTOP_BIN" --defaults --listen "127.0.0.1:$PORT" -c "$CG" 2>"$tmp/listen2.err" &
KPID=$!
pids+=($KPID)
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom-data" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$tmp/prom.log" 2>&1 &
pids+=($!)
# query PROMQL: the first result's value, empty when none
query() {
	curl -s --max-time 10 --data-urlencode "query=$1" "$PROM/api/v1/query" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
# no_series PROMQL: Prometheus answered the query, with no series (a query that failed,
# Prometheus gone, is not an answer of none)
no_series() {
	curl -s --max-time 10 --data-urlencode "query=$1" "$PROM/api/v1/query" |
		jqt '.status == "success" and (.data.result | length) == 0'
}
later_than() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a > b)}'; }
# the newest frame Prometheus has is from after time $1
scraped_after() { later_than "$(query 'ktop_last_frame_timestamp_seconds{job="ktop"}')" "$1"; }
wait_for '[ "$(query "up{job=\"ktop\"}")" = 1 ]' 90
tap_check "Prometheus scrapes ktop --listen (up == 1)" [ "$(query 'up{job="ktop"}')" = 1 ]
tap_check "the test container's series is in Prometheus with its name" \
	wait_for "[ -n \"\$(query 'ktop_container_syscalls_total{container=\"$CG\"}')\" ]" 30
GETPPID='ktop_syscalls_total{job="ktop",syscall="getppid"}'
ta=$(now)
wait_for "scraped_after $ta" 30
v0=$(query "$GETPPID"); v0=${v0:-0}
echo go >"$tmp/go"
wait_for "[ -s $tmp/load ]" 120
tb=$(now)
wait_for "scraped_after $tb" 30
v1=$(query "$GETPPID"); v1=${v1:-0}
got=$(awk -v a="$v0" -v b="$v1" 'BEGIN {printf "%d", b - a}')
secs=$(awk -v a="$ta" -v n="$(now)" 'BEGIN {printf "%d", n - a + 5}')
inc=$(query "increase(${GETPPID}[${secs}s])")
tap_diag "getppid in Prometheus: $v0 before, $v1 after: $got (made $N); increase() over ${secs}s: $inc"
tap_check "Prometheus has every getppid call, within 1 % ($got of $N)" \
	between "$got" $((N - N / 100)) $((N + N / 100))
tap_check "the histogram counts the same calls as the counter" \
	[ "$(query 'ktop_syscall_duration_seconds_count{job="ktop",syscall="getppid"}')" = "$v1" ]
p50=$(query 'histogram_quantile(0.5, ktop_syscall_duration_seconds_bucket{job="ktop",syscall="getppid"})')
tap_diag "median getppid latency from the histogram: ${p50:-none} s"
tap_check "histogram_quantile works on it (a median between 1 ns and 1 ms: ${p50:-none})" \
	awk -v q="${p50:-x}" 'BEGIN {exit !(q + 0 > 1e-9 && q + 0 < 1e-3)}'
scrape -o "$tmp/s2.prom" "$URL/metrics"
# buckets never decrease and +Inf equals _count, for every histogram series
hist_ok() {
	awk '
	/_bucket\{/ {
		key = $1; sub(/,?le="[^"]*"/, "", key); sub(/_bucket/, "", key)
		if (key in last && $2 + 0 < last[key]) bad = 1
		last[key] = $2 + 0
		if ($1 ~ /le="\+Inf"/) inf[key] = $2
	}
	/_count[{ ]/ { key = $1; sub(/_count/, "", key); cnt[key] = $2; n++ }
	END {
		for (k in inf) if (!(k in cnt) || cnt[k] != inf[k]) bad = 1
		exit bad || n == 0
	}' "$1"
}
tap_check "every histogram is cumulative and its +Inf bucket equals _count" hist_ok "$tmp/s2.prom"
tap_check "promtool check metrics passes on a scrape of /metrics" promtool check metrics <"$tmp/s2.prom"
# the container stops: its series are scraped once more, then go
CSERIES="ktop_container_syscalls_total{job=\"ktop\",container=\"$CG\"}"
running=$(query "$CSERIES"); running=${running%%.*}
echo stop >"$tmp/go"
for dir in ${V1:+$V1/$CG} ${V2:+$V2/$CG}; do
	wait_for "[ -z \"\$(cat $dir/cgroup.procs 2>/dev/null)\" ]" 10
	rmdir "$dir" 2>/dev/null
done
tap_check "the stopped container's series go stale in Prometheus" \
	wait_for "no_series '$CSERIES'" 30
# (a scrape that failed holds no series of the container either: the frame counter says
# ktop answered)
scrape -f -o "$tmp/s3.prom" "$URL/metrics"
tap_check "a scrape after the container stopped has ktop's series" grep -q '^ktop_frames_total ' "$tmp/s3.prom"
# (in a scrape that has ktop's series: an empty one has no container's either)
series_left() { grep -q '^ktop_frames_total ' "$1" && ! grep -q "container=\"$CG\"" "$1"; }
tap_check "the stopped container's series have left /metrics" series_left "$tmp/s3.prom"
final=$(query "max_over_time(${CSERIES}[5m])"); final=${final%%.*}
tap_diag "container $CG: ${running:-none} calls while running after the workload, ${final:-none} at the end"
tap_check "its last count reached Prometheus (${final:-none} >= ${running:-none}, > 0)" \
	between "${final:-0}" "$((${running:-0} > 0 ? ${running:-0} : 1))" $((N * 2))
# (it said where it serves, and nothing else)
stderr_only_serving() { grep -q '^ktop: serving metrics' "$1" && ! grep -qv '^ktop: serving metrics' "$1"; }
tap_check "nothing unexpected on ktop's stderr" stderr_only_serving "$tmp/listen2.err"
echo "1..$TAP_N"
