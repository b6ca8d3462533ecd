# docker-grade as an image: grade the engine whose socket is mounted.
#   docker build -t docker-grade .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/work" docker-grade check
FROM python:3.11-slim
COPY . /src
RUN pip install --no-cache-dir /src && rm -rf /src
WORKDIR /work
ENTRYPOINT ["docker-grade"]
CMD ["check"]
