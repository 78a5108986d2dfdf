#!/usr/bin/env bash
# tests/e2e_man.sh: the manual page (ktop --man, installed as ktop.1) renders without a
# warning and names every option of --help, every action of --list-actions, every key of
# --dump-config and every environment variable ktop's code reads; --version names the
# git revision and the libbpf the binary really loads.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$KTOP_BIN" --defaults --man >"$tmp/ktop.1" 2>"$tmp/err"
rc=$?
tap_check "--man exits 0 ($rc)" [ $rc -eq 0 ]
tap_check "--man writes nothing on stderr" [ ! -s "$tmp/err" ]
tap_check "--man starts with the title macro" grep -q '^\.TH KTOP 1 ' "$tmp/ktop.1"

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	tap_skip "the manual page renders" "man-db or groff is not installed (tools/install-deps.sh)"
	echo "1..$TAP_N"
	exit 0
fi
# --nh --nj: no hyphenation, no justification, so every name stays whole on its line
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings --nh --nj -l "$tmp/ktop.1" >"$tmp/page" 2>"$tmp/warn"
rc=$?
tap_check "man --warnings -l renders it ($rc)" [ $rc -eq 0 ]
tap_check "man --warnings -l says nothing: $(head -c 300 "$tmp/warn")" [ ! -s "$tmp/warn" ]
for s in NAME SYNOPSIS DESCRIPTION OPTIONS PANES KEYS 'CONFIGURATION FILE' FILES ENVIRONMENT \
	'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
	tap_check "section $s" grep -qx "$s" "$tmp/page"
done

# section TITLE: the page's lines under that heading
section() { awk -v t="$1" '/^[A-Z]/ {on = ($0 == t); next} on' "$tmp/page"; }
section OPTIONS >"$tmp/options"
section KEYS >"$tmp/keys"
section 'CONFIGURATION FILE' >"$tmp/config"
section ENVIRONMENT >"$tmp/env"
# tagged_line FILE TAG: a line of FILE starts with TAG, then ", ", a space or its end (a tag
# narrower than the indent shares its line with the text)
tagged_line() {
	awk -v t="       $2" 'index($0, t) == 1 && (length($0) == length(t) ||
		substr($0, length(t) + 1, 1) ~ /[ ,]/) {found = 1} END {exit !found}' "$1"
}

# every option --help shows is a tag in OPTIONS, with its short letter and value name
"$KTOP_BIN" --help | grep -E '^  (-[A-Za-z], |    )--' | sed -E 's/^ +//; s/  .*//; s/ [a-z].*//' \
	>"$tmp/help_options"
n=$(wc -l <"$tmp/help_options")
tap_check "--help lists options ($n)" [ "$n" -ge 20 ]
missing=""
while IFS= read -r opt; do
	tagged_line "$tmp/options" "$opt" || missing="$missing [$opt]"
done <"$tmp/help_options"
tap_check "every option of --help is in OPTIONS as it is written there:${missing:- none missing}" \
	[ -z "$missing" ]

# every action, with its default keys
"$KTOP_BIN" --defaults --list-actions >"$tmp/actions"
n=$(wc -l <"$tmp/actions")
tap_check "--list-actions lists actions ($n)" [ "$n" -ge 10 ]
tr -s ' \n' ' ' <"$tmp/keys" >"$tmp/keys_joined" # the text, whatever its line breaks
missing=""
while IFS=$'\t' read -r name keys _; do
	grep -qF "(action $name)" "$tmp/keys_joined" || missing="$missing $name"
	first=${keys%% *}
	[ -z "$first" ] || tagged_line "$tmp/keys" "$first" || missing="$missing $name:$first"
done <"$tmp/actions"
tap_check "every action and its first key is in KEYS:${missing:- none missing}" [ -z "$missing" ]

# every setting of --dump-config, with its default, under its [section]
"$KTOP_BIN" --defaults --dump-config >"$tmp/conf"
awk '/^\[/ {s = $0} /^[a-z_]+ = / && s != "[keys]" {print s " " $1}' "$tmp/conf" >"$tmp/keys_list"
n=$(wc -l <"$tmp/keys_list")
tap_check "--dump-config has settings ($n)" [ "$n" -ge 10 ]
missing=""
while read -r sect key; do
	awk -v s="   $sect" -v k="       $key = " '$0 == s {on = 1; next} /^   \[/ {on = 0}
		on && index($0, k) == 1 {found = 1} END {exit !found}' "$tmp/config" ||
		missing="$missing $sect$key"
done <"$tmp/keys_list"
tap_check "every setting is in CONFIGURATION FILE under its section:${missing:- none missing}" \
	[ -z "$missing" ]

# every variable the code reads (test hooks aside) is in ENVIRONMENT
grep -rhoE 'getenv\("[A-Z_]+"\)' "$root"/core "$root"/ui "$root"/collectors "$root"/export \
	"$root"/ktop.c | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u |
	grep -vxE 'KTOP_FAULT|KTOP_TASKLETS_FALLBACK' >"$tmp/vars"
n=$(wc -l <"$tmp/vars")
tap_check "the code reads environment variables ($n)" [ "$n" -ge 3 ]
missing=""
while read -r var; do
	grep -qE "^       ([A-Z_]+, )*$var(,| |$)" "$tmp/env" || missing="$missing $var"
done <"$tmp/vars"
tap_check "every variable the code reads is in ENVIRONMENT:${missing:- none missing}" \
	[ -z "$missing" ]

# --version: the version, the git revision it was built from, the libbpf it loads
"$KTOP_BIN" --version >"$tmp/version"
tap_check "--version: first line 'ktop VERSION'" grep -qE '^ktop [0-9]+\.[0-9]+' "$tmp/version"
rev=$(sed -n 's/^git revision \([0-9a-f]*\).*/\1/p' "$tmp/version")
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1 && [ -e "$root/.git" ]; then
	tap_check "--version names a git revision of this repository ($rev)" \
		git -C "$root" cat-file -e "${rev:-none}^{commit}"
else
	tap_check "--version names no git revision outside git" [ -z "$rev" ]
fi
lib=$(ldd "$KTOP_BIN" | awk '$1 ~ /^libbpf\.so/ {print $3}')
real=$(readlink -f "$lib")
want=$(basename "$real" | sed -nE 's/^libbpf\.so\.([0-9]+)\.([0-9]+).*/\1.\2/p')
tap_check "--version names the libbpf loaded ($want, $real)" \
	grep -qE "^libbpf ${want:-none} " "$tmp/version"
echo "1..$TAP_N"
