"""Merchant app configuration: defaults for the offline demo, overridden by PANLESS_ environment variables.

Nested keys use a double underscore, Flask's `from_prefixed_env` convention:
PANLESS_MANGOPAY__BASE_URL, PANLESS_MANGOPAY__CLIENT_ID, PANLESS_MANGOPAY__API_KEY, ...
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

DEMO_SECRET_KEY = "panless-demo-secret-key-not-for-production"  # demo value: set PANLESS_SECRET_KEY

DEFAULTS = {
    "SECRET_KEY": DEMO_SECRET_KEY,
    "PROVIDER": "mangopay",
    "CURRENCY": "EUR",
    "DB": ":memory:",
    "FORCE_HTTPS": False,
    "LOG_LEVEL": "INFO",
    "PUBLIC_URL": None,
    "PROXY_COUNT": 0,                       # reverse proxies in front whose X-Forwarded-* are trusted
    "RATELIMIT_STORAGE": "memory://",       # or redis://host:6379
    "RATELIMIT_SESSIONS": "30/minute;300/hour",   # per IP and per customer, on POST /api/sessions
    "RATELIMIT_FINALIZE": "20/minute;200/hour",   # per IP and per customer, on finalize
    "CHALLENGE_AFTER": 5,                   # failed finishes per customer per hour before a challenge
    "ALLOWED_ORIGINS": [],
    "CUSTOMER_TOKEN_TTL": 3600,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "MANGOPAY": {
        "BASE_URL": "http://127.0.0.1:8001/mangopay/v2.01/",
        "CLIENT_ID": "panless-demo",        # demo value
        "API_KEY": "panless-demo-key",      # demo value
        "TIMEOUT": 10,
        "TOKENIZATION_ORIGINS": None,       # None: derived from BASE_URL
    },
    "JUSPAY": {
        "BASE_URL": "http://127.0.0.1:8001/juspay",
        "MERCHANT_ID": "panless-demo",      # demo value
        "API_KEY": "panless-demo-juspay-key",  # demo value
        "TIMEOUT": 10,
    },
    "STAX": {
        "BASE_URL": "http://127.0.0.1:8001/stax",
        "API_KEY": "panless-demo-stax-key",  # demo value (secret: server side only)
        "WEB_TOKEN": "panless-demo-webpayments",  # demo value (public: it goes to the browser)
        "TIMEOUT": 10,
    },
}


def prefixed_env() -> dict:
    """PANLESS_* variables as a nested dict (values parsed as JSON where they parse)."""
    scratch = Flask("panless-env")
    scratch.config.clear()
    scratch.config.from_prefixed_env("PANLESS")
    return dict(scratch.config)


def load(app: Flask, test_config: dict | None = None) -> None:
    app.config.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()})
    merge(app.config, prefixed_env())
    if test_config:
        merge(app.config, test_config)
    app.config["ALLOWED_ORIGINS"] = checkout_origins(app.config["ALLOWED_ORIGINS"], app.config["PUBLIC_URL"])
    refuse_demo_secret(app.config)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def refuse_demo_secret(config) -> None:
    """The demo secret is published: anyone could forge customer tokens with it. It is only accepted while
    every PSP is a local sandbox and HTTPS is not forced, i.e. for the offline demo and the tests."""
    if config["SECRET_KEY"] != DEMO_SECRET_KEY:
        return
    remote = [name for name, section in config.items()
              if isinstance(section, dict) and "BASE_URL" in section
              and urlsplit(str(section["BASE_URL"])).hostname not in LOOPBACK]
    if remote or config.get("FORCE_HTTPS"):
        raise ConfigError("PANLESS_SECRET_KEY is the published demo value; set a long random secret before "
                          f"talking to a real PSP ({', '.join(remote) or 'FORCE_HTTPS is on'}).")

class ConfigError(ValueError):
    pass


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


def checkout_origins(value, public_url: str | None) -> list[str]:
    """PANLESS_ALLOWED_ORIGINS as exact origins; refuses wildcards, paths, and the Panless origin itself."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or [])
    origins = []
    for item in items:
        origin = origin_of(item)
        if origin is None or origin != item.rstrip("/"):
            raise ConfigError(f"PANLESS_ALLOWED_ORIGINS: {item!r} is not an exact origin like https://shop.example.com")
        if public_url and origin == origin_of(public_url):
            raise ConfigError(
                f"PANLESS_ALLOWED_ORIGINS: {origin} is the Panless origin itself (PANLESS_PUBLIC_URL). A checkout "
                "page on the same origin could read the card fields; serve the checkout from another origin."
            )
        origins.append(origin)
    return origins


def merge(config, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
