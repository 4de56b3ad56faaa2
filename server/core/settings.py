"""Settings helpers every service shares: PANLESS_ environment variables, nested merges, origins."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Config

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ConfigError(ValueError):
    pass


def prefixed_env(prefix: str = "PANLESS") -> dict:
    """PANLESS_* variables as a nested dict (values parsed as JSON where they parse; `__` nests)."""
    scratch = Config(".")
    scratch.from_prefixed_env(prefix)
    return dict(scratch)


# The gunicorn processes of `panless serve` and `panless relay`: setting -> (smallest, largest).
SERVER_NUMBERS = {"WORKERS": (1, 64), "THREADS": (1, 256)}


def check_number(variable: str, value, low: float, high: float, above: bool = False) -> None:
    """A numeric setting, in range (over `low` when `above`), else ConfigError naming its variable."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not (low < value if above else low <= value) or value > high:
        bounds = f"over {low}, at most {high}" if above else f"from {low} to {high}"
        raise ConfigError(f"{variable} must be a number {bounds} (got {value!r})")


def merge(config, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, or None when it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # "http://[", a port out of range
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port and port != default else "")


def is_loopback(url: str) -> bool:
    try:
        return urlsplit(str(url)).hostname in LOOPBACK
    except ValueError:
        return False
