#!/bin/sh
# A and B each on a network of their own: they share none, so they are no pair at all.
# expect: two-containers: failed
# expect: interactive: skipped
# expect: b-reaches-a: skipped
# expect: a-reaches-b: skipped
set -eu

docker network create net1
docker network create net2
docker run -itd --name container-a --network=net1 busybox
docker run -itd --name container-b --network=net2 busybox
