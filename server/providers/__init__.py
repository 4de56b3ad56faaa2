"""Providers by name, picked from configuration through an explicit map (django-payments style)."""

from __future__ import annotations

from flask import Flask, current_app

from ..errors import PanlessError
from .base import Provider
from .juspay import JuspayProvider
from .mangopay import MangopayProvider
from .stax import StaxProvider

PROVIDERS: dict[str, type[Provider]] = {
    "mangopay": MangopayProvider,
    "juspay": JuspayProvider,
    "stax": StaxProvider,
}


def init_app(app: Flask) -> None:
    """One adapter instance per configured PSP (a PSP is configured when its config section exists)."""
    app.extensions["panless_providers"] = {
        name: cls(app.config[name.upper()]) for name, cls in PROVIDERS.items() if app.config.get(name.upper())
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
