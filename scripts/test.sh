#!/usr/bin/env bash
# The project's tests, from a fresh machine: a Docker engine, the grader installed (not editable)
# in a fresh virtual environment, the offline fixture images, then pytest. Extra arguments go to
# pytest (e.g. `bash scripts/test.sh tests/checks -x`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/engine.sh
command -v busybox >/dev/null 2>&1 || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
}

rm -rf .venv
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q '.[test]'
# The wheel must carry the specs and checks: list them from outside the source tree.
(cd /tmp && "$OLDPWD/.venv/bin/docker-grade" list >/dev/null)

.venv/bin/python tests/images/build.py
exec .venv/bin/pytest "$@"
