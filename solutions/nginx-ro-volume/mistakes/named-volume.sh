#!/bin/sh
# -v nginx:... without a path: Docker makes a named volume "nginx" (filled with the image's
# default page) instead of mounting the host folder ./nginx.
# expect: bind-mount: failed
# expect: mount-read-only: skipped
# expect: custom-page: skipped
# expect: container-running: passed
# expect: image-nginx: passed
set -eu

docker run -d -it --name mynginx -v nginx:/usr/share/nginx/html:ro nginx:alpine
