#!/usr/bin/env bash
# Installs every Debian package that building, running and testing cs needs.
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

BUILD_PKGS="build-essential pkg-config
  libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswresample-dev
  libsndfile1-dev librubberband-dev liblo-dev libsdl2-dev libcjson-dev
  libxml2-dev libsqlite3-dev libqm-dsp-dev"
TEST_PKGS="sqlite3 ffmpeg sox rubberband-cli liblo-tools clang libclang-rt-14-dev
  valgrind python3 time iproute2 file aubio-tools tecnoballz-data"

want="$BUILD_PKGS"
case "${1:-all}" in
  build) ;;
  all|test) want="$BUILD_PKGS $TEST_PKGS" ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
