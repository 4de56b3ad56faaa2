"""The sandbox PSP: an offline stand-in that speaks each PSP's wire protocol, on its own origin.

Each PSP is a blueprint under its own path prefix with its own path normaliser and error renderer;
all share one Store (SQLite) and one Vault.
"""

from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..config import DEFAULTS, merge, prefixed_env
from ..redaction import install_log_redaction
from . import control, juspay, mangopay, stax
from .juspay import JuspayBackend
from .mangopay.backend import DEFAULT_TOKENIZE_DELAY, MangopayBackend
from .stax import StaxBackend
from .store import SandboxStore
from .vault import Vault, load_key
from .wire import add_cors, collapse_slashes

# prefix -> (blueprint, normaliser, error renderer); later PSPs join this table.
PSPS = {
    "mangopay": (mangopay.bp, mangopay.normalize_path, mangopay.render_http_error),
    "juspay": (juspay.bp, collapse_slashes, juspay.render_http_error),
    "stax": (stax.bp, collapse_slashes, stax.render_http_error),
}


def demo_credentials(psp: str, *keys: str) -> dict:
    """The merchant app's demo defaults (server/config.py), so that the two agree out of the box; set the
    PANLESS_ variables for anything else."""
    return {key: DEFAULTS[psp][key] for key in keys}


class PathNormalizer:
    """WSGI middleware: each PSP's paths are normalised before routing (case, `//`, versions)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for name, (_bp, normalise, _render) in PSPS.items():
            head = "/" + name
            if path.lower().startswith(head + "/") or path.lower() == head:
                environ["PATH_INFO"] = head + normalise(path[len(head):])
                break
        return self.wsgi_app(environ, start_response)


def base_urls(root: str) -> dict[str, str]:
    """The API base URL of each PSP served at root (printed at start, used by tests)."""
    return {"mangopay": f"{root}/mangopay/v2.01/", "juspay": f"{root}/juspay", "stax": f"{root}/stax"}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=256 * 1024,
        MANGOPAY=demo_credentials("MANGOPAY", "CLIENT_ID", "API_KEY"),
        JUSPAY=demo_credentials("JUSPAY", "MERCHANT_ID", "API_KEY"),
        STAX={"MERCHANT_ID": "panless-demo", **demo_credentials("STAX", "API_KEY", "WEB_TOKEN")},
        SANDBOX={"DB": ":memory:", "VAULT_KEY": None, "PUBLIC_URL": None,
                 "TOKENIZE_DELAY": DEFAULT_TOKENIZE_DELAY},
    )
    merge(app.config, prefixed_env())
    if test_config:
        merge(app.config, test_config)

    install_log_redaction()
    register_state(app)
    for blueprint, _normalise, _render in PSPS.values():
        app.register_blueprint(blueprint)
    app.register_blueprint(control.bp)
    app.after_request(add_cors)  # for the views marked answers_browsers, errors included
    register_errorhandlers(app)
    app.wsgi_app = PathNormalizer(app.wsgi_app)
    return app


def register_state(app: Flask) -> None:
    settings = app.config["SANDBOX"]
    store = SandboxStore(settings["DB"])
    vault = Vault(store, load_key(settings.get("VAULT_KEY"), settings["DB"]))
    clients = {app.config["MANGOPAY"]["CLIENT_ID"]: str(app.config["MANGOPAY"]["API_KEY"])}
    app.extensions["panless_sandbox"] = {
        "store": store,
        "vault": vault,
        "psps": list(PSPS),
        "mangopay": MangopayBackend(store, vault, clients, int(settings["TOKENIZE_DELAY"])),
        "juspay": JuspayBackend(store, vault, {str(app.config["JUSPAY"]["MERCHANT_ID"]):
                                               str(app.config["JUSPAY"]["API_KEY"])}),
        "stax": StaxBackend(store, vault, {k: str(v) for k, v in app.config["STAX"].items()}),
    }


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def on_http_error(exc):
        for name, (_bp, _normalise, render) in PSPS.items():
            if request.path.startswith(f"/{name}/"):
                return render(exc)
        return {"error": exc.name.lower().replace(" ", "_"), "message": exc.description}, exc.code

    @app.errorhandler(Exception)
    def on_unexpected(exc):
        logging.getLogger("panless.sandbox").error("unexpected %s on %s", type(exc).__name__, request.path)
        return {"error": "internal_error", "message": "The sandbox hit an unexpected error."}, 500
