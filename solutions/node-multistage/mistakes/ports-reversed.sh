#!/bin/sh
# -p takes HOST:CONTAINER; here it is the other way round (-p 8080:8181): host port 8080 leads
# to a container port nothing listens on, and 8181 is not published at all.
# expect: port-published: failed
# expect: http-responds: skipped
# expect: container-running: passed
# expect: logs-readable: passed
# expect: image-built: passed
set -eu

export DOCKER_BUILDKIT=0  # the legacy builder, as in solution.sh (no registry to reach)
docker build -t mine/node .
cid=$(docker run -d -p 8080:8181 mine/node)

sh "${DG_SOLUTIONS:-$(dirname "$0")/../..}/node-multistage/wait-listening.sh" "$cid"
