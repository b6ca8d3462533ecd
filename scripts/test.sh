#!/usr/bin/env bash
# The project's tests, from a fresh machine: a Docker engine, the grader installed (not editable)
# in a fresh virtual environment, the offline fixture images, then pytest. Extra arguments go to
# pytest alone (e.g. `bash scripts/test.sh tests/checks -x`); without them, the engine matrix
# follows the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/engine.sh
# What the tests use from Debian: busybox for the fixture images, sshd for an ssh:// engine,
# Chromium to render the class summary. Installed only when missing.
missing=()
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
# podman as a Fedora student's engine; named with its network stack, which --no-install-recommends
# would otherwise settle with CNI plugins instead of netavark.
[ -x /usr/bin/podman ] || missing+=(podman netavark aardvark-dns)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)  # the watch board, seen as a terminal shows it
# PostgreSQL's server for the class server's tests (tests/support/postgres.py starts its own
# cluster; a service the package may start is not used).
if ! { command -v initdb && command -v pg_ctl; } >/dev/null 2>&1 \
  && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
# The engine matrix (scripts/matrix.sh): podman 5's trixie root file system, rootless Docker.
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v rootlesskit >/dev/null 2>&1 || missing+=(rootlesskit slirp4netns uidmap)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

rm -rf .venv
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q '.[test]'
# The wheel must carry the specs and checks: list them from outside the source tree.
(cd /tmp && "$OLDPWD/.venv/bin/docker-grade" list >/dev/null)

.venv/bin/python tests/images/build.py
if [ $# -gt 0 ]; then
  exec .venv/bin/pytest "$@"
fi
# The whole suite on the main engine, then the engine matrix (scripts/matrix.sh: selftest and
# the network and volume check tests on Docker 26, Docker 28 with the containerd store, rootless
# Docker 28 and podman 5). DOCKER_GRADE_MATRIX=0 leaves the matrix out.
status=0
.venv/bin/pytest || status=$?
if [ "${DOCKER_GRADE_MATRIX:-1}" != 0 ]; then
  bash scripts/matrix.sh || status=1
fi
exit $status
