#!/bin/bash
# First start of the Postgres container only (docker-entrypoint-initdb.d): a role of its own
# for the Temporal server, allowed to create its two databases (temporal,
# temporal_visibility), so it never uses the application's role. TEMPORAL_DB_PASSWORD comes
# from the compose environment (development) or the postgres env file (production).
set -euo pipefail

: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is required}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=password="$TEMPORAL_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE temporal LOGIN CREATEDB'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal')
\gexec
ALTER ROLE temporal WITH PASSWORD :'password';
SQL
