# What every engine of scripts/engines.sh shares: Debian packages fetched with a sources list of
# their own, network namespaces, waiting for an API, the fixture images.

APT_DIR="$ENGINES_CACHE/apt"

# apt-get/apt-cache on trixie and sid, with lists and caches of their own.
debian_apt() {
  local tool=$1; shift
  "$tool" -o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache" \
    -o APT::Sandbox::User=root "$@"
}

debian_update() {
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  if [ ! -f "$APT_DIR/sources.list" ]; then
    cat > "$APT_DIR/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
LIST
  fi
  if [ -z "$(find "$APT_DIR/lists" -name '*sid*Packages*' -mmin -1440 2>/dev/null)" ]; then
    debian_apt apt-get update -qq
  fi
}

# unpack PACKAGE=VERSION... into ROOT (cached: done once per version set).
unpack_packages() {
  local root=$1; shift
  local stamp="$root/.packages"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$*" ]; then return; fi
  debian_update
  rm -rf "$root" && mkdir -p "$root/.debs"
  (cd "$root/.debs" && debian_apt apt-get download -qq "$@")
  for deb in "$root"/.debs/*.deb; do dpkg -x "$deb" "$root"; done
  rm -rf "$root/.debs"
  echo "$*" > "$stamp"
}

# the newest version of PACKAGE in SUITE (trixie or sid).
package_version() {
  debian_update
  debian_apt apt-cache madison "$1" | awk -v suite="$2/main" '$6 == suite {print $3; exit}'
}

engine_env() { echo "export DOCKER_HOST=$(engine_host)"; }

network_namespace() {
  [ -e "/var/run/netns/$NETNS" ] || ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
}

wait_for_engine() {
  local host=$1 name=$2
  for _ in $(seq 1 240); do
    DOCKER_HOST=$host docker version >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "engines: $name did not answer within 60 s on $host" >&2
  return 1
}

# SIGTERM the process in PIDFILE, SIGKILL after 20 s.
stop_pidfile() {
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# The fixture images (tests/images/build.py, on the main engine), streamed into HOST: no
# registry to pull from. Skipped for an image HOST already has with the same recipe label.
FIXTURE_IMAGES=(busybox:latest nginx:alpine node:lts-alpine)
load_fixture_images() {
  local host=$1 image want have
  for image in "${FIXTURE_IMAGES[@]}"; do
    want=$(env -u DOCKER_HOST docker image inspect -f '{{index .Config.Labels "docker-grade.recipe"}}' "$image" 2>/dev/null) || {
      echo "engines: $image is not on the main engine (python tests/images/build.py makes it)" >&2; return 1; }
    have=$(DOCKER_HOST=$host docker image inspect -f '{{index .Config.Labels "docker-grade.recipe"}}' "$image" 2>/dev/null || true)
    [ "$want" = "$have" ] && continue
    env -u DOCKER_HOST docker save "$image" | DOCKER_HOST=$host docker load -q
  done
}

# dockerd from ROOT (unpacked Debian packages; bookworm's runc serves), in this engine's
# namespace, with its own socket, data root and exec root. Extra dockerd flags follow.
start_dockerd() {
  local root=$1; shift
  local run="$ENGINES_RUN/$NETNS"
  mkdir -p "$run"
  network_namespace
  [ -f "$run/dockerd.pid" ] && kill -0 "$(cat "$run/dockerd.pid")" 2>/dev/null && return 0
  PATH="$root/usr/sbin:$root/usr/bin:$PATH" setsid nsenter --net="/var/run/netns/$NETNS" \
    "$root/usr/sbin/dockerd" --host "unix://$run/docker.sock" \
    --data-root "$ENGINES_DATA/$NETNS" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
    "$@" >"$run/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do [ -f "$run/dockerd.pid" ] && return 0; sleep 0.25; done
}

stop_dockerd() {
  local run="$ENGINES_RUN/$NETNS"
  if DOCKER_HOST="unix://$run/docker.sock" docker version >/dev/null 2>&1; then
    local ids
    ids=$(DOCKER_HOST="unix://$run/docker.sock" docker ps -aq)
    [ -z "$ids" ] || DOCKER_HOST="unix://$run/docker.sock" docker rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pidfile "$run/dockerd.pid"
  ip netns delete "$NETNS" 2>/dev/null || true
}
