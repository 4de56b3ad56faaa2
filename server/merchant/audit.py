"""`panless audit`: change and tamper detection for the payment pages (PCI DSS 11.6.1), with evidence.

It fetches the card page and its frame as a browser would, checks the security headers and the CSP
against Panless's policy, lists every script and stylesheet with its hash, checks each against the SRI
hash the page declares, and compares everything with a baseline. It exits non-zero on a weak policy,
on an integrity mismatch, or on drift from the baseline.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import requests

from ..core.settings import origin_of
from .assets import sri

TIMEOUT = 10
REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": None,
    "Cross-Origin-Resource-Policy": None,
    "Permissions-Policy": None,
}
LOCKED = {"object-src": {"'none'"}, "base-uri": {"'none'", "'self'"}, "default-src": {"'none'"}}


class PageParser(HTMLParser):
    """Scripts (external, inline, import maps) and stylesheets of a page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.styles: list[dict] = []
        self.style_elements: list[dict] = []  # <style>: its attributes and text
        self.inline_styles = 0  # style attributes, which no nonce can admit
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        if tag == "script":
            self._current = {**attrs, "content": ""}
            self.scripts.append(self._current)
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.styles.append(attrs)
        elif tag == "style":
            self._current = {**attrs, "content": ""}
            self.style_elements.append(self._current)

    def handle_data(self, data):
        if self._current is not None:
            self._current["content"] += data

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._current = None



def parse_csp(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0].lower()] = words[1:]
    return policy


def policy_problems(csp: dict[str, list[str]], nonce: str | None) -> list[str]:
    problems = []
    everywhere = [w for values in csp.values() for w in values]
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        for directive in ("script-src", "default-src", "connect-src", "frame-ancestors"):
            if bad in csp.get(directive, []):
                problems.append(f"{directive} allows {bad}")
    if "'unsafe-eval'" in everywhere or "'unsafe-inline'" in everywhere:
        problems.append("'unsafe-inline' or 'unsafe-eval' appears in the policy")
    for directive, allowed in LOCKED.items():
        if not set(csp.get(directive, [])) & allowed:
            problems.append(f"{directive} is not locked ({' or '.join(sorted(allowed))})")
    scripts = csp.get("script-src", [])
    if not any(w.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for w in scripts):
        problems.append("script-src admits scripts by neither nonce nor hash")
    if nonce and f"'nonce-{nonce}'" not in scripts:
        problems.append("the page's script nonce is not the one in the CSP")
    for directive in ("frame-ancestors", "form-action", "connect-src"):
        if directive not in csp:
            problems.append(f"{directive} is missing")
    if csp.get("require-trusted-types-for") != ["'script'"]:
        problems.append("Trusted Types are not required (require-trusted-types-for 'script')")
    return problems


def normalise_csp(header: str) -> str:
    return re.sub(r"'nonce-[^']+'", "'nonce-*'", header)


def audit_page(name: str, url: str, session: requests.Session) -> dict:
    response = session.get(url, timeout=TIMEOUT)
    result = {"name": name, "url": url, "status": response.status_code, "problems": [], "assets": {},
              "headers": {}}
    if response.status_code != 200:
        result["problems"].append(f"{url} answered {response.status_code}")
        return result
    csp_header = response.headers.get("Content-Security-Policy", "")
    page = PageParser()
    page.feed(response.text)
    nonces = {s.get("nonce") for s in page.scripts if s.get("nonce")}
    if not csp_header:
        result["problems"].append("no Content-Security-Policy header")
    result["problems"] += policy_problems(parse_csp(csp_header), next(iter(nonces)) if len(nonces) == 1 else None)
    if len(nonces) > 1:
        result["problems"].append("scripts carry different nonces")
    for header, expected in REQUIRED_HEADERS.items():
        value = response.headers.get(header)
        if value is None or (expected and value.lower() != expected):
            result["problems"].append(f"header {header} is missing or not {expected or 'set'}")
    if urlsplit(url).scheme == "https" and "Strict-Transport-Security" not in response.headers:
        result["problems"].append("HSTS is missing on an https page")
    if page.inline_styles:
        result["problems"].append(f"{page.inline_styles} inline style(s) on the page")
    style_src = parse_csp(csp_header).get("style-src", [])
    for style in page.style_elements:  # a <style> element only by the page's nonce (the frame's stylesheet)
        if not style.get("nonce") or f"'nonce-{style['nonce']}'" not in style_src:
            result["problems"].append("a <style> element the CSP's style-src does not admit by its nonce")
    result["headers"] = {"Content-Security-Policy": normalise_csp(csp_header),
                         **{h: response.headers.get(h) for h in (*REQUIRED_HEADERS, "X-Frame-Options",
                                                                  "Cross-Origin-Opener-Policy", "Cache-Control",
                                                                  "Strict-Transport-Security")}}
    check_assets(url, page, session, result)
    return result


def check_assets(url: str, page: PageParser, session: requests.Session, result: dict) -> None:
    declared: dict[str, str | None] = {}
    for number, script in enumerate(page.scripts, 1):
        if script.get("src"):
            declared[urljoin(url, script["src"])] = script.get("integrity")
        elif script.get("type") == "importmap":
            declared.update({urljoin(url, path): digest
                             for path, digest in json.loads(script["content"] or "{}").get("integrity", {}).items()})
        elif not script.get("nonce"):
            result["problems"].append("an inline script without a nonce")
        else:  # its bytes are the page's own: recorded, so that a changed inline script shows as drift
            result["assets"][f"inline script {number}"] = sri(script["content"].encode())
    for style in page.styles:
        declared[urljoin(url, style["href"])] = style.get("integrity")
    for n, style in enumerate(page.style_elements):  # in the page: its hash is evidence, and drift is seen
        result["assets"][f"<style> {n + 1}"] = sri(style["content"].encode())
    for asset_url, integrity in sorted(declared.items()):
        content = session.get(asset_url, timeout=TIMEOUT).content
        actual = sri(content)
        path = urlsplit(asset_url).path
        result["assets"][path] = actual
        if not integrity:
            result["problems"].append(f"{path} has no SRI hash")
        elif integrity != actual:
            result["problems"].append(f"{path} does not match its SRI hash (served {actual[:19]}...)")


def drift(baseline: dict, snapshot: dict) -> list[str]:
    changes = []
    for name, page in snapshot["pages"].items():
        before = baseline.get("pages", {}).get(name)
        if before is None:
            changes.append(f"[{name}] not in the baseline")
            continue
        for header in sorted(set(before["headers"]) | set(page["headers"])):
            if before["headers"].get(header) != page["headers"].get(header):
                changes.append(f"[{name}] header {header} changed: {before['headers'].get(header)!r} -> "
                               f"{page['headers'].get(header)!r}")
        for path in sorted(set(before["assets"]) | set(page["assets"])):
            old, new = before["assets"].get(path), page["assets"].get(path)
            if old != new:
                what = "added" if old is None else "removed" if new is None else "changed"
                changes.append(f"[{name}] script {path} {what}")
    return changes


def run(url: str, parent: str | None = None, baseline: dict | None = None) -> tuple[bool, str, dict]:
    """-> (passed, readable report, snapshot to keep as the next baseline)."""
    session = requests.Session()
    origin = origin_of(url)
    pages = [("card form", url)]
    if parent:
        pages.append(("frame", f"{origin}/frame?parent={quote(parent, safe='')}"))
    results = [audit_page(name, page_url, session) for name, page_url in pages]
    snapshot = {"taken": datetime.now(UTC).isoformat(timespec="seconds"),
                "pages": {r["name"]: {"url": r["url"], "headers": r["headers"], "assets": r["assets"]}
                          for r in results}}
    changes = drift(baseline, snapshot) if baseline else []
    lines = [f"Panless audit of {url}  ({snapshot['taken']})"]
    for r in results:
        lines.append(f"\n[{r['name']}] {r['url']} -> {r['status']}")
        lines.append(f"  CSP: {r['headers'].get('Content-Security-Policy') or '(none)'}")
        lines.append(f"  scripts and stylesheets ({len(r['assets'])}):")
        lines += [f"    {path}  {digest}" for path, digest in r["assets"].items()]
        lines += [f"  PROBLEM: {p}" for p in r["problems"]] or ["  policy: ok"]
    if not parent:
        lines.append("\n[frame] not audited: no --parent, and no PANLESS_ALLOWED_ORIGINS to take one from (with no "
                     "allowed checkout origin the frame is served to no one)")
    if baseline is not None:
        lines.append("\nDrift from the baseline:" if changes else "\nNo drift from the baseline.")
        lines += [f"  DRIFT: {c}" for c in changes]
    passed = not changes and not any(r["problems"] for r in results)
    lines.append(f"\nResult: {'PASS' if passed else 'FAIL'}")
    return passed, "\n".join(lines), snapshot
