#!/usr/bin/env bash
# Runs one test of the Helm chart, tests/helm/TEST.mjs, with node:
#   run.sh TEST AIMCTL
# It first checks the tools scripts/setup.sh installs (node 18 or later, the
# npm packages in tools/node_modules, tools/bin/helm). Without them the test
# is skipped with the reason (exit 77, which CTest counts as skipped), unless
# AIM_REQUIRE_TOOLS=1 (scripts/test.sh sets it): then it fails.
set -u
test_name=$1
aimctl=$2
root=$(cd "$(dirname "$0")/../.." && pwd)

missing=()
if ! command -v node >/dev/null 2>&1; then
    missing+=("node")
elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    missing+=("node 18 or later (this is $(node --version))")
fi
for package in yaml ajv kubernetes-models @kubernetes-models/prometheus-operator; do
    [ -f "$root/tools/node_modules/$package/package.json" ] || missing+=("tools/node_modules/$package")
done
[ -x "$root/tools/bin/helm" ] || missing+=("tools/bin/helm")

if [ ${#missing[@]} -gt 0 ]; then
    echo "helm.$test_name: missing ${missing[*]}; scripts/setup.sh installs them"
    if [ "${AIM_REQUIRE_TOOLS:-0}" = 1 ]; then
        echo "helm.$test_name: FAILED: AIM_REQUIRE_TOOLS=1 and a tool is missing"
        exit 1
    fi
    echo "helm.$test_name: SKIPPED"
    exit 77
fi
exec node "$root/tests/helm/$test_name.mjs" "$aimctl"
