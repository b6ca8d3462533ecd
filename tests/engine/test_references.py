import pytest

from grader.engine.references import normalize, repository_of, tag_of


@pytest.mark.parametrize(
    "reference, repository, tag",
    [
        ("nginx", "nginx", "latest"),
        ("nginx:alpine", "nginx", "alpine"),
        ("docker.io/library/nginx:alpine", "nginx", "alpine"),
        ("mine/node", "mine/node", "latest"),
        ("localhost:5000/team/app", "localhost:5000/team/app", "latest"),
        ("localhost:5000/team/app:2", "localhost:5000/team/app", "2"),
        ("busybox@sha256:" + "a" * 64, "busybox", "latest"),
    ],
)
def test_references_read_as_docker_reads_them(reference, repository, tag):
    assert (repository_of(reference), tag_of(reference)) == (repository, tag)
    assert normalize(reference) == f"{repository}:{tag}"
