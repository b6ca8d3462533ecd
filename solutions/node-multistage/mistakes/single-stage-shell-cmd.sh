#!/bin/sh
# One stage only (no build stage to copy from) and CMD in shell form: node runs under /bin/sh.
# The image builds and answers all the same.
# expect: dockerfile-multistage: failed
# expect: image-cmd: failed
# expect: dockerfile-lint: passed
# expect: image-non-root: passed
# expect: http-responds: passed
set -eu

cat > Dockerfile <<'DOCKERFILE'
FROM node:lts-alpine
WORKDIR /app
COPY package*.json /app/
COPY . /app/
RUN npm ci
USER node
EXPOSE 8080
CMD node index.js
DOCKERFILE

export DOCKER_BUILDKIT=0  # the legacy builder, as in solution.sh (no registry to reach)
docker build -t mine/node .
cid=$(docker run -d -p 8181:8080 mine/node)

sh "${DG_SOLUTIONS:-$(dirname "$0")/../..}/node-multistage/wait-listening.sh" "$cid"
