#!/bin/sh
# The folder mounted is empty (the page was never written into it): nginx has no index.html
# to serve.
# expect: custom-page: failed
# expect: bind-mount: passed
# expect: mount-read-only: passed
set -eu

mkdir -p site
docker run -d -it --name mynginx -v "$(pwd)"/site:/usr/share/nginx/html:ro nginx:alpine

# Wait (30 s at most) until nginx answers at all (403: no index.html).
i=0
until docker run --rm --network container:mynginx busybox \
        timeout 5 wget -q -O /dev/null http://127.0.0.1/ 2>&1 | grep -q "403"; do
    i=$((i + 1))
    [ "$i" -le 30 ] || { echo "nginx never answered" >&2; exit 1; }
    sleep 1
done
