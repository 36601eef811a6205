#!/usr/bin/env bash
# Every test: install what is missing, build, and run ctest. Ends with
# ctest's summary line. IMAGELIB_SANITIZE=1 runs the ASan+UBSan build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
build_dir=$root/build
[[ ${IMAGELIB_SANITIZE:-0} == 1 ]] && build_dir=$root/build-asan
cd "$build_dir"
exec ctest --output-on-failure -j "$(nproc)"
