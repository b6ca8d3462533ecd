# Debian 12's docker.io: the main engine, the one scripts/engine.sh installs and starts.
engine_start() { bash scripts/engine.sh; }
engine_stop() { :; }  # the main engine stays: the tests' own runs need it
engine_host() { echo "${MAIN_DOCKER_HOST:-unix:///var/run/docker.sock}"; }
load_fixture_images() { :; }  # built there by tests/images/build.py
