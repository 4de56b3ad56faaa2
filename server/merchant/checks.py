"""`panless check`: the configuration as the app would load it, the database, the rate-limit storage, and each
configured PSP's reachability and credentials, each failure naming the setting to fix.

An adapter that defines `check()` verifies its own credentials (it raises PanlessError, or ConfigError
naming the setting); the others are probed for reachability: any HTTP answer from BASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import Flask

from ..core.settings import ConfigError
from .errors import PanlessError


@dataclass
class Finding:
    what: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.what}: {self.detail}"


def psp_finding(name: str, provider) -> Finding:
    setting = f"PANLESS_{name.upper()}"
    check = getattr(provider, "check", None)
    try:
        if check is not None:
            check()
            return Finding(name, True, f"credentials accepted at {provider.base_url}")
        provider.session.get(provider.base_url, timeout=min(provider.timeout, 5))
        return Finding(name, True, f"{provider.base_url} answers")
    except ConfigError as exc:
        return Finding(name, False, str(exc))
    except PanlessError as exc:
        if exc.code == "psp_auth_failed":
            keys = " / ".join(f"{setting}__{k}" for k in getattr(provider, "secret_keys", ()) or ("API_KEY",))
            return Finding(name, False, f"the PSP refused the credentials: check {keys}")
        return Finding(name, False, f"{exc.code}: cannot use {setting}__BASE_URL={provider.base_url}")
    except requests.RequestException as exc:
        return Finding(name, False, f"cannot reach {setting}__BASE_URL={provider.base_url} ({type(exc).__name__})")


def run(app: Flask) -> list[Finding]:
    """What `panless check` prints, for an app that loaded (configuration, database and storage are fine)."""
    from .health import failing
    from .storage import configured_url, shown

    findings = []
    with app.app_context():
        problems = failing()
    findings.append(Finding("database", "database" not in problems, shown(configured_url(app))))
    findings.append(Finding("rate limits", "ratelimit_storage" not in problems,
                            str(app.config["RATELIMIT_STORAGE"]).split("@")[-1]))
    for name, provider in app.extensions["panless_providers"].items():
        findings.append(psp_finding(name, provider))
    return findings
