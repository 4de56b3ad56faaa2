"""Providers by name, picked from configuration through an explicit list (django-payments style).

Adding a PSP is its own adapter module plus one line in ADAPTERS (docs/adding-a-psp.md).
"""

from __future__ import annotations

from flask import Flask, current_app

from ...core.settings import ConfigError, is_loopback
from ..errors import PanlessError
from .base import Provider
from .ecartpay import EcartPayProvider
from .juspay import JuspayProvider
from .mangopay import MangopayProvider
from .stax import StaxProvider
from .verifone import VerifoneProvider

ADAPTERS: list[type[Provider]] = [
    MangopayProvider,
    JuspayProvider,
    StaxProvider,
    EcartPayProvider,
    VerifoneProvider,
]
PROVIDERS: dict[str, type[Provider]] = {adapter.name: adapter for adapter in ADAPTERS}


def check_sections(config) -> None:
    """Every configured PSP has its required keys; demo credentials only ever reach a local sandbox."""
    for adapter in ADAPTERS:
        section = config.get(adapter.name.upper())
        if not section:
            continue
        missing = [key for key in adapter.required if section.get(key) in (None, "")]
        if missing:
            raise ConfigError(f"{adapter.name}: set " + ", ".join(f"PANLESS_{adapter.name.upper()}__{k}"
                                                                   for k in missing))
        demo = adapter.defaults()
        published = [key for key in adapter.secret_keys if section.get(key) == demo.get(key)]
        if published and not is_loopback(section.get("BASE_URL", "")):
            raise ConfigError(f"{adapter.name}: " + ", ".join(f"PANLESS_{adapter.name.upper()}__{k}" for k in published)
                              + " still hold the published demo values; set the PSP's real credentials"
                              + ("; RELAY_KEY is yours to make (python3 -c 'import secrets; print(secrets."
                                 "token_urlsafe(32))'), the same for the app and the relay" if "RELAY_KEY" in published
                                 else "") + ".")


def init_app(app: Flask) -> None:
    """One adapter instance per configured PSP (a PSP is configured when its config section exists)."""
    app.extensions["panless_providers"] = {
        adapter.name: adapter(app.config[adapter.name.upper()])
        for adapter in ADAPTERS if app.config.get(adapter.name.upper())
    }


def get(name: str | None = None) -> Provider:
    providers = current_app.extensions["panless_providers"]
    provider = providers.get(name or current_app.config["PROVIDER"])
    if provider is None:
        raise PanlessError("unknown_provider")
    return provider


def tokenization_origins() -> list[str]:
    origins: list[str] = []
    for provider in current_app.extensions["panless_providers"].values():
        origins += [o for o in provider.tokenization_origins() if o not in origins]
    return origins
