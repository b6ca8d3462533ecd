#!/bin/sh
# /var/log mounted read-only (:ro): the root container cannot write the proof.
# expect: container-mounts-host-path: passed
# expect: runs-as-root: passed
# expect: proof-written: failed
set -eu

cid=$(docker run -itd -v /var/log/:/youpi:ro busybox)
if docker exec "$cid" touch /youpi/escalation.txt; then
    echo "wrote through a read-only mount" >&2
    exit 1
fi
