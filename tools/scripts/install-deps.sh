#!/usr/bin/env bash
# Installs what imagelib needs to build and test, from Debian's packages.
# Idempotent and non-interactive: packages already present are left alone.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3 clang
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libboost-dev libssl-dev libcli11-dev nlohmann-json3-dev
  zlib1g-dev libbz2-dev liblzma-dev libzstd-dev
  qemu-utils vsftpd lftp curl openssl
  ruby golang-go golang-golang-x-oauth2-dev python3-requests-oauthlib
  gzip bzip2 xz-utils zstd pigz time linux-perf
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
