#!/usr/bin/env bash
# Installs what aim-engine needs to build, test, fuzz and benchmark on
# Debian 12. Safe to run again: it only calls apt when something is missing.
set -euo pipefail

packages=(build-essential cmake pkg-config libyaml-dev libjansson-dev libcmocka-dev
          clang libclang-rt-14-dev hyperfine)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
