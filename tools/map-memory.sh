#!/usr/bin/env bash
# tools/map-memory.sh: the kernel memory of a running ktop's BPF maps, as it is here and
# as it would be with N possible CPUs, computed from each map's type, sizes and flags.
#   tools/map-memory.sh [--json] [--reads SECS] PID [CPUS...]
#                                   (default CPUS: 2 128 256; as root)
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
#
# --reads SECS: also the bytes ktop copies out of each map per tick, at each CPU count.
# strace watches the process's bpf() calls for SECS seconds; each lookup (one element, or
# a batch of the count the kernel returned) copies key_size + the value, which for a
# per-CPU map is round_up(value_size, 8) per possible CPU (bpf_map_value_size()); a
# get_next_key copies a key. Ticks are counted by the first batch read (in_batch=NULL) of
# the map read most often, and only whole ticks between two of those are kept. What a
# hash holds depends on the CPUs that did the work, not on the possible ones: the
# projection is that of a machine with this one's online CPUs and N possible ones.
set -u
JSON=0 READS=0
while :; do
	case ${1:-} in
	--json) JSON=1; shift ;;
	--reads)
		READS=${2:-}
		[[ $READS =~ ^[0-9]+$ ]] && [ "$READS" -gt 0 ] ||
			{ echo "tools/map-memory.sh: --reads takes seconds, not '${2:-}'" >&2; exit 2; }
		shift 2 ;;
	*) break ;;
	esac
done
usage="usage: tools/map-memory.sh [--json] [--reads SECS] PID [CPUS...]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
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

# READS: "map_id elements keys" copied out per tick (see --reads above), and a "ticks N" line
reads=
if [ "$READS" -gt 0 ]; then
	command -v strace >/dev/null || { echo "tools/map-memory.sh: --reads needs strace" >&2; exit 1; }
	trace=$(mktemp)
	reads=$(mktemp)
	trap 'rm -f "$trace" "$reads"' EXIT
	timeout -s INT "$READS" strace -f -qq -e trace=bpf -o "$trace" -p "$pid" 2>/dev/null
	awk '
		# the number after key= in the line, or -1
		function num(key,    at) {
			if (!match($0, key "[0-9]+")) return -1
			return substr($0, RSTART + length(key), RLENGTH - length(key)) + 0
		}
		NR == FNR { if (/in_batch=NULL/) starts[num("map_fd=")]++; next }
		FNR == 1 {
			for (fd in starts) if (starts[fd] > starts[ref] + 0) ref = fd
			ticks = starts[ref] - 1
			if (ticks < 1) exit
			first = last = 0
		}
		/in_batch=NULL/ && num("map_fd=") == ref { if (!first) first = FNR; last = FNR }
		{ lines[FNR] = $0 }
		END {
			if (ticks < 1) { print "ticks 0"; exit }
			print "ticks", ticks
			for (i = first; i < last; i++) {
				$0 = lines[i]
				fd = num("map_fd=")
				if (fd < 0 || !(/= 0$/ || /= -1 ENOENT/)) continue
				if (/_BATCH,/) {
					n = num("=> {batch={count=")
					elems[fd] += n >= 0 ? n : num(" count=")
				} else if (/LOOKUP(_AND_DELETE)?_ELEM,/ && /= 0$/) {
					elems[fd]++
				} else if (/GET_NEXT_KEY,/ && /= 0$/) {
					keys[fd]++
				}
			}
			for (fd in elems) print "fd", fd, elems[fd] / ticks, 0
			for (fd in keys) print "fd", fd, 0, keys[fd] / ticks
		}' "$trace" "$trace" | while read -r what fd elems keys; do
		if [ "$what" = ticks ]; then
			echo "ticks $fd"
			continue
		fi
		id=$(awk '/^map_id:/ {print $2}' "/proc/$pid/fdinfo/$fd" 2>/dev/null)
		[ -n "$id" ] && echo "$id $elems $keys"
	done >"$reads"
	grep -q '^ticks [1-9]' "$reads" ||
		{ echo "tools/map-memory.sh: no whole tick of $pid in $READS s" >&2; exit 1; }
fi

maps | awk -v json=$JSON -v cpus="${cpus[*]}" -v readsfile="$reads" '
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
		# per map id: elements and keys copied out per tick (--reads)
		while (readsfile != "" && (getline l < readsfile) > 0) {
			split(l, w, " ")
			if (w[1] == "ticks") { ticks = w[2]; continue }
			relems[w[1]] += w[2]; rkeys[w[1]] += w[3]
		}
		if (!json) {
			printf "%-22s %-16s %4s %5s %8s %4s", "map", "type", "key", "value", "entries", "pcpu"
			for (i = 1; i <= nc; i++) printf " %10s", "KiB@" c[i]
			printf " %10s", "memlock"
			for (i = 1; ticks && i <= nc; i++) printf " %10s", "rdKiB@" c[i]
			printf "\n"
		}
	}
	# bytes copied out per tick at n possible CPUs: key and value per element, key per key
	function readbytes(id, t, k, v, n) {
		return relems[id] * (k + (percpu(t) ? roundup(v, 8) * n : v)) + rkeys[id] * k
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
		line = line sprintf(" %10.1f", $7 / 1024)
		js = js "}"
		if (ticks) {
			js = js sprintf(", \"elements_read_per_tick\": %.1f", relems[$1])
			js = js ", \"read_per_tick\": {"
			for (i = 1; i <= nc; i++) {
				b = readbytes($1, t, $3, $4, c[i])
				rtotal[i] += b
				line = line sprintf(" %10.1f", b / 1024)
				js = js sprintf("%s\"%d\": %d", (i > 1 ? ", " : ""), c[i], b)
			}
			js = js "}"
		}
		rows[++n] = json ? js "}" : line
	}
	END {
		if (json) {
			printf "{\"maps\": ["
			for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? ", " : ""), rows[i]
			printf "], \"memlock\": %d, \"total\": {", memlock
			for (i = 1; i <= nc; i++) printf "%s\"%d\": %d", (i > 1 ? ", " : ""), c[i], total[i]
			printf "}"
			if (ticks) {
				printf ", \"reads\": {\"ticks\": %d, \"per_tick\": {", ticks
				for (i = 1; i <= nc; i++)
					printf "%s\"%d\": %d", (i > 1 ? ", " : ""), c[i], rtotal[i]
				printf "}}"
			}
			printf "}\n"
			exit
		}
		for (i = 1; i <= n; i++) print rows[i]
		printf "%-22s %-16s %4s %5s %8s %4s", "total (" n " maps)", "", "", "", "", ""
		for (i = 1; i <= nc; i++) printf " %10.1f", total[i] / 1024
		printf " %10.1f", memlock / 1024
		for (i = 1; ticks && i <= nc; i++) printf " %10.1f", rtotal[i] / 1024
		printf "\n"
		if (ticks) printf "read per tick: averaged over %d ticks\n", ticks
	}'
