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
# The tests run in parallel, each application with its own pool (two connections, one per event loop): 55 tests
# at once went past PostgreSQL's default of 100 connections. A server left running with fewer is restarted.
CONNECTIONS=400
OPTIONS="-c listen_addresses=127.0.0.1 -p 5432 -k /tmp -c max_connections=$CONNECTIONS"
if ! su postgres -c "$PGBIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  su postgres -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -o '$OPTIONS' start -w" >/dev/null
elif [ "$(psql -h 127.0.0.1 -U postgres -tAc 'SHOW max_connections')" -lt "$CONNECTIONS" ]; then
  su postgres -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -o '$OPTIONS' restart -w" >/dev/null
fi
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_roles WHERE rolname='subsidia'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE ROLE subsidia LOGIN PASSWORD 'subsidia'"
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='subsidia'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE subsidia OWNER subsidia"
echo "postgres://subsidia:subsidia@127.0.0.1:5432/subsidia"
