#!/bin/sh
# Only one network created: B runs on Docker's default bridge, which is not a user-defined one.
# expect: two-bridge-networks: failed
# expect: separate-networks: failed
# expect: host-reaches-a: skipped
set -eu

docker network create --driver=bridge net1
docker run -itd --name container-a --network=net1 busybox
docker run -itd --name container-b busybox
