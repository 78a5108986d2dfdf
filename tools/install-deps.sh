#!/bin/sh
# Install the Debian packages ktop needs to build, run and test; only what is missing.
set -e
pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libncurses-dev libinih-dev
pkg-config libcmocka-dev tmux iproute2 procps libbpf-tools util-linux jq htop libclang-rt-14-dev
valgrind libmicrohttpd-dev prometheus curl python3 python3-yaml strace
debhelper devscripts lintian fakeroot groff man-db bash-completion systemd"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "ktop: missing packages:$missing; run as root (sudo make deps)" >&2
	exit 1
fi
echo "ktop: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
