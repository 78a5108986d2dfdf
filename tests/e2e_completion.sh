#!/usr/bin/env bash
# tests/e2e_completion.sh: bash completion (completions/ktop.bash) offers every option of
# --help, the themes ktop finds, the formats, and the name of a container started here,
# found through ktop's own discovery (--list-containers).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -r /usr/share/bash-completion/bash_completion ]; then
	tap_skip "bash completion" "bash-completion is not installed (tools/install-deps.sh)"
	echo "1..$TAP_N"
	exit 0
fi
tmp=$(mktemp -d)
cg="" V2=""
cleanup() {
	if [ -n "$cg" ]; then
		for p in $(cat "$V2/$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		wait 2>/dev/null
		wait_for "[ -z \"\$(cat $V2/$cg/cgroup.procs 2>/dev/null)\" ]" 3
		rmdir "$V2/$cg" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# complete LINE: what Tab offers at the end of LINE, one per line
complete_line() {
	bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
		COMP_LINE=$2 COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$COMP_LINE"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ktop "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' sh "$root/completions/ktop.bash" "$1"
}

complete_line "$KTOP_BIN -" | sort >"$tmp/offered"
"$KTOP_BIN" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u >"$tmp/help"
n=$(wc -l <"$tmp/help")
tap_check "--help has options ($n)" [ "$n" -ge 20 ]
tap_check "'ktop -' offers every long option of --help: $(comm -13 "$tmp/offered" "$tmp/help" |
	tr '\n' ' ')" [ -z "$(comm -13 "$tmp/offered" "$tmp/help")" ]
complete_line "$KTOP_BIN --theme " >"$tmp/themes"
"$KTOP_BIN" --list-themes >"$tmp/themes_found"
tap_check "'--theme ' offers the themes ktop finds" cmp -s "$tmp/themes" "$tmp/themes_found"
tap_check "the themes include light (themes/)" grep -qx light "$tmp/themes"
complete_line "$KTOP_BIN --format p" >"$tmp/formats"
tap_check "'--format p' offers prometheus" [ "$(cat "$tmp/formats")" = prometheus ]

# a container: its own cgroup and pid/uts/mount namespaces, as tests/e2e_containers.sh does
V2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
if [ "$(id -u)" != 0 ] || [ -z "$V2" ] || ! command -v unshare >/dev/null; then
	tap_skip "container names" "needs root, a cgroup2 mount and unshare(1)"
	echo "1..$TAP_N"
	exit 0
fi
name=ktopcomp$$
cg=ktop-e2e-completion-$$
mkdir "$V2/$cg"
sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --uts --mount --fork \
	sh -c "hostname $2 && exec sleep 300"' sh "$V2/$cg" "$name" >/dev/null 2>&1 &
wait_for "\"$KTOP_BIN\" --list-containers | cut -f1 | grep -qx $name" 10
"$KTOP_BIN" --list-containers >"$tmp/containers"
tap_check "--list-containers names the container by its hostname" \
	grep -qP "^$name\tcgroup\t/$cg\$" "$tmp/containers"
complete_line "$KTOP_BIN -c ktopcomp" >"$tmp/offered_containers"
tap_check "'-c ktopcomp' offers it" grep -qx "$name" "$tmp/offered_containers"
complete_line "$KTOP_BIN --container=ktopcomp" >"$tmp/offered_containers"
tap_check "'--container=ktopcomp' offers it" grep -qx "$name" "$tmp/offered_containers"
echo "1..$TAP_N"
