#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL cluster on 5432, for the read-replica tests and CI
# (docs/operations.md, "Read replicas"). Run as root on Debian with PostgreSQL installed from its packages.
#
#   scripts/pg-replica.sh start   make it (pg_basebackup -R) and start it on PG_REPLICA_PORT; prints the port
#   scripts/pg-replica.sh stop    stop it and remove its directory
#
# Both are idempotent. The replica copies the whole cluster: a database created on the primary appears on it
# once replayed. Settings: PG_REPLICA_PORT (5433), PG_REPLICA_DIR (/var/lib/postgresql/monazite-replica).
set -euo pipefail

primary_port=5432
port="${PG_REPLICA_PORT:-5433}"
dir="${PG_REPLICA_DIR:-/var/lib/postgresql/monazite-replica}"
version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
bin="/usr/lib/postgresql/${version}/bin"

as_postgres() { runuser -u postgres -- "$@"; }
running() { [ -f "${dir}/postmaster.pid" ] && as_postgres "${bin}/pg_ctl" -D "${dir}" status >/dev/null 2>&1; }

allow_replication() {
  local hba
  hba="$(psql -h 127.0.0.1 -p "${primary_port}" -U postgres -tAc 'SHOW hba_file')"
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "${hba}"; then
    echo 'host replication all 127.0.0.1/32 trust' >>"${hba}"
    psql -h 127.0.0.1 -p "${primary_port}" -U postgres -qtAc 'SELECT pg_reload_conf()' >/dev/null
  fi
}

start() {
  if running && pg_isready -h 127.0.0.1 -p "${port}" -q; then
    echo "${port}"
    return
  fi
  # A directory left by a replica that is not running may be too far behind to catch up: make it anew.
  stop >/dev/null
  allow_replication
  mkdir -p "$(dirname "${dir}")"
  # -c fast: a checkpoint at once, rather than one spread over minutes.
  as_postgres "${bin}/pg_basebackup" -h 127.0.0.1 -p "${primary_port}" -U postgres -D "${dir}" -R -X stream -c fast
  # Debian keeps the server's configuration outside the data directory: give the replica its own.
  as_postgres tee "${dir}/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = ${port}
hot_standby = on
EOF
  as_postgres tee "${dir}/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres touch "${dir}/pg_ident.conf"
  as_postgres "${bin}/pg_ctl" -D "${dir}" -l "${dir}/replica.log" -w \
    -o "-p ${port} -c hot_standby=on" start >/dev/null
  for _ in $(seq 1 60); do
    pg_isready -h 127.0.0.1 -p "${port}" -q && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p "${port}" -q
  echo "${port}"
}

stop() {
  if running; then as_postgres "${bin}/pg_ctl" -D "${dir}" -m fast -w stop >/dev/null; fi
  rm -rf "${dir}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 64
    ;;
esac
