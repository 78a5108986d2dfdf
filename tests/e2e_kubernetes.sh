#!/usr/bin/env bash
# tests/e2e_kubernetes.sh: Kubernetes identity without a kubelet. A node's layout is built
# for real: pod cgroups under kubepods.slice (systemd driver) and kubepods/ (cgroupfs
# driver) in the mounted cgroup2 tree, each holding a running getppid() workload, and the
# runtime's files (containerd's config.json with the CRI annotations, CRI-O's, the
# kubelet's log links) under a test root given as KTOP_HOST_ROOT. Checks: the JSON rows
# carry namespace/pod/container; -c NAMESPACE/POD selects the whole pod and counts its
# calls; the exporter's per-container series carry cAdvisor's labels, and a gzip scrape
# decodes to the same text; hostile metadata (huge, truncated, a FIFO, odd cgroup names)
# leaves ktop running with the others' names intact.
. "$(dirname "$0")/lib.sh"
need_root "kubernetes: fake kubepods cgroups" || exit 0
command -v curl >/dev/null || { tap_skip "kubernetes" "curl is not installed"; exit 0; }
command -v perl >/dev/null || { tap_skip "kubernetes" "perl is needed for the workloads"; exit 0; }
# the hierarchies, as tests/e2e_containers.sh finds them: v1 memory (where mounted) and
# cgroup2; a pod's cgroups are made in each, as the kubelet does on a hybrid host
V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
if [ -z "$V1" ] && [ -z "$V2" ]; then
	tap_skip "kubernetes" "no cgroup hierarchy is mounted"
	exit 0
fi

export V1 V2
tmp=$(mktemp -d)
host=$tmp/host
tag=$$
UID_A=$(printf '1a2b3c4d-0000-4000-8000-%012x' "$tag")
UID_B=$(printf '2b3c4d5e-0000-4000-8000-%012x' "$tag")
UID_C=$(printf '3c4d5e6f-0000-4000-8000-%012x' "$tag")
id_of() { printf '%012x%052x' "$tag" "$1"; }
APP=$(id_of 1) SIDE=$(id_of 2) CRIO=$(id_of 3) BAD=$(id_of 4) FIFO=$(id_of 5) LOG=$(id_of 6)
# the pods' slices: systemd (A, C) and cgroupfs (B) drivers
PA=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_A//-/_}.slice
PB=/kubepods/besteffort/pod$UID_B
PC=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_C//-/_}.slice
made_dirs=()
pids=()

cleanup() {
	local d p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ -n "${ktop_pid:-}" ] && kill -KILL "$ktop_pid" 2>/dev/null
	wait 2>/dev/null
	# deepest first
	for ((i = ${#made_dirs[@]} - 1; i >= 0; i--)); do
		d=${made_dirs[i]}
		wait_for "[ -z \"\$(cat '$d/cgroup.procs' 2>/dev/null)\" ]" 3
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# cgdir PATH: make cgroup PATH (from a hierarchy's root) and its parents in every
# hierarchy, noting the new ones for the cleanup
cgdir() {
	local root d parts p
	for root in $V1 $V2; do
		d=$root$1 parts=()
		while [ ! -d "$d" ]; do parts=("$d" "${parts[@]}"); d=$(dirname "$d"); done
		for p in "${parts[@]}"; do mkdir "$p" || return 1; made_dirs+=("$p"); done
	done
}

# start_in PATH TALLY: a getppid() workload moved into cgroup PATH before it runs
start_in() {
	cgdir "$1" || return 1
	# shellcheck disable=SC2016 # expanded by the inner shell
	TALLY=$2 sh -c 'for r in $V1 $V2; do echo $$ > "$r$1/cgroup.procs" || exit 1; done
		exec perl -e '"'"'my $n = 0;
		while (1) { getppid() for 1..5000; $n += 5000;
		open(my $f, ">", "$ENV{TALLY}.new") or die; print $f "$n\n"; close $f;
		rename("$ENV{TALLY}.new", $ENV{TALLY}); select(undef, undef, undef, 0.05) }'"'" \
		sh "$1" >/dev/null 2>"$tmp/start.err" &
	pids+=($!)
}

# containerd_config ID JSON-ANNOTATIONS
containerd_config() {
	local d=$host/run/containerd/io.containerd.runtime.v2.task/k8s.io/$1
	mkdir -p "$d" && printf '{"ociVersion":"1.1.0","process":{"args":["app"]},"annotations":{%s},"linux":{}}' "$2" >"$d/config.json"
}

# pod A (containerd, systemd driver): an app and a sidecar
start_in "$PA/cri-containerd-$APP.scope" "$tmp/app.tally"
start_in "$PA/cri-containerd-$SIDE.scope" "$tmp/side.tally"
containerd_config "$APP" '"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.container-name":"app","io.kubernetes.cri.sandbox-name":"web-0","io.kubernetes.cri.sandbox-namespace":"e2e","io.kubernetes.cri.sandbox-uid":"'"$UID_A"'"'
containerd_config "$SIDE" '"io.kubernetes.cri.container-name":"proxy","io.kubernetes.cri.sandbox-name":"web-0","io.kubernetes.cri.sandbox-namespace":"e2e"'
# pod B (CRI-O, cgroupfs driver)
start_in "$PB/crio-$CRIO" "$tmp/crio.tally"
mkdir -p "$host/run/containers/storage/overlay-containers/$CRIO/userdata"
printf '{"annotations":{"io.kubernetes.pod.namespace":"kube-system","io.kubernetes.pod.name":"dns-1","io.kubernetes.container.name":"coredns"}}' \
	>"$host/run/containers/storage/overlay-containers/$CRIO/userdata/config.json"
# pod C: hostile metadata. BAD: 8 MiB of unbalanced JSON; FIFO: a named pipe for
# config.json; LOG: no runtime file, names from the kubelet's log link
start_in "$PC/cri-containerd-$BAD.scope" "$tmp/bad.tally"
start_in "$PC/cri-containerd-$FIFO.scope" "$tmp/fifo.tally"
start_in "$PC/cri-containerd-$LOG.scope" "$tmp/log.tally"
mkdir -p "$host/run/containerd/io.containerd.runtime.v2.task/k8s.io/$BAD" \
	"$host/run/containerd/io.containerd.runtime.v2.task/k8s.io/$FIFO" "$host/var/log/containers"
head -c 8388608 /dev/zero | tr '\0' '{' >"$host/run/containerd/io.containerd.runtime.v2.task/k8s.io/$BAD/config.json"
printf '"io.kubernetes.cri.sandbox-name":"\\n\\u0000evil' >>"$host/run/containerd/io.containerd.runtime.v2.task/k8s.io/$BAD/config.json"
mkfifo "$host/run/containerd/io.containerd.runtime.v2.task/k8s.io/$FIFO/config.json"
: >"$host/var/log/containers/batch-7_jobs_worker-$LOG.log"
# odd cgroup names next to the pods: not containers, no crash
cgdir "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod.slice"
cgdir "/kubepods/burstable/pod$UID_A-x/$(id_of 7)-"
cgdir "/kubepods/burstable/pod\"quoted\\ name"

tap_check "workloads run in the pods' cgroups" \
	wait_for "[ -s $tmp/app.tally ] && [ -s $tmp/side.tally ] && [ -s $tmp/crio.tally ] && [ -s $tmp/log.tally ]" 10

export KTOP_HOST_ROOT=$host
"$KTOP_BIN" -J -d 0.5 -n 3 >"$tmp/all.json" 2>"$tmp/all.err"
tap_check "ktop -J exits 0 with the hostile metadata in place" [ $? -eq 0 ]
tap_check "containerd, systemd driver: name namespace/pod/container" \
	jqt -s --arg id "${APP:0:12}" '.[-1].containers | any(.id == $id and .name == "e2e/web-0/app" and .kubernetes == ["e2e", "web-0", "app", "'"$UID_A"'"])' "$tmp/all.json"
tap_check "containerd: the pod UID from the cgroup path when the annotations have none" \
	jqt -s --arg id "${SIDE:0:12}" '.[-1].containers | any(.id == $id and .name == "e2e/web-0/proxy" and .kubernetes[3] == "'"$UID_A"'")' "$tmp/all.json"
tap_check "CRI-O, cgroupfs driver: names from its config.json" \
	jqt -s --arg id "${CRIO:0:12}" '.[-1].containers | any(.id == $id and .name == "kube-system/dns-1/coredns" and .runtime == "cri-o")' "$tmp/all.json"
tap_check "no runtime file: names from the kubelet's log link" \
	jqt -s --arg id "${LOG:0:12}" '.[-1].containers | any(.id == $id and .kubernetes[0:3] == ["jobs", "batch-7", "worker"])' "$tmp/all.json"
tap_check "8 MiB of garbage and a FIFO for config.json: short ids, the pod UID, no names" \
	jqt -s --arg a "${BAD:0:12}" --arg b "${FIFO:0:12}" '[.[-1].containers[] | select(.id == $a or .id == $b) | select(.name == .id and .kubernetes == ["", "", "", "'"$UID_C"'"])] | length == 2' "$tmp/all.json"
tap_check "odd cgroup names are not taken for containers" \
	jqt -s '[.[-1].containers[] | select(.name | test("quoted|-x"))] | length == 0' "$tmp/all.json"
tap_check "a container outside Kubernetes has an empty kubernetes list" \
	jqt -s '.[-1].containers | all(.runtime == "host" or .runtime == "cgroup" or (.kubernetes | length) == 4 or (.kubernetes | length) == 0)' "$tmp/all.json"

# -c NAMESPACE/POD: both of pod A's containers, none of the others
# what the two made while ktop ran, at their rate then, over the frames after the first
# (ktop's start-up is in the elapsed time: the figure is an average, hence "half")
t0=$(awk '{print $1}' /proc/uptime) n_app0=$(cat "$tmp/app.tally") n_side0=$(cat "$tmp/side.tally")
"$KTOP_BIN" -J -d 0.5 -n 4 -c e2e/web-0 >"$tmp/pod.json" 2>"$tmp/pod.err"
t1=$(awk '{print $1}' /proc/uptime) n_app1=$(cat "$tmp/app.tally") n_side1=$(cat "$tmp/side.tally")
calls=$(jq -s '[.[1:][].processes[]? | select(.comm == "perl") | .count] | add // 0' "$tmp/pod.json")
perl_pids=$(jq -s -r '[.[1:][].processes[]? | select(.comm == "perl") | .pid] | unique | length' "$tmp/pod.json")
made=$(jq -s --argjson n "$((n_app1 - n_app0 + n_side1 - n_side0))" --argjson t "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
	'[.[1:][].interval_s] | add * $n / $t | floor' "$tmp/pod.json")
tap_diag "-c e2e/web-0: perl calls counted $calls over $perl_pids processes; the two made $made meanwhile"
tap_check "-c NAMESPACE/POD: the frame names the pod and says it runs" \
	jqt -s 'all(.[]; .container == "e2e/web-0" and .container_state == "running")' "$tmp/pod.json"
tap_check "-c NAMESPACE/POD: both of its containers' processes, no other perl" [ "$perl_pids" -eq 2 ]
# half_counted CALLS MADE: the pod made calls, and at least half of them were counted (a
# pod whose workloads stalled and a ktop that counted nothing would otherwise pass)
half_counted() { [ "$2" -gt 0 ] && [ $(($1 * 2)) -ge "$2" ]; }
tap_check "-c NAMESPACE/POD: its calls are counted (at least half of what it made)" \
	half_counted "$calls" "$made"

# the exporter: labels, and gzip
port=$((20000 + tag % 20000))
"$KTOP_BIN" --listen "127.0.0.1:$port" -d 0.5 >"$tmp/listen.out" 2>"$tmp/listen.err" &
ktop_pid=$!
tap_check "ktop --listen serves" \
	wait_for "curl -sf http://127.0.0.1:$port/metrics -o $tmp/m1 && grep -q '^ktop_container_syscalls_total{.*pod=' $tmp/m1" 15
curl -sf "http://127.0.0.1:$port/metrics" -o "$tmp/plain" -D "$tmp/plain.h"
tap_check "series of a pod's container carry container, namespace and pod" \
	grep -q '^ktop_container_syscalls_total{container="app",namespace="e2e",pod="web-0",runtime="containerd",container_id="'"${APP:0:12}"'"} [0-9]' "$tmp/plain"
tap_check "CRI-O's too" \
	grep -q '^ktop_container_processes{container="coredns",namespace="kube-system",pod="dns-1",runtime="cri-o"' "$tmp/plain"
tap_check "a pod with no names: container is the short id, no namespace or pod label" \
	grep -q '^ktop_container_processes{container="'"${BAD:0:12}"'",runtime="containerd"' "$tmp/plain"
# (headers there to read: a failed curl leaves no file, and grep's error under ! passed)
not_compressed() { grep -qi '^content-type' "$1" && ! grep -qi '^content-encoding' "$1"; }
tap_check "without Accept-Encoding: not compressed" not_compressed "$tmp/plain.h"
# the first gzip request makes the exporter compress from the next frame on
curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" -o /dev/null
tap_check "Accept-Encoding: gzip gets a gzip body" \
	wait_for "curl -sf -H 'Accept-Encoding: gzip' http://127.0.0.1:$port/metrics -D $tmp/gz.h -o $tmp/gz && grep -qi '^content-encoding: gzip' $tmp/gz.h" 10
tap_check "the gzip body decodes to the metrics" \
	sh -c "gzip -dc < $tmp/gz > $tmp/gz.txt && grep -q '^ktop_container_syscalls_total{container=\"app\",namespace=\"e2e\"' $tmp/gz.txt && tail -c 200 $tmp/gz.txt | grep -q ktop_entities_dropped_total"
gz=$(stat -c %s "$tmp/gz") txt=$(stat -c %s "$tmp/gz.txt")
tap_diag "one scrape: $txt bytes, $gz gzipped"
tap_check "gzip: smaller than a quarter of the text" [ $((gz * 4)) -lt "$txt" ]
tap_check "OpenMetrics with gzip too" \
	wait_for "curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' -H 'Accept-Encoding: gzip' http://127.0.0.1:$port/metrics -D $tmp/om.h -o $tmp/om.gz && grep -qi '^content-encoding: gzip' $tmp/om.h && gzip -dc < $tmp/om.gz | tail -1 | grep -qx '# EOF'" 10
if command -v promtool >/dev/null; then
	tap_check "promtool check metrics passes on the labelled output" sh -c "promtool check metrics < $tmp/gz.txt"
else
	tap_skip "promtool check metrics" "promtool is not installed"
fi
kill -TERM "$ktop_pid"
wait "$ktop_pid"
tap_check "ktop --listen ends with status 0" [ $? -eq 0 ]
ktop_pid=
