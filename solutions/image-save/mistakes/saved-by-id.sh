#!/bin/sh
# Saved by the image's id instead of its name: the archive holds the right layers but no tag.
# expect: archive-tagged: failed
# expect: archive-exists: passed
# expect: archive-valid: passed
# expect: archive-matches-image: passed
set -eu

solutions=${DG_SOLUTIONS:-$(dirname "$0")/../..}
sh "$solutions/node-multistage/solution.sh"

docker save -o myimage.tar "$(docker images -q mine/node)"
