#!/usr/bin/env bash
# tests/lint_checks.sh: every tap_check checks exactly one command, and no test checks JSON
# with `jq -e`.
#
# `tap_check "what" [ A ] && [ B ]` checks only A: the shell applies && to tap_check's own
# status, and B then runs for nothing. The same goes for ||, a pipe, ; and &, and a
# redirection of tap_check's output hides its TAP line. This reads every shell test (and
# the scripts they source), joins continued lines, and fails on any tap_check followed by
# one of those outside quotes and $(...). Put compound conditions in a function, or
# use one of lib.sh's helpers (between, jqt).
# `jq -e FILTER FILE` exits 0 when FILE holds no JSON at all (no result is not a false one):
# a check written so passes when ktop printed nothing. lib.sh's jqt wants a result.
# Without FILE arguments it also checks that no test hook ships: no symbol of a BPF object
# ktop embeds ($BUILD/NAME.skel.h) starts with test_ or crit_test (hooks live in tests/bpf/).
#   tests/lint_checks.sh [FILE...]   (default: tests/*.sh and tools/soak.sh)
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1

# offending_checks FILE: "LINE: text" of each tap_check that does more than one command
offending_checks() {
	awk '
	# a logical line: physical lines joined at a trailing backslash
	{
		if (cont != "") { line = cont $0 } else { line = $0; start = FNR }
		if (line ~ /\\$/) { cont = substr(line, 1, length(line) - 1); next }
		cont = ""
		if (line !~ /^[ \t]*tap_check[ \t]/) next
		if (bad(line)) printf "%d: %s\n", start, line
	}
	function bad(s,    i, c, n, sq, dq, depth, prev) {
		sub(/^[ \t]*tap_check[ \t]+/, "", s)
		n = length(s); sq = 0; dq = 0; depth = 0; prev = " "
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (sq) { if (c == "\047") sq = 0; prev = c; continue }
			if (c == "\\") { i++; prev = "x"; continue }
			if (dq) {
				if (c == "\"" && depth == 0) dq = 0
				else if (c == "$" && substr(s, i + 1, 1) == "(") { depth++; i++ }
				else if (c == ")" && depth > 0) depth--
				prev = c; continue
			}
			if (c == "\047") { sq = 1; prev = c; continue }
			if (c == "\"") { dq = 1; prev = c; continue }
			if (c == "$" && substr(s, i + 1, 1) == "(") { depth++; i++; prev = "("; continue }
			if (c == "<" && substr(s, i + 1, 1) == "(") { depth++; i++; prev = "("; continue }
			if (c == "(") { depth++; prev = c; continue }
			if (c == ")") { if (depth > 0) depth--; prev = c; continue }
			if (depth > 0) { prev = c; continue }
			if (c == "#" && prev ~ /[ \t]/) return 0
			if (c == "&" || c == "|" || c == ";") return 1
			# stderr may go elsewhere; stdout carries the TAP line
			if (c == ">" && !(prev == "2" && substr(s, i - 2, 1) ~ /[ \t]/)) return 1
			prev = c
		}
		return 0
	}' "$1"
}

# jq_exit_status FILE: "LINE: text" of each jq run with -e (alone or among other short
# options) or --exit-status, outside comments
jq_exit_status() {
	awk '{
		line = $0
		sub(/(^|[ \t])#.*/, "", line)
		if (line ~ /(^|[^A-Za-z0-9_-])jq[ \t]+(-[A-Za-z]+[ \t]+)*(-[A-Za-z]*e[A-Za-z]*|--exit-status)([ \t]|$)/)
			printf "%d: %s\n", FNR, $0
	}' "$1"
}

files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/*.sh tools/soak.sh)
for f in "${files[@]}"; do
	found=$(offending_checks "$f")
	if [ -z "$found" ]; then
		tap_ok "$f: every tap_check checks one command"
	else
		tap_fail "$f: a tap_check followed by &&, ||, |, ;, & or > checks only its first command"
		printf '%s\n' "$found" | sed "s|^|# $f:|"
	fi
	found=$(jq_exit_status "$f")
	if [ -z "$found" ]; then
		tap_ok "$f: no jq run with -e (it passes on empty input; lib.sh's jqt does not)"
	else
		tap_fail "$f: a jq run with -e passes on a file with no JSON in it: use jqt"
		printf '%s\n' "$found" | sed "s|^|# $f:|"
	fi
done

# The lint itself: a planted mistake of each kind is found, a correct line is not
if [ $# -eq 0 ]; then
	planted=$(mktemp)
	trap 'rm -f "$planted"' EXIT
	# written as CHECK here, so that no line of this file is itself a planted mistake
	sed 's/^CHECK/tap_check/' >"$planted" <<'EOF'
CHECK "and" [ 1 = 1 ] && [ 1 = 2 ]
CHECK "continued" \
	[ 1 = 1 ] || false
CHECK "pipe" echo x | grep -q y
CHECK "redirected" true >/dev/null
CHECK "fine: quoted" bash -c "[ 1 = 1 ] && [ 2 = 2 ]"
CHECK "fine: single" wait_for '[ a ] && [ b ]' 2
CHECK "fine: subst" [ "$(echo a | tr a b)" = b ]
CHECK "fine: process subst" diff -u a <(sort b)
CHECK "fine: negated" ! grep -q x y # a comment with && in it
CHECK "fine: stderr" ! kill -0 1 2>/dev/null
CHECK "stdout away" kill -0 1 1>/dev/null
EOF
	lines=$(offending_checks "$planted" | cut -d: -f1 | tr '\n' ' ')
	tap_check "the lint finds each planted mistake and nothing else (lines: $lines)" \
		[ "$lines" = "1 2 4 5 12 " ]
	# written as JQ here for the same reason
	sed 's/JQ/jq/g' >"$planted" <<'EOF'
CHECK "e" JQ -e '.x' f
CHECK "es" JQ -es 'length == 1' f
CHECK "se after another option" JQ -r -se '.x' f
CHECK "long" JQ --exit-status .x f
x=$(JQ -ce .x f)
CHECK "fine: jqt" jqt -s '.x' f
CHECK "fine: no -e" JQ -s --arg e x '.[$e]' f
# fine: a comment about JQ -e
CHECK "fine: a word ending in jq" notjq -e .x f
EOF
	lines=$(jq_exit_status "$planted" | cut -d: -f1 | tr '\n' ' ')
	tap_check "the lint of jq's -e finds each planted use and nothing else (lines: $lines)" \
		[ "$lines" = "1 2 3 4 5 " ]
fi

# skeleton_symbols SKEL: the symbol names of the BPF object a bpftool skeleton embeds (its
# bytes, written by bpftool as \xNN and \0 escapes), one a line; fails when it has none
skeleton_symbols() {
	local obj status
	obj=$(mktemp) || return 1
	perl -0777 -ne '
		/__elf_bytes\(size_t\ \*sz\)\s*\{\s*\*sz\ =\ (\d+);\s*
		  return\ \(const\ void\ \*\)"(.*?)";/sx or exit 1;
		my ($size, $bytes) = ($1, $2);
		$bytes =~ s/\\\n//g;
		$bytes =~ s/\\(?:x([0-9a-f]{2})|0)/defined $1 ? chr(hex $1) : "\0"/ge;
		length($bytes) == $size or exit 1;
		binmode STDOUT;
		print $bytes' "$1" >"$obj" &&
		"${LLVM_OBJDUMP:-llvm-objdump}" -t "$obj" |
		awk 'seen { print $NF } /^SYMBOL TABLE:/ { seen = 1 }' | grep .
	status=$?
	rm -f "$obj"
	return $status
}

# test_symbols SKEL: the symbols of a test hook in SKEL's object, one a line
test_symbols() {
	skeleton_symbols "$1" | grep -E '^(test_|crit_test)'
}

if [ $# -eq 0 ]; then
	skels=("$BUILD"/*.skel.h)
	if ! command -v "${LLVM_OBJDUMP:-llvm-objdump}" >/dev/null; then
		tap_skip "shipped BPF objects carry no test hook" "no llvm-objdump"
	elif [ ! -e "${skels[0]}" ]; then
		tap_skip "shipped BPF objects carry no test hook" "nothing built in $BUILD/"
	else
		for skel in "${skels[@]}"; do
			if ! skeleton_symbols "$skel" | grep -qx LICENSE; then
				tap_fail "$skel: its BPF object's symbols can be read"
				continue
			fi
			found=$(test_symbols "$skel")
			if [ -z "$found" ]; then
				tap_ok "$skel: no test hook (test_*, crit_test*) in its BPF object"
			else
				tap_fail "$skel: a test hook in its BPF object: ${found//$'\n'/ }"
			fi
		done
		# the check itself: it sees the hook of a test build of a shipped program
		hooked=$BUILD/tests/bpf/tasklets_test.skel.h
		if [ -e "$hooked" ]; then
			tap_check "the check finds test_tail in $hooked" \
				[ "$(test_symbols "$hooked")" = test_tail ]
		else
			tap_skip "the check finds test_tail in a test build" "$hooked not built"
		fi
	fi
fi
echo "1..$TAP_N"
