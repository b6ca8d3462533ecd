#!/bin/sh
# Without -it, busybox's shell exits at once: the student gives it a command to keep it up
# instead. They reach each other, but were not run interactively.
# expect: interactive: failed
# expect: two-containers: passed
# expect: b-reaches-a: passed
# expect: a-reaches-b: passed
set -eu

docker run -d --name container-a busybox sleep 3600
docker run -d --name container-b busybox sleep 3600
