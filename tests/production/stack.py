"""Merchant app processes as production runs them (`panless serve`, gunicorn) for the scale-out and load tests,
and the shopper's whole flow for any PSP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from panless.sandbox import base_urls
from tests.support.tokenize import browser_result, post_card

from .services import free_port

ROOT = Path(__file__).resolve().parents[2]
FUTURE = f"12{(datetime.now(UTC).year + 2) % 100:02d}"
VISA = "4970107111111119"  # Mangopay's published test card; the sandbox takes it for every PSP
PSPS = ["mangopay", "juspay", "stax"]


class MerchantProcess:
    """`panless serve` on a free port: gunicorn, `workers` x `threads`, settings from the environment."""

    def __init__(self, env: dict, workers: int = 1, threads: int = 4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env, self.workers, self.threads = env, workers, threads
        self.proc: subprocess.Popen | None = None

    def start(self) -> MerchantProcess:
        command = [sys.executable, "-m", "panless.cli", "serve", "--port", str(self.port),
                   "--workers", str(self.workers), "--threads", str(self.threads)]
        self.log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty server never blocks on it
        self.proc = subprocess.Popen(command, env={**os.environ, **self.env}, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"panless serve exited: {self.log.read()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("panless serve did not come up")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()


def merchant_env(sandbox_url: str, database_url: str, ratelimit: str = "memory://", **settings) -> dict:
    """The same settings for every process of one deployment (one secret: a token from one works on all)."""
    env = {
        "PANLESS_SECRET_KEY": "test-" + secrets.token_urlsafe(32),
        "PANLESS_DATABASE_URL": database_url,
        "PANLESS_RATELIMIT_STORAGE": ratelimit,
        "PANLESS_LOG_LEVEL": "WARNING",
        **{f"PANLESS_{psp.upper()}__BASE_URL": url for psp, url in base_urls(sandbox_url).items()},
    }
    env.update({f"PANLESS_{name}": str(value) for name, value in settings.items()})
    return env


def customer_headers(app_url: str, http=requests) -> dict:
    page = http.get(f"{app_url}/pay", timeout=10).text
    token = page.split('data-customer-token="', 1)[1].split('"', 1)[0]
    return {"Authorization": f"Bearer {token}"}


def flow(starts_at: str, finishes_at: str, headers: dict, psp: str, http=requests) -> dict:
    """One save: the session made on one process, the card posted to the PSP, finalize on another."""
    session = http.post(f"{starts_at}/api/sessions", json={"provider": psp}, headers=headers, timeout=30)
    assert session.status_code == 201, session.text
    target = session.json()["target"]
    posted = post_card(target, VISA, FUTURE, "123")
    assert posted.ok, posted.text
    done = http.post(f"{finishes_at}/api/sessions/{session.json()['id']}/finalize", headers=headers, timeout=30,
                     json={"result": browser_result(target, posted)})
    assert done.status_code == 200, done.text
    return {"session": session.json()["id"], "card": done.json()["card"]}
