"""The course's Node app and its Dockerfiles: the course's own (with its COPY bug), the fixed
one, and typical mistakes. Written into a student's folder and built for real."""

from __future__ import annotations

from pathlib import Path

INDEX_JS = """\
const http = require('http');
http.createServer((req, res) => { console.log(req.method, req.url); res.end('hello\\n'); })
  .listen(8080, () => console.log('listening on 8080'));
"""
PACKAGE_JSON = '{"name": "app", "version": "1.0.0"}\n'
APP_FILES = {"index.js": INDEX_JS.encode(), "package.json": PACKAGE_JSON.encode()}

COURSE_DOCKERFILE = """\
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
"""
FIXED_DOCKERFILE = COURSE_DOCKERFILE.replace(
    "COPY package*.json /app\n", "COPY package*.json /app/\n"
)
SINGLE_STAGE_SHELL_CMD = """\
FROM node:lts-alpine
WORKDIR /app
COPY . /app/
RUN npm ci
USER node
EXPOSE 8080
CMD node index.js
"""
ROOT_DOCKERFILE = FIXED_DOCKERFILE.replace("USER node\n", "")


def write_project(folder: Path, dockerfile: str | None = FIXED_DOCKERFILE) -> Path:
    """The student's folder: the app, and the Dockerfile unless None."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in APP_FILES.items():
        (folder / name).write_bytes(content)
    if dockerfile is not None:
        (folder / "Dockerfile").write_text(dockerfile)
    return folder
