#!/bin/sh
# The host's /var/log mounted into the app "for its logs": a sensitive host path; and the app
# started by a shell beside a second program, two processes.
# expect: no-sensitive-mounts: failed
# expect: single-process: failed
# expect: memory-limited: passed
# expect: not-privileged: passed
set -eu

solutions=${DG_SOLUTIONS:-$(dirname "$0")/../..}
sh "$solutions/node-multistage/solution.sh"

cid=$(docker run -d --memory=256m --cpus=0.5 --pids-limit=100 -v /var/log:/app/logs mine/node \
      sh -c 'node index.js & exec sleep 3600')
sh "$solutions/node-multistage/wait-listening.sh" "$cid"
