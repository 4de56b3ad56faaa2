"""Cross-site request checks: state-changing API calls come from this origin or an allowed checkout origin."""

from __future__ import annotations

from flask import current_app, request

from ..core.settings import origin_of
from .errors import PanlessError, counters

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def same_site_only() -> None:
    """Browser calls that change state must come from this origin or an allowed checkout origin.
    The API also needs a bearer token no other site holds; this check refuses forged calls early."""
    origin = request.headers.get("Origin")
    if request.method not in UNSAFE_METHODS or origin is None or not request.path.startswith("/api/"):
        return
    if origin != origin_of(request.host_url) and origin not in current_app.config["ALLOWED_ORIGINS"]:
        counters()["cross_site_refused"] += 1
        raise PanlessError("cross_site_request")
