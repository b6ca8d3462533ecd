#!/bin/sh
# custom-bridge: a bridge network mybridge with subnet 192.168.0.0/24, a busybox container on it.
set -eu

docker network create --driver=bridge --subnet=192.168.0.0/24 mybridge
docker network inspect mybridge

docker run -itd --network=mybridge busybox
