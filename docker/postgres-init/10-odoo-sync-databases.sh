#!/usr/bin/env bash
# Databases beside Airflow's metadata database, for docker-compose.yaml's `postgres` service.
#
# The postgres image runs /docker-entrypoint-initdb.d/* once, on the first start of an empty data volume, as the
# superuser POSTGRES_USER. Changing a password later therefore needs `ALTER ROLE ... PASSWORD` by hand, or
# `docker compose down -v` (which drops all data) and a new start.
#
#   odoo_sync       the integration's own database (ledger, sync_log, health, watermarks); owned by role
#                   odoo_sync, which airflow-init's `python -m odoo_sync.store.migrate` and the DAGs use
#   togrant_source  a stand-in for the grant platform's database: owned by role togrant (loads data, e.g. the
#                   compose `demo` profile), read by role togrant_reader, which is what Airflow's
#                   togrant_source connection uses: SELECT only, read-only transactions by default
set -euo pipefail

: "${ODOO_SYNC_DB_PASSWORD:?ODOO_SYNC_DB_PASSWORD must be set}"
: "${TOGRANT_DB_PASSWORD:?TOGRANT_DB_PASSWORD must be set}"
: "${TOGRANT_READER_PASSWORD:?TOGRANT_READER_PASSWORD must be set}"

# Passwords travel as psql variables and are quoted by psql (:'name'), whatever characters they hold.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    --set=odoo_sync_password="$ODOO_SYNC_DB_PASSWORD" \
    --set=togrant_password="$TOGRANT_DB_PASSWORD" \
    --set=reader_password="$TOGRANT_READER_PASSWORD" <<'SQL'
-- The integration's database.
CREATE ROLE odoo_sync LOGIN PASSWORD :'odoo_sync_password';
CREATE DATABASE odoo_sync OWNER odoo_sync;
REVOKE ALL ON DATABASE odoo_sync FROM PUBLIC;

-- The grant platform's stand-in: an owner that writes and a reader that only reads.
CREATE ROLE togrant LOGIN PASSWORD :'togrant_password';
CREATE ROLE togrant_reader LOGIN PASSWORD :'reader_password';
ALTER ROLE togrant_reader SET default_transaction_read_only = on;
CREATE DATABASE togrant_source OWNER togrant;
REVOKE ALL ON DATABASE togrant_source FROM PUBLIC;
GRANT CONNECT ON DATABASE togrant_source TO togrant_reader;

\connect togrant_source
CREATE SCHEMA togrant AUTHORIZATION togrant;
GRANT USAGE ON SCHEMA togrant TO togrant_reader;
-- Whatever togrant creates later (odoo_sync/sql/source/schema.sql, other schemas, views) is readable, not writable.
ALTER DEFAULT PRIVILEGES FOR ROLE togrant GRANT USAGE ON SCHEMAS TO togrant_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE togrant GRANT SELECT ON TABLES TO togrant_reader;
SQL

echo "odoo_sync and togrant_source databases created"
