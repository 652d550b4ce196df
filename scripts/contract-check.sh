#!/usr/bin/env bash
# Starts the built server on an empty data directory and runs the shared API contract check
# (../shared/contract-check.mjs) against it. Used by .ci/run; run `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
check=../shared/contract-check.mjs
if [ ! -f "$check" ]; then echo "contract check: $check not found, skipped"; exit 0; fi

data=$(mktemp -d)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
password="Contract-$(date +%s)"
HOSO_DATA_DIR="$data" PORT="$port" HOST=127.0.0.1 HOSO_ADMIN_PASSWORD="$password" HOSO_LOG_LEVEL=warn \
  node dist/src/server.js > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
  sleep 0.1
done
if ! node "$check" "http://127.0.0.1:$port" "$password"; then
  echo "--- server log"; cat "$data/server.log"; exit 1
fi
