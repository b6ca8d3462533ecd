#!/bin/sh
# docker run -d without -it: busybox's shell finds no terminal and no open stdin, and exits at
# once. Nothing runs on the network.
# expect: container-attached: failed
# expect: container-detached-tty: skipped
# expect: network-exists: passed
# expect: network-subnet: passed
set -eu

docker network create --driver=bridge --subnet=192.168.0.0/24 mybridge
cid=$(docker run -d --network=mybridge busybox)

# Wait (10 s at most) until it has exited, as it will: grading follows at once.
i=0
until [ "$(docker inspect -f '{{.State.Status}}' "$cid")" = exited ]; do
    i=$((i + 1))
    [ "$i" -le 20 ] || { echo "busybox is still running" >&2; exit 1; }
    sleep 0.5
done
