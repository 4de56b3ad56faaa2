"""Merchant app configuration: defaults for the offline demo, overridden by PANLESS_ environment variables.

Nested keys use a double underscore, Flask's `from_prefixed_env` convention:
PANLESS_MANGOPAY__BASE_URL, PANLESS_MANGOPAY__CLIENT_ID, PANLESS_MANGOPAY__API_KEY, ...
Each PSP's section comes from its adapter's declaration (providers/<psp>.py: `defaults`, `required`).
"""

from __future__ import annotations

import logging

from flask import Flask
from limits import parse_many

from ..core.demo import DEMO_SECRET_KEY
from ..core.redaction import configure_logging
from ..core.settings import SERVER_NUMBERS, ConfigError, check_number, is_loopback, merge, origin_of, prefixed_env
from . import providers

log = logging.getLogger("panless.config")
__all__ = ["ConfigError", "DEFAULTS", "checkout_origins", "load", "origin_of", "prefixed_env"]

DEFAULTS = {
    "SECRET_KEY": DEMO_SECRET_KEY,
    "PROVIDER": None,                       # None: the first of PROVIDERS (mangopay when all are used)
    "PROVIDERS": None,                      # the PSPs this app uses; None: every one (the demo's sandbox has all)
    "CURRENCY": "EUR",
    "DATABASE_URL": None,                   # None: instance/panless.db (SQLite) under the working directory
    "WORKERS": 2,                           # `panless serve`: gunicorn worker processes
    "THREADS": 8,                           # `panless serve`: threads per worker
    "REQUEST_DEADLINE": 25,                 # seconds for a whole request's PSP calls, retries included (< 60)
    "PSP_MAX_CONCURRENT": 4,                # calls in flight to one PSP per process; more fail fast with 503
    "PSP_CIRCUIT_FAILURES": 5,              # consecutive transport failures that open a PSP's circuit
    "PSP_CIRCUIT_RESET": 15,                # seconds an open circuit fails fast before one call tries again
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
    # One section per PSP, as its adapter declares it (the demo sandbox's URLs and demo credentials).
    **{adapter.name.upper(): adapter.defaults() for adapter in providers.ADAPTERS},
}


def load(app: Flask, test_config: dict | None = None) -> None:
    app.config.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()})
    environment = prefixed_env()
    for line in unknown_settings(environment):
        log.warning(line)
    merge(app.config, environment)
    if test_config:
        merge(app.config, test_config)
    app.config["ALLOWED_ORIGINS"] = checkout_origins(app.config["ALLOWED_ORIGINS"], app.config["PUBLIC_URL"])
    check_values(app.config)
    refuse_demo_secret(app.config)
    choose_providers(app.config)
    check_numbers(app.config)
    providers.check_sections(app.config)


# PANLESS_ variables that are not the merchant app's: the other services' sections, the tools' and tests'.
OTHERS = {"RELAY", "SANDBOX", "PROCESSES", "DB", "CHROMIUM", "REQUIRE_SERVICES", "UPDATE_SNAPSHOTS",
          "TEST_DATABASE_URL", "TEST_REDIS_URL"}
PSP_SETTINGS = ("MAX_CONCURRENT",)  # every PSP's section takes these beside its adapter's own (resilience.py)


def unknown_settings(environment: dict) -> list[str]:
    """A line for each PANLESS_ variable no Panless service reads (a typo is otherwise silently ignored: one
    underscore where two nest, PANLESS_MANGOPAY_BASE_URL, leaves Mangopay at the sandbox). Flask's own
    settings (PANLESS_SESSION_COOKIE_DOMAIN, ...) are read too."""
    lines = []
    for name, value in environment.items():
        if name in DEFAULTS and isinstance(DEFAULTS[name], dict) and isinstance(value, dict):
            takes = [*DEFAULTS[name], *PSP_SETTINGS]
            lines += [f"PANLESS_{name}__{key} is not a setting of {name.lower()} (it takes {', '.join(takes)})"
                      for key in value if key not in takes]
        elif (name not in DEFAULTS and name not in OTHERS and name not in Flask.default_config
              and not name.startswith("BENCH_")):
            section = next((s for s in DEFAULTS if isinstance(DEFAULTS[s], dict) and name.startswith(s + "_")), None)
            hint = f"; did you mean PANLESS_{section}__{name[len(section) + 1:]}?" if section else ""
            lines.append(f"PANLESS_{name} is not a setting Panless reads, so it changes nothing{hint}")
    return lines


# setting -> (smallest, largest) accepted; a deadline at or over a proxy's usual 60 s would be cut first.
NUMBERS = {**SERVER_NUMBERS, "REQUEST_DEADLINE": (1, 59), "PSP_MAX_CONCURRENT": (1, 1000),
           "PSP_CIRCUIT_FAILURES": (1, 1000), "PSP_CIRCUIT_RESET": (1, 3600), "PROXY_COUNT": (0, 10)}


def check_numbers(config) -> None:
    """Numeric settings are numbers in range, each error naming its variable; a PSP timeout above the
    request deadline could never be waited for; PANLESS_DB was renamed."""
    if config.get("DB") is not None:
        raise ConfigError("PANLESS_DB was replaced by PANLESS_DATABASE_URL (a SQLite path, sqlite:///... or "
                          "postgresql://...)")
    for name, (low, high) in NUMBERS.items():
        check_number(f"PANLESS_{name}", config.get(name), low, high)
    for adapter in providers.ADAPTERS:
        section = config.get(adapter.name.upper()) or {}
        check_number(f"PANLESS_{adapter.name.upper()}__TIMEOUT", section.get("TIMEOUT", 10), 0, 59, above=True)


def choose_providers(config) -> None:
    """PANLESS_PROVIDERS: only the PSPs named there are used (the others' sections are dropped); the default
    PSP must be one of them. Once a PSP is real (its BASE_URL not on this machine), a PSP left at the local
    sandbox is refused: the offline demo's defaults would otherwise stay live beside it, in the API, the hosted
    page and the card pages' CSP."""
    names = [adapter.name for adapter in providers.ADAPTERS]
    chosen = config.get("PROVIDERS")
    if chosen is None:
        chosen = names
    elif isinstance(chosen, str):
        chosen = chosen.replace(",", " ").split()
    if not isinstance(chosen, list) or not chosen or any(name not in names for name in chosen):
        raise ConfigError(f"PANLESS_PROVIDERS must name PSPs among {', '.join(names)} (got {config['PROVIDERS']!r})")
    for name in names:
        if name not in chosen:
            config[name.upper()] = None
    used = [name for name in chosen if config.get(name.upper())]
    if config.get("PROVIDER") is None and used:
        config["PROVIDER"] = used[0]
    if config.get("PROVIDER") not in used:
        raise ConfigError(f"PANLESS_PROVIDER must be one of the PSPs in use: {', '.join(used) or 'none'} "
                          f"(got {config.get('PROVIDER')!r})")
    real = [name for name in used if not is_loopback(config[name.upper()].get("BASE_URL", ""))]
    local = [name for name in used if name not in real]
    if real and local:
        raise ConfigError(f"{', '.join(real)} is a real PSP, but {', '.join(local)} still point(s) at the local "
                          f"sandbox: name the PSPs you use, e.g. PANLESS_PROVIDERS={','.join(real)}")


# Settings that are true or false; a string ("False", "no") would read as true.
FLAGS = ("FORCE_HTTPS",)
MIN_SECRET_LENGTH = 32


def check_values(config) -> None:
    """Settings whose type a typo would change: each error names its variable."""
    for name in FLAGS:
        if not isinstance(config.get(name), bool):
            raise ConfigError(f"PANLESS_{name} must be true or false (got {config.get(name)!r})")
    config["LOG_LEVEL"] = configure_logging(config.get("LOG_LEVEL"))
    for name in ("RATELIMIT_SESSIONS", "RATELIMIT_FINALIZE"):
        try:
            parse_many(str(config.get(name)))
        except ValueError:
            raise ConfigError(f"PANLESS_{name} must be limits like 30/minute;300/hour "
                              f"(got {config.get(name)!r})") from None
    secret = config.get("SECRET_KEY")
    if isinstance(secret, (int, float)) and not isinstance(secret, bool):
        secret = config["SECRET_KEY"] = str(secret)  # the environment's value read as JSON: all digits
    if not isinstance(secret, str) or (secret != DEMO_SECRET_KEY and len(secret) < MIN_SECRET_LENGTH):
        raise ConfigError(f"PANLESS_SECRET_KEY must be a random string of at least {MIN_SECRET_LENGTH} characters, "
                          "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'")


def refuse_demo_secret(config) -> None:
    """The demo secret is published: anyone could forge customer tokens with it. It is only accepted while
    every PSP is a local sandbox and HTTPS is not forced, i.e. for the offline demo and the tests."""
    if config["SECRET_KEY"] != DEMO_SECRET_KEY:
        return
    remote = [name for name, section in config.items()
              if isinstance(section, dict) and "BASE_URL" in section and not is_loopback(section["BASE_URL"])]
    if remote or config.get("FORCE_HTTPS"):
        raise ConfigError("PANLESS_SECRET_KEY is the published demo value; set a long random secret before "
                          f"talking to a real PSP ({', '.join(remote) or 'FORCE_HTTPS is on'}).")

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
