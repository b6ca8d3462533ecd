#!/bin/sh
# image-save: export mine/node as a tar archive, myimage.tar in the current folder.
set -eu

# mine/node comes from the first exercise: build (and run) it here first.
solutions=${DG_SOLUTIONS:-$(dirname "$0")/..}
sh "$solutions/node-multistage/solution.sh"

docker save -o myimage.tar mine/node

# Browse the layers (the course uses dive; tar lists them as well).
tar -tf myimage.tar
