#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages (apt-get) and starts a throw-away server on loopback
# for the store tests. Source it: it exports VIGIL_TEST_POSTGRES_URL. Runs as root; the server runs as
# the `postgres` system user that the Debian package creates.
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# Always through apt-get (a no-op when the package is already there); refresh the lists only if needed.
echo "ci: installing PostgreSQL from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1; then
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends postgresql >/dev/null
fi
PG_BIN=$(pg_bin)
PG_DIR=$(mktemp -d /tmp/vigil-pg.XXXXXX)
PG_PORT=${VIGIL_PG_PORT:-55432}
chown postgres:postgres "$PG_DIR"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U vigil --auth=trust >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off" start >/dev/null
runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U vigil vigil_test
export VIGIL_TEST_POSTGRES_URL="postgres://vigil@127.0.0.1:$PG_PORT/vigil_test"
echo "ci: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (VIGIL_TEST_POSTGRES_URL)"
