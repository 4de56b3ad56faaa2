"""kill -9, for real: the PSP's process killed right after it saved a card, and a merchant app worker killed
while its finish waits on the PSP. The shopper clicks Pay every second; once things are back, the session
ends with exactly one card, at the merchant and at the PSP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from panless import create_app
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper
from tests.support.sandbox import MangopayWire
from tests.support.tokenize import browser_result, post_card

from .faults import FaultProxy
from .services import free_port
from .stack import FUTURE, ROOT, VISA, MerchantProcess, merchant_env


class SandboxProcess:
    """`panless sandbox` on a fixed port with a file database: killed and started again, it keeps its state."""

    def __init__(self, db: Path):
        self.port, self.db = free_port(), db
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> SandboxProcess:
        self.proc = subprocess.Popen([sys.executable, "-m", "panless.cli", "sandbox", "--port", str(self.port),
                                      "--db", str(self.db)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/_sandbox/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("the sandbox did not come up")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def children(pid: int) -> list[int]:
    """The processes whose parent is pid (gunicorn's workers under its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def click_until_saved(shopper: Shopper, session: dict, result: str, seconds: float = 40) -> list[int]:
    """The shopper clicks Pay every second (the form re-sends the same PSP answer) until the card is saved."""
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
            statuses.append(r.status_code)
            if r.status_code == 200:
                return statuses
            assert r.status_code in (502, 503), r.text
        except requests.ConnectionError:  # the worker serving it was killed
            statuses.append(0)
        time.sleep(1)
    raise AssertionError(f"never saved: {statuses}")


def mangopay_cards(psp_url: str, merchant_store, session_id: str) -> list[str]:
    customer = merchant_store.get("session", session_id)["customer"]
    user = merchant_store.get("customer", customer)["providers"]["mangopay"]["user_id"]
    return [card["Id"] for card in MangopayWire(psp_url).call("GET", f"/users/{user}/cards").json()]


@pytest.fixture
def psp(tmp_path):
    process = SandboxProcess(tmp_path / "sandbox.db").start()
    proxy = FaultProxy(process.url).start()
    yield process, proxy
    proxy.stop()
    process.kill()


def test_the_psp_killed_right_after_it_saved_the_card(psp, tmp_path):
    process, proxy = psp
    app = create_app({**providers_on(proxy.url), **UNLIMITED, "REQUEST_DEADLINE": 3, "PSP_CIRCUIT_FAILURES": 1000,
                      "DATABASE_URL": str(tmp_path / "merchant.db")})
    merchant = LiveServer(app).start()
    try:
        shopper = Shopper(merchant.url)
        session = shopper.session()
        result = browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))

        def down_for_a_while():
            process.kill()
            threading.Timer(8, process.start).start()  # back 8 s later, with what it had saved

        proxy.plan("PUT", r"/cardregistrations/", "drop_after", then=down_for_a_while)
        statuses = click_until_saved(shopper, session, result)
        assert statuses.count(503) >= 3  # clicks while it was down: none counted toward the cap
        listed = [c["token"] for c in shopper.call("GET", "/api/cards").json()["cards"]]
        assert len(listed) == 1
        assert mangopay_cards(process.url, app.extensions["panless_store"], session["id"]) == listed
    finally:
        merchant.stop()


def test_a_worker_killed_while_its_finish_waits_on_the_psp(psp, tmp_path):
    process, proxy = psp
    database = str(tmp_path / "merchant.db")
    merchant = MerchantProcess(merchant_env(proxy.url, database, REQUEST_DEADLINE=3, PSP_CIRCUIT_FAILURES=1000,
                                            RATELIMIT_FINALIZE="1000/minute", RATELIMIT_SESSIONS="1000/minute"),
                               workers=1, threads=4).start()
    try:
        shopper = Shopper(merchant.url)
        session = shopper.session()
        result = browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))

        def kill_the_worker():
            for worker in children(merchant.proc.pid):
                os.kill(worker, signal.SIGKILL)

        # The PUT is held 2 s at the proxy (then reaches the PSP, which saves the card); meanwhile the worker
        # waiting for it is killed. Its claim on the session lapses; a later click finishes the session.
        proxy.plan("PUT", r"/cardregistrations/", "slow", seconds=2, then=kill_the_worker)
        statuses = click_until_saved(shopper, session, result)
        assert 0 in statuses  # the click whose worker died
        listed = [c["token"] for c in shopper.call("GET", "/api/cards").json()["cards"]]
        assert len(listed) == 1

        from panless.core.store import Store

        store = Store(database)
        assert mangopay_cards(process.url, store, session["id"]) == listed
        store.close()
    finally:
        merchant.stop()

