"""The package merchants install: a wheel built from the repository, installed non-editable in a fresh
virtualenv, serves the hosted page, the frame, the embed script and the sandbox, and completes a flow."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
import requests

from panless.merchant.assets import sri
from tests.support import free_port, wait_up
from tests.support.sandbox import TIMEOUT
from tests.support.tokenize import browser_result, post_card

ROOT = Path(__file__).resolve().parents[2]






def test_every_package_directory_ships():
    """pyproject lists the packages one by one (server/ is mapped to `panless`): none may be forgotten."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"panless" + "".join("." + part for part in init.parent.relative_to(ROOT / "server").parts)
             for init in (ROOT / "server").rglob("__init__.py")}
    assert found - listed == set(), "packages missing from pyproject.toml [tool.setuptools] packages"
    assert listed - found == {"panless.static", "panless.templates"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheel of the repository, installed (with its dependencies, not editable) in a new virtualenv."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp / "dist"),
                            str(ROOT)], capture_output=True, text=True, cwd=tmp)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp / "dist").glob("panless-*.whl"))
    venv.create(tmp / "venv", with_pip=True)
    python = tmp / "venv" / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True,
                          text=True, cwd=tmp)
    assert done.returncode == 0, done.stderr[-2000:]
    return tmp, python


def test_the_wheel_holds_the_browser_files_and_no_test_support(installed):
    tmp, python = installed
    script = ("import panless, pathlib; root = pathlib.Path(panless.__file__).parent; "
              "print('\\n'.join(str(p.relative_to(root)) for p in root.rglob('*') if p.is_file()))")
    listing = subprocess.run([str(python), "-c", script], capture_output=True, text=True, cwd=tmp,
                             check=True).stdout.split()
    shipped = {name for name in listing if not name.endswith(".pyc")}
    for folder in ("static", "templates"):
        in_repo = {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert in_repo <= shipped, f"{folder}/ files missing from the wheel: {sorted(in_repo - shipped)}"
    assert not [name for name in shipped if "testing" in name or name.startswith("tests")]


def test_a_flow_against_the_installed_wheel(installed):
    """Run from a folder outside the repository, so nothing can come from the checkout."""
    tmp, python = installed
    sandbox_port, app_port = free_port(), free_port()
    sandbox_url, app_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{app_port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANLESS_")}
    env.update(PYTHONPATH="", PANLESS_MANGOPAY__BASE_URL=f"{sandbox_url}/mangopay/v2.01/")
    panless = str(python.parent / "panless")
    procs = [subprocess.Popen([panless, "sandbox", "--port", str(sandbox_port)], cwd=tmp, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([panless, "serve", "--port", str(app_port)], cwd=tmp, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_up(f"{sandbox_url}/_sandbox/health", procs[0])
        wait_up(f"{app_url}/pay", procs[1])
        page = requests.get(f"{app_url}/pay", timeout=TIMEOUT)
        assert page.status_code == 200 and 'id="number"' in page.text
        scripts = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text))
        assert scripts, "the hosted page names no static file"
        # What the installed wheel serves is what the repository's inventory lists, built from the same sources.
        listed = {path: entry["sha256"] for entry in json.loads((ROOT / "docs" / "script-inventory.json").read_text())
                  ["assets"] for path in [entry["path"], *entry.get("also_at", [])]}
        for path in scripts | {"/static/js/embed/panless.js"}:
            served = requests.get(app_url + path, timeout=TIMEOUT)
            assert served.status_code == 200 and sri(served.content) == listed[path], path

        token = re.search(r'data-customer-token="([^"]+)"', page.text).group(1)
        auth = {"Authorization": f"Bearer {token}"}
        session = requests.post(f"{app_url}/api/sessions", json={}, headers=auth, timeout=TIMEOUT)
        assert session.status_code == 201, session.text
        target = session.json()["target"]
        posted = post_card(target, "4970107111111119")
        done = requests.post(f"{app_url}/api/sessions/{session.json()['id']}/finalize",
                             json={"result": browser_result(target, posted)}, headers=auth, timeout=TIMEOUT)
        assert done.status_code == 200, done.text
        assert done.json()["card"]["last4"] == "1119"
        cards = requests.get(f"{app_url}/api/cards", headers=auth, timeout=TIMEOUT).json()["cards"]
        assert [c["token"] for c in cards] == [done.json()["card"]["token"]]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
