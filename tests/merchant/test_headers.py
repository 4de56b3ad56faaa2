"""Response headers per view over real HTTP: the header contract (a reviewed snapshot) and the card pages' CSP."""

import base64
import json
import os
import re

import pytest
import requests

from tests.merchant.support import ROOT, SHOP, normalised
from tests.support.sandbox import TIMEOUT

SNAPSHOTS = ROOT / "tests" / "snapshots" / "headers.json"


VIEWS = {
    "card form": ("GET", "/pay"),
    "frame": ("GET", f"/frame?parent={SHOP}"),
    "frame refused": ("GET", "/frame?parent=http://elsewhere.example"),
    "api": ("GET", "/api/cards"),
    "static embed": ("GET", "/static/js/embed/panless.js"),
    "csp report": ("POST", "/csp-report"),
}


def test_headers_per_view_match_the_snapshot(app_server, sandbox):
    seen = {name: normalised(requests.request(method, app_server.url + path, timeout=TIMEOUT, json={}))
            for name, (method, path) in VIEWS.items()}
    for name in seen:  # the port of the test sandbox is not part of the policy
        if "Content-Security-Policy" in seen[name]:
            seen[name]["Content-Security-Policy"] = seen[name]["Content-Security-Policy"].replace(sandbox.url,
                                                                                                  "http://SANDBOX")
    if os.environ.get("PANLESS_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.parent.mkdir(exist_ok=True)
        SNAPSHOTS.write_text(json.dumps(seen, indent=2) + "\n")
    assert seen == json.loads(SNAPSHOTS.read_text()), "headers changed: review, then PANLESS_UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize("path", ["/pay", f"/frame?parent={SHOP}"])
def test_page_policy_is_strict(app_server, path):
    r = requests.get(app_server.url + path, timeout=TIMEOUT)
    csp = r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
    assert directives["require-trusted-types-for"] == "'script'"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert len(base64.urlsafe_b64decode(nonce + "==")) >= 16  # 128+ bits, unguessable
    body_nonces = set(re.findall(r'nonce="([^"]+)"', r.text))
    assert body_nonces == {nonce}  # header and body agree, no empty nonce
    assert "style=" not in r.text and "onclick" not in r.text
    # The frame's stylesheet is inline, admitted by the nonce alone; the hosted page links its stylesheets.
    styles = re.findall(r"<style\b[^>]*>", r.text)
    if path == "/pay":
        assert styles == [] and directives["style-src"] == "'self'"
    else:
        assert styles == [f'<style nonce="{nonce}">'] and directives["style-src"] == f"'nonce-{nonce}'"
    assert requests.get(app_server.url + path, timeout=TIMEOUT).headers["Content-Security-Policy"] != csp


def test_connect_src_lists_only_the_app_and_psp_origins(app_server, sandbox):
    csp = requests.get(app_server.url + "/pay", timeout=TIMEOUT).headers["Content-Security-Policy"]
    connect = re.search(r"connect-src ([^;]+)", csp).group(1).split()
    assert connect == ["'self'", sandbox.url, "http://127.0.0.1:8002"]  # and the relay (Ecart Pay, Verifone)
