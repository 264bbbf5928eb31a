#!/usr/bin/env bash
# One command from a fresh Debian machine to a running cluster on the embedded defaults:
# installs what Tutti needs, builds it, starts `tutti server` in the background and waits until it is ready.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
npm ci --no-audit --no-fund
npm run build

DATA_DIR="${TUTTI_DATA_DIR:-$( [ "$(id -u)" = 0 ] && echo /var/lib/tutti || echo "$HOME/.tutti" )}"
mkdir -p "$DATA_DIR"
if [ -f "$DATA_DIR/server.pid" ] && kill -0 "$(cat "$DATA_DIR/server.pid")" 2>/dev/null; then
  echo "tutti server already running (pid $(cat "$DATA_DIR/server.pid"))"
else
  nohup node bin/tutti.js server --data-dir "$DATA_DIR" "$@" >"$DATA_DIR/server.log" 2>&1 &
  echo $! >"$DATA_DIR/server.pid"
fi
for _ in $(seq 1 100); do
  if [ -f "$DATA_DIR/kubeconfig.yaml" ] && kubectl --kubeconfig "$DATA_DIR/kubeconfig.yaml" get --raw /readyz >/dev/null 2>&1; then
    echo "Tutti is up. Try:"
    echo "  export KUBECONFIG=$DATA_DIR/kubeconfig.yaml"
    echo "  kubectl get namespaces"
    echo "Logs: $DATA_DIR/server.log    Stop: kill \$(cat $DATA_DIR/server.pid)"
    exit 0
  fi
  sleep 0.2
done
echo "tutti server did not become ready; see $DATA_DIR/server.log" >&2
tail -20 "$DATA_DIR/server.log" >&2 || true
exit 1
