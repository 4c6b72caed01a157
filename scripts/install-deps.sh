#!/usr/bin/env bash
# Installs the Debian 12 packages cs needs.  Idempotent: packages already
# present are skipped without touching apt.
#   scripts/install-deps.sh          what RUNNING cs needs (the shared
#                                    libraries; a Raspberry Pi at a gig)
#   scripts/install-deps.sh --dev    + building and testing: compilers,
#                                    -dev headers, sox, valgrind, ... (what
#                                    make, make test, make demo use)
#   scripts/install-deps.sh --cross-arm64   + the arm64 cross compiler and
#                                    qemu-user (make check-arm64, which
#                                    fetches the arm64 libraries into its
#                                    own sysroot under build/)
# (the older words build, test and all still work: build = the -dev
# packages, test/all = --dev)
set -euo pipefail

RUN_PKGS="libavformat59 libavcodec59 libavfilter8 libavutil57 libswresample4
  libsndfile1 librubberband2 liblo7 libsdl2-2.0-0 libcjson1 libxml2 libsqlite3-0 libmicrohttpd12 libqm-dsp0
  libebur128-1 libsystemd0 libtag1v5"
DEV_LIBS="libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswresample-dev
  libsndfile1-dev librubberband-dev liblo-dev libsdl2-dev libcjson-dev
  libxml2-dev libsqlite3-dev libmicrohttpd-dev libqm-dsp-dev
  libebur128-dev libsystemd-dev libtag1-dev"
BUILD_PKGS="build-essential pkg-config help2man $DEV_LIBS"
TEST_PKGS="sqlite3 ffmpeg sox rubberband-cli liblo-tools clang libclang-rt-14-dev
  valgrind python3 time iproute2 file tmux chromium aubio-tools tecnoballz-data
  parallel rsync slurmctld slurmd slurm-client munge"
CROSS_PKGS="crossbuild-essential-arm64 qemu-user-static"

want="$RUN_PKGS"
case "${1:-run}" in
  run) ;;
  build) want="$RUN_PKGS $BUILD_PKGS" ;;
  --dev|all|test) want="$RUN_PKGS $BUILD_PKGS $TEST_PKGS" ;;
  --cross-arm64)
    # Only the cross compilers (crossbuild-essential-arm64: gcc and g++)
    # and qemu: the arm64 libraries go into a sysroot under build/
    # (scripts/check-arm64.sh), never into the host's dpkg state (arm64
    # -dev packages would replace the host's).
    want="$RUN_PKGS $BUILD_PKGS $TEST_PKGS $CROSS_PKGS" ;;
  *) echo "usage: $0 [--dev|--cross-arm64]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
# make check-arm64 asks apt for the arm64 packages (apt-cache depends,
# apt-get download into its sysroot): apt must know the architecture.
# Nothing arm64 is installed on the host by this.
add_arch=""
if [ "${1:-}" = --cross-arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  add_arch=arm64
fi
[ -z "$missing" ] && [ -z "$add_arch" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ -n "$add_arch" ]; then
  echo "install-deps: adding the $add_arch architecture to apt (its package lists only)" >&2
  $SUDO dpkg --add-architecture "$add_arch"
fi
$SUDO apt-get update -qq
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
