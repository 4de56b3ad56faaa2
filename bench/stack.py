"""The demo stack for the benchmarks: the sandbox PSP and the merchant app under gunicorn, each its own
process and port, plus a checkout page on another origin (served here) that embeds the card frame."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import Flask

from panless.merchant.auth import issue_customer_token, issue_redirect_code, new_customer_id
from panless.relay.routes import PSPS as RELAYED
from panless.sandbox import base_urls
from tests.support import LiveServer, free_port, wait_up

ROOT = Path(__file__).resolve().parent.parent






def checkout_app(panless_url: str, secret_key: str) -> Flask:
    """A bare checkout page: the embed module is imported, mount() is left to the benchmark. Its backend issues
    what a merchant's issues for each page view, for a new customer each time: the customer token and the start
    code (README, "Embedding the card frame"), on <html>."""
    app = Flask("bench-checkout")
    app.config["SECRET_KEY"] = secret_key

    @app.get("/")
    def page():
        customer = new_customer_id()
        return (f'<!doctype html><html data-customer-token="{issue_customer_token(customer)}" '
                f'data-start-code="{issue_redirect_code(customer)}"><meta charset=utf-8><title>bench checkout</title>'
                f'<div id=card></div><script type=module>window.Panless = await import("{panless_url}/static/js/'
                'embed/panless.js");window.embedReady = true;</script>')

    return app


class Stack:
    def __init__(self, workers: int = 3):
        self.workers = workers
        self.tmp = Path(tempfile.mkdtemp(prefix="panless-bench-"))
        self.database = str(self.tmp / "merchant.db")  # the merchant app's; bench/load.py reads it for the books
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Stack:
        sandbox_port, app_port, relay_port = free_port(), free_port(), free_port()
        self.sandbox_url = f"http://localhost:{sandbox_port}"
        self.app_url = f"http://127.0.0.1:{app_port}"
        self.relay_url = f"http://127.0.0.1:{relay_port}"
        secret_key = secrets.token_urlsafe(32)
        self.checkout = LiveServer(checkout_app(self.app_url, secret_key), url_host="localhost")
        env = {
            **os.environ,
            "PANLESS_SECRET_KEY": secret_key,
            "PANLESS_SANDBOX__VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "PANLESS_DATABASE_URL": self.database,
            "PANLESS_ALLOWED_ORIGINS": self.checkout.url,
            "PANLESS_PUBLIC_URL": self.app_url,
            "PANLESS_LOG_LEVEL": "WARNING",
            # The load test is one address making thousands of sessions: lift the anti-card-testing limits.
            "PANLESS_RATELIMIT_SESSIONS": "10000000/minute",
            "PANLESS_RATELIMIT_FINALIZE": "10000000/minute",
            # Every PSP the sandbox emulates, at this sandbox.
            **{f"PANLESS_{psp.upper()}__BASE_URL": url for psp, url in base_urls(self.sandbox_url).items()},
            # The PSPs whose tokenization needs a secret go through the relay, on its own origin.
            **{f"PANLESS_{psp.upper()}__RELAY_URL": self.relay_url for psp in RELAYED},
            "PANLESS_RELAY__FORM_ORIGINS": self.app_url,
            "PANLESS_RELAY__DB": str(self.tmp / "relay.db"),
        }
        gunicorn = [sys.executable, "-m", "gunicorn", "--log-level", "warning", "--worker-class", "gthread"]
        # The sandbox keeps its state in one process (in-memory SQLite): one worker, many threads.
        self.procs.append(subprocess.Popen([*gunicorn, "-w", "1", "--threads", "16", "-b",
                                            f"127.0.0.1:{sandbox_port}", "panless.sandbox:create_app()"],
                                           env=env, cwd=ROOT))
        self.procs.append(subprocess.Popen([*gunicorn, "-w", str(self.workers), "--threads", "8", "-b",
                                            f"127.0.0.1:{app_port}", "bench.apps:merchant()"], env=env, cwd=ROOT))
        self.procs.append(subprocess.Popen([*gunicorn, "-w", "2", "--threads", "8", "-b", f"127.0.0.1:{relay_port}",
                                            "panless.relay:create_app()"], env=env, cwd=ROOT))
        self.checkout.start()
        wait_up(f"{self.sandbox_url}/_sandbox/health")
        wait_up(f"{self.relay_url}/")
        wait_up(f"{self.app_url}/pay")
        # Then the references (bench/plain.py, bench/kit_merchant.py): hand-written, served like the merchant app.
        for name, module in (("plain", "bench.plain:app"), ("kit", "bench.kit_merchant:app")):
            port = free_port()
            setattr(self, f"{name}_url", f"http://127.0.0.1:{port}")
            self.procs.append(subprocess.Popen([*gunicorn, "-w", str(self.workers), "--threads", "8", "-b",
                                                f"127.0.0.1:{port}", module],
                                               env={**env, "PLAIN_DATABASE": str(self.tmp / f"{name}.db")}, cwd=ROOT))
        wait_up(f"{self.plain_url}/health")
        wait_up(f"{self.kit_url}/health")
        return self

    def __exit__(self, *exc) -> None:
        self.checkout.stop()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
