#!/usr/bin/env bash
# tests/lint_layers.sh: the rooms keep to their layers (DESIGN.md, "Rooms"):
#   core/        includes nothing from collectors/, ui/ or bpf/, no libbpf, no skeleton, no curses
#   ui/          includes nothing from collectors/ or bpf/, no libbpf, no skeleton
#   collectors/  includes nothing from ui/, no curses
#   export/      includes nothing from collectors/, ui/ or bpf/, no libbpf, no skeleton, no curses
# Only ktop.c, the composition root, includes them all.
#   tests/lint_layers.sh [ROOT]   (default: the tree this script is in)
. "$(dirname "$0")/lib.sh"
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}

# violations ROOT: "file:line: #include ..." for every include a room may not have
violations() {
	local r=$1 room pattern f
	for room in core ui collectors export; do
		case $room in
		core) pattern='(collectors|ui|bpf)/|skel\.h|curses' ;;
		ui) pattern='(collectors|bpf)/|skel\.h' ;;
		collectors) pattern='"(\.\./)?ui/|curses' ;;
		export) pattern='(collectors|ui|bpf)/|skel\.h|curses' ;;
		esac
		for f in "$r/$room"/*.[ch]; do
			[ -e "$f" ] || continue
			grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<].*($pattern)" "$f" |
				sed "s|^|${f#"$r"/}:|"
		done
	done
}

found=$(violations "$root")
if [ -z "$found" ]; then
	tap_ok "core/, ui/, collectors/ and export/ include only what their layer allows"
else
	tap_fail "an include crosses the layers (DESIGN.md, Rooms)"
	printf '%s\n' "$found" | sed 's/^/# /'
fi

# the check itself: a planted violation in each room is found
if [ $# -eq 0 ]; then
	plant=$(mktemp -d)
	trap 'rm -rf "$plant"' EXIT
	mkdir -p "$plant/core" "$plant/ui" "$plant/collectors"
	printf '#include "collectors/registry.h"\n#include "frame.h"\n' >"$plant/core/a.c"
	printf '#include <bpf/libbpf.h>\n' >"$plant/ui/b.c"
	printf '#include <ncursesw/curses.h>\n#include "core/frame.h"\n' >"$plant/collectors/c.c"
	n=$(violations "$plant" | wc -l)
	tap_check "planted violations are found (3 of 3: $n)" [ "$n" -eq 3 ]
fi
echo "1..$TAP_N"
