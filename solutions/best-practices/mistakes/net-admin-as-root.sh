#!/bin/sh
# The limits are set, but the container gets a capability beyond Docker's default set
# (--cap-add NET_ADMIN; --privileged is the same mistake, worse) and overrides the image's
# USER node with --user root.
# expect: not-privileged: failed
# expect: non-root: failed
# expect: memory-limited: passed
# expect: single-process: passed
set -eu

solutions=${DG_SOLUTIONS:-$(dirname "$0")/../..}
sh "$solutions/node-multistage/solution.sh"

cid=$(docker run -d --memory=256m --cpus=0.5 --pids-limit=100 --cap-add NET_ADMIN --user root \
      mine/node)
sh "$solutions/node-multistage/wait-listening.sh" "$cid"
