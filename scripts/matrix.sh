#!/usr/bin/env bash
# The engine matrix (README: Engines tested): on each engine besides the main one, `selftest` of
# the eight exercises, the check tests of the network and volume exercises and the resident probe
# container's tests, each engine started in a namespace of its own (scripts/engines.sh) and
# stopped afterwards.
#   bash scripts/matrix.sh [ENGINE ...]    default: every engine but docker-20.10
# Needs the project's .venv and the fixture images on the main engine (scripts/test.sh makes
# both). Exit 0 only if every engine passed; a table of what each one did ends the output.
set -uo pipefail
cd "$(dirname "$0")/.."

ENGINES=("$@")
[ ${#ENGINES[@]} -gt 0 ] || ENGINES=(docker-26 docker-28-containerd docker-28-rootless podman-5)
NETWORK_AND_VOLUME_TESTS=(tests/checks/test_two_containers_ping.py tests/checks/test_custom_bridge.py
  tests/checks/test_network_isolation.py tests/checks/test_nginx_ro_volume.py
  tests/checks/test_volume_escalation.py)
# the resident probe container enters namespaces on every engine, or the probes go the old way
PROBE_TESTS=(tests/probes/test_resident.py)
ALL_EXERCISES=(node-multistage two-containers-ping image-save custom-bridge network-isolation
  nginx-ro-volume volume-escalation best-practices)

declare -A RESULT
failed=0
for engine in "${ENGINES[@]}"; do
  started=$SECONDS
  echo "== $engine"
  if ! bash scripts/engines.sh "$engine" start >/dev/null; then
    RESULT[$engine]="did not start"; failed=1; continue
  fi
  eval "$(bash scripts/engines.sh "$engine" env)"
  exercises=("${ALL_EXERCISES[@]}") tests=("${NETWORK_AND_VOLUME_TESTS[@]}" "${PROBE_TESTS[@]}")
  if [[ $engine == *rootless* ]]; then
    # root in a rootless engine's container is the engine's user: the course's escalation
    # cannot happen, which tests/checks/test_volume_escalation.py shows there instead; top needs
    # cgroups this machine does not give a rootless engine, which the /proc probe replaces.
    exercises=("${exercises[@]/volume-escalation}")
    tests+=(tests/checks/test_best_practices.py)
  fi
  if [[ $engine == *containerd* ]]; then
    # the containerd image store: image ids are manifest digests, `docker save` writes the OCI
    # layout (with manifest.json beside it), its layers compressed
    tests+=(tests/checks/test_image_save.py tests/checks/test_node_multistage.py)
  fi
  # shellcheck disable=SC2046
  .venv/bin/docker-grade selftest --docker-host "$DOCKER_HOST" $(printf '%s ' "${exercises[@]}") \
    | tee "/tmp/docker-grade-matrix-$engine.selftest"
  selftest=${PIPESTATUS[0]}
  .venv/bin/pytest -p no:cacheprovider -q "${tests[@]}" | tail -15
  tested=${PIPESTATUS[0]}
  bash scripts/engines.sh "$engine" stop
  unset DOCKER_HOST DOCKER_CONFIG
  RESULT[$engine]="selftest $(tail -1 "/tmp/docker-grade-matrix-$engine.selftest" | cut -d';' -f1), check tests exit $tested, $((SECONDS - started)) s"
  [ "$selftest" -eq 0 ] && [ "$tested" -eq 0 ] || failed=1
done

echo "== engine matrix"
for engine in "${ENGINES[@]}"; do printf '%-22s %s\n' "$engine" "${RESULT[$engine]}"; done
exit $failed
