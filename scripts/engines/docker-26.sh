# trixie's docker.io 26 with its containerd 1.7: the classic image store.
ROOT="$ENGINES_CACHE/docker-26"
engine_start() {
  unpack_packages "$ROOT" "docker.io=$(package_version docker.io trixie)" \
    "containerd=$(package_version containerd trixie)"
  start_dockerd "$ROOT"
}
engine_stop() { stop_dockerd; }
engine_host() { echo "unix://$ENGINES_RUN/$NETNS/docker.sock"; }
