#!/usr/bin/env bash
# make deb: a Debian package of the built cs, by dpkg-deb (no debhelper:
# one binary, a man page, a unit and a settings file).  Its Depends are
# computed by dpkg-shlibdeps from the libraries the binary links, so
# `apt-get install ./cs_*.deb` pulls exactly what running needs.
# Env: BUILD (build), DEB_ARCH (dpkg --print-architecture), VERSION.
set -euo pipefail
BUILD=${BUILD:-build}
ARCH=${DEB_ARCH:-$(dpkg --print-architecture)}
VERSION=${VERSION:-$(cat VERSION)}
root=$BUILD/deb/cs_${VERSION}_$ARCH
out=$BUILD/cs_${VERSION}_$ARCH.deb
rm -rf "$root"
# The man page comes from the native build (an arm64 binary cannot run its
# --help here without qemu); it is the same text.
man=$BUILD/cs.1
[ -f "$man" ] || man=build/cs.1
[ -f "$man" ] || make --no-print-directory build/cs.1
make --no-print-directory install BUILD="$BUILD" DESTDIR="$PWD/$root" PREFIX=/usr \
    UNITDIR=/lib/systemd/system SYSCONFDIR=/etc >/dev/null
install -m 644 "$man" "$root/usr/share/man/man1/cs.1"
gzip -9n "$root/usr/share/man/man1/cs.1"
strip_bin=strip
[ "$ARCH" = "$(dpkg --print-architecture)" ] || strip_bin=$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_TYPE 2>/dev/null)-strip
$strip_bin --strip-unneeded --remove-section=.comment "$root/usr/bin/cs"
install -d "$root/usr/share/doc/cs/docs/examples"
install -m 644 README.md "$root/usr/share/doc/cs/README.md"
install -m 644 docs/*.md "$root/usr/share/doc/cs/docs/"
install -m 644 docs/examples/* "$root/usr/share/doc/cs/docs/examples/"

# dpkg-shlibdeps wants a debian/control beside it: a throwaway one.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debian"
printf 'Source: cs\n\nPackage: cs\nArchitecture: any\n' >"$work/debian/control"
host=()
[ "$ARCH" = "$(dpkg --print-architecture)" ] || host=(-l"/usr/lib/$(dpkg-architecture -a"$ARCH" -qDEB_HOST_MULTIARCH 2>/dev/null)")
deps=$(cd "$work" && DEB_HOST_ARCH=$ARCH dpkg-shlibdeps "${host[@]}" -O "$OLDPWD/$root/usr/bin/cs" 2>/dev/null \
       | sed -n 's/^shlibs:Depends=//p')
[ -n "$deps" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CTL
Package: cs
Version: $VERSION
Architecture: $ARCH
Maintainer: Crowdstream <cs@localhost>
Installed-Size: $size
Depends: $deps
Section: sound
Priority: optional
Description: BPM ladders of track sections, played live by crowd movement
 cs indexes allin1 track structures and a Rekordbox collection, exports
 tempo-aligned sections at a ladder of BPMs into a set folder, and plays a
 set live (SDL2, OSC) following the crowd's movement.  cs-play.service
 plays a set unattended (disabled until enabled).
CTL
echo /etc/default/cs-play >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
# The unit stays disabled: `systemctl enable --now cs-play` starts it.
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
SH
cp "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
dpkg-deb --root-owner-group --build "$root" "$out" >/dev/null
echo "deb: $out"
dpkg-deb -f "$out" Package Version Architecture Depends
