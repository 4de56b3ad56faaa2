"""A fault-injecting HTTP proxy of our own, on loopback, between the merchant app and the sandbox PSP.

Faults are planned per (method or "*", path pattern) and spent one by one; everything else is forwarded as is:

- "slow": wait `seconds`, then forward (a PSP slower than the deadline; it still acts, late)
- "drop_before": close the connection without forwarding (the PSP was down: nothing happened there)
- "drop_after": forward, then close without answering (the PSP acted; the answer was lost)
- "502": answer 502 from the proxy without forwarding (a gateway in front of a dead PSP)
- "502_after": forward, then answer 502 (the PSP acted; its gateway failed on the way back)
- "garbage": forward, then answer 200 with a body that is not JSON (the PSP acted)
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

FAULTS = ("slow", "drop_before", "drop_after", "502", "502_after", "garbage")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "te",
              "trailer", "upgrade", "proxy-authorization", "proxy-authenticate"}


@dataclass
class Plan:
    method: str
    pattern: re.Pattern
    fault: str
    times: int = 1
    seconds: float = 0.0
    hits: list = field(default_factory=list)
    then: object = None  # called once the fault has happened (e.g. kill -9 the PSP's process)


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.plans: list[Plan] = []
        self.log: list[tuple[str, str, str | None]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: the tests read proxy.log
                pass

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.take(self.command, self.path)
                proxy.log.append((self.command, self.path, fault and fault.fault))
                if fault and fault.fault == "slow":
                    if fault.then:
                        fault.then()
                    time.sleep(fault.seconds)
                if fault and fault.fault in ("drop_before", "502"):
                    return self.drop() if fault.fault == "drop_before" else self.answer(502, {}, b"Bad Gateway")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                try:
                    upstream = requests.request(self.command, proxy.upstream + self.path, headers=headers,
                                                data=body, allow_redirects=False, timeout=60)
                except requests.RequestException:  # the PSP is down: its callers see a dropped connection
                    return self.drop()
                if fault and fault.fault == "drop_after":
                    if fault.then:
                        fault.then()
                    return self.drop()
                if fault and fault.fault == "502_after":
                    return self.answer(502, {}, b"<html>Bad Gateway</html>")
                if fault and fault.fault == "garbage":
                    return self.answer(200, {"Content-Type": "application/json"}, b"\x00<html>not json")
                kept = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
                return self.answer(upstream.status_code, kept, upstream.content)

            def answer(self, status: int, headers: dict, body: bytes):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def drop(self):
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = handle_one

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def plan(self, method: str, pattern: str, fault: str, times: int = 1, seconds: float = 0.0, then=None) -> Plan:
        assert fault in FAULTS, fault
        planned = Plan(method.upper(), re.compile(pattern), fault, times, seconds, then=then)
        with self.lock:
            self.plans.append(planned)
        return planned

    def take(self, method: str, path: str) -> Plan | None:
        with self.lock:
            for planned in self.plans:
                if planned.times > 0 and planned.method in ("*", method) and planned.pattern.search(path):
                    planned.times -= 1
                    planned.hits.append(path)
                    return planned
        return None

    def clear(self) -> None:
        with self.lock:
            self.plans.clear()
            self.log.clear()

    def base_urls(self) -> dict:
        """Merchant configuration pointing every PSP at the sandbox through this proxy."""
        from tests.support import providers_on

        return providers_on(self.url)
