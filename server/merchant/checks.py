"""`panless check`: the configuration as the app would load it, the database, the rate-limit storage, and each
configured PSP's reachability and credentials, each failure naming the setting to fix.

Each adapter's `check()` makes a read or two with no card and nothing created, and raises ConfigError
naming the setting the PSP refused, or a PspFailure when the PSP cannot be reached or makes no sense.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from ..core.settings import ConfigError
from .providers.base import Provider, PspFailure


@dataclass
class Finding:
    what: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.what}: {self.detail}"


def psp_finding(name: str, provider) -> Finding:
    setting = f"PANLESS_{name.upper()}"
    try:
        provider.check()
        verified = type(provider).check is not Provider.check
        return Finding(name, True, f"{provider.base_url} " + ("accepts the configured credentials" if verified
                                                             else "answers (credentials not verifiable)"))
    except ConfigError as exc:
        return Finding(name, False, str(exc))
    except PspFailure as failure:
        if failure.kind == PspFailure.AUTH:
            keys = " / ".join(f"{setting}__{k}" for k in provider.required if k != "BASE_URL")
            return Finding(name, False, f"the PSP refused the credentials: check {keys}")
        if failure.kind == PspFailure.UNAVAILABLE:
            return Finding(name, False, f"cannot reach {setting}__BASE_URL={provider.base_url} (unavailable)")
        return Finding(name, False, f"{failure}: is {setting}__BASE_URL={provider.base_url} this PSP's API?")


def run(app: Flask) -> list[Finding]:
    """What `panless check` prints, for an app that loaded (configuration, database and storage are fine)."""
    from ..core.database import shown
    from .health import failing
    from .storage import configured_url

    findings = []
    with app.app_context():
        problems = failing()
    findings.append(Finding("database", "database" not in problems, shown(configured_url(app))))
    findings.append(Finding("rate limits", "ratelimit_storage" not in problems,
                            str(app.config["RATELIMIT_STORAGE"]).split("@")[-1]))
    for name, provider in app.extensions["panless_providers"].items():
        findings.append(psp_finding(name, provider))
    return findings
