"""Panless merchant app: creates tokenization sessions, finishes them server-to-server, keeps tokens.

It never receives a card number: the browser posts card fields straight to the PSP.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from ..core.paths import STATIC, TEMPLATES
from . import api, config, errors, health, limits, pages, providers, resilience, security, storage
from .auth import CookieSessions

access_log = logging.getLogger("panless.access")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("panless.merchant", static_folder=str(STATIC), template_folder=str(TEMPLATES))
    config.load(app, test_config)
    app.session_interface = CookieSessions()
    if app.config.get("STATIC_DIR"):
        app.static_folder = str(app.config["STATIC_DIR"])
    register_extensions(app)
    register_blueprints(app)
    limits.init_app(app)
    errors.register_errorhandlers(app)
    register_access_log(app)
    return app


def register_extensions(app: Flask) -> None:
    storage.init_app(app)
    providers.init_app(app)
    resilience.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(health.bp)
    pages.warm_up(app)


def register_access_log(app: Flask) -> None:
    # The log itself (redacted, its level) is set up with the configuration (config.load).
    @app.before_request
    def start_timer():
        g.started = time.monotonic()

    @app.after_request
    def log_request(response):
        started = g.get("started")  # none for a request refused before the timer started
        elapsed = (time.monotonic() - started) * 1000 if started else 0
        # The path only: query strings are the caller's to fill and are not logged. The status after an arrow,
        # so the redactor cannot read it as one more group of a card number in the path (and hide it with it).
        access_log.info("%s %s -> %s in %.0f ms", request.method, request.path, response.status_code, elapsed)
        return response
