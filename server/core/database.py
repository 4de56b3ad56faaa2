"""Opening the store a service runs on, from its setting: the checks every service makes the same way (an
in-memory database refused under several processes, a URL that cannot work named as the setting's fault)."""

from __future__ import annotations

import os
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .settings import ConfigError
from .store import Store, StoreError, database_url, is_memory

PROCESSES_VARIABLE = "PANLESS_PROCESSES"  # set by `panless serve` and `panless relay` for their workers


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


def open_store(url: str, setting: str, threads: int = 8, store_class: type[Store] = Store) -> Store:
    """The store at `url`, migrated; ConfigError naming `setting` when it cannot work here."""
    processes = process_count()
    if is_memory(url) and processes > 1:
        raise ConfigError(f"{setting} is an in-memory database, which lives in one process, but {processes} "
                          "processes serve the app: each would lose the others' state. Use a SQLite file or "
                          "postgresql://...")
    try:
        return store_class(url, pool_size=max(2, threads))
    except StoreError as exc:
        raise ConfigError(f"{setting}: {exc}") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0][:200]
        raise ConfigError(f"{setting}: cannot use {shown(url)}: {reason}") from None
