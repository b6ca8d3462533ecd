#!/usr/bin/env bash
# The engine matrix: `scripts/engines.sh NAME start|stop|host`.
#   start  fetches the engine (cached in $ENGINES_CACHE), starts it in a network namespace of its
#          own (dg-NAME), loads the fixture images from the main engine, prints its DOCKER_HOST
#   stop   stops it and removes what it ran (its data stays cached: the images load once)
#   host   prints its DOCKER_HOST
#   env    prints the shell lines that make the docker CLI use it (eval "$(scripts/engines.sh NAME env)")
# Engines: docker-20.10 (the main engine, Debian 12's), docker-26 (trixie), docker-28-containerd
# (sid, containerd image store + buildx), docker-28-rootless, podman-5 (trixie, rootful). Each
# is scripts/engines/NAME.sh, defining engine_start, engine_stop and engine_host (engine_env too
# when the docker CLI needs more than DOCKER_HOST).
# Packages come from Debian's archive with a sources list of their own: the machine's apt
# sources are never changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINES=(docker-20.10 docker-26 docker-28-containerd docker-28-rootless podman-5)
NAME=${1:?usage: scripts/engines.sh NAME start|stop|host (NAME: ${ENGINES[*]})}
ACTION=${2:-start}
[ -f "scripts/engines/$NAME.sh" ] || { echo "engines: unknown engine '$NAME' (${ENGINES[*]})" >&2; exit 2; }

export ENGINES_CACHE=${ENGINES_CACHE:-/var/cache/docker-grade-engines}
export ENGINES_RUN=/run/docker-grade-engines
export ENGINES_DATA=/var/lib/docker-grade-engines
export NETNS="dg-$NAME"
mkdir -p "$ENGINES_CACHE" "$ENGINES_RUN" "$ENGINES_DATA"
# shellcheck source=scripts/engines/common.sh
source scripts/engines/common.sh
# shellcheck disable=SC1090
source "scripts/engines/$NAME.sh"

case $ACTION in
  start)
    engine_start >&2
    wait_for_engine "$(engine_host)" "$NAME"
    load_fixture_images "$(engine_host)" >&2
    engine_host ;;
  stop) engine_stop >&2 ;;
  host) engine_host ;;
  env) engine_env ;;
  *) echo "engines: unknown action '$ACTION' (start, stop, host, env)" >&2; exit 2 ;;
esac
