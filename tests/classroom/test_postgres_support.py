"""The PostgreSQL server the class server's tests use (support/postgres.py): it starts from
nothing, answers psycopg and SQLAlchemy, and comes back on the same port with the same data
after being away, stopped or killed."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa


def _count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM marks")).scalar_one()
    finally:
        engine.dispose()


def test_a_fresh_database_answers_psycopg_and_sqlalchemy(postgres, postgres_url):
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres.dsn(name)) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == (name,)
        assert connection.info.port == postgres.port
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            tables = connection.execute(
                sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            ).scalar_one()
            assert tables == 0  # a fresh database for each test
            connection.execute(sa.text("CREATE TABLE marks (id int PRIMARY KEY)"))
    finally:
        engine.dispose()
    assert postgres.url(name) == postgres_url
    assert postgres_url.startswith(f"postgresql+psycopg://{postgres.user}@127.0.0.1:")


@pytest.mark.parametrize("kill", [False, True], ids=["stopped", "killed"])
def test_it_comes_back_with_its_data_after_being_away(postgres, postgres_url, kill):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE marks (id int PRIMARY KEY)"))
        connection.execute(sa.text("INSERT INTO marks VALUES (1), (2)"))
    port, pid = postgres.port, postgres.pid()
    try:
        with engine.connect() as connection:
            postgres.stop_for(0.2, kill=kill)
            with pytest.raises(sa.exc.OperationalError):  # the session it had is gone
                connection.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()
    assert postgres.port == port and postgres.pid() not in (None, pid)
    assert _count(postgres_url) == 2
