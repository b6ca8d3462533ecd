#!/usr/bin/env bash
# Makes sure a Docker engine answers, installing and starting one if needed (idempotent).
# The tests need a real dockerd; CI machines start with none.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "engine: installing docker.io" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! pgrep -x dockerd >/dev/null; then
  echo "engine: starting dockerd (log: /var/log/docker-grade-dockerd.log)" >&2
  setsid dockerd >/var/log/docker-grade-dockerd.log 2>&1 < /dev/null &
fi
for _ in $(seq 1 120); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "engine: dockerd did not answer within 60 s; see /var/log/docker-grade-dockerd.log" >&2
exit 1
