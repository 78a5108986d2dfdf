#!/usr/bin/env bash
# tests/e2e_package.sh: the Debian package. `make deb` builds it (dpkg-buildpackage, in a
# copy of this tree, outputs in a temporary folder), lintian finds no error, apt installs
# it, the installed ktop passes --check and prints a JSON frame, the man page, completion,
# themes, config and units are where Debian looks for them, and purging leaves no file.
# Slow: a whole build (about 2 minutes on 2 CPUs).
. "$(dirname "$0")/lib.sh"
if [ -n "${KTOP_SANITIZED:-}" ]; then
	# it builds its own plain ktop from the sources: the sanitizer build adds nothing to it
	tap_skip "the Debian package" "it builds its own plain ktop; the plain suite runs it"
	echo "1..$TAP_N"
	exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)

need_root "the Debian package (apt installs it)" || { echo "1..$TAP_N"; exit 0; }
for tool in dpkg-buildpackage dh lintian apt-get systemd-analyze; do
	if ! command -v $tool >/dev/null; then
		tap_skip "the Debian package" "$tool is not installed (tools/install-deps.sh)"
		echo "1..$TAP_N"
		exit 0
	fi
done
if dpkg-query -W -f='${Status}' ktop 2>/dev/null | grep -q 'install ok'; then
	tap_skip "the Debian package" "a ktop package is already installed here; not replacing it"
	echo "1..$TAP_N"
	exit 0
fi

tmp=$(mktemp -d)
cleanup() {
	dpkg-query -W ktop >/dev/null 2>&1 && apt-get purge -y -qq ktop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
arch=$(dpkg --print-architecture)
deb=$tmp/ktop_${version}_${arch}.deb
t0=$SECONDS
# noddebs: no debug-symbols package, which this test would not look at
DEB_BUILD_OPTIONS="noddebs nocheck" make -C "$root" -s deb BUILD="$tmp/b" DEB_OUT="$tmp" \
	>"$tmp/build.log" 2>&1
rc=$?
tap_diag "make deb took $((SECONDS - t0)) s"
tap_check "make deb succeeds ($rc; $(tail -n 3 "$tmp/build.log" | tr '\n' ' ' | head -c 300))" \
	[ $rc -eq 0 ]
tap_check "it makes ktop_${version}_${arch}.deb" [ -f "$deb" ]
[ -f "$deb" ] || { echo "1..$TAP_N"; exit 1; }
tap_check "the build left the tree's ./ktop and build/ alone" \
	[ -z "$(find "$root/ktop" "$root/build" -maxdepth 0 -newer "$tmp/build.log" 2>/dev/null)" ]

lintian --fail-on error --tag-display-limit 0 "$deb" >"$tmp/lintian" 2>&1
rc=$?
sed 's/^/# lintian: /' "$tmp/lintian"
tap_check "lintian: no error ($rc)" [ $rc -eq 0 ]

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/contents"
for f in /usr/bin/ktop /etc/ktop/ktop.conf /usr/share/ktop/themes/default.theme \
	/usr/share/ktop/themes/light.theme /usr/share/man/man1/ktop.1.gz \
	/usr/share/bash-completion/completions/ktop /usr/share/zsh/vendor-completions/_ktop \
	/lib/systemd/system/ktop-exporter.service /lib/systemd/system/ktop-recorder.service \
	/usr/share/doc/ktop/copyright; do
	tap_check "the package holds $f" grep -qxF "$f" "$tmp/contents"
done
dpkg-deb -e "$deb" "$tmp/control"
tap_check "/etc/ktop/ktop.conf is a conffile" grep -qxF /etc/ktop/ktop.conf "$tmp/control/conffiles"

# other test runs may hold dpkg's lock for a while
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "$deb" \
	>"$tmp/install.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/# apt: /' "$tmp/install.log" | tail -n 15
tap_check "apt installs it ($rc)" [ $rc -eq 0 ]
dpkg-query -L ktop >"$tmp/files" 2>/dev/null

cd / || exit 1 # nothing beside the build's binary: themes come from /usr/share/ktop
/usr/bin/ktop --check >"$tmp/check" 2>&1
rc=$?
tap_check "installed ktop --check exits 0 ($rc)" [ $rc -eq 0 ]
tap_check "installed ktop --check: syscalls ok" grep -qE '^syscalls +ok' "$tmp/check"
/usr/bin/ktop -J -n 1 -d 0.5 >"$tmp/frame.json" 2>"$tmp/frame.err"
rc=$?
tap_check "installed ktop -J -n 1 exits 0 ($rc: $(head -c 200 "$tmp/frame.err"))" [ $rc -eq 0 ]
tap_check "it prints one JSON frame" [ "$(wc -l <"$tmp/frame.json")" -eq 1 ]
tap_check "the frame has system calls" jqt '.syscalls | length > 0' "$tmp/frame.json"
/usr/bin/ktop --list-themes >"$tmp/themes"
tap_check "the installed themes are found (light)" grep -qx light "$tmp/themes"
/usr/bin/ktop --config /etc/ktop/ktop.conf --dump-config >"$tmp/conf" 2>&1
rc=$?
tap_check "ktop reads the installed /etc/ktop/ktop.conf ($rc)" [ $rc -eq 0 ]
tap_check "man finds the installed page" [ "$(man -w ktop 2>/dev/null)" = \
	/usr/share/man/man1/ktop.1.gz ]
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings ktop >/dev/null 2>"$tmp/man.err"
tap_check "man --warnings ktop: no warning" [ ! -s "$tmp/man.err" ]
bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader ktop; complete -p ktop' \
	>"$tmp/complete" 2>&1
tap_check "bash-completion loads ktop's completion" grep -q -- '-F _ktop' "$tmp/complete"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	/lib/systemd/system/ktop-exporter.service /lib/systemd/system/ktop-recorder.service \
	>"$tmp/verify" 2>&1
rc=$?
tap_check "systemd-analyze verify: both units ($rc: $(head -c 300 "$tmp/verify"))" [ $rc -eq 0 ]
tap_check "the units are not enabled" \
	[ -z "$(find /etc/systemd/system -name 'ktop-*' 2>/dev/null)" ]

apt-get purge -y -qq -o DPkg::Lock::Timeout=300 ktop >"$tmp/purge.log" 2>&1
rc=$?
tap_check "apt purges it ($rc)" [ $rc -eq 0 ]
dpkg-query -W ktop >/dev/null 2>&1
rc=$?
tap_check "dpkg knows no ktop afterwards" [ $rc -ne 0 ]
left=""
while IFS= read -r f; do
	# directories the package shared with others (/usr/bin, /etc) stay
	[ -e "$f" ] && ! [ -d "$f" ] && left="$left $f"
done <"$tmp/files"
n=$(wc -l <"$tmp/files")
# (an empty list, dpkg-query -L having failed, would leave nothing to find)
none_left() { [ "$1" -gt 0 ] && [ -z "$2" ]; }
tap_check "no file of the package is left ($n were installed):${left:- none}" none_left "$n" "$left"
tap_check "/etc/ktop is gone" [ ! -e /etc/ktop ]
tap_check "/usr/share/ktop is gone" [ ! -e /usr/share/ktop ]
tap_check "no systemd state of ktop is left" \
	[ -z "$(find /var/lib/systemd /etc/systemd -name 'ktop*' 2>/dev/null)" ]
echo "1..$TAP_N"
