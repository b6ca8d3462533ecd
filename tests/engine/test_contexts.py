"""Which engine is meant, resolved to an address without connecting: the docker CLI's order,
on context stores written by the real ``docker context create`` into a temporary DOCKER_CONFIG."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import docker.context.config
import pytest

from grader.engine.contexts import context_names, resolve_endpoint
from grader.errors import EngineError, UsageError
from grader.report.models import ChosenBy

LAPTOP = "unix:///home/ana/.colima/default/docker.sock"
LAB = "tcp://lab-01.example:2375"


class DockerConfig:
    """A docker CLI config folder, filled by the docker CLI itself."""

    def __init__(self, folder: Path):
        self.folder = folder

    def docker(self, *args: str) -> None:
        environ = {"DOCKER_CONFIG": str(self.folder), "PATH": os.environ["PATH"]}
        subprocess.run(["docker", *args], env=environ, check=True, capture_output=True)

    def create(self, name: str, endpoint: str) -> DockerConfig:
        self.docker("context", "create", name, "--docker", endpoint)
        return self

    def use(self, name: str) -> DockerConfig:
        self.docker("context", "use", name)
        return self

    def environ(self, **variables: str) -> dict[str, str]:
        return {"DOCKER_CONFIG": str(self.folder), **variables}


@pytest.fixture
def config(tmp_path) -> DockerConfig:
    return DockerConfig(tmp_path / "docker-config")


@pytest.fixture
def contexts(config) -> DockerConfig:
    """colima is the current context; lab is another."""
    return config.create("colima", f"host={LAPTOP}").create("lab", f"host={LAB}").use("colima")


def test_the_option_comes_first(contexts):
    environ = contexts.environ(DOCKER_HOST="tcp://env:2375", DOCKER_CONTEXT="lab")
    endpoint = resolve_endpoint(docker_host="tcp://option:2375", environ=environ)
    assert (endpoint.url, endpoint.chosen_by, endpoint.context) == (
        "tcp://option:2375",
        ChosenBy.OPTION,
        None,
    )


def test_docker_host_comes_before_any_context(contexts):
    endpoint = resolve_endpoint(
        environ=contexts.environ(DOCKER_HOST="tcp://env:2375", DOCKER_CONTEXT="lab")
    )
    assert (endpoint.url, endpoint.chosen_by) == ("tcp://env:2375", ChosenBy.ENV)


def test_the_context_option_comes_before_docker_host_as_for_the_docker_cli(contexts):
    endpoint = resolve_endpoint(
        context="lab", environ=contexts.environ(DOCKER_HOST="tcp://env:2375")
    )
    assert (endpoint.url, endpoint.chosen_by, endpoint.context) == (LAB, ChosenBy.CONTEXT, "lab")
    assert endpoint.subject() == f"the context 'lab' (--context) points to {LAB}"


def test_docker_context_comes_before_the_current_context(contexts):
    endpoint = resolve_endpoint(environ=contexts.environ(DOCKER_CONTEXT="lab"))
    assert (endpoint.url, endpoint.context, endpoint.origin) == (LAB, "lab", "DOCKER_CONTEXT")


def test_the_current_context_of_the_docker_cli(contexts):
    endpoint = resolve_endpoint(environ=contexts.environ())
    assert (endpoint.url, endpoint.chosen_by, endpoint.context) == (
        LAPTOP,
        ChosenBy.CONTEXT,
        "colima",
    )
    assert endpoint.subject() == f"the current context 'colima' points to {LAPTOP}"
    assert endpoint.start_hint() == "is colima started?"


def test_the_platform_socket_when_nothing_names_an_engine(config):
    config.folder.mkdir()
    endpoint = resolve_endpoint(environ=config.environ())
    assert (endpoint.url, endpoint.chosen_by) == ("unix:///var/run/docker.sock", ChosenBy.DEFAULT)
    assert endpoint.subject() == "cannot use the Docker engine at unix:///var/run/docker.sock"
    assert endpoint.start_hint() == "is Docker running?"


@pytest.mark.parametrize("how", ["current", "DOCKER_CONTEXT", "--context"])
def test_the_context_named_default_is_the_platform_socket(contexts, how):
    if how == "current":
        contexts.use("default")
    environ = contexts.environ(**({"DOCKER_CONTEXT": "default"} if how == "DOCKER_CONTEXT" else {}))
    endpoint = resolve_endpoint(context="default" if how == "--context" else None, environ=environ)
    assert (endpoint.url, endpoint.chosen_by) == ("unix:///var/run/docker.sock", ChosenBy.DEFAULT)


def test_the_context_named_default_is_docker_host_when_set(contexts):
    endpoint = resolve_endpoint(context="default", environ=contexts.environ(DOCKER_HOST=LAB))
    assert (endpoint.url, endpoint.chosen_by) == (LAB, ChosenBy.ENV)


def test_a_store_without_config_json_is_found(config):
    """`docker context create` in a fresh DOCKER_CONFIG writes no config.json: docker-py alone
    would look for the store in ./contexts (docker/docker-py#3190)."""
    config.create("lab", f"host={LAB}")
    assert not (config.folder / "config.json").exists()
    assert resolve_endpoint(context="lab", environ=config.environ()).url == LAB
    assert context_names(config.environ()) == ["default", "lab"]


def test_home_docker_when_docker_config_is_unset(tmp_path, monkeypatch):
    DockerConfig(tmp_path / ".docker").create("lab", f"host={LAB}").use("lab")
    monkeypatch.setenv("HOME", str(tmp_path))
    endpoint = resolve_endpoint(environ={"PATH": "/usr/bin"})
    assert (endpoint.url, endpoint.context) == (LAB, "lab")


def test_docker_py_is_left_as_it_was(contexts):
    before = docker.context.config.find_config_file
    resolve_endpoint(environ=contexts.environ())
    assert docker.context.config.find_config_file is before


@pytest.mark.parametrize(
    "environ, named, fragment",
    [
        ({}, "nope", "no context named 'nope' (--context); contexts: default, colima, lab"),
        ({"DOCKER_CONTEXT": "gone"}, None, "no context named 'gone' (DOCKER_CONTEXT)"),
    ],
)
def test_an_unknown_context_is_a_usage_error_listing_those_that_exist(
    contexts, environ, named, fragment
):
    with pytest.raises(UsageError) as raised:
        resolve_endpoint(context=named, environ=contexts.environ(**environ))
    assert fragment in raised.value.message
    assert "lab" in raised.value.message


def test_a_current_context_that_was_removed_is_a_usage_error(contexts):
    (contexts.folder / "config.json").write_text('{"currentContext": "gone"}')
    with pytest.raises(UsageError, match="the current context of the docker CLI's config"):
        resolve_endpoint(environ=contexts.environ())


def test_docker_host_and_context_together_are_refused(contexts):
    with pytest.raises(UsageError, match="give only one"):
        resolve_endpoint(docker_host=LAB, context="lab", environ=contexts.environ())


# -- TLS ---------------------------------------------------------------------------------------
@pytest.fixture
def certificates(tmp_path) -> Path:
    """A self-signed certificate as CA, client certificate and key (the docker CLI checks
    that they parse)."""
    folder = tmp_path / "certs"
    folder.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "ca.pem").write_bytes((folder / "cert.pem").read_bytes())
    return folder


def test_a_context_with_tls_gives_its_stored_certificates(config, certificates):
    tls_endpoint = (
        f"host=tcp://lab-01.example:2376,ca={certificates}/ca.pem,"
        f"cert={certificates}/cert.pem,key={certificates}/key.pem"
    )
    endpoint = resolve_endpoint(
        context="secure", environ=config.create("secure", tls_endpoint).environ()
    )
    store = config.folder / "contexts" / "tls"
    assert endpoint.url == "tcp://lab-01.example:2376"
    assert endpoint.tls.verify is True
    assert (
        Path(endpoint.tls.ca_cert).name == "ca.pem" and store in Path(endpoint.tls.ca_cert).parents
    )
    assert [Path(name).name for name in endpoint.tls.cert] == ["cert.pem", "key.pem"]


def test_a_context_that_skips_verification_speaks_tls_unverified(config):
    endpoint = resolve_endpoint(
        context="insecure",
        environ=config.create(
            "insecure", "host=tcp://lab-01.example:2376,skip-tls-verify=true"
        ).environ(),
    )
    assert endpoint.tls is not None and not endpoint.tls.verify


def test_docker_tls_verify_and_cert_path_go_with_docker_host(config, certificates):
    endpoint = resolve_endpoint(
        environ=config.environ(
            DOCKER_HOST="tcp://lab-01.example:2376",
            DOCKER_TLS_VERIFY="1",
            DOCKER_CERT_PATH=str(certificates),
        )
    )
    assert endpoint.tls.verify is True
    assert endpoint.tls.cert == (str(certificates / "cert.pem"), str(certificates / "key.pem"))


def test_tls_dir_wins_over_a_context_tls(config, certificates, tmp_path):
    environ = config.create(
        "insecure", "host=tcp://lab-01.example:2376,skip-tls-verify=true"
    ).environ()
    endpoint = resolve_endpoint(context="insecure", tls_dir=certificates, environ=environ)
    assert endpoint.tls.verify is True and endpoint.tls.ca_cert == str(certificates / "ca.pem")
    with pytest.raises(EngineError, match="missing TLS file"):
        resolve_endpoint(context="insecure", tls_dir=tmp_path, environ=environ)
