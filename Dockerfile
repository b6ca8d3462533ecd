# docker-grade as an image, for a machine without Python: it grades the engine whose socket is
# mounted, and reads the student's files (Dockerfile, myimage.tar) from the folder mounted at /work.
#   docker build -t docker-grade .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD":/work -w /work docker-grade check
# BASE: any image with python3 (3.10+) and its venv module (the tests build on a local Debian one).
# Offline: `pip wheel . -w wheels` first; the build then installs from wheels/ alone, no index.
ARG BASE=python:3.11-slim

FROM ${BASE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY . /src
RUN python3 -m venv /opt/docker-grade \
 && if ls /src/wheels/docker_grade-*.whl >/dev/null 2>&1; \
    then /opt/docker-grade/bin/pip install -q --no-index --find-links /src/wheels docker-grade; \
    else /opt/docker-grade/bin/pip install -q /src; fi \
 && /opt/docker-grade/bin/pip uninstall -q -y pip setuptools

# Only the virtual environment is kept: not the sources, the wheels nor pip (about 60 MB less).
FROM ${BASE}
# The grader's own container is not a student's: the snapshot leaves it out (as a probe).
LABEL docker-grade.grader="1"
COPY --from=build /opt/docker-grade /opt/docker-grade
ENV PATH=/opt/docker-grade/bin:$PATH
WORKDIR /work
ENTRYPOINT ["docker-grade"]
CMD ["check"]
