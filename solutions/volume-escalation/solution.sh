#!/bin/sh
# volume-escalation: a root busybox container with the host's /var/log at /youpi writes
# /youpi/escalation.txt, which lands in the host's /var/log owned by root.
set -eu

# -itd where the course says -it (no terminal here); what the course types inside the
# container's shell is run with docker exec.
cid=$(docker run -itd -v /var/log/:/youpi busybox)
docker exec "$cid" touch /youpi/escalation.txt

# On the host, /var/log/escalation.txt belongs to root (uid 0). Looked at through the mount,
# as the engine may run on another machine than this script.
docker exec "$cid" ls -ln /youpi/escalation.txt
