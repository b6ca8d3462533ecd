#!/bin/sh
# The folder mounted without :ro: nginx serves the page, but the container can write into the
# host's folder.
# expect: mount-read-only: failed
# expect: bind-mount: passed
# expect: custom-page: passed
# expect: container-running: passed
set -eu

docker run -d -it --name mynginx -v "$(pwd)"/nginx:/usr/share/nginx/html nginx:alpine

i=0
until docker run --rm --network container:mynginx busybox \
        timeout 5 wget -q -O - http://127.0.0.1/ 2>/dev/null | grep -q "Ma page"; do
    i=$((i + 1))
    [ "$i" -le 30 ] || { echo "nginx never served the page" >&2; exit 1; }
    sleep 1
done
