#!/bin/sh
# Two networks created, but A and B both run on the first: they talk.
# expect: two-bridge-networks: passed
# expect: separate-networks: failed
# expect: host-reaches-a: skipped
# expect: host-reaches-b: skipped
# expect: b-cannot-reach-a: skipped
set -eu

docker network create --driver=bridge net1
docker network create --driver=bridge net2
docker run -itd --name container-a --network=net1 busybox
docker run -itd --name container-b --network=net1 busybox
