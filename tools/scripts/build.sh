#!/usr/bin/env bash
# Configures and builds imagelib into BUILD_DIR (default build/).
# Usage: build.sh [extra cmake arguments]; IMAGELIB_SANITIZE=1 builds with
# ASan+UBSan into build-asan/; CI=true turns warnings into errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
build_dir=${BUILD_DIR:-$root/build}
if [[ ${IMAGELIB_SANITIZE:-0} == 1 ]]; then
  build_dir=${BUILD_DIR:-$root/build-asan}
  args+=(-DIMAGELIB_SANITIZE=ON -DIMAGELIB_BUILD_BENCH=OFF)
fi
[[ ${CI:-} == true ]] && args+=(-DIMAGELIB_WERROR=ON)

cmake -S "$root" -B "$build_dir" "${args[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
