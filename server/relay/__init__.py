"""The tokenization relay: for PSPs whose tokenization API needs a secret key, it receives the card fields
from the browser, adds the secret, forwards the call to the PSP and answers with a signed receipt.

Its own Flask app, process and origin. It imports only panless.core (a test proves no merchant-app, sandbox
or demo module is loaded). Whoever runs it is in PCI DSS scope for it: docs/pci.md.
"""

from __future__ import annotations

import logging

import requests
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..core.database import open_store
from ..core.demo import CREDENTIALS
from ..core.paths import default_database
from ..core.redaction import configure_logging
from ..core.settings import ConfigError, check_number, is_loopback, merge, origin_of, prefixed_env
from .routes import PSPS, ROUTES
from .views import RelayError, bp

SANDBOX_ROOT = "http://127.0.0.1:8001"  # `panless sandbox` on its default port
DEFAULTS = {
    "RELAY": {
        # Spent tickets: None shares the merchant app's database (PANLESS_DATABASE_URL, by default a SQLite
        # file, instance/panless.db under the working directory); several machines: one PostgreSQL.
        "DB": None,
        "FORM_ORIGINS": ["http://127.0.0.1:8000"],  # the demo's merchant app; set the card pages' origin(s)
        "MAX_BODY": 2048,
        "TIMEOUT": 10,
    },
    **{psp.upper(): {"BASE_URL": f"{SANDBOX_ROOT}/{psp}", **CREDENTIALS[psp]} for psp in PSPS},
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("panless.relay")
    app.config.update({k: dict(v) for k, v in DEFAULTS.items()})
    merge(app.config, prefixed_env())
    if test_config:
        merge(app.config, test_config)
    check(app.config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["RELAY"]["MAX_BODY"])
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    register_state(app)
    app.register_blueprint(bp)
    register_errorhandlers(app)
    return app


def check(config) -> None:
    """Exact form origins; the published demo secrets only while the PSP is a local sandbox."""
    relay = config["RELAY"]
    origins = relay["FORM_ORIGINS"]
    relay["FORM_ORIGINS"] = origins.replace(",", " ").split() if isinstance(origins, str) else list(origins)
    for origin in relay["FORM_ORIGINS"]:
        if origin_of(origin) != origin.rstrip("/"):
            raise ConfigError(f"PANLESS_RELAY__FORM_ORIGINS: {origin!r} is not an exact origin like https://pay.example.com")
    check_number("PANLESS_RELAY__TIMEOUT", relay["TIMEOUT"], 0, 59, above=True)  # seconds
    check_number("PANLESS_RELAY__MAX_BODY", relay["MAX_BODY"], 256, 65536)  # bytes
    for route in ROUTES.values():
        section = config[route.psp.upper()]
        published = [k for k in route.secret_keys if section.get(k) == CREDENTIALS[route.psp].get(k)]
        if published and not is_loopback(section.get("BASE_URL", "")):
            names = ", ".join(f"PANLESS_{route.psp.upper()}__{k}" for k in published)
            raise ConfigError(f"relay, {route.psp}: {names} still hold the published demo values; set real ones.")


def register_state(app: Flask) -> None:
    http = requests.Session()
    timeout = float(app.config["RELAY"]["TIMEOUT"])
    app.extensions["panless_relay"] = {
        "store": open_store(database(app), "PANLESS_RELAY__DB" if app.config["RELAY"]["DB"] else
                            "PANLESS_DATABASE_URL"),
        "http": http,
        "authorizers": {route.psp: route.authorizer(app.config[route.psp.upper()], http, timeout)
                        for route in ROUTES.values()},
    }


def database(app: Flask) -> str:
    """Where spent tickets go: the relay's own setting, else the merchant app's database."""
    return str(app.config["RELAY"]["DB"] or app.config.get("DATABASE_URL") or default_database())


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(RelayError)
    def on_relay_error(exc):
        return jsonify(exc.body()), exc.status

    @app.errorhandler(HTTPException)
    def on_http_error(exc):
        error = RelayError({404: "unknown_route", 405: "method_not_allowed", 413: "payload_too_large"}
                           .get(exc.code, "invalid_request"))
        return jsonify(error.body()), error.status

    @app.errorhandler(Exception)
    def on_unexpected(exc):
        logging.getLogger("panless.relay").error("unexpected %s", type(exc).__name__)  # the type only
        return jsonify(RelayError("internal_error", status=500).body()), 500
