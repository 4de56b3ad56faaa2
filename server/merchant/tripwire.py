"""The PAN tripwire: a request carrying a card-number-shaped value anywhere is refused (400 pan_detected)
and the value is never logged. The invariant is that no PAN reaches this app; this holds when a caller
gets it wrong."""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote_plus

from flask import request

from ..core import jsonsafe
from ..core.pan import find_pans
from .errors import PanlessError, counters

log = logging.getLogger("panless.security")


def pan_tripwire() -> None:
    """Refuse a request carrying a PAN-shaped value anywhere: query, body, headers or cookies.
    Violation reports are exempt: a skimmer's URL may carry one, and only its origin is kept."""
    if request.path == "/csp-report":
        return
    # One scan over all of it: a card number cannot span texts joined by a newline (not a separator of one).
    if find_pans("\n".join(request_texts())):
        counters()["pan_detected"] += 1
        log.warning("pan_detected: refused %s %s (value not logged)", request.method, request.path)
        raise PanlessError("pan_detected")


def request_texts():
    """Everything a request carries, raw and decoded (URL encoding, JSON string escapes), read the way the
    app reads it: JSON through the same bounded UTF-8 parser (core/jsonsafe), and a body in another
    encoding (which the app refuses) decoded as json would guess it, so no encoding hides a card number."""
    query = request.query_string.decode("latin-1")
    raw = request.get_data(cache=True)
    body = raw.decode("utf-8", "replace")
    yield from (request.path, query, unquote_plus(query), body, unquote_plus(body))
    guessed = json.detect_encoding(raw)
    if guessed != "utf-8":
        yield raw.decode(guessed, "replace")
    try:
        yield from json_strings(jsonsafe.loads(raw)) if body.lstrip()[:1] in ("{", "[", '"') else ()
    except ValueError:
        pass
    yield from (f"{k}: {v}" for k, v in request.headers.items())
    yield from (f"{k}={v}" for k, v in request.cookies.items())


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
