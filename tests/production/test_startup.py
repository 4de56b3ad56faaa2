"""Start-up and operations: `panless serve` and `panless check` refuse what cannot work with a message naming the
setting (never a boot loop), /healthz stays cheap and tells the truth, and the rate-limit storage holds
under threads and survives a Redis that goes away."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from panless import create_app
from panless.core.settings import ConfigError
from panless.merchant import limits
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper

from .services import Redis, free_port, missing
from .stack import ROOT

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PANLESS_")}


def panless(*args: str, timeout: float = 60, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "panless.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**CLEAN_ENV, **{f"PANLESS_{k}": v for k, v in env.items()}})


@pytest.mark.parametrize("env, named", [
    ({"DATABASE_URL": ":memory:"}, "PANLESS_DATABASE_URL is an in-memory database"),
    ({"RATELIMIT_STORAGE": f"redis://127.0.0.1:{free_port()}/0"}, "PANLESS_RATELIMIT_STORAGE"),
    ({"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/db"}, "PANLESS_DATABASE_URL: cannot use"),
    ({"REQUEST_DEADLINE": "60"}, "PANLESS_REQUEST_DEADLINE must be a number from 1 to 59"),
    ({"STAX__TIMEOUT": "\"soon\""}, "PANLESS_STAX__TIMEOUT"),
    ({"DB": "/tmp/old.db"}, "PANLESS_DB was replaced by PANLESS_DATABASE_URL"),
    ({"LOG_LEVEL": "verbose"}, "PANLESS_LOG_LEVEL must be one of"),
    ({"PROVIDER": "mangopy"}, "PANLESS_PROVIDER must be one of the PSPs in use"),
    ({"FORCE_HTTPS": "no"}, "PANLESS_FORCE_HTTPS must be true or false"),
])
def test_serve_refuses_what_cannot_work_and_names_the_setting(env, named, tmp_path):
    env.setdefault("DATABASE_URL", str(tmp_path / "p.db"))
    done = panless("serve", "--port", str(free_port()), "--workers", "3", **env)
    assert done.returncode == 2
    assert named in done.stderr


@pytest.mark.parametrize("args, env, named", [
    (["relay"], {"RELAY__TIMEOUT": "abc"}, "PANLESS_RELAY__TIMEOUT must be a number over 0, at most 59"),
    (["relay"], {"WORKERS": "abc"}, "PANLESS_WORKERS must be a number from 1 to 64"),
    (["sandbox"], {"SANDBOX__VAULT_KEY": "bad"}, "PANLESS_SANDBOX__VAULT_KEY must be 32 bytes"),
    (["sandbox"], {"SANDBOX__VAULT_KEY": "***"}, "PANLESS_SANDBOX__VAULT_KEY must be 32 bytes"),  # no base64
    (["sandbox"], {"LOG_LEVEL": "verbose"}, "PANLESS_LOG_LEVEL must be one of"),
    (["relay"], {"LOG_LEVEL": "verbose"}, "PANLESS_LOG_LEVEL must be one of"),
    (["shop"], {"LOG_LEVEL": "verbose"}, "PANLESS_LOG_LEVEL must be one of"),
    (["audit", "http://127.0.0.1:9/pay", "--baseline", "/nonexistent/baseline.json"], {},
     "cannot read the baseline /nonexistent/baseline.json"),
])
def test_other_commands_name_a_wrong_setting_without_a_traceback(args, env, named, tmp_path):
    port = ["--port", str(free_port())] if args[0] in ("relay", "sandbox", "shop") else []
    done = panless(*args, *port, timeout=30, DATABASE_URL=str(tmp_path / "p.db"), **env)
    assert done.returncode == 2 and named in done.stderr and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("args, env", [(["--host", "0.0.0.0"], {}), ([], {"FORCE_HTTPS": "true"})])
def test_serve_asks_for_the_public_url_it_cannot_guess(args, env, tmp_path):
    done = panless("serve", "--port", str(free_port()), *args, timeout=30, DATABASE_URL=str(tmp_path / "p.db"),
                   SECRET_KEY="test-secret-of-enough-length-0123456789abcdef", **env)
    assert done.returncode == 2 and "set PANLESS_PUBLIC_URL" in done.stderr, done.stderr


@pytest.mark.parametrize("option", ["--workers", "--threads"])
def test_zero_workers_or_threads_are_refused_not_replaced_by_the_default(option, tmp_path):
    done = panless("serve", "--port", str(free_port()), option, "0", timeout=30, DATABASE_URL=str(tmp_path / "p.db"))
    assert done.returncode == 2 and f"{option} or PANLESS_" in done.stderr and "(got 0)" in done.stderr


@pytest.mark.parametrize("command", ["serve", "relay", "sandbox", "demo"])
def test_a_port_out_of_range_is_refused_before_anything_starts(command):
    done = panless(command, "--port", "99999", timeout=30)
    assert done.returncode == 2 and "invalid port value: '99999'" in done.stderr


def test_the_demo_refuses_ports_in_use_and_reports_a_service_that_stopped(tmp_path):
    ports = [free_port() for _ in range(4)]
    options = ["--port", str(ports[0]), "--sandbox-port", str(ports[1]), "--relay-port", str(ports[2]),
               "--shop-port", str(ports[3])]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ports[2]))
        taken.listen()
        done = panless("demo", *options, timeout=30)
    assert done.returncode == 2 and f"port {ports[2]} (the relay) is in use" in done.stderr
    assert "demo is up" not in done.stdout
    # A service that cannot start (here the relay's configuration) stops the demo, which says which and fails.
    done = panless("demo", *options, timeout=60, RELAY__TIMEOUT="abc", DATABASE_URL=str(tmp_path / "p.db"))
    assert done.returncode == 1 and "the relay stopped (exit code 2)" in done.stderr, done.stdout + done.stderr
    assert "demo is up" not in done.stdout


def test_a_port_whose_last_connections_are_closing_is_free_for_the_next_demo():
    from panless.cli import port_free

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server closes first: its side waits in TIME_WAIT, as after a demo's Ctrl-C
    client.close()
    listener.close()
    assert port_free(port)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert not port_free(busy.getsockname()[1])


@pytest.mark.parametrize("command", [["relay", "--dev"], ["sandbox"]])
def test_a_log_level_in_lower_case_is_taken(command):
    """PANLESS_LOG_LEVEL=debug: the merchant app took it; the relay and the sandbox must too."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "panless.cli", *command, "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**CLEAN_ENV, "PANLESS_LOG_LEVEL": "debug"})
    try:
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert proc.poll() is None  # up, not stopped by its log level
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_a_local_client_cannot_mark_a_plain_request_https(tmp_path):
    """gunicorn trusts X-Forwarded-Proto from 127.0.0.1 by default; Panless trusts it only behind
    PANLESS_PROXY_COUNT proxies, so a forged one changes nothing: the plain request is still redirected."""
    port = free_port()
    env = {**CLEAN_ENV, "PANLESS_FORCE_HTTPS": "true", "PANLESS_DATABASE_URL": str(tmp_path / "p.db"),
           "PANLESS_PUBLIC_URL": "https://pay.example.com",
           "PANLESS_SECRET_KEY": "test-secret-of-enough-length-0123456789abcdef"}
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen([sys.executable, "-m", "panless.cli", "serve", "--port", str(port), "--workers", "1"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30  # until it answers (wait_up would follow the redirect to https)
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    requests.get(f"http://127.0.0.1:{port}/pay", allow_redirects=False, timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.2)
            for headers in ({}, {"X-Forwarded-Proto": "https"}, {"X-Forwarded-Ssl": "on"}):
                r = requests.get(f"http://127.0.0.1:{port}/pay", headers=headers, allow_redirects=False, timeout=10)
                assert r.status_code in (301, 302, 308) and r.headers["Location"].startswith("https://"), headers
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_an_in_memory_database_under_several_gunicorn_workers_stops_gunicorn():
    """Run the way a merchant might, gunicorn directly: the workers refuse to boot and gunicorn exits."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{free_port()}",
                           "panless:create_app()"], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**CLEAN_ENV, "PANLESS_DATABASE_URL": ":memory:"})
    assert done.returncode != 0 and time.monotonic() - started < 60
    assert "in-memory database" in done.stderr


def test_check_names_the_wrong_setting(sandbox, tmp_path):
    base = {"DATABASE_URL": str(tmp_path / "p.db"),
            **{f"{psp}__BASE_URL": section["BASE_URL"] for psp, section in providers_on(sandbox.url).items()}}
    good = panless("check", **base)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count("ok  ") >= 6
    down = f"http://127.0.0.1:{free_port()}/stax"
    bad = panless("check", **{**base, "STAX__BASE_URL": down})
    assert bad.returncode == 1
    assert f"FAIL  stax: cannot reach PANLESS_STAX__BASE_URL={down}" in bad.stdout
    assert "ok    mangopay" in bad.stdout
    config = panless("check", **{**base, "PROXY_COUNT": "\"two\""})
    assert config.returncode == 1 and "PANLESS_PROXY_COUNT" in config.stdout


def test_a_missing_redis_client_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # as if `panless[redis]` was not installed
    with pytest.raises(ConfigError, match=r"pip install 'panless\[redis\]'"):
        limits.storage_uri("redis://127.0.0.1:6379/0")


def test_memory_limits_hold_under_threads(monkeypatch):
    """limits' own MemoryStorage restarts its expiry timer from whichever thread finds it stopped, and two at
    once can start one timer twice (a 500 under threaded workers); ours restarts it under one lock. The race
    is rare, so this cannot prove its absence: it churns the timer with threads switching every microsecond
    and asserts no thread broke and that concurrent hits are counted exactly."""
    from limits import parse
    from limits.strategies import MovingWindowRateLimiter

    broken = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: broken.append(repr(report.exc_value)))
    monkeypatch.setattr(threading, "excepthook", lambda report: broken.append(repr(report.exc_value)))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    storage = limits.ThreadSafeMemoryStorage("panless-memory://")
    try:
        def churn(_):
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                try:
                    storage.acquire_entry("churn", 10**9, 0.001)
                except Exception as exc:  # the race this storage exists to remove
                    broken.append(repr(exc))
                    return

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(churn, range(16)))
        strategy, item = MovingWindowRateLimiter(storage), parse("100/minute")
        with ThreadPoolExecutor(16) as pool:
            granted = sum(pool.map(lambda n: sum(strategy.hit(item, "k", str(n % 4)) for _ in range(40)), range(16)))
    finally:
        sys.setswitchinterval(interval)
    assert not broken
    assert granted == 400  # 4 keys x 100: not one more, not one less


def test_health_is_cheap_and_says_what_fails(sandbox, tmp_path):
    if "redis-server" in missing():
        pytest.skip("Redis not installed")
    redis = Redis().start()
    app = create_app({**providers_on(sandbox.url), **UNLIMITED, "DATABASE_URL": str(tmp_path / "h.db"),
                      "RATELIMIT_STORAGE": redis.url})
    server = LiveServer(app).start()
    try:
        ok = requests.get(f"{server.url}/healthz", timeout=5)
        assert ok.status_code == 200 and ok.json() == {"status": "ok", "failing": []}
        shopper = Shopper(server.url)
        redis.stop()  # Redis goes away while the app runs
        gone = requests.get(f"{server.url}/healthz", timeout=10)
        # Degraded, not out of rotation: every instance shares Redis, and a 503 would take them all out.
        assert gone.status_code == 200 and gone.json() == {"status": "degraded", "failing": ["ratelimit_storage"]}
        # Shoppers are not turned away with a 500: counting is skipped (and logged) until Redis is back.
        assert shopper.call("POST", "/api/sessions", json={}).status_code == 201
    finally:
        server.stop()
        redis.stop()


def test_health_does_not_call_psps(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    app = create_app({**providers_on(nowhere), "DATABASE_URL": str(tmp_path / "h.db")})
    server = LiveServer(app).start()
    try:
        started = time.monotonic()
        assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 1
    finally:
        server.stop()
    assert threading.active_count() < 200
