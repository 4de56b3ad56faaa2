"""Proxy trust: X-Forwarded-* count only behind PANLESS_PROXY_COUNT trusted proxies."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class DropForwardedHeaders:
    """With no trusted proxy in front, X-Forwarded-* come from the client and mean nothing."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_") or k == "HTTP_FORWARDED"]:
            del environ[key]
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_COUNT", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    else:
        app.wsgi_app = DropForwardedHeaders(app.wsgi_app)
