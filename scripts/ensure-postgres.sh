#!/usr/bin/env bash
# Start the machine's PostgreSQL cluster if it is not answering (CI machines may have it stopped).
set -euo pipefail
host="${ODOO_SYNC_TEST_PGHOST:-127.0.0.1}"
port="${ODOO_SYNC_TEST_PGPORT:-5432}"
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is down on $host:$port; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && exit 0; sleep 1; done
echo "PostgreSQL is not reachable on $host:$port (install it, or set ODOO_SYNC_TEST_PGHOST/PGPORT)" >&2
exit 1
