"""The `panless` command: run the sandbox PSP, the merchant app, or the whole demo."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import run_simple


def cmd_sandbox(args) -> int:
    from panless.core.settings import ConfigError
    from panless.core.store import StoreError
    from panless.sandbox import base_urls, create_app
    from panless.sandbox.vault import VaultError

    overrides = {"SANDBOX": {"DB": args.db}} if args.db else None
    root = f"http://{args.host}:{args.port}"
    lines = [f"Panless sandbox PSP on {root}  (demo credentials unless PANLESS_ variables say otherwise)"]
    lines += [f"  {psp:10} {url}" for psp, url in base_urls(root).items()]
    try:
        app = create_app(overrides)
    except (VaultError, ConfigError, StoreError) as exc:
        print(f"panless sandbox: {exc}", file=sys.stderr)
        return 2
    return serve(app, args, lines)


def serve(app, args, banner: list[str]) -> int:
    print("\n".join(banner), flush=True)
    run_simple(args.host, args.port, app, threaded=True)
    return 0


def cmd_serve(args) -> int:
    """The merchant app under gunicorn (the Flask development server only with --dev, as `make demo` runs it)."""
    from panless.core.settings import is_loopback, prefixed_env
    from panless.merchant import create_app

    public = os.environ.get("PANLESS_PUBLIC_URL")
    listening = f"http://{args.host}:{args.port}"
    if not public and (prefixed_env().get("FORCE_HTTPS") is True or not is_loopback(listening)):
        # The app's own origin is what a checkout must not be, and where redirects point: not a bind address.
        print("panless serve: set PANLESS_PUBLIC_URL to the URL shoppers reach this app at (e.g. "
              "https://pay.example.com): behind HTTPS or on a public address it cannot be guessed from --host",
              file=sys.stderr)
        return 2
    public = os.environ["PANLESS_PUBLIC_URL"] = public or listening
    return production(lambda **settings: create_app({"PUBLIC_URL": public, **settings}), args,
                      lambda app: [f"Panless merchant app on {public}", f"  hosted card form  {public}/pay",
                                   *([f"  listening on      {listening}"] if listening != public else [])])


def production(factory, args, banner) -> int:
    """A service under gunicorn: workers and threads from the options or PANLESS_WORKERS / PANLESS_THREADS.
    Every start-up check runs once here, so a mistake stops the command with its message, not a boot loop."""
    from panless.core.database import PROCESSES_VARIABLE
    from panless.core.settings import SERVER_NUMBERS, ConfigError, check_number, prefixed_env

    settings = prefixed_env()
    workers = 1 if args.dev else args.workers if args.workers is not None else settings.get("WORKERS", 2)
    threads = args.threads if args.threads is not None else settings.get("THREADS", 8)
    try:
        for name, value in (("WORKERS", workers), ("THREADS", threads)):
            check_number(f"--{name.lower()} or PANLESS_{name}", value, *SERVER_NUMBERS[name])
    except ConfigError as exc:
        print(f"panless {args.command}: {exc}", file=sys.stderr)
        return 2
    os.environ[PROCESSES_VARIABLE] = str(workers)  # read by each worker's start-up checks
    try:
        app = factory(WORKERS=workers, THREADS=threads)
    except ConfigError as exc:
        print(f"panless {args.command}: {exc}", file=sys.stderr)
        return 2
    if args.dev:
        return serve(app, args, banner(app))
    for extension in app.extensions.values():  # the workers open their own connections
        store = extension.get("store") if isinstance(extension, dict) else extension
        if hasattr(store, "close") and hasattr(store, "engine"):
            store.close()
    print("\n".join([*banner(app), f"  gunicorn: {workers} workers x {threads} threads"]), flush=True)
    from panless.core.serving import Server

    deadline = int(app.config.get("REQUEST_DEADLINE", 25))
    Server(lambda: factory(WORKERS=workers, THREADS=threads), {
        "bind": f"{args.host}:{args.port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        # A worker silent for longer than a request's deadline plus slack is stuck: gunicorn replaces it.
        "timeout": deadline + 30, "graceful_timeout": 30, "keepalive": 5, "loglevel": "warning",
        # X-Forwarded-* count only as PANLESS_PROXY_COUNT says (merchant/proxy.py): gunicorn's own trust of
        # them from 127.0.0.1 would let any local client mark a plain request HTTPS, skipping the redirect.
        "forwarded_allow_ips": "", "secure_scheme_headers": {},
    }).run()
    return 0


def cmd_check(args) -> int:
    """Load the configuration as `serve` would, then check the database, rate-limit storage and each PSP."""
    from panless.core.settings import ConfigError
    from panless.merchant import checks, create_app

    try:
        app = create_app()
    except ConfigError as exc:
        print(f"FAIL  configuration: {exc}")
        return 1
    findings = checks.run(app)
    print("ok    configuration: loaded")
    print("\n".join(finding.line() for finding in findings))
    return 0 if all(finding.ok for finding in findings) else 1


def cmd_relay(args) -> int:
    """The tokenization relay under gunicorn (--dev: the Flask development server, as `make demo` runs it)."""
    from panless.core.database import shown
    from panless.relay import create_app, database

    def banner(app) -> list[str]:
        origins = " ".join(app.config["RELAY"]["FORM_ORIGINS"]) or "(none)"
        return [f"Panless tokenization relay on http://{args.host}:{args.port}",
                f"  card forms allowed from  {origins}", f"  spent tickets in         {shown(database(app))}"]

    return production(lambda **_: create_app(), args, banner)


def cmd_shop(args) -> int:
    from panless.core.settings import ConfigError
    from panless.demo import create_app

    try:
        app = create_app(args.panless_url)
    except ConfigError as exc:
        print(f"panless shop: {exc}", file=sys.stderr)
        return 2
    return serve(app, args,
                 [f"Demo shop (checkout page on its own origin) on http://{args.host}:{args.port}"])


def cmd_demo(args) -> int:
    """The sandbox, the relay, the merchant app and the demo shop, each in its own process, port and origin."""
    from panless.relay.routes import PSPS as RELAYED
    from panless.sandbox import base_urls

    # Ctrl-C (or a SIGTERM) stops the demo whatever its parent left the signals as: a process started with
    # SIGINT ignored (a background job, some test runners) would otherwise run on after Ctrl-C.
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    env = dict(os.environ)
    sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
    panless_url = f"http://127.0.0.1:{args.port}"
    shop_url = f"http://localhost:{args.shop_port}"  # another host name: another origin and site
    relay_url = f"http://127.0.0.1:{args.relay_port}"
    for psp, url in base_urls(sandbox_url).items():
        env.setdefault(f"PANLESS_{psp.upper()}__BASE_URL", url)
    for psp in RELAYED:  # the PSPs the browser reaches through the relay
        env.setdefault(f"PANLESS_{psp.upper()}__RELAY_URL", relay_url)
    env.setdefault("PANLESS_RELAY__FORM_ORIGINS", panless_url)
    env.setdefault("PANLESS_ALLOWED_ORIGINS", shop_url)
    env["PYTHONUNBUFFERED"] = "1"  # their lines as they come, through pass_through below
    me = [sys.executable, "-m", "panless.cli"]
    services = [(args.sandbox_port, "sandbox", "--sandbox-port"), (args.relay_port, "relay", "--relay-port"),
                (args.port, "merchant app", "--port"), (args.shop_port, "demo shop", "--shop-port")]
    if len({port for port, _, _ in services}) < len(services):
        print("panless demo: the four services need four different ports", file=sys.stderr)
        return 2
    for port, name, option in services:
        if not port_free(port):
            print(f"panless demo: port {port} (the {name}) is in use: stop what listens there (another demo?), "
                  f"or choose another with {option}", file=sys.stderr)
            return 2
    # The shop listens on 127.0.0.1, but only http://localhost:<port> is an allowed checkout origin: the
    # children's own banners would print an address where the card frame cannot load, so they say localhost.
    wrong = f"http://127.0.0.1:{args.shop_port}"
    pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "bufsize": 1}
    procs = [
        subprocess.Popen([*me, "sandbox", "--port", str(args.sandbox_port)], env=env, **pipe),
        subprocess.Popen([*me, "relay", "--dev", "--port", str(args.relay_port)], env=env, **pipe),
        subprocess.Popen([*me, "serve", "--dev", "--port", str(args.port)], env=env, **pipe),
        subprocess.Popen([*me, "shop", "--port", str(args.shop_port), "--panless-url", panless_url], env=env, **pipe),
    ]
    for proc in procs:
        threading.Thread(target=pass_through, args=(proc.stdout, wrong, shop_url), daemon=True).start()
    failed = None
    try:
        for proc, (port, name, _) in zip(procs, services, strict=True):
            if not wait_for_port(port, proc):
                failed = (name, proc.poll())
                break
        if failed is None:
            print(f"\nPanless demo is up. The demo shop's checkout (iframe and redirect flows): {shop_url}/")
            print(f"The hosted card form on its own: {panless_url}/pay")
            print("Try Mangopay's test card 4970107111111119, any future expiry, a 3-digit CVC (4 for Amex). "
                  "Ctrl-C stops.\n")
            sys.stdout.flush()
        while failed is None:
            for proc, (_, name, _) in zip(procs, services, strict=True):
                if proc.poll() is not None:
                    failed = (name, proc.returncode)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # one stop is enough: a second signal only interrupts it
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for p in procs:  # SIGTERM: they inherited our parent's signal dispositions, SIGINT perhaps ignored
            if p.poll() is None:
                p.terminate()
        # Five seconds for all of them together, not each: Ctrl-C stops the demo within that, then kills.
        deadline = time.monotonic() + 5
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if failed:
        name, code = failed
        print(f"panless demo: the {name} " + (f"stopped (exit code {code}); its lines above say why"
                                              if code is not None else "did not start listening in time"),
              file=sys.stderr)
        return 1
    return 0


def port_free(port: int) -> bool:
    """Nothing listens on the port (the servers bind with SO_REUSEADDR, so the probe does too: the closed
    connections of a demo just stopped do not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 30.0) -> bool:
    """Until the child listens on the port (so the URLs printed next answer when opened); False if it exits
    or does not listen in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def pass_through(stream, wrong: str, right: str) -> None:
    """A child's output, with the address that does not work for the shop replaced by the one that does."""
    for line in stream:
        sys.stdout.write(line.replace(wrong, right))
        sys.stdout.flush()


def cmd_inventory(args) -> int:
    from panless.core.paths import STATIC, checkout_root
    from panless.merchant.assets import write_inventory

    root = checkout_root()
    if not args.out and root is None:
        print("panless inventory: say where to write it with --out (not run from a source checkout)", file=sys.stderr)
        return 2
    out = write_inventory(str(STATIC), Path(args.out) if args.out else root / "docs" / "script-inventory.json")
    print(f"Payment page script inventory written to {out}")
    return 0


def cmd_audit(args) -> int:
    import json

    import requests

    from panless.merchant.audit import run

    try:
        baseline = json.loads(Path(args.baseline).read_text()) if args.baseline else None
    except (OSError, ValueError) as exc:
        print(f"panless audit: cannot read the baseline {args.baseline} ({type(exc).__name__}); write one first "
              "with --write-baseline FILE", file=sys.stderr)
        return 2
    from panless.merchant.config import checkout_origins, prefixed_env

    parent = args.parent or (checkout_origins(prefixed_env().get("ALLOWED_ORIGINS"), None) or [None])[0]
    try:
        passed, report, snapshot = run(args.url, parent, baseline)
    except requests.RequestException as exc:
        print(f"panless audit: cannot fetch {args.url}: {type(exc).__name__}", file=sys.stderr)
        return 2
    print(report)
    if args.write_baseline:
        Path(args.write_baseline).write_text(json.dumps(snapshot, indent=2) + "\n")
        print(f"Baseline written to {args.write_baseline}")
    return 0 if passed else 1


def whole_number(name: str, low: int, high: int):
    """An argparse type: a whole number from low to high; argparse names it ("invalid port value: '99999'")."""
    def parse(text: str) -> int:
        if not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)

    parse.__name__ = name
    return parse


port_number = whole_number("port", 1, 65535)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="panless", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def server_command(name: str, port: int, run, help: str):
        command = sub.add_parser(name, help=help)
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=port_number, default=port)
        command.set_defaults(run=run)
        return command

    sandbox = server_command("sandbox", 8001, cmd_sandbox, "run the offline sandbox PSP")
    sandbox.add_argument("--db", help="SQLite file that survives a restart (default: in memory)")
    serve_command = server_command("serve", 8000, cmd_serve, "run the merchant app (gunicorn)")
    check = sub.add_parser("check", help="check the configuration, database, rate-limit storage and each PSP")
    check.set_defaults(run=cmd_check)
    relay = server_command("relay", 8002, cmd_relay, "run the tokenization relay (Ecart Pay, Verifone UK Gateway)")
    for command in (serve_command, relay):
        command.add_argument("--workers", type=int, help="worker processes (default PANLESS_WORKERS, 2)")
        command.add_argument("--threads", type=int, help="threads per worker (default PANLESS_THREADS, 8)")
        command.add_argument("--dev", action="store_true", help="Flask's development server (the demo)")
    shop = server_command("shop", 8003, cmd_shop, "run the demo shop (a checkout page embedding the card form)")
    shop.add_argument("--panless-url", default="http://127.0.0.1:8000")

    demo = sub.add_parser("demo", help="run the sandbox, the relay, the merchant app and the demo shop together")
    demo.add_argument("--port", type=port_number, default=8000)
    demo.add_argument("--sandbox-port", type=port_number, default=8001)
    demo.add_argument("--shop-port", type=port_number, default=8003)
    demo.add_argument("--relay-port", type=port_number, default=8002)
    demo.set_defaults(run=cmd_demo)

    inventory = sub.add_parser("inventory", help="write the payment page script inventory (PCI DSS 6.4.3)")
    inventory.add_argument("--out", help="where to write it (default: docs/script-inventory.json in the repository)")
    inventory.set_defaults(run=cmd_inventory)

    audit = sub.add_parser("audit", help="check a payment page's headers and scripts against policy and a baseline")
    audit.add_argument("url", help="the card page, e.g. https://pay.example.com/pay")
    audit.add_argument("--parent",
                       help="checkout origin used to fetch the frame (default: first PANLESS_ALLOWED_ORIGINS)")
    audit.add_argument("--baseline", help="JSON written earlier with --write-baseline; drift fails the audit")
    audit.add_argument("--write-baseline", help="write this run's headers and hashes as the new baseline")
    audit.set_defaults(run=cmd_audit)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
