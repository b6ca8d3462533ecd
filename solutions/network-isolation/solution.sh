#!/bin/sh
# network-isolation: containers A and B on two different bridge networks; the host pings each,
# A from B fails.
set -eu

# --cap-add NET_RAW: busybox's ping sends from a raw socket, and podman as distributions ship
# it leaves NET_RAW out of the default capabilities (Docker has it: there it changes nothing).

# Two bridge networks (the engine starts empty: mybridge of the exercise before is not there).
docker network create --driver=bridge net1
docker network create --driver=bridge net2

# -itd: no terminal here, and both must keep running to be graded.
docker run -itd --cap-add NET_RAW --name container-a --network=net1 busybox
docker run -itd --cap-add NET_RAW --name container-b --network=net2 busybox

ip_a=$(docker inspect -f '{{(index .NetworkSettings.Networks "net1").IPAddress}}' container-a)
ip_b=$(docker inspect -f '{{(index .NetworkSettings.Networks "net2").IPAddress}}' container-b)

# Ping each from the host: the engine's host, through a container on its network (the engine
# may run on another machine, or in another network namespace, than this script).
docker run --rm --cap-add NET_RAW --network host busybox ping -c 1 -W 5 "$ip_a"
docker run --rm --cap-add NET_RAW --network host busybox ping -c 1 -W 5 "$ip_b"

# Ping A from B: it must fail.
if docker exec container-b ping -c 1 -W 2 "$ip_a"; then
    echo "B reached A: the networks are not isolated" >&2
    exit 1
fi
echo "B cannot reach A, as expected"
