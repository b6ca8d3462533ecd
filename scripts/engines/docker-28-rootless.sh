# sid's docker.io 28 in rootless mode: dockerd-rootless.sh (the package's contrib) under
# bookworm's rootlesskit and slirp4netns, run by a dedicated user with subordinate ids, as a
# student's `dockerd-rootless-setuptool.sh install` would have it. The packages are the same
# unpack as docker-28-containerd's (same versions: one download), but the image store is the
# classic one (overlay2 in the user namespace), and there are no cgroups (this machine's are v1).
#
# The user is a system user, dg-rootless, with 65536 subordinate uids and gids (added once).
# Its XDG_RUNTIME_DIR is $ENGINES_RUN/$NETNS (the socket is $ENGINES_RUN/$NETNS/docker.sock,
# reachable by root); its home and the engine's data are under $ENGINES_DATA/$NETNS, so the
# images stay between runs. rootlesskit runs inside the network namespace dg-docker-28-rootless,
# which has only a loopback: slirp4netns's outbound NAT leads nowhere, and the ports containers
# publish (rootlesskit's builtin port driver) listen in that namespace, as the other engines'.
ROOT="$ENGINES_CACHE/docker-28-containerd"
ROOTLESS_USER=dg-rootless

rootless_packages() {
  unpack_packages "$ROOT" "docker.io=$(package_version docker.io sid)" \
    "containerd=$(package_version containerd sid)" "docker-buildx=$(package_version docker-buildx sid)"
  local missing=() tool
  for tool in rootlesskit slirp4netns newuidmap newgidmap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then   # bookworm's, from the machine's own apt sources
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rootlesskit slirp4netns uidmap
  fi
}

# the next free subordinate range in FILE (/etc/subuid or /etc/subgid), 100000 at the least.
next_subordinate_start() {
  awk -F: 'BEGIN {n = 100000} NF >= 3 && $2 + $3 > n {n = $2 + $3} END {print n}' "$1"
}

rootless_user() {
  local home="$ENGINES_DATA/$NETNS/home" file start
  if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$home" --no-create-home \
      --shell /usr/sbin/nologin --comment "docker-grade rootless engine" "$ROOTLESS_USER"
  fi
  for file in /etc/subuid /etc/subgid; do
    touch "$file"
    grep -q "^$ROOTLESS_USER:" "$file" && continue
    start=$(next_subordinate_start "$file")
    echo "$ROOTLESS_USER:$start:65536" >> "$file"
  done
  mkdir -p "$home" "$ENGINES_DATA/$NETNS/docker"
  chown "$ROOTLESS_USER:$ROOTLESS_USER" "$ENGINES_DATA/$NETNS" "$home" "$ENGINES_DATA/$NETNS/docker"
  chmod 0700 "$ENGINES_DATA/$NETNS"
}

engine_start() {
  rootless_packages
  rootless_user
  local run="$ENGINES_RUN/$NETNS" home="$ENGINES_DATA/$NETNS/home"
  # slirp4netns opens the tap device as the user: 0666, as udev makes it on a usual system
  [ "$(stat -c %a /dev/net/tun)" = 666 ] || chmod 0666 /dev/net/tun
  mkdir -p "$run"
  chown "$ROOTLESS_USER:$ROOTLESS_USER" "$run"
  chmod 0700 "$run"
  network_namespace
  # low ports (-p 80:80) for the user, in this namespace only: the per-namespace sysctl
  ip netns exec "$NETNS" sysctl -q -w net.ipv4.ip_unprivileged_port_start=0
  [ -f "$run/rootlesskit.pid" ] && kill -0 "$(cat "$run/rootlesskit.pid")" 2>/dev/null && return 0
  rm -f "$run/docker.sock" "$run/docker.pid"
  # dockerd-rootless.sh execs rootlesskit: the background job's pid is rootlesskit's, which
  # forwards SIGTERM to dockerd and ends with it.
  setsid nsenter --net="/var/run/netns/$NETNS" \
    setpriv --reuid="$ROOTLESS_USER" --regid="$ROOTLESS_USER" --init-groups --reset-env \
    env -i HOME="$home" USER="$ROOTLESS_USER" LOGNAME="$ROOTLESS_USER" XDG_RUNTIME_DIR="$run" \
    PATH="$ROOT/usr/sbin:$ROOT/usr/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
    DOCKERD="$ROOT/usr/sbin/dockerd" \
    "$ROOT/usr/share/docker.io/contrib/dockerd-rootless.sh" \
    --host "unix://$run/docker.sock" --data-root "$ENGINES_DATA/$NETNS/docker" \
    --exec-root "$run/exec" --pidfile "$run/docker.pid" \
    >"$run/dockerd.log" 2>&1 </dev/null &
  echo $! > "$run/rootlesskit.pid"
}

engine_stop() {
  local run="$ENGINES_RUN/$NETNS" host pids
  host=$(engine_host)
  if DOCKER_HOST=$host docker version >/dev/null 2>&1; then
    local ids
    ids=$(DOCKER_HOST=$host docker ps -aq)
    [ -z "$ids" ] || DOCKER_HOST=$host docker rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pidfile "$run/rootlesskit.pid"
  # whatever the engine's user still runs (a shim rootlesskit did not take along): the user is
  # this engine's alone
  if id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
    pids=$(pgrep -u "$ROOTLESS_USER" || true)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || { kill $pids 2>/dev/null || true; sleep 1; kill -9 $pids 2>/dev/null || true; }
  fi
  rm -f "$run/docker.sock" "$run/docker.pid"
  ip netns delete "$NETNS" 2>/dev/null || true
}

engine_host() { echo "unix://$ENGINES_RUN/$NETNS/docker.sock"; }
