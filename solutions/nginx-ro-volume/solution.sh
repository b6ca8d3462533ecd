#!/bin/sh
# nginx-ro-volume: nginx serves nginx/index.html (beside this script) from a read-only bind
# mount of ./nginx.
set -eu

# The course's command as is (-d -it: detached, no terminal needed).
docker run -d -it --name mynginx -v "$(pwd)"/nginx:/usr/share/nginx/html:ro nginx:alpine

# Grading follows at once: wait (30 s at most) until nginx serves the page, asked from its own
# network namespace by a busybox (the engine may run elsewhere than this script); `timeout`
# bounds wget, as busybox's own `wget -T` crashes in some static builds.
i=0
until docker run --rm --network container:mynginx busybox \
        timeout 5 wget -q -O - http://127.0.0.1/ 2>/dev/null | grep -q "Ma page"; do
    i=$((i + 1))
    [ "$i" -le 30 ] || { echo "nginx never served the page" >&2; exit 1; }
    sleep 1
done

# Read-only: a write from inside is refused.
if docker exec mynginx touch /usr/share/nginx/html/written; then
    echo "the mount is writable" >&2
    exit 1
fi
