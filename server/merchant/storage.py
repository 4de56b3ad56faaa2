"""The merchant app's database: PANLESS_DATABASE_URL, instance/panless.db under the working directory by default (so a
restart loses nothing), PostgreSQL by URL for several processes or machines. An in-memory database lives
in one process: with more than one, each would see its own sessions, so the app refuses to start."""

from __future__ import annotations

from flask import Flask

from ..core.database import open_store
from ..core.paths import default_database


def configured_url(app: Flask) -> str:
    return app.config.get("DATABASE_URL") or default_database()


def init_app(app: Flask) -> None:
    app.extensions["panless_store"] = open_store(configured_url(app), "PANLESS_DATABASE_URL",
                                                 int(app.config.get("THREADS", 8)))
