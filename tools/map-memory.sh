#!/usr/bin/env bash
# tools/map-memory.sh: the kernel memory of a running ktop's BPF maps, as it is here and
# as it would be with N possible CPUs, computed from each map's type, sizes and flags.
#   tools/map-memory.sh [--json] PID [CPUS...]     (default CPUS: 2 128 256; as root)
#
# Per-CPU maps (percpu array, percpu hash, LRU percpu hash) hold one value per *possible*
# CPU, so a 2-CPU machine cannot show what a 128-CPU server pins. The projection is the
# formula kernels before 6.4 print as `memlock` in /proc/PID/fdinfo (kernel/bpf/syscall.c,
# bpf_map_memory_footprint): max_entries * round_up(key_size + value, 8), rounded up to a
# page, where value is round_up(value_size, 8) * possible CPUs for per-CPU maps. For a hash
# that is the memory it holds when full (later kernels count only the entries in use, plus
# small headers); a ring buffer is its data pages (max_entries). Task storage is per task,
# not per CPU, and is counted as 0 here as it is there.
# Output: one line per map (name, type, key, value, max_entries, per-CPU, then KiB at each
# CPU count) and a total line; --json: the same as one JSON object.
set -u
JSON=0
[ "${1:-}" = --json ] && { JSON=1; shift; }
[ $# -ge 1 ] || { echo "usage: tools/map-memory.sh [--json] PID [CPUS...]" >&2; exit 2; }
pid=$1
shift
cpus=("$@")
[ ${#cpus[@]} -gt 0 ] || cpus=(2 128 256)
[ -d "/proc/$pid/fdinfo" ] || { echo "tools/map-memory.sh: no process $pid" >&2; exit 1; }

# one "id type key value max flags memlock name" line per map the process holds
maps() {
	local f names
	# the names, from one listing of every map (the fdinfo has none)
	names=$(bpftool -j map show 2>/dev/null | jq -r '.[] | "\(.id) \(.name // "?")"' 2>/dev/null)
	for f in /proc/"$pid"/fdinfo/*; do
		awk '/^map_id:/ {id = $2} /^map_type:/ {t = $2} /^key_size:/ {k = $2}
			/^value_size:/ {v = $2} /^max_entries:/ {m = $2} /^map_flags:/ {fl = $2}
			/^memlock:/ {ml = $2}
			END {if (id != "") print id, t, k, v, m, fl, ml}' "$f" 2>/dev/null
	done | sort -un -k1,1 | awk -v names="$names" '
		BEGIN {n = split(names, l, "\n"); for (i = 1; i <= n; i++) {split(l[i], w, " "); nm[w[1]] = w[2]}}
		{print $0, ($1 in nm) ? nm[$1] : "?"}'
}

maps | awk -v json=$JSON -v cpus="${cpus[*]}" '
	function roundup(x, a) { return int((x + a - 1) / a) * a }
	# BPF_MAP_TYPE_PERCPU_HASH 5, PERCPU_ARRAY 6, LRU_PERCPU_HASH 10, PERCPU_CGROUP_STORAGE 21
	function percpu(t) { return t == 5 || t == 6 || t == 10 || t == 21 }
	function bytes(t, k, v, m, n,    val) {
		if (t == 27) return m	# ring buffer: its data pages
		if (t == 29 || t == 28 || t == 32 || t == 19) return 0	# local storages
		val = percpu(t) ? roundup(v, 8) * n : v
		return roundup(m * roundup(k + val, 8), 4096)
	}
	BEGIN {
		nc = split(cpus, c, " ")
		tn[1] = "hash"; tn[2] = "array"; tn[5] = "percpu_hash"; tn[6] = "percpu_array"
		tn[9] = "lru_hash"; tn[10] = "lru_percpu_hash"; tn[27] = "ringbuf"
		tn[29] = "task_storage"; tn[21] = "percpu_cgroup_storage"
		if (!json) {
			printf "%-22s %-16s %4s %5s %8s %4s", "map", "type", "key", "value", "entries", "pcpu"
			for (i = 1; i <= nc; i++) printf " %10s", "KiB@" c[i]
			printf " %10s\n", "memlock"
		}
	}
	{
		name = $8; t = $2
		line = sprintf("%-22s %-16s %4d %5d %8d %4s", name, (t in tn) ? tn[t] : t, $3, $4, $5,
			       percpu(t) ? "yes" : "no")
		js = sprintf("{\"name\": \"%s\", \"type\": %d, \"key_size\": %d, \"value_size\": %d, \"max_entries\": %d, \"per_cpu\": %s, \"memlock\": %d, \"bytes\": {",
			     name, t, $3, $4, $5, percpu(t) ? "true" : "false", $7)
		for (i = 1; i <= nc; i++) {
			b = bytes(t, $3, $4, $5, c[i])
			total[i] += b
			line = line sprintf(" %10.1f", b / 1024)
			js = js sprintf("%s\"%d\": %d", (i > 1 ? ", " : ""), c[i], b)
		}
		memlock += $7
		rows[++n] = json ? js "}}" : line sprintf(" %10.1f", $7 / 1024)
	}
	END {
		if (json) {
			printf "{\"maps\": ["
			for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? ", " : ""), rows[i]
			printf "], \"memlock\": %d, \"total\": {", memlock
			for (i = 1; i <= nc; i++) printf "%s\"%d\": %d", (i > 1 ? ", " : ""), c[i], total[i]
			printf "}}\n"
			exit
		}
		for (i = 1; i <= n; i++) print rows[i]
		printf "%-22s %-16s %4s %5s %8s %4s", "total (" n " maps)", "", "", "", "", ""
		for (i = 1; i <= nc; i++) printf " %10.1f", total[i] / 1024
		printf " %10.1f\n", memlock / 1024
	}'
