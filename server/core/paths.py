"""Where the package's data lives: inside the installed package (a wheel), or beside server/ in a checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """static/ or templates/: panless/<name> once installed from a wheel, <checkout>/<name> in a checkout."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name


STATIC = data_dir("static")
TEMPLATES = data_dir("templates")


def default_database() -> str:
    """The SQLite file the merchant app and the relay share when PANLESS_DATABASE_URL is not set:
    instance/panless.db under the directory the command runs in (in a checkout, its root, where `make demo`
    runs). Never inside the installed package or its virtualenv, which a reinstall would delete."""
    return str(Path.cwd() / "instance" / "panless.db")


def checkout_root() -> Path | None:
    """The source checkout holding this package (for `panless inventory`'s default output), if any."""
    root = PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "docs").is_dir() else None
