"""The sandbox PSP: an offline stand-in that speaks each PSP's wire protocol, on its own origin.

Each PSP is an emulator listed once in psps.py, a subpackage laid out alike: views.py speaks the wire,
backend.py holds the state and rules, errors.py is the PSP's error catalogue. Each is mounted under its own
path prefix with its own path normaliser and error renderer; all share one Store (SQLite) and one Vault.
It imports no merchant-app module (tests/sandbox/test_isolation.py).
"""

from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..core.demo import CREDENTIALS
from ..core.redaction import configure_logging
from ..core.settings import merge, prefixed_env
from . import control
from .emulator import EXTENSION
from .psps import EMULATORS
from .store import SandboxStore
from .vault import Vault, load_key
from .wire import add_cors


class PathNormalizer:
    """WSGI middleware: each PSP's paths are normalised before routing (case, `//`, versions)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for emulator in EMULATORS:
            head = "/" + emulator.name
            if path.lower().startswith(head + "/") or path.lower() == head:
                environ["PATH_INFO"] = head + emulator.normalize_path(path[len(head):])
                break
        return self.wsgi_app(environ, start_response)


def base_urls(root: str) -> dict[str, str]:
    """The API base URL of each PSP served at root (printed at start, used by tests)."""
    return {emulator.name: emulator.base_url(root) for emulator in EMULATORS}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=256 * 1024,
        # Each PSP accepts the published demo credentials unless PANLESS_<PSP>__... say otherwise.
        **{emulator.name.upper(): dict(CREDENTIALS.get(emulator.name, {})) for emulator in EMULATORS},
        SANDBOX={"DB": ":memory:", "VAULT_KEY": None, "PUBLIC_URL": None,
                 **{key: value for emulator in EMULATORS for key, value in emulator.settings.items()}},
    )
    merge(app.config, prefixed_env())
    if test_config:
        merge(app.config, test_config)

    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    register_state(app)
    for emulator in EMULATORS:
        app.register_blueprint(emulator.blueprint)
    app.register_blueprint(control.bp)
    app.after_request(add_cors)  # for the views marked answers_browsers, errors included
    register_errorhandlers(app)
    app.wsgi_app = PathNormalizer(app.wsgi_app)
    return app


def register_state(app: Flask) -> None:
    settings = app.config["SANDBOX"]
    store = SandboxStore(settings["DB"])
    vault = Vault(store, load_key(settings.get("VAULT_KEY"), settings["DB"]))
    app.extensions[EXTENSION] = {
        "store": store,
        "vault": vault,
        **{emulator.name: emulator.backend(store, vault, app.config[emulator.name.upper()], settings)
           for emulator in EMULATORS},
    }


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def on_http_error(exc):
        for emulator in EMULATORS:
            if request.path.startswith(f"/{emulator.name}/"):
                return emulator.render_http_error(exc)
        return {"error": exc.name.lower().replace(" ", "_"), "message": exc.description}, exc.code

    @app.errorhandler(Exception)
    def on_unexpected(exc):
        logging.getLogger("panless.sandbox").error("unexpected %s on %s", type(exc).__name__, request.path)
        return {"error": "internal_error", "message": "The sandbox hit an unexpected error."}, 500
