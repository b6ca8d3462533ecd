#!/bin/sh
# --subnet=192.168.0.0/16 typed instead of /24: the network is wider than asked. The container
# still gets an address inside 192.168.0.0/24.
# expect: network-subnet: failed
# expect: network-exists: passed
# expect: network-driver: passed
# expect: container-attached: passed
# expect: container-detached-tty: passed
set -eu

docker network create --driver=bridge --subnet=192.168.0.0/16 mybridge
docker run -itd --network=mybridge busybox
