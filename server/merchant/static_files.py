"""Serving the built files (server/merchant/build.py) in front of the Flask app, from memory.

A content-hashed file never changes, so it is cached for a year and never revalidated (`immutable`); the
embed's public URL, which merchants paste, is cached for minutes, then revalidated by its ETag. Each answer
carries only what a static file needs: its type, length, caching, encoding (brotli or gzip when the browser
offers it, compressed ahead of time), nosniff, and CORS on the embed, which checkout pages on other origins
import as a module. The card pages' policy headers (CSP and the rest) are for HTML, and stay there (headers.py).
Every byte here is on every static file of a first visit: nothing a browser would not use (a module script is
UTF-8 whatever its charset says; `public` adds nothing to a request without credentials).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import unquote_plus

from ..core.pan import find_pans
from . import assets
from .build import HASH_LENGTH, Asset

IMMUTABLE = "max-age=31536000, immutable"
SHORT = "max-age=300"  # the embed's public URL: a fix reaches checkout pages within five minutes
CROSS_ORIGIN = ("js/embed/",)  # imported by checkout pages on the merchant's origin


def preferred(accept_encoding: str) -> list[str]:
    """The codings the request accepts, among ours, best first (q=0 refuses one)."""
    offered = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        offered[coding.strip()] = q
    return [c for c in ("br", "gzip") if offered.get(c, offered.get("*", 0.0)) > 0]


def carries_a_pan(environ: dict) -> bool:
    """A card-number-shaped value in the path, query, headers or cookies: for the app's tripwire, as anywhere."""
    query = environ.get("QUERY_STRING", "")
    texts = [environ.get("PATH_INFO", ""), query, unquote_plus(query),
             *(f"{k}: {v}" for k, v in environ.items() if k.startswith("HTTP_") and isinstance(v, str))]
    return any(find_pans(text) for text in texts)


class StaticFiles:
    """WSGI middleware: GET and HEAD of /static/<served path> answered here, everything else passed on."""

    def __init__(self, app: Callable, static_dir: str, prefix: str = "/static/"):
        self.app, self.static_dir, self.prefix = app, static_dir, prefix

    def table(self) -> dict[str, tuple[Asset, str]]:
        build = assets.served(self.static_dir)
        files = {path: (asset, IMMUTABLE) for path, asset in build.by_path().items()}
        files.update({alias: (build.assets[source], SHORT) for alias, source in assets.PUBLIC.items()})
        return files

    @staticmethod
    def content_type(asset: Asset) -> str:
        # Scripts are modules, always read as UTF-8 (HTML's module script fetch): a charset would be dead weight.
        return "text/javascript" if asset.path.endswith(".js") else asset.content_type

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix) or carries_a_pan(environ):
            return self.app(environ, start_response)  # the app's PAN tripwire refuses, counts and logs it
        found = self.table().get(path[len(self.prefix):])
        if found is None:
            return self.answer(start_response, "404 Not Found", [("Content-Type", "text/plain; charset=utf-8")],
                               b"not found\n", environ)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.answer(start_response, "405 Method Not Allowed", [("Allow", "GET, HEAD")], b"", environ)
        asset, cache_control = found
        coding = next(iter(preferred(environ.get("HTTP_ACCEPT_ENCODING", ""))), None)
        body = asset.encoded[coding] if coding else asset.body
        headers = [("Content-Type", self.content_type(asset)), ("Cache-Control", cache_control),
                   ("Vary", "Accept-Encoding")]
        if coding:
            headers.append(("Content-Encoding", coding))
        if path[len(self.prefix):].startswith(CROSS_ORIGIN):
            headers.append(("Access-Control-Allow-Origin", "*"))
        if cache_control == IMMUTABLE:  # never revalidated: an ETag would never be sent back
            return self.answer(start_response, "200 OK", headers, body, environ)
        # The served name's own hash (one per version of the file), and the coding: a 304 is for those bytes.
        etag = f'"{asset.digest[:HASH_LENGTH]}{"-" + coding if coding else ""}"'
        headers.append(("ETag", etag))
        if etag in [t.strip() for t in environ.get("HTTP_IF_NONE_MATCH", "").split(",")]:
            return self.answer(start_response, "304 Not Modified", headers, b"", environ, length=False)
        return self.answer(start_response, "200 OK", headers, body, environ)

    @staticmethod
    def answer(start_response, status: str, headers: list, body: bytes, environ: dict,
               length: bool = True) -> list[bytes]:
        headers = [*headers, ("X-Content-Type-Options", "nosniff")]
        if length:
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
