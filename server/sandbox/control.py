"""Control endpoints for tests: reset the state, move the clock, and a health check."""

from __future__ import annotations

import math

from flask import Blueprint, current_app, jsonify, request

from .emulator import EXTENSION
from .psps import EMULATORS

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


@bp.before_request
def json_only():
    """A JSON content type forces a CORS preflight, so no other web page can reset or age the sandbox."""
    if request.method == "POST" and not request.is_json:
        return jsonify(error="json_required", message="Send Content-Type: application/json."), 415


def state():
    return current_app.extensions[EXTENSION]


@bp.post("/reset")
def reset():
    state()["store"].reset(keep_kinds=tuple(kind for emulator in EMULATORS for kind in emulator.kept_on_reset))
    return jsonify(reset=True)


@bp.post("/clock")
def clock():
    """Move the sandbox clock forward by `advance` seconds (expiry of tokens, delays, idempotency)."""
    body = request.get_json(silent=True) or {}
    advance = body.get("advance")
    if (not isinstance(advance, (int, float)) or isinstance(advance, bool) or not math.isfinite(advance)
            or not 0 <= advance <= 10 * 365 * 86400):
        return jsonify(error="invalid_advance", field="advance",
                       message="Send {\"advance\": seconds}, a number from 0 to ten years."), 400
    state()["store"].clock.offset += advance
    return jsonify(offset=state()["store"].clock.offset)


@bp.get("/health")
def health():
    return jsonify(ok=True, psps=sorted(emulator.name for emulator in EMULATORS))
