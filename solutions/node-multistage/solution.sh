#!/bin/sh
# node-multistage: the course's two-stage Dockerfile (its COPY fixed), built as mine/node, run
# with -p 8181:8080, its logs read.
set -eu

# The app (index.js, package.json, package-lock.json) and the Dockerfile sit beside this
# script: copy them here when it runs from another folder (image-save and best-practices run
# it first, for the image).
here=$(cd "$(dirname "$0")" && pwd -P)
if [ "$here" != "$(pwd -P)" ]; then
    cp "$here/Dockerfile" "$here/.dockerignore" "$here/index.js" "$here/package.json" \
       "$here/package-lock.json" .
fi

# The legacy builder, which takes FROM node:lts-alpine from the engine's images and never asks
# a registry (there is none to reach). It is what this docker CLI uses anyway (no buildx
# plugin); set, so a machine with buildx (whose builder may be a docker-container one, which
# pulls its FROM images) builds the same way.
export DOCKER_BUILDKIT=0
docker build -t mine/node .

# -d instead of the course's foreground --rm: there is no terminal, and the container must
# stay to be graded.
cid=$(docker run -d -p 8181:8080 mine/node)

# Grading follows at once: wait (30 s at most) until the app says it listens.
sh "$here/wait-listening.sh" "$cid"

# The logs: of the container (its id or name), not of the image as the course writes.
docker logs "$cid"
