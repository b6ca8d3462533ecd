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
i=0
until docker logs "$cid" 2>&1 | grep -q listening; do
    i=$((i + 1))
    [ "$i" -le 60 ] || { echo "mine/node never said it listens" >&2; exit 1; }
    sleep 0.5
done
