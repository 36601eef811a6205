#!/usr/bin/env bash
# Every test: install what is missing, build, and run ctest. Ends with
# ctest's summary line. IMAGELIB_SANITIZE=1 runs the ASan+UBSan build;
# IMAGELIB_SANITIZE=thread runs the tests labelled threads under TSan.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
build_dir=$root/build
ctest_args=()
case ${IMAGELIB_SANITIZE:-0} in
  1) build_dir=$root/build-asan ;;
  thread) build_dir=$root/build-tsan
     ctest_args=(-L threads) ;;
esac
cd "$build_dir"
exec ctest --output-on-failure -j "$(nproc)" "${ctest_args[@]}"
