"""Panless: card tokenization for the browser. The card goes from the shopper's browser to the PSP; the
merchant app keeps opaque tokens.

What a merchant's backend calls is re-exported here. Importing this package builds no app and loads no
Flask app module: each name is imported from its room on first use.

    from panless import create_app, issue_customer_token
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["create_app", "issue_customer_token", "issue_redirect_code", "set_challenge"]

_EXPORTS = {
    "create_app": "panless.merchant",
    "issue_customer_token": "panless.merchant.auth",
    "issue_redirect_code": "panless.merchant.auth",
    "set_challenge": "panless.merchant.limits",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'panless' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
