#!/bin/sh
# A copy of the archive cut short (half of it, as a copy interrupted): still a tar file, but
# its layers are missing.
# expect: archive-exists: passed
# expect: archive-valid: failed
# expect: archive-tagged: skipped
# expect: archive-matches-image: failed
set -eu

solutions=${DG_SOLUTIONS:-$(dirname "$0")/../..}
sh "$solutions/node-multistage/solution.sh"

docker save -o saved.tar mine/node
size=$(wc -c < saved.tar)
head -c "$((size / 2))" saved.tar > myimage.tar
rm saved.tar
