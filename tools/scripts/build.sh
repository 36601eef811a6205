#!/usr/bin/env bash
# Configures and builds imagelib into BUILD_DIR (default build/).
# Usage: build.sh [extra cmake arguments]; IMAGELIB_SANITIZE=1 builds with
# ASan+UBSan into build-asan/, IMAGELIB_SANITIZE=thread builds the tests that
# run real threads with ThreadSanitizer into build-tsan/; CI=true turns
# warnings into errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
build_dir=${BUILD_DIR:-$root/build}
targets=(all)
case ${IMAGELIB_SANITIZE:-0} in
  0) ;;
  1) build_dir=${BUILD_DIR:-$root/build-asan}
     args+=(-DIMAGELIB_SANITIZE=ON -DIMAGELIB_BUILD_BENCH=OFF) ;;
  thread) build_dir=${BUILD_DIR:-$root/build-tsan}
     args+=(-DIMAGELIB_TSAN=ON -DIMAGELIB_BUILD_BENCH=OFF)
     targets=(thread_tests) ;;
  *) echo "build.sh: IMAGELIB_SANITIZE must be 0, 1 or thread" >&2; exit 2 ;;
esac
[[ ${CI:-} == true ]] && args+=(-DIMAGELIB_WERROR=ON)

cmake -S "$root" -B "$build_dir" "${args[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}"
