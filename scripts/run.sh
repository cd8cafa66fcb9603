#!/usr/bin/env bash
# Sets everything up and runs the main job: `aimctl select` for a model on
# the GPUs of this host (or an assumed node of 8 MI300X when there are none).
#   scripts/run.sh                      # Qwen/Qwen3-32B
#   scripts/run.sh meta-llama/Llama-3.1-405B-Instruct --gpu H100
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DAIM_TESTS=OFF >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null

if [ $# -eq 0 ]; then
    set -- Qwen/Qwen3-32B
fi
exec "$root/build/aimctl" select "$@"
