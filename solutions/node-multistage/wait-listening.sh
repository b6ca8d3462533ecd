#!/bin/sh
# Waits (30 s at most) until the mine/node container $1 says it listens: grading follows at
# once. Shared by the scripts that run mine/node.
set -eu

i=0
until docker logs "$1" 2>&1 | grep -q listening; do
    i=$((i + 1))
    if [ "$i" -gt 60 ]; then
        echo "mine/node never said it listens" >&2
        docker logs "$1" >&2
        exit 1
    fi
    sleep 0.5
done
