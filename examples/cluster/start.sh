#!/usr/bin/env bash
# Three instances of app.ts on 127.0.0.1:3001-3003 and nginx on 127.0.0.1:8080 in front, no root
# needed: nginx runs with a prefix in a temp dir. Ctrl-C stops everything.
# DATABASE_URL (PostgreSQL) and REDIS_URL choose the shared stores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$(mktemp -d -t gatehouse-cluster-XXXXXX)"
pids=()
cleanup() {
  [ -f "$prefix/nginx.pid" ] && kill "$(cat "$prefix/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$prefix"
}
trap cleanup EXIT INT TERM

for port in 3001 3002 3003; do
  PORT=$port node --conditions=source --import tsx "$here/app.ts" &
  pids+=($!)
done
for port in 3001 3002 3003; do
  until curl -fsS "http://127.0.0.1:$port/instance" >/dev/null 2>&1; do sleep 0.2; done
done

cp "$here/nginx.conf" "$prefix/nginx.conf"
"${NGINX:-/usr/sbin/nginx}" -p "$prefix" -c nginx.conf -e stderr
echo "cluster: http://127.0.0.1:8080/auth/signup (nginx prefix $prefix)"
wait "${pids[@]}"
