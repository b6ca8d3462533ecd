"""The class server beyond loopback: HTTPS with the instructor's certificate, and a plain
warning when tokens would cross the room's network in clear."""

from __future__ import annotations

import ssl
import subprocess

import httpx
import pytest

from support.class_server import ClassServerProcess, write_roster


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, as an instructor's own CA would make."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
        + ["-subj", "/CN=docker-grade class", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


def test_https_with_the_instructors_certificate(certificate, tmp_path):
    cert, key = certificate
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana"})
    server = ClassServerProcess(
        roster, tmp_path / "state", "--certfile", str(cert), "--keyfile", str(key)
    )

    trusted = ssl.create_default_context(cafile=str(cert))
    server.start(verify=trusted)
    try:
        url = f"https://127.0.0.1:{server.port}"
        assert server.tokens()["ana"]["command"].startswith(f"docker-grade watch --class {url} ")
        with pytest.raises(httpx.ConnectError):  # not trusted by the system's store
            httpx.get(f"{url}/login")
        answer = httpx.post(
            f"{url}/login",
            data={"token": server.instructor_token()},
            verify=trusted,
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]
        assert "warning" not in server.log()
    finally:
        server.stop()


def test_beyond_loopback_without_a_certificate_says_tokens_cross_in_clear(tmp_path):
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana"})
    with ClassServerProcess(roster, tmp_path / "state", "--host", "0.0.0.0") as server:
        assert "tokens would cross the room's network in clear" in server.log()
    with ClassServerProcess(roster, tmp_path / "state") as server:  # loopback: no warning
        assert "warning" not in server.log()
