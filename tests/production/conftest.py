"""Production fixtures: a throwaway PostgreSQL cluster and Redis server per test run, and a database per test
on either backend (`backend` is parametrized: the same tests run on SQLite and on PostgreSQL).

Without PostgreSQL or Redis installed these tests skip, unless PANLESS_REQUIRE_SERVICES=1 (as `make test`
sets, after installing both): then a missing service fails the run instead of hiding it.
"""

from __future__ import annotations

import os
import secrets

import pytest

from .services import Postgres, Redis, missing

REQUIRED = os.environ.get("PANLESS_REQUIRE_SERVICES") == "1"


def unavailable(what: str, why: str):
    if REQUIRED:
        pytest.fail(f"{what} is required (PANLESS_REQUIRE_SERVICES=1) but {why}")
    pytest.skip(f"{what}: {why}")


@pytest.fixture(scope="session")
def postgres():
    if os.environ.get("PANLESS_TEST_DATABASE_URL"):
        yield None
        return
    if "postgresql" in missing():
        unavailable("PostgreSQL", "it is not installed")
    server = Postgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url():
    if os.environ.get("PANLESS_TEST_REDIS_URL"):
        yield os.environ["PANLESS_TEST_REDIS_URL"]
        return
    if "redis-server" in missing():
        unavailable("Redis", "it is not installed")
    server = Redis().start()
    yield server.url
    server.stop()


def new_postgres_database(postgres) -> str:
    name = "panless_" + secrets.token_hex(6)
    if postgres is None:  # an existing server named by PANLESS_TEST_DATABASE_URL
        import psycopg

        base = os.environ["PANLESS_TEST_DATABASE_URL"]
        with psycopg.connect(base, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return base.rsplit("/", 1)[0] + "/" + name
    return postgres.create_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    """An empty database of the test's backend: a SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return str(tmp_path / "panless.db")
    return new_postgres_database(request.getfixturevalue("postgres"))
