#!/bin/sh
# B is also connected to A's network (docker network connect): it links the two networks.
# expect: two-bridge-networks: passed
# expect: separate-networks: failed
# expect: b-cannot-reach-a: skipped
set -eu

docker network create --driver=bridge net1
docker network create --driver=bridge net2
docker run -itd --name container-a --network=net1 busybox
docker run -itd --name container-b --network=net2 busybox
docker network connect net1 container-b
