#!/bin/sh
# CPU and PID limits, but no --memory: the container may take all the host's memory.
# expect: memory-limited: failed
# expect: cpu-limited: passed
# expect: pids-limited: passed
# expect: non-root: passed
set -eu

solutions=${DG_SOLUTIONS:-$(dirname "$0")/../..}
sh "$solutions/node-multistage/solution.sh"

cid=$(docker run -d --cpus=0.5 --pids-limit=100 mine/node)
sh "$solutions/node-multistage/wait-listening.sh" "$cid"
