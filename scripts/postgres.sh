#!/usr/bin/env bash
# Installs (with apt) and starts a PostgreSQL server on 127.0.0.1:5432 for the tests, with a role and
# database "subsidia". Prints the DATABASE_URL to use. Safe to run twice.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DATA=${PGDATA_DIR:-/tmp/subsidia-pg}
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA" && chown postgres:postgres "$DATA"
  su postgres -c "$PGBIN/initdb -D $DATA -U postgres --auth=trust -E UTF8" >/dev/null
fi
if ! su postgres -c "$PGBIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  su postgres -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -o '-c listen_addresses=127.0.0.1 -p 5432 -k /tmp' start -w" >/dev/null
fi
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_roles WHERE rolname='subsidia'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE ROLE subsidia LOGIN PASSWORD 'subsidia'"
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='subsidia'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE subsidia OWNER subsidia"
echo "postgres://subsidia:subsidia@127.0.0.1:5432/subsidia"
