#!/usr/bin/env bash
# End to end through aimctl's flags: the fake API server serves the AMD
# fixture cluster over HTTPS, and `aimctl inventory` and `aimctl select`
# with --kubeconfig must print exactly what they print from the same
# cluster's files (the golden outputs), while a wrong token exits 4.
# Usage: cli_live.sh AIMCTL
set -u
aimctl=$1
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data/clusters"
golden="$here/../golden"
work=$(mktemp -d)
server=

cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "cli_live: $*"
    exit 1
}

sh "$here/make_certs.sh" "$work" || fail "cannot make test certificates"
python3 "$here/fake_apiserver.py" --cert-dir "$work" --port-file "$work/port" \
    --nodes "$data/amd-nodes.json" --pods "$data/amd-pods.json" --token good-token \
    --lifetime 120 &
server=$!
for _ in $(seq 100); do
    [ -s "$work/port" ] && break
    sleep 0.1
done
[ -s "$work/port" ] || fail "the test API server did not start"
port=$(cat "$work/port")

write_kubeconfig() {
    cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $work/ca.crt
users:
- name: test
  user:
    token: $1
contexts:
- name: test
  context: {cluster: test, user: test}
YAML
}

write_kubeconfig good-token
"$aimctl" inventory --kubeconfig "$work/kubeconfig" >"$work/inventory.out" ||
    fail "inventory --kubeconfig exited $?"
diff -u "$golden/inventory_amd.out" "$work/inventory.out" ||
    fail "the live inventory differs from the one read from files"

"$aimctl" select Qwen/Qwen3-32B --kubeconfig "$work/kubeconfig" >"$work/select.out" ||
    fail "select --kubeconfig exited $?"
diff -u "$golden/select_cluster_amd.out" "$work/select.out" ||
    fail "the live plan differs from the one made from files"

write_kubeconfig wrong-token
"$aimctl" inventory --kubeconfig "$work/kubeconfig" >/dev/null 2>"$work/error"
code=$?
[ "$code" = 4 ] || fail "a wrong token exited $code, expected 4"
grep -q "401" "$work/error" || fail "a wrong token did not say 401: $(cat "$work/error")"
grep -q "wrong-token" "$work/error" && fail "the error shows the token"
cat "$work/error"
echo "cli_live: inventory and select over HTTPS match the file-based goldens"
