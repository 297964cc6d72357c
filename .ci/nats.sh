#!/usr/bin/env bash
# Installs nats-server from Debian's packages (apt-get) and starts a throw-away server with JetStream
# on loopback for the audit-pipeline tests. Source it: it exports VIGIL_TEST_NATS_URL. The store lives
# in a temporary directory; the server stops when the CI job's machine goes away.
set -euo pipefail

echo "ci: installing nats-server from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends nats-server >/dev/null 2>&1; then
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends nats-server >/dev/null
fi
NATS_DIR=$(mktemp -d /tmp/vigil-nats.XXXXXX)
NATS_PORT=${VIGIL_NATS_PORT:-54222}
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$NATS_DIR/store" -l "$NATS_DIR/log" >/dev/null 2>&1 &
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
export VIGIL_TEST_NATS_URL="nats://127.0.0.1:$NATS_PORT"
# The full-size pipeline test (200,000 events); without it the test posts fewer.
export VIGIL_TEST_PIPELINE_EVENTS=${VIGIL_TEST_PIPELINE_EVENTS:-200000}
echo "ci: $(nats-server --version) with JetStream on 127.0.0.1:$NATS_PORT (VIGIL_TEST_NATS_URL)"
