"""HTTP helpers every PSP emulator shares: bodies parsed whatever the Content-Type, JSON out, CORS."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from urllib.parse import parse_qsl

from flask import Response, g, request


def collapse_slashes(path: str) -> str:
    """A path with `//` collapsed and no trailing `/`."""
    return "/" + "/".join(part for part in path.split("/") if part)


def basic_credentials() -> tuple[str, str] | None:
    """(user, password) from Basic auth; None without it; ("", "") when it does not decode."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    return user, password


def form_body() -> dict[str, str]:
    """Form fields from the raw body, whatever the Content-Type (real clients disagree on it)."""
    raw = request.get_data(cache=True).decode("utf-8", errors="replace")
    return dict(parse_qsl(raw, keep_blank_values=True))


def json_body() -> dict | None:
    """The body as a JSON object; {} when empty; None when it is not a JSON object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def json_response(body, status: int = 200, content_type: str = "application/json", headers=None) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status=status, content_type=content_type,
                    headers=headers)


def cors_headers(methods: str, headers: str) -> dict[str, str]:
    """For endpoints browsers call cross-origin without credentials."""
    return {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": headers, "Access-Control-Max-Age": "600"}


def answers_browsers(headers: dict[str, str]):
    """Marks a view browsers call cross-origin: OPTIONS is answered, and every response of the request,
    errors included, carries `headers` (add_cors, run after every request, adds them): a browser cannot
    read an answer without them."""
    def mark(view):
        @functools.wraps(view)
        def marked(*args, **kw):
            if request.method == "OPTIONS":
                return Response(status=204, headers=headers)
            g.cors_headers = headers
            return view(*args, **kw)
        marked.answers_browsers = headers  # lets tests find every browser endpoint of every PSP
        return marked
    return mark


def add_cors(response: Response) -> Response:
    response.headers.update(g.get("cors_headers", {}))
    return response
