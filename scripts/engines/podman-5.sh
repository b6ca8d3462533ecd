# trixie's podman 5 (rootful), as a student's Debian 13 or Fedora host has it: `podman system
# service` answering the Docker API. Podman 5 needs glibc 2.38, so it runs in a trixie
# root file system laid out by mmdebstrap (cached: made once; pivot_root, not chroot), in a mount namespace of its own
# (nothing it mounts reaches the machine), inside this engine's network namespace.
#
# The distribution's /usr/share/containers/containers.conf stays in force, as a student has it:
# no NET_RAW among the default capabilities, net.ipv4.ping_group_range set instead. The one
# drop-in (/etc/containers/containers.conf.d/50-docker-grade.conf, read by builds too) holds
# what this machine needs and nothing else:
#   default_ulimits           the machine's hard limits (no CAP_SYS_RESOURCE here): runc fails
#                             with "error setting rlimit type 7" otherwise (see podman5_dropin)
#   cgroupfs, events in a file, runc: no systemd, cgroups v1 (crun is not installed)
# Shared with the machine: /proc, /sys, /dev, /tmp (the students' folders are bind-mounted from
# /tmp) and /var/log (volume-escalation writes /var/log/escalation.txt, read on the host); and
# $ENGINES_RUN, where the socket is. Private: /run and /dev/shm (tmpfs: a fresh boot for podman
# at every start), /var/lib/containers ($ENGINES_DATA/dg-podman-5: images stay between starts).
ROOT="$ENGINES_CACHE/podman-5-rootfs"
PODMAN_PACKAGES=podman,netavark,aardvark-dns,nftables,runc,conmon,catatonit,iproute2

podman5_rootfs() {
  [ -f "$ROOT/.made" ] && return 0
  local building="$ROOT.building"
  if ! command -v mmdebstrap >/dev/null; then   # Debian 12's, from the machine's apt sources
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap
  fi
  rm -rf "$building"
  mmdebstrap --quiet --variant=minbase --include="$PODMAN_PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    trixie "$building" http://deb.debian.org/debian
  rm -rf "$ROOT" && mv "$building" "$ROOT"
  touch "$ROOT/.made"
}

# The drop-in, written at every start: the open-files limit is the machine's, read now.
podman5_dropin() {
  local nofile nproc
  nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
  mkdir -p "$ROOT/etc/containers/containers.conf.d"
  cat > "$ROOT/etc/containers/containers.conf.d/50-docker-grade.conf" <<CONF
# This machine's needs only (scripts/engines/podman-5.sh); the distribution's
# /usr/share/containers/containers.conf is otherwise in force.
[containers]
# The machine's hard limits (open files $nofile, processes $nproc) and no CAP_SYS_RESOURCE:
# runc fails with "error setting rlimit type 7" (6 for processes) when asked for more. An empty
# list serves podman run (its containers keep the service's limits) but not builds: buildah's
# RUN steps then ask for 1048576 of each. The machine's limits, given, serve both, and are what
# podman run gives anyway.
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
}

podman5_pid() {
  local pidfile="$ENGINES_RUN/$NETNS/podman.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

# podman ARGS... in the service's namespaces and root, as a student types it on that host.
podman5() {
  local pid
  pid=$(podman5_pid) || { echo "engines: podman-5 is not running" >&2; return 1; }
  nsenter --target "$pid" --mount --net --root --wd=/ -- /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PODMAN_IGNORE_CGROUPSV1_WARNING=1 /usr/bin/podman "$@"
}

engine_start() {
  podman5_rootfs
  podman5_dropin
  local run="$ENGINES_RUN/$NETNS" data="$ENGINES_DATA/$NETNS"
  mkdir -p "$run" "$data"
  network_namespace
  podman5_pid >/dev/null && return 0
  rm -f "$run/podman.sock"
  # The shell unshare forks mounts, then pivots into the root file system (a chroot would not
  # do: runc's pivot_root would then leave the mount namespace's root on the machine's /, where
  # `podman exec` puts its processes), drops the machine's / and becomes podman: its pid ($$) is
  # the service's.
  setsid nsenter --net="/var/run/netns/$NETNS" \
    unshare --mount --propagation private --fork -- /bin/sh -euc '
      root=$1 run=$2 data=$3 engines=$4
      mount --bind "$root" "$root"
      mount --rbind /proc "$root/proc"
      mount --rbind /sys "$root/sys"
      mount --rbind /dev "$root/dev"
      mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
      mount --bind /tmp "$root/tmp"
      mount --bind /var/log "$root/var/log"
      mount -t tmpfs -o mode=755,nosuid,nodev run "$root/run"
      mkdir -p "$root/run/lock" "$root$engines" "$root/var/lib/containers" "$root/.machine"
      mount --bind "$engines" "$root$engines"
      mount --bind "$data" "$root/var/lib/containers"
      echo $$ > "$run/podman.pid"
      cd "$root"
      pivot_root . .machine
      exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        PODMAN_IGNORE_CGROUPSV1_WARNING=1 /bin/sh -euc '"'"'
        umount --lazy /.machine && rmdir /.machine
        exec /usr/bin/podman system service --time=0 "$1"'"'"' podman5 "unix://$run/podman.sock"
    ' podman5 "$ROOT" "$run" "$data" "$ENGINES_RUN" >"$run/podman.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do [ -S "$run/podman.sock" ] && return 0; sleep 0.25; done
}

engine_stop() {
  local run="$ENGINES_RUN/$NETNS" pid
  if pid=$(podman5_pid); then
    # every container (this engine is the matrix's own): no conmon may outlive the service
    podman5 rm --all --force --time 0 >/dev/null 2>&1 || true
    podman5 network prune --force >/dev/null 2>&1 || true
    podman5 volume prune --force >/dev/null 2>&1 || true
    stop_pidfile "$run/podman.pid"
  fi
  # What podman left in its namespace: an exec session's conmon waits 5 minutes after the
  # session ends, then runs `podman container cleanup`. SIGTERM, SIGKILL after 10 s.
  local left
  for _ in $(seq 1 40); do
    left=$(ip netns pids "$NETNS" 2>/dev/null || true)
    [ -n "$left" ] || break
    # shellcheck disable=SC2086
    kill $left 2>/dev/null || true
    sleep 0.25
  done
  # shellcheck disable=SC2086
  [ -z "$left" ] || kill -9 $left 2>/dev/null || true
  rm -f "$run/podman.pid" "$run/podman.sock"
  ip netns delete "$NETNS" 2>/dev/null || true
}

engine_host() { echo "unix://$ENGINES_RUN/$NETNS/podman.sock"; }

# The fixture images under the names a pull gives them on podman (docker.io/library/NAME:TAG):
# `podman load` of a `docker save` archive. Skipped when podman already has that name with the
# same recipe label.
load_fixture_images() {
  local host=$1 image want have loaded
  for image in "${FIXTURE_IMAGES[@]}"; do
    want=$(env -u DOCKER_HOST docker image inspect -f '{{index .Config.Labels "docker-grade.recipe"}}' "$image" 2>/dev/null) || {
      echo "engines: $image is not on the main engine (python tests/images/build.py makes it)" >&2; return 1; }
    have=$(podman5 image inspect --format '{{index .Labels "docker-grade.recipe"}}' "docker.io/library/$image" 2>/dev/null || true)
    [ "$want" = "$have" ] && continue
    loaded=$(env -u DOCKER_HOST docker save "$image" | podman5 load | sed -n 's/^Loaded image: //p' | tail -n 1)
    [ -n "$loaded" ] || { echo "engines: podman load $image named nothing" >&2; return 1; }
    if [ "$loaded" != "docker.io/library/$image" ]; then
      podman5 tag "$loaded" "docker.io/library/$image"
      podman5 untag "$loaded" "$loaded"
    fi
  done
}
