#!/bin/sh
# Run with --user 1000: that user cannot write into the host's /var/log, so no proof is
# written (the danger the exercise shows is root's).
# expect: container-mounts-host-path: passed
# expect: runs-as-root: failed
# expect: proof-written: failed
set -eu

cid=$(docker run -itd --user 1000 -v /var/log/:/youpi busybox)
if docker exec "$cid" touch /youpi/escalation.txt; then
    echo "uid 1000 wrote into /var/log" >&2
    exit 1
fi
