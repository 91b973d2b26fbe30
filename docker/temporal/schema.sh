#!/bin/sh
# Production schema job (temporalio/admin-tools image): creates the Temporal databases if they
# are missing and applies every pending schema version, before the server (temporalio/server,
# which never touches its schema itself) starts. Idempotent; run it again after an upgrade of
# TEMPORAL_VERSION, as Temporal's upgrade notes require.
#
# Environment: SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD (from the temporal env file),
# SQL_DATABASE (temporal), SQL_VISIBILITY_DATABASE (temporal_visibility).
set -eu

: "${SQL_HOST:?SQL_HOST is required}"
: "${SQL_USER:?SQL_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
export SQL_PASSWORD
port="${SQL_PORT:-5432}"
schema_dir="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

tool() {
    temporal-sql-tool --plugin postgres12 --ep "$SQL_HOST" -p "$port" -u "$SQL_USER" "$@"
}

for pair in "${SQL_DATABASE:-temporal}:temporal" "${SQL_VISIBILITY_DATABASE:-temporal_visibility}:visibility"; do
    database="${pair%%:*}"
    kind="${pair#*:}"
    echo "schema of $database ($kind)"
    tool --db "$database" create 2>/dev/null || echo "database $database exists"
    tool --db "$database" setup-schema -v 0.0
    tool --db "$database" update-schema -d "$schema_dir/$kind/versioned"
done
echo "temporal schema is current"
