#!/usr/bin/env bash
# Runs one golden case: aimctl with the arguments in CASE.cmd (one per line),
# from the tests/golden folder, and compares stdout, stderr and the exit
# status with CASE.out, CASE.err and CASE.code. UPDATE_GOLDEN=1 rewrites them.
set -u
aimctl=$1
case_file=$2
dir=$(dirname "$case_file")
name=$(basename "$case_file" .cmd)
cd "$dir" || exit 2

# No GPU variables of the machine running the tests may leak into a case;
# a case sets its own with lines "env:NAME=VALUE".
unset HIP_VISIBLE_DEVICES ROCR_VISIBLE_DEVICES CUDA_VISIBLE_DEVICES HF_HUB_CACHE
export HF_HOME="$PWD/../data/hf-cache"
args=()
while IFS= read -r line; do
    case $line in
        '#'*) ;;
        env:*) export "${line#env:}" ;;
        *) args+=("$line") ;;
    esac
done <"$name.cmd"

actual_out=$(mktemp) actual_err=$(mktemp)
trap 'rm -f "$actual_out" "$actual_err"' EXIT
"$aimctl" "${args[@]}" >"$actual_out" 2>"$actual_err"
code=$?

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$actual_out" "$name.out"
    cp "$actual_err" "$name.err"
    echo "$code" >"$name.code"
    exit 0
fi

status=0
expected_code=$(cat "$name.code" 2>/dev/null || echo missing)
if [ "$code" != "$expected_code" ]; then
    echo "$name: exit status $code, expected $expected_code"
    status=1
fi
if ! diff -u "$name.out" "$actual_out" >&2; then
    echo "$name: stdout differs from $name.out (diff above)"
    status=1
fi
if ! diff -u "$name.err" "$actual_err" >&2; then
    echo "$name: stderr differs from $name.err (diff above)"
    status=1
fi
exit $status
