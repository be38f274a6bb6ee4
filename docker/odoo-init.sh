#!/usr/bin/env bash
# One-shot set-up run by docker-compose.yaml's `odoo-init` service (image odoo:17.0) before `odoo` starts:
# creates the demo tenant's Odoo database (ODOO_INIT_DB, default acme) with Accounting (analytic plans) and
# Project and no demo data, unless it exists. Odoo's initial administrator is admin / admin: change the password
# in Odoo and put the new one in .env as ODOO_ACME_PASSWORD.
set -euo pipefail

db="${ODOO_INIT_DB:-acme}"
modules="${ODOO_INIT_MODULES:-account,project}"
export PGHOST="${HOST:-odoo-db}" PGPORT="${PORT:-5432}" PGUSER="${USER:-odoo}" PGPASSWORD="${PASSWORD:-odoo}"

exists="$(psql --no-psqlrc -d postgres -tA -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'db';
SQL
)"
if [[ "$exists" != "0" ]]; then
    echo "Odoo database $db exists; nothing to do"
    exit 0
fi

echo "Creating Odoo database $db with modules $modules (no demo data)"
# The image's entrypoint adds --db_host/--db_port/--db_user/--db_password from HOST/PORT/USER/PASSWORD;
# Odoo creates the database named by -d when it does not exist.
exec /entrypoint.sh odoo -d "$db" -i "$modules" --without-demo=all --stop-after-init
