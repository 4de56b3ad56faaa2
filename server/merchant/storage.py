"""The merchant app's database: PANLESS_DATABASE_URL, a SQLite file in the instance folder by default (so a
restart loses nothing), PostgreSQL by URL for several processes or machines. An in-memory database lives
in one process: with more than one, each would see its own sessions, so the app refuses to start."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..core.settings import ConfigError
from ..core.store import Store, StoreError, database_url, is_memory

log = logging.getLogger("panless.storage")
PROCESSES_VARIABLE = "PANLESS_PROCESSES"  # set by `panless serve` for its workers


def configured_url(app: Flask) -> str:
    return app.config.get("DATABASE_URL") or str(Path(app.instance_path) / "panless.db")


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(database_url(url)).render_as_string(hide_password=True)
    except (ValueError, SQLAlchemyError):
        return url.split("://", 1)[0] + "://..."


def process_count() -> int:
    """How many processes serve this app: `panless serve` says; under another gunicorn, its own settings."""
    declared = os.environ.get(PROCESSES_VARIABLE)
    if declared and declared.isdigit():
        return int(declared)
    if "gunicorn.arbiter" not in sys.modules:
        return 1
    try:
        from gunicorn.app.wsgiapp import WSGIApplication

        return int(WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg.workers)
    except (Exception, SystemExit):  # its command line is not gunicorn's: assume several
        return 2


def open_store(url: str, processes: int = 1, threads: int = 8) -> Store:
    if is_memory(url) and processes > 1:
        raise ConfigError(f"PANLESS_DATABASE_URL is an in-memory database, which lives in one process, but "
                          f"{processes} processes serve the app: each would lose the others' sessions. Use a "
                          "SQLite file or postgresql://...")
    try:
        return Store(url, pool_size=max(2, threads))
    except StoreError as exc:
        raise ConfigError(f"PANLESS_DATABASE_URL: {exc}") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0][:200]
        raise ConfigError(f"PANLESS_DATABASE_URL: cannot use {shown(url)}: {reason}") from None


def init_app(app: Flask) -> None:
    url = configured_url(app)
    app.extensions["panless_store"] = open_store(url, process_count(), int(app.config.get("THREADS", 8)))
    log.debug("database %s", shown(url))
