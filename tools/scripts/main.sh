#!/usr/bin/env bash
# The main job: install what is missing, build, and run imagelib against the
# embedded reference library.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
cd "$root"
exec "$root/build/tools/imagelib" replay --target direct scenarios/
