#!/bin/sh
# Saved, then the app changed and mine/node rebuilt: the archive is of the old image.
# expect: archive-matches-image: failed
# expect: archive-exists: passed
# expect: archive-valid: passed
# expect: archive-tagged: passed
set -eu

solutions=${DG_SOLUTIONS:-$(dirname "$0")/../..}
sh "$solutions/node-multistage/solution.sh"

docker save -o myimage.tar mine/node

echo "// v2" >> index.js
export DOCKER_BUILDKIT=0  # the legacy builder, as in node-multistage (no registry to reach)
docker build -t mine/node .
