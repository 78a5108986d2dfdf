#!/usr/bin/env bash
# tests/e2e_collector.sh: adding a collector is its own file and one registry line. In a
# copy of this tree, tests/collector/hello.c (the collector docs/DEVELOPING.md walks
# through) becomes collectors/hello.c and X(hello) joins the list in collectors/registry.c;
# nothing else changes. The copy builds with the unchanged Makefile, the new pane is among
# the default panes, its setting ([hello] label) is in --dump-config and checked in the
# config file, and `ktop -J` carries its table with what it counted (the machine's context
# switches: more than none in 0.2 s) under the name the config file gave.
# Slow: a whole build (about a minute on 2 CPUs).
. "$(dirname "$0")/lib.sh"
if [ -n "${KTOP_SANITIZED:-}" ]; then
	# it builds its own plain ktop from the sources: the sanitizer build adds nothing to it
	tap_skip "a copy of ktop with a new collector" "it builds its own plain ktop; the plain suite runs it"
	echo "1..$TAP_N"
	exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)

need_root "a copy of ktop with a new collector (the others load BPF programs)" ||
	{ echo "1..$TAP_N"; exit 0; }
for tool in clang bpftool llvm-strip; do
	if ! command -v $tool >/dev/null; then
		tap_skip "a copy of ktop with a new collector" \
			"$tool is not installed (tools/install-deps.sh)"
		echo "1..$TAP_N"
		exit 0
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
mkdir -p "$src"
# the tree as `make deb` copies it: tracked files and new ones not ignored
(cd "$root" && if [ -e .git ]; then git ls-files -z -c -o --exclude-standard; else
	find . -path ./build -prune -o -path './build-*' -prune -o -type f -print0; fi |
	tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$src"

cp "$root/tests/collector/hello.c" "$src/collectors/hello.c"
awk '/^\tX\(containers\)/ { print "\tX(hello) \\" } { print }' "$root/collectors/registry.c" \
	>"$src/collectors/registry.c"

diff -u "$root/collectors/registry.c" "$src/collectors/registry.c" >"$tmp/registry.diff"
changed=$(grep -c '^[-+][^-+]' "$tmp/registry.diff")
tap_check "the registry gains one line and loses none ($changed changed)" [ "$changed" -eq 1 ]
tap_check "the added line names the collector" grep -qx '+	X(hello) \\' "$tmp/registry.diff"
diff -rq "$root/collectors" "$src/collectors" >"$tmp/tree.diff"
tap_check "collectors/ differs by the new file and the registry only" \
	diff <(sort "$tmp/tree.diff") <(printf '%s\n' \
	"Files $root/collectors/registry.c and $src/collectors/registry.c differ" \
	"Only in $src/collectors: hello.c" | sort)

# the kernel's types, as this tree's build dumped them (saves a bpftool run)
mkdir -p "$tmp/b"
[ -r "$root/$BUILD/vmlinux.h" ] && cp "$root/$BUILD/vmlinux.h" "$tmp/b/"
t0=$SECONDS
make -C "$src" -s -j2 BUILD="$tmp/b" "$tmp/b/ktop" >"$tmp/build.log" 2>&1
rc=$?
tap_diag "the build took $((SECONDS - t0)) s"
tap_check "the copy builds with the unchanged Makefile ($rc; $(tail -n 3 "$tmp/build.log" |
	tr '\n' ' ' | head -c 300))" [ $rc -eq 0 ]
if [ $rc -ne 0 ]; then
	echo "1..$TAP_N"
	exit 0
fi
ktop=$tmp/b/ktop
ln -sfn "$root/themes" "$tmp/b/themes"

"$ktop" --defaults --dump-config >"$tmp/conf" 2>&1
tap_diag "$(grep '^panes' "$tmp/conf")"
tap_check "its pane is among the default panes, in registry order" \
	grep -qx 'panes = .*critical, hello, containers' "$tmp/conf"
"$ktop" --columns >"$tmp/columns" 2>&1
tap_check "ktop --columns describes its table" grep -q 'hello' "$tmp/columns"
sed -n '/^\[hello\]$/,/^$/p' "$tmp/conf" >"$tmp/conf.hello"
tap_diag "$(tr '\n' ' ' <"$tmp/conf.hello")"
tap_check "--dump-config has its [hello] section, its setting at the default" \
	grep -qx 'label = context switches' "$tmp/conf.hello"
printf '[hello]\nlabel = switches\ncolour = blue\n' >"$tmp/bad.conf"
"$ktop" --config "$tmp/bad.conf" --dump-config >/dev/null 2>"$tmp/bad.err"
tap_diag "$(head -c 300 "$tmp/bad.err")"
tap_check "the config file is checked against its settings" \
	grep -q "bad.conf:3: unknown key 'colour' in \[hello\]; expected one of: label" "$tmp/bad.err"
printf '[hello]\nlabel = switches\n' >"$tmp/hello.conf"

"$ktop" --config "$tmp/hello.conf" -J -n 2 -d 0.2 >"$tmp/out" 2>"$tmp/err"
tail -n 1 "$tmp/out" >"$tmp/last"
tap_diag "hello: $(jq -c '.hello' "$tmp/last" 2>&1 | head -c 200); $(head -c 200 "$tmp/err")"
tap_check "ktop -J says the collector runs" jqt '.collectors.hello == "ok"' "$tmp/last"
tap_check "ktop -J carries its table: the context switches of 0.2 s, more than none, as named" \
	jqt '.hello | length == 1 and .[0].name == "switches" and .[0].count > 0' "$tmp/last"
tap_check "the other collectors run beside it" jqt '.collectors.syscalls == "ok"' "$tmp/last"
echo "1..$TAP_N"
