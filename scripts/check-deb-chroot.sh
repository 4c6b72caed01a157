#!/usr/bin/env bash
# The .deb on a clean Debian 12: debootstrap a minimal bookworm into a
# folder (once; CHROOT, default /var/tmp/cs-deb-chroot), install
# build/cs_*_<arch>.deb there with apt-get (which pulls its Depends from
# Debian's archive), then run the installed cs: --version, demo, index,
# export --set, play --set --check and a render.  Root, network; ~15 min the
# first time (debootstrap and ~230 packages), not part of make test.
set -euo pipefail
cd "$(dirname "$0")/.."
C=${CHROOT:-/var/tmp/cs-deb-chroot}
deb=$(ls build/cs_"$(cat VERSION)"_"$(dpkg --print-architecture)".deb 2>/dev/null) \
    || { echo "check-deb-chroot: no package: make deb first" >&2; exit 1; }
if [ ! -x "$C/usr/bin/apt-get" ]; then
    debootstrap --variant=minbase bookworm "$C" http://deb.debian.org/debian >/dev/null
    printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
        >"$C/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$C/etc/resolv.conf"
cp "$deb" "$C/tmp/"
chroot "$C" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb") >/dev/null"
chroot "$C" sh -ec 'cs --version
rm -rf /tmp/cs-check && mkdir /tmp/cs-check && cd /tmp/cs-check && export CS_DB=/tmp/cs-check/lib.db
cs demo d --tracks 4 --bars 2 >/dev/null
cs index d/struct --rekordbox-xml d/rekordbox.xml
cs export --bpm 122.5 --n-sections 3 --ladder 118:126:8 --stretch rate --no-progress --set /tmp/cs-check/s
cs play --set /tmp/cs-check/s --check
cs --db /nonexistent play --set /tmp/cs-check/s --render o.wav --duration 10
test -s o.wav && test -f /lib/systemd/system/cs-play.service && test -f /usr/share/man/man1/cs.1.gz'
echo "PASS check-deb-chroot: $(basename "$deb") installed and ran in a clean bookworm"
