#!/bin/sh
# The course's Dockerfile as printed: "COPY package*.json /app" has no trailing "/". With a
# package-lock.json beside package.json (npm ci needs one), that COPY has two sources and
# docker build stops there: no image, so no container. (podman's buildah copies both into
# /app, which WORKDIR made a folder: the build goes on, so this is Docker's mistake only.)
# engines: docker
# expect: dockerfile-multistage: passed
# expect: dockerfile-lint: failed
# expect: image-built: failed
# expect: image-non-root: skipped
# expect: container-running: failed
# expect: port-published: skipped
set -eu

cat > Dockerfile <<'DOCKERFILE'
# The build image
FROM node:lts-alpine AS build
WORKDIR /app
COPY package*.json /app
COPY . /app
RUN npm ci
# The production image
FROM node:lts-alpine
WORKDIR /app
USER node
EXPOSE 8080
COPY --chown=node:node --from=build /app /app
CMD ["node", "index.js"]
DOCKERFILE

# The legacy builder, as in solution.sh (no registry to reach).
export DOCKER_BUILDKIT=0
if docker build -t mine/node .; then
    echo "the course's Dockerfile built: expected the COPY error" >&2
    exit 1
fi
# "docker run -p 8181:8080 mine/node" would fail too (no such image): the student stops here.
