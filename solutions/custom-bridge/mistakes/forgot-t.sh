#!/bin/sh
# -id without -t: the shell keeps running on its open stdin, but with no TTY.
# expect: container-detached-tty: failed
# expect: container-attached: passed
# expect: network-subnet: passed
set -eu

docker network create --driver=bridge --subnet=192.168.0.0/24 mybridge
docker run -id --network=mybridge busybox
