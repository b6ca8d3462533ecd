"""Fixtures for the class server's tests."""

from __future__ import annotations

import itertools
import re

import pytest

from support.postgres import PostgresServer, PostgresUnavailable

_DATABASES = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """One real PostgreSQL server for the session (support/postgres.py), stopped at its end."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as error:
        pytest.fail(f"these tests need PostgreSQL's server (scripts/test.sh installs it): {error}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres, request) -> str:
    """A fresh, empty database of the session's server, as a SQLAlchemy URL; dropped after."""
    name = f"t{next(_DATABASES)}_{re.sub(r'[^a-z0-9]+', '_', request.node.name.lower())}"[:63]
    yield postgres.create_database(name)
    postgres.drop_database(name)


# Real headless Chromium (support/browser.py): one browser for the session, shared by every
# module here (Playwright's sync API runs one per thread).
from support.browser import browser_page, chromium  # noqa: E402, F401
