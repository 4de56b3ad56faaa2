"""Golden wire samples (tests/fixtures/<psp>/*.json, from the PSPs' documentation) and shape checks."""

import json
import re
import time
from pathlib import Path

from flask import Flask, Response, request

from tests.support import LiveServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load(psp: str, name: str) -> dict:
    return json.loads((FIXTURES / psp / f"{name}.json").read_text())


def kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_same_shape(documented, ours, where: str, extra_ok=frozenset(), ordered: bool = True):
    """Same keys (in the same order when `ordered`) and the same JSON types; nulls match anything."""
    if documented is None or ours is None:
        return  # nullable members: presence is checked by the keys of the enclosing object
    assert kind(ours) == kind(documented), f"{where}: {kind(ours)} where the docs have {kind(documented)}"
    if isinstance(documented, dict):
        ours_keys = [k for k in ours if k not in extra_ok or k in documented]
        if ordered:
            assert ours_keys == list(documented), f"{where}: keys {ours_keys} != documented {list(documented)}"
        else:
            assert set(ours_keys) == set(documented), f"{where}: keys {sorted(ours_keys)} != {sorted(documented)}"
        for key in documented:
            assert_same_shape(documented[key], ours[key], f"{where}.{key}", extra_ok, ordered)
    elif isinstance(documented, list) and documented and ours:
        for item in ours:
            assert_same_shape(documented[0], item, f"{where}[]", extra_ok, ordered)


def same_as_documented(psp: str, name: str, response, **shape) -> dict:
    """The response has the documented sample's status and shape (assert_same_shape's options in `shape`);
    -> its JSON body."""
    documented = load(psp, name)["response"]
    assert response.status_code == documented["status"], response.text
    assert_same_shape(documented["body"], response.json(), name, **shape)
    return response.json()


class Replay:
    """Serves golden responses by (method, path pattern); records every request."""

    def __init__(self, psp: str, base_path: str = "/"):
        self.psp = psp
        self.routes: list[tuple[str, re.Pattern, dict]] = []
        self.seen: list[dict] = []
        self.delay = 0.0
        app = Flask("replay")
        app.add_url_rule("/<path:path>", "any", self.answer, methods=["GET", "POST", "PUT", "DELETE"])
        self.server = LiveServer(app).start()
        self.base = self.server.url + base_path

    def on(self, sample: str, status: int | None = None, body=None):
        doc = load(self.psp, sample)
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(doc["request"]["path"].split("?")[0]))
        response = {**doc["response"], **({"status": status} if status else {}), **({"body": body} if body else {})}
        self.routes.insert(0, (doc["request"]["method"], re.compile(pattern + "$"), response))

    def answer(self, path):
        time.sleep(self.delay)
        self.seen.append({"method": request.method, "path": "/" + path, "headers": dict(request.headers),
                          "body": request.get_data(as_text=True)})
        for method, pattern, response in self.routes:
            if method == request.method and pattern.match("/" + path):
                body = response["body"]
                text = body if isinstance(body, str) else json.dumps(body)
                return Response(text, response["status"], content_type=response["content_type"])
        return Response("{}", 599)
