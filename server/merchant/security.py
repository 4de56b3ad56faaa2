"""The merchant app's own defences, wired in one place: log redaction, flask-talisman, the PAN tripwire,
cross-site checks, per-view headers, CSP reports and proxy trust (each in its own module)."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_talisman import Talisman

from ..core import jsonsafe
from . import assets, cross_site, csp_reports, headers, proxy, static_files, tripwire


class BoundedJSON(DefaultJSONProvider):
    """Request bodies parse as the tripwire reads them: UTF-8 only, nesting bounded (core/jsonsafe)."""

    def loads(self, s, **kwargs):
        return jsonsafe.loads(s)


def init_app(app: Flask) -> None:
    app.json = BoundedJSON(app)
    app.extensions["panless_counters"] = Counter()
    app.extensions["panless_csp_reports"] = Counter()
    app.after_request(headers.set_headers)  # registered first, so it runs last (Flask runs them in reverse)
    secure = bool(app.config.get("FORCE_HTTPS", False))
    Talisman(app, force_https=secure, session_cookie_secure=secure, content_security_policy=None,
             frame_options="DENY", referrer_policy="no-referrer", strict_transport_security=secure,
             permissions_policy={})
    app.before_request(tripwire.pan_tripwire)
    app.before_request(cross_site.same_site_only)
    app.register_blueprint(csp_reports.bp)
    app.jinja_env.globals.update(csp_nonce=headers.csp_nonce)
    proxy.init_app(app)
    register_asset_helpers(app)


def register_asset_helpers(app: Flask) -> None:
    """The pages name the served files (content-hashed, with SRI of the served bytes); the built files are
    answered from memory before the request reaches Flask, so they carry no page headers (static_files.py)."""
    static = app.static_folder
    assets.served(static)  # built at start-up, so the first shopper does not wait for it

    def sri(name: str) -> str:
        return assets.hashes(static)[name]

    app.jinja_env.globals.update(sri=sri, import_map=lambda entry: assets.import_map(static, entry),
                                 asset_url=lambda name: assets.url(static, name),
                                 inline_script=lambda name: assets.inline_script(static, name))
    app.wsgi_app = static_files.StaticFiles(app.wsgi_app, static, app.static_url_path + "/")
