#!/bin/bash
# Runs once, when the primary's data directory is first made (the postgres image's /docker-entrypoint-initdb.d):
# a role for the replica's streaming connection, allowed in pg_hba.conf from the compose network only.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
