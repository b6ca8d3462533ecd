# sid's docker.io 28 with containerd 2 and buildx: the containerd image store, as Docker 29 and
# Docker Desktop have it by default (image ids are manifest digests, `docker save` writes the OCI
# layout, `docker build` is BuildKit's). The docker CLI finds buildx through DOCKER_CONFIG.
ROOT="$ENGINES_CACHE/docker-28-containerd"
engine_start() {
  unpack_packages "$ROOT" "docker.io=$(package_version docker.io sid)" \
    "containerd=$(package_version containerd sid)" "docker-buildx=$(package_version docker-buildx sid)"
  local run="$ENGINES_RUN/$NETNS"
  mkdir -p "$run"
  printf '{"features": {"containerd-snapshotter": true}}\n' > "$run/daemon.json"
  start_dockerd "$ROOT" --config-file "$run/daemon.json"
}
engine_stop() { stop_dockerd; }
# A docker config of its own whose plugin folder holds sid's buildx: `docker build` is BuildKit's.
engine_env() {
  local config="$ENGINES_RUN/$NETNS/docker-config"
  mkdir -p "$config"
  printf '{"cliPluginsExtraDirs": ["%s"]}\n' "$ROOT/usr/libexec/docker/cli-plugins" > "$config/config.json"
  echo "export DOCKER_HOST=$(engine_host) DOCKER_CONFIG=$config"
}
engine_host() { echo "unix://$ENGINES_RUN/$NETNS/docker.sock"; }
