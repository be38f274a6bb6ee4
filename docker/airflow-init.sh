#!/usr/bin/env bash
# One-shot set-up run by docker-compose.yaml's `airflow-init` service before any other Airflow service starts.
# It runs as root (like Airflow's own compose file) only to hand the shared folders to AIRFLOW_UID; everything
# else runs as AIRFLOW_UID (group 0). Every step is idempotent, so it runs on every `docker compose up`.
#
#   1. logs/ and the SimpleAuthManager password folder become writable by AIRFLOW_UID
#   2. airflow db migrate                                  Airflow's metadata database
#   3. python -m odoo_sync.store.migrate --conn-id odoo_sync_db  the integration's schema in the odoo_sync database
#   4. one Airflow pool per tenant (python -m odoo_sync.airflow.pools)
#   5. the UI login (SimpleAuthManager) is written from _AIRFLOW_WWW_USER_USERNAME / _AIRFLOW_WWW_USER_PASSWORD
set -euo pipefail

uid="${AIRFLOW_UID:-50000}"
passwords_file="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:?must be set by docker-compose.yaml}"
auth_dir="$(dirname "$passwords_file")"

if [[ "$(id -u)" == "0" ]]; then
    if [[ "$uid" == "0" ]]; then
        echo "WARNING: AIRFLOW_UID is 0; Airflow will run as root. On Linux: echo AIRFLOW_UID=\$(id -u) >> .env" >&2
    fi
    mkdir -p /opt/airflow/logs "$auth_dir"
    chown -R "${uid}:0" /opt/airflow/logs "$auth_dir"
    chmod -R g+rwX /opt/airflow/logs
    if command -v setpriv >/dev/null; then
        as_airflow() { setpriv --reuid="$uid" --regid=0 --clear-groups env HOME=/home/airflow "$@"; }
    else
        as_airflow() { "$@"; }
    fi
else
    as_airflow() { "$@"; }
fi

echo "== Airflow metadata database: airflow db migrate"
as_airflow /entrypoint airflow db migrate

echo "== Integration schema: python -m odoo_sync.store.migrate --conn-id odoo_sync_db"
as_airflow /entrypoint python -m odoo_sync.store.migrate --conn-id odoo_sync_db

echo "== Pools: one per tenant in include/tenants.yaml (python -m odoo_sync.airflow.pools | airflow pools import)"
as_airflow /entrypoint bash -c 'python -m odoo_sync.airflow.pools > /tmp/odoo-sync-pools.json && airflow pools import /tmp/odoo-sync-pools.json'

echo "== UI login for ${_AIRFLOW_WWW_USER_USERNAME:-airflow} (SimpleAuthManager, $passwords_file)"
as_airflow /entrypoint python -c '
import json, os
path = os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
user = os.environ.get("_AIRFLOW_WWW_USER_USERNAME") or "airflow"
password = os.environ.get("_AIRFLOW_WWW_USER_PASSWORD") or "airflow"
tmp = path + ".tmp"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as stream:
    json.dump({user: password}, stream)
os.replace(tmp, path)
'

echo "== airflow-init done"
