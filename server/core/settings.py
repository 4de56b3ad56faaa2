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
